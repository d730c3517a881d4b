"""Cancelling an export or an import half-way (the "Cancelar" button of the sync center) loses
nothing: what was written or applied stays, the rest is done by the next run, and the result is
the same as an uninterrupted exchange."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.db.session import Database
from app.installation.models import NodeKind
from app.registry.models import Citizen
from app.sync.exporter import export_to
from app.sync.folder import import_folder
from tests.integration.sync.network import UNIT_A, Network, add_citizen, make_network


def _unit_with_citizens(tmp_path: Path, count: int) -> tuple[Network, Database]:
    net = make_network(tmp_path)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    for index in range(count):
        add_citizen(unit, f"Pessoa Número {index}")
    return net, unit


def _citizens(db: Database) -> int:
    with db.read_only() as session:
        return int(session.scalar(select(func.count()).select_from(Citizen)) or 0)


def _after(files: int):  # type: ignore[no-untyped-def]
    """A cancel flag that turns on once `files` progress reports were seen."""
    seen: list[int] = []

    def progress(*_args: int) -> None:
        seen.append(1)

    return progress, lambda: len(seen) >= files


def test_a_cancelled_export_writes_whole_files_and_the_next_one_goes_on(tmp_path: Path) -> None:
    net, unit = _unit_with_citizens(tmp_path, 12)
    progress, cancelled = _after(1)
    first = export_to(
        unit, net.hub_id(), net.share, max_changes=5, progress=progress, cancelled=cancelled
    )
    assert len(first.files) == 1 and first.changes == 5
    rest = export_to(unit, net.hub_id(), net.share, max_changes=5)
    assert len(rest.files) == 2 and rest.changes == 7
    import_folder(net.hub, net.share)
    assert _citizens(net.hub) == 12


def test_a_cancelled_import_applies_whole_batches_and_leaves_the_rest_for_later(
    tmp_path: Path,
) -> None:
    net, unit = _unit_with_citizens(tmp_path, 12)
    export_to(unit, net.hub_id(), net.share, max_changes=5)
    progress, cancelled = _after(1)
    outcomes = import_folder(net.hub, net.share, progress=progress, cancelled=cancelled)
    assert [o.status for o in outcomes] == ["applied"]
    assert _citizens(net.hub) == 5
    waiting = list((net.share / "saida" / net.hub_id()).glob("*.smlote"))
    assert len(waiting) == 2  # not archived, not quarantined: still to be read
    later = import_folder(net.hub, net.share)
    assert [o.status for o in later] == ["applied", "applied"]
    assert _citizens(net.hub) == 12
