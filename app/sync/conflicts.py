"""Resolving a sync conflict: a person picks, field by field, which version stays.

The chosen values are written onto the live row through the ORM, so the resolution is captured in
the change log like any edit and reaches every node; there its base HLC covers both versions and
the same conflict closes by itself ("resolvido em outro computador", `app.sync.apply`). Every
decided field is written even when it already holds the chosen value, so the decision travels.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.db.session import clock_of
from app.errors import NotFound, ValidationError
from app.security import audit
from app.security.actor import Actor
from app.sync.apply import from_json
from app.sync.capture import synced_tables
from app.sync.conflict_queries import data_columns, load_conflict
from app.sync.labels import field_label
from app.sync.models import SyncConflict

SIDES = ("local", "remote")


def resolve_conflict(
    session: Session,
    actor: Actor,
    conflict_id: uuid.UUID | str,
    choice: Mapping[str, str],
) -> str:
    """Apply `choice` (field → "local" | "remote") and close the conflict; returns the note."""
    actor.require("sync.admin")
    conflict = load_conflict(session, conflict_id)
    if conflict.resolved_at is not None:
        raise ValidationError({"": "Este conflito já foi resolvido."})
    _check_choice(conflict, choice)
    if conflict.kind == "duplicate":
        note = _keep_existing(session, conflict)
    else:
        note = _write_choice(session, conflict, choice)
    conflict.resolved_at = clock_of(session).now()
    conflict.resolved_by = actor.username[:40]
    conflict.resolution = note[:200]
    session.flush()
    audit.record(
        session,
        actor,
        audit.UPDATE,
        entity="sync_conflict",
        entity_id=str(conflict.id),
        detail={"fields": sorted(choice), "table": conflict.table_name, "row": conflict.row_id},
    )
    return note


def _check_choice(conflict: SyncConflict, choice: Mapping[str, str]) -> None:
    allowed = set(data_columns(conflict.table_name))
    for name, side in choice.items():
        if name not in allowed:
            raise ValidationError({name: f"Campo desconhecido neste registro: {name}."})
        if side not in SIDES:
            raise ValidationError({name: "Escolha “manter esta” ou “manter a outra”."})
        if conflict.kind == "state" and name in conflict.fields and side != conflict.winner:
            raise ValidationError({name: _backwards(conflict, name)})


def _backwards(conflict: SyncConflict, name: str) -> str:
    """Why the state of a "state" conflict cannot go back (every node keeps the furthest)."""
    rows = {"local": conflict.local_row, "remote": conflict.remote_row}
    kept = str(rows[conflict.winner].get(name)).replace("_", " ")
    other = str(rows["remote" if conflict.winner == "local" else "local"].get(name))
    return (
        f"A situação não volta de “{kept}” para “{other.replace('_', ' ')}”: o que já foi feito "
        f"em um computador prevalece em todos. Mantenha “{kept}” para encerrar o conflito."
    )


def _live(session: Session, conflict: SyncConflict) -> Any:
    cls = synced_tables().get(conflict.table_name)
    obj = session.get(cls, uuid.UUID(conflict.row_id)) if cls is not None else None
    if obj is None:
        raise NotFound("O registro deste conflito não existe mais neste computador.")
    return obj


def _write_choice(session: Session, conflict: SyncConflict, choice: Mapping[str, str]) -> str:
    obj = _live(session, conflict)
    mapper = inspect(type(obj))
    decided = dict(choice)
    for name in conflict.fields:  # undecided fields keep the provisional winner's value
        decided.setdefault(name, conflict.winner)
    if conflict.kind == "delete":
        decided.setdefault("deleted_at", conflict.winner)
    parts = []
    for name, side in decided.items():
        attr = mapper.get_property_by_column(mapper.columns[name])
        row = conflict.local_row if side == "local" else conflict.remote_row
        value = from_json(mapper.columns[name], row.get(name))
        setattr(obj, attr.key, value)
        flag_modified(obj, attr.key)
        parts.append(f"{field_label(name)}: {'esta versão' if side == 'local' else 'a outra'}")
    session.flush()
    return "resolvido: " + "; ".join(parts) if parts else "resolvido sem alterações"


def _keep_existing(session: Session, conflict: SyncConflict) -> str:
    del session  # nothing to write: the received record was never created here
    name = conflict.remote_row.get("name") or "o registro recebido"
    return (
        f"mantido o registro que já existia; {name} (recebido de outro computador) não foi "
        "criado por ter o mesmo documento"
    )
