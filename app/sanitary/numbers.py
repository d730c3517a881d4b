"""Legal numbers for the department's papers, drawn from this node's numbering ranges.

A field laptop draws from the ranges the hub gave it (like a numbered paper booklet) and gets a
Portuguese message asking for a new range when they run out. The hub, and an installation working
alone, give themselves the next block of the series automatically, so the office never stops for
want of a range. A number is drawn inside the caller's transaction: if the document is not saved,
the number is not drawn either, so none is lost or reused.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.sync.models import LegalNumber
from app.sync.node import identity
from app.sync.numbering import allocate_range, draw_number

OFFICE_BLOCK = 1000


def next_number(
    session: Session, series: str, year: int, *, document_id: str | None = None
) -> LegalNumber:
    """The next legal number of `series`/`year` for a document made on this node."""
    try:
        return draw_number(session, series, year, document_id=document_id)
    except ValidationError:
        if identity(session).kind != "hub":
            raise
    allocate_range(session, identity(session).node_id, series, year, OFFICE_BLOCK)
    return draw_number(session, series, year, document_id=document_id)


def label(number: int, year: int) -> str:
    """A legal number as printed: `0042/2026`."""
    return f"{number:04d}/{year}"
