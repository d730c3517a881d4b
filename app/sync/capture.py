"""Change capture: every ORM flush of a synced table writes change-log rows in the same transaction.

A listener on the Session's `after_flush` event sees each new, modified and tombstoned row of any
class marked `__synced__` and inserts one `change_log` row for it on the flush's own connection, so
the change and its log commit or roll back together. Tables added later are captured without extra
code. (Bulk writes through SQLAlchemy Core bypass the ORM; the sync issue adds their capture.)
"""

from __future__ import annotations

import base64
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from app.db.base import new_id, utc_now
from app.sync.models import ChangeLogEntry


def to_json_value(value: Any) -> Any:
    """A column value as JSON (UUIDs, dates and decimals as strings, bytes as base64)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def row_as_dict(obj: Any) -> dict[str, Any]:
    """All column values of a mapped object, JSON-ready."""
    mapper = inspect(obj).mapper
    return {attr.key: to_json_value(getattr(obj, attr.key)) for attr in mapper.column_attrs}


def _changed_fields(obj: Any) -> list[str]:
    state = inspect(obj)
    return [
        attr.key
        for attr in state.mapper.column_attrs
        if state.attrs[attr.key].history.has_changes() and attr.key not in ("version", "updated_at")
    ]


def _entry(session: Session, obj: Any, op: str, fields: list[str], is_new: bool) -> dict[str, Any]:
    version = int(obj.version)
    return {
        "change_id": str(new_id()),
        "origin_node": session.info.get("node_id", "local"),
        "table_name": obj.__tablename__,
        "row_id": str(obj.id),
        "op": op,
        "base_version": 0 if is_new else version - 1,
        "new_version": version,
        "changed_fields": fields,
        "row": row_as_dict(obj),
        "account": session.info.get("account", ""),
        "at": utc_now(),
        "acknowledged": False,
    }


@event.listens_for(Session, "after_flush")
def _capture(session: Session, _ctx: Any) -> None:
    entries = []
    for obj in session.new:
        if getattr(obj, "__synced__", False):
            entries.append(_entry(session, obj, "upsert", [], is_new=True))
    for obj in session.dirty:
        if getattr(obj, "__synced__", False) and session.is_modified(obj):
            fields = _changed_fields(obj)
            op = "delete" if "deleted_at" in fields and obj.deleted_at is not None else "upsert"
            entries.append(_entry(session, obj, op, fields, is_new=False))
    if entries:
        session.connection().execute(insert(ChangeLogEntry), entries)
