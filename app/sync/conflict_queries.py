"""The read side of sync conflicts: the open conflicts and one conflict's two versions.

The sync center lists the conflicts waiting for a person, oldest first, and shows one of them field
by field: the version here, the one received and the value in effect now, with the references to
other records written as their names and the fields a person decides about marked, plus a
Portuguese explanation of what happened. Nothing here writes (`app.sync.conflicts` resolves).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound, ValidationError
from app.sync.capture import synced_tables, to_json_value
from app.sync.labels import EMPTY, RECORD_LABELS, field_label, show_value, table_label
from app.sync.models import SyncConflict, SyncPeer
from app.sync.node import identity

CONFLICT_KINDS = {
    "fields": "mesmo campo alterado em dois computadores",
    "delete": "exclusão em um computador, alteração em outro",
    "state": "situação alterada nos dois computadores (fica a mais adiantada)",
    "duplicate": "registro recebido duplica outro já existente",
}
# Columns a person never decides about (bookkeeping and search keys).
HIDDEN = frozenset({"id", "version", "created_at", "updated_at", "origin_node", "name_key"})


@dataclass(frozen=True)
class ConflictRow:
    id: uuid.UUID
    opened_at: datetime
    table_label: str
    record_label: str
    kind_label: str
    fields_label: str
    local_name: str
    remote_name: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    local: str
    remote: str
    current: str
    differs: bool
    in_conflict: bool


@dataclass(frozen=True)
class ConflictDetail:
    id: uuid.UUID
    kind: str
    kind_label: str
    table_label: str
    record_label: str
    local_name: str
    remote_name: str
    winner: str  # "local" | "remote"
    winner_label: str
    fields: list[FieldDiff]
    explanation: str
    resolved: bool

    @property
    def choosable(self) -> list[FieldDiff]:
        """The fields a person decides (the rest merged by themselves or did not change)."""
        return [f for f in self.fields if f.in_conflict]


def _node_names(session: Session) -> dict[str, str]:
    names = {p.node_id: p.name for p in session.scalars(select(SyncPeer))}
    try:
        me = identity(session)
    except ValidationError:  # not configured yet: no names to show
        return names
    names[me.node_id] = f"{me.name} (este computador)"
    return names


def _node_name(names: dict[str, str], node_id: str) -> str:
    return names.get(node_id) or "outro computador"


def _record_label(table_name: str, row: dict[str, Any]) -> str:
    for key in ("name", "trade_name", "legal_name", "description", "code"):
        if row.get(key):
            return str(row[key])
    if row.get("due_on"):
        return f"prevista para {show_value(row['due_on'])}"
    return RECORD_LABELS.get(table_name, "registro")


def _as_row(cls: type[Any], obj: Any) -> dict[str, Any]:
    return {c.name: to_json_value(getattr(obj, a.key)) for a in _attrs(cls) for c in a.columns}


def _live_row(session: Session, conflict: SyncConflict) -> dict[str, Any]:
    cls = synced_tables().get(conflict.table_name)
    if cls is None:
        return {}
    obj = session.get(cls, uuid.UUID(conflict.row_id))
    if obj is None and conflict.kind == "duplicate":
        obj = _existing_twin(session, cls, conflict.remote_row)
    return _as_row(cls, obj) if obj is not None else {}


def _existing_twin(session: Session, cls: type[Any], row: dict[str, Any]) -> Any:
    """The record here that holds the same unique key as a refused incoming one."""
    from app.sync.apply import _unique_column_sets, from_json

    table = cls.__table__
    for columns in _unique_column_sets(table):
        values = [row.get(c) for c in columns]
        if any(v in (None, "") for v in values):
            continue
        conditions = [
            table.c[c] == from_json(table.c[c], v) for c, v in zip(columns, values, strict=True)
        ]
        found = session.scalars(select(cls).where(*conditions)).first()
        if found is not None:
            return found
    return None


def _attrs(cls: type[Any]) -> list[Any]:
    from sqlalchemy import inspect

    return list(inspect(cls).column_attrs)


def data_columns(table_name: str) -> list[str]:
    """The columns of a synced table a person may see and decide about, in table order."""
    cls = synced_tables().get(table_name)
    if cls is None:
        return []
    names = [a.columns[0].name for a in _attrs(cls)]
    return [n for n in names if n not in HIDDEN and not n.endswith("_key")]


def load_conflict(session: Session, conflict_id: uuid.UUID | str) -> SyncConflict:
    key = conflict_id if isinstance(conflict_id, uuid.UUID) else uuid.UUID(str(conflict_id))
    conflict = session.get(SyncConflict, key)
    if conflict is None:
        raise NotFound("Conflito não encontrado.")
    return conflict


def open_conflicts(session: Session) -> list[ConflictRow]:
    """Conflicts waiting for a person, oldest first."""
    names = _node_names(session)
    query = (
        select(SyncConflict)
        .where(SyncConflict.resolved_at.is_(None))
        .order_by(SyncConflict.opened_at, SyncConflict.id)
    )
    rows = []
    for c in session.scalars(query):
        row = c.local_row or c.remote_row
        fields = ", ".join(field_label(f) for f in c.fields) or (
            "exclusão" if c.kind == "delete" else "registro inteiro"
        )
        rows.append(
            ConflictRow(
                c.id,
                c.opened_at,
                RECORD_LABELS.get(c.table_name, table_label(c.table_name)),
                _record_label(c.table_name, row),
                CONFLICT_KINDS.get(c.kind, c.kind),
                fields,
                _node_name(names, c.local_node),
                _node_name(names, c.remote_node),
            )
        )
    return rows


def _choosable(conflict: SyncConflict) -> set[str]:
    if conflict.kind == "duplicate":
        return set()
    extra = {"deleted_at"} if conflict.kind == "delete" else set()
    return set(conflict.fields) | extra


def _explanation(conflict: SyncConflict, local: str, remote: str) -> str:
    if conflict.kind == "duplicate":
        return (
            f"O registro recebido de {remote} tem o mesmo documento (CPF, CNS ou código) de um "
            "registro que já existe aqui, por isso não foi criado. Confira os dados e, se for a "
            "mesma pessoa, mantenha o registro existente."
        )
    if conflict.kind == "delete":
        return (
            "Um computador excluiu este registro enquanto o outro o alterava. Escolha se ele "
            "continua excluído ou volta a valer, e quais valores ficam."
        )
    if conflict.kind == "state":
        return (
            f"A situação foi mudada em {local} e em {remote} sem que um visse a mudança do "
            "outro. Fica a situação mais adiantada (o que já foi feito não se desfaz); confira "
            "e salve para encerrar o conflito."
        )
    return (
        f"Os campos destacados foram alterados em {local} e em {remote} sem que um visse a "
        "alteração do outro. Escolha, campo a campo, qual valor fica; a escolha vale para "
        "todos os computadores."
    )


def conflict_detail(session: Session, conflict_id: uuid.UUID | str) -> ConflictDetail:
    """Both versions of a conflict, field by field, with the value in effect now."""
    conflict = load_conflict(session, conflict_id)
    names = _node_names(session)
    local_name = _node_name(names, conflict.local_node) if conflict.local_node else "aqui"
    remote_name = _node_name(names, conflict.remote_node)
    live = _live_row(session, conflict)
    local = conflict.local_row or (live if conflict.kind == "duplicate" else {})
    remote = conflict.remote_row
    choosable = _choosable(conflict)
    enums = _enum_classes(conflict.table_name)
    targets = _referenced_tables(conflict.table_name)

    def shown(name: str, value: Any) -> str:
        if name in targets and value:
            return _referenced_label(session, targets[name], value)
        return _shown(name, value, enums.get(name))

    fields = []
    for name in data_columns(conflict.table_name):
        mine, theirs = local.get(name), remote.get(name)
        fields.append(
            FieldDiff(
                name,
                field_label(name),
                shown(name, mine),
                shown(name, theirs),
                shown(name, live.get(name)) if live else EMPTY,
                mine != theirs,
                name in choosable,
            )
        )
    winner_name = local_name if conflict.winner == "local" else remote_name
    return ConflictDetail(
        conflict.id,
        conflict.kind,
        CONFLICT_KINDS.get(conflict.kind, conflict.kind),
        RECORD_LABELS.get(conflict.table_name, table_label(conflict.table_name)),
        _record_label(conflict.table_name, remote or local),
        local_name,
        remote_name,
        conflict.winner,
        f"versão de {winner_name}",
        fields,
        _explanation(conflict, local_name, remote_name),
        conflict.resolved_at is not None,
    )


def _shown(name: str, value: Any, enum_class: Any = None) -> str:
    if name == "deleted_at" and not value:
        return "não excluído"
    if enum_class is not None and value is not None:
        try:
            return str(getattr(enum_class(value), "label", value))
        except ValueError:
            return str(value)
    return show_value(value)


def _referenced_tables(table_name: str) -> dict[str, str]:
    """Column → the synced table its foreign key points to (shown by name, not by id)."""
    cls = synced_tables().get(table_name)
    if cls is None:
        return {}
    found = {}
    for column in cls.__table__.columns:
        for key in column.foreign_keys:
            if key.column.table.name in synced_tables():
                found[column.name] = key.column.table.name
    return found


def _referenced_label(session: Session, table_name: str, value: Any) -> str:
    cls = synced_tables()[table_name]
    try:
        row = session.get(cls, uuid.UUID(str(value)))
    except ValueError:
        return str(value)
    if row is None:
        return f"{RECORD_LABELS.get(table_name, 'registro')} não encontrado aqui"
    return _record_label(table_name, _as_row(cls, row))


def _enum_classes(table_name: str) -> dict[str, Any]:
    cls = synced_tables().get(table_name)
    if cls is None:
        return {}
    columns = cls.__table__.columns
    return {c.name: getattr(c.type, "enum_class", None) for c in columns}
