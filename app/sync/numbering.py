"""Legal-document numbering from ranges the hub hands out (DESIGN §3), safe while offline.

A legal number (an infraction notice, a license) must be unique in its series and year across the
municipality, yet field laptops issue documents offline. So the hub gives each node a block of
numbers (`NumberingRange`, like a numbered booklet); a node draws its numbers only from its own
blocks, and blocks never overlap, so two nodes can never issue the same number. Both ranges and
drawn numbers are synced rows. A cancelled number stays (marked, with a reason) and is never
drawn again.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.session import clock_of
from app.errors import ValidationError
from app.sync.models import LegalNumber, NumberingRange, SyncPeer
from app.sync.node import identity


def number_label(number: LegalNumber) -> str:
    """How the number is printed on the document: "0123/2026"."""
    return f"{number.number:04d}/{number.year}"


def _check_request(series: str, year: int, size: int) -> None:
    errors: dict[str, str] = {}
    if not series.strip():
        errors["series"] = "Informe a série da numeração."
    if not 2000 <= year <= 2100:
        errors["year"] = "Informe um ano válido para a numeração."
    if size < 1:
        errors["size"] = "A faixa precisa ter pelo menos um número."
    if errors:
        raise ValidationError(errors)


def _ranges(session: Session, series: str, year: int) -> list[NumberingRange]:
    query = select(NumberingRange).where(
        NumberingRange.series == series,
        NumberingRange.year == year,
        NumberingRange.deleted_at.is_(None),
    )
    return list(session.scalars(query.order_by(NumberingRange.first_number)))


def _check_node(session: Session, hub_id: str, node_id: str) -> None:
    if node_id == hub_id:
        return
    peer = session.get(SyncPeer, node_id)
    if peer is None or peer.revoked_at is not None:
        raise ValidationError({"node_id": "Computador não cadastrado ou revogado."})


def allocate_range(
    session: Session, node_id: str, series: str, year: int, size: int, *, first: int | None = None
) -> NumberingRange:
    """Hub only: give `node_id` the next `size` numbers of `series`/`year` (or from `first`)."""
    me = identity(session)
    if me.kind != "hub":
        raise ValidationError({"": "Somente a central distribui faixas de numeração."})
    _check_request(series, year, size)
    _check_node(session, me.node_id, node_id)
    existing = _ranges(session, series, year)
    start = first if first is not None else max((r.last_number for r in existing), default=0) + 1
    if start < 1:
        raise ValidationError({"first": "A numeração começa em 1."})
    last = start + size - 1
    for other in existing:
        if other.first_number <= last and start <= other.last_number:
            raise ValidationError(
                {
                    "first": f"A faixa {start} a {last} da série {series}/{year} se sobrepõe à "
                    f"faixa {other.first_number} a {other.last_number} já distribuída."
                }
            )
    block = NumberingRange(
        series=series, year=year, node_id=node_id, first_number=start, last_number=last
    )
    session.add(block)
    session.flush()
    return block


def draw_number(
    session: Session, series: str, year: int, *, document_id: str | None = None
) -> LegalNumber:
    """The smallest number of this node's ranges for `series`/`year` that was never drawn."""
    me = identity(session)
    mine = [r for r in _ranges(session, series, year) if r.node_id == me.node_id]
    for block in mine:
        used = set(
            session.scalars(
                select(LegalNumber.number).where(
                    LegalNumber.series == series,
                    LegalNumber.year == year,
                    LegalNumber.number.between(block.first_number, block.last_number),
                )
            )
        )
        free = next(
            (n for n in range(block.first_number, block.last_number + 1) if n not in used), None
        )
        if free is not None:
            drawn = LegalNumber(
                series=series,
                year=year,
                number=free,
                node_id=me.node_id,
                range_id=block.id,
                document_id=document_id,
            )
            session.add(drawn)
            session.flush()
            return drawn
    raise ValidationError(
        {
            "": f"A faixa de numeração da série {series}/{year} deste computador esgotou: "
            "solicite nova faixa à central."
            if mine
            else f"Este computador não tem faixa de numeração da série {series}/{year}: "
            "solicite nova faixa à central."
        }
    )


def cancel_number(session: Session, number_id: uuid.UUID, reason: str) -> LegalNumber:
    """Mark a drawn number cancelled; it stays on record and is never drawn again."""
    if not reason.strip():
        raise ValidationError({"reason": "Informe o motivo do cancelamento do número."})
    number = session.get(LegalNumber, number_id)
    if number is None:
        raise ValidationError({"": "Número não encontrado."})
    if number.cancelled_at is not None:
        raise ValidationError({"": f"O número {number_label(number)} já está cancelado."})
    number.cancelled_at = clock_of(session).now()
    number.cancel_reason = reason.strip()[:200]
    session.flush()
    return number
