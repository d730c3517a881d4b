"""Legal numbers drawn offline on a field laptop and at the hub never collide, never get reused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.session import Database
from app.errors import ValidationError
from app.installation.models import NodeKind
from app.sync.models import LegalNumber, NumberingRange
from app.sync.numbering import allocate_range, cancel_number, draw_number, number_label
from tests.integration.sync.network import make_network

SERIES = "auto-infracao"
VISA = "7654356"  # the health-surveillance unit the field team belongs to


def _draw(db: Database, count: int) -> list[str]:
    with db.unit_of_work("fiscal") as session:
        return [number_label(draw_number(session, SERIES, 2026)) for _ in range(count)]


def _numbers(db: Database) -> dict[str, tuple[str, bool]]:
    with db.read_only() as session:
        rows = session.scalars(select(LegalNumber).where(LegalNumber.series == SERIES))
        return {number_label(n): (n.node_id, n.cancelled_at is not None) for n in rows}


def test_numbers_drawn_offline_never_collide_and_cancelled_ones_stay(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    field = net.add("Fiscal Vigilância 1", NodeKind.FIELD, VISA)
    with net.hub.unit_of_work("admin") as session:
        allocate_range(session, net.hub_id(), SERIES, 2026, 3)
        allocate_range(session, field.node_id, SERIES, 2026, 4)
    net.round()
    with field.read_only() as session:
        ranges = {
            (r.node_id, r.first_number, r.last_number)
            for r in session.scalars(select(NumberingRange))
        }
    assert ranges == {(net.hub_id(), 1, 3), (field.node_id, 4, 7)}

    # both sides draw while disconnected
    assert _draw(field, 2) == ["0004/2026", "0005/2026"]
    assert _draw(net.hub, 2) == ["0001/2026", "0002/2026"]
    with field.unit_of_work("fiscal") as session:
        drawn = session.scalar(select(LegalNumber).where(LegalNumber.number == 5))
        assert drawn is not None
        with pytest.raises(ValidationError) as missing:
            cancel_number(session, drawn.id, "  ")
        assert "motivo" in missing.value.message
        cancel_number(session, drawn.id, "auto lavrado com erro de digitação")
    assert _draw(field, 1) == ["0006/2026"]
    net.round()

    expected = {
        "0001/2026": (net.hub_id(), False),
        "0002/2026": (net.hub_id(), False),
        "0004/2026": (field.node_id, False),
        "0005/2026": (field.node_id, True),
        "0006/2026": (field.node_id, False),
    }
    assert _numbers(net.hub) == _numbers(field) == expected

    # the cancelled number is never drawn again; then the field's range runs out
    assert _draw(field, 1) == ["0007/2026"]
    with pytest.raises(ValidationError) as exhausted, field.unit_of_work() as session:
        draw_number(session, SERIES, 2026)
    assert "esgotou: solicite nova faixa à central" in exhausted.value.message
    assert _draw(net.hub, 1) == ["0003/2026"]


def test_the_hub_refuses_overlapping_ranges_and_only_the_hub_allocates(tmp_path: Path) -> None:
    net = make_network(tmp_path)
    field = net.add("Fiscal Vigilância 1", NodeKind.FIELD, VISA)
    with net.hub.unit_of_work("admin") as session:
        first = allocate_range(session, field.node_id, SERIES, 2026, 100)
        assert (first.first_number, first.last_number) == (1, 100)
        with pytest.raises(ValidationError) as overlap:
            allocate_range(session, net.hub_id(), SERIES, 2026, 10, first=95)
        assert "se sobrepõe à faixa 1 a 100" in overlap.value.message
        # another year or series is a separate numbering
        other = allocate_range(session, net.hub_id(), SERIES, 2027, 10)
        assert (other.first_number, other.last_number) == (1, 10)
        after = allocate_range(session, net.hub_id(), SERIES, 2026, 10)
        assert (after.first_number, after.last_number) == (101, 110)
    with pytest.raises(ValidationError) as refused, field.unit_of_work() as session:
        allocate_range(session, field.node_id, SERIES, 2026, 10)
    assert "Somente a central" in refused.value.message
