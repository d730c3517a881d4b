"""The hub on a real PostgreSQL: units' batches ingested, clerks typing at the same time.

The hub is the central office's installation: PostgreSQL, several clerks at once and a scheduler
running `sync ingest` on the shared folder. Two units on their own SQLite files exchange batches
with it through the folder, as in `test_exchange.py`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from app import cli
from app.bootstrap import adopt_node_id
from app.clock import FixedClock
from app.db.migrate import upgrade
from app.db.session import Database
from app.installation.demo import DEMO_IBGE
from app.installation.models import NodeKind
from app.installation.service import SetupInput, complete_setup
from app.registry.models import Citizen
from app.sync import batchfile
from app.sync.capture import row_as_dict
from app.sync.exporter import export_to
from app.sync.folder import import_folder
from app.sync.hub import ingest
from app.sync.models import ChangeLogEntry, SyncConflict
from app.sync.node import KEYS_DIR_ENV
from tests.integration.sync.network import (
    UNIT_A,
    UNIT_B,
    Network,
    add_citizen,
    edit_citizen,
    snapshot,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def hub(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The central office's installation, configured on its own PostgreSQL database."""
    monkeypatch.setenv(KEYS_DIR_ENV, str(tmp_path / "chaves-central"))
    clock = FixedClock()
    db = Database(pg_url, clock=clock)
    upgrade(db, clock.now())
    data = SetupInput(
        municipality_name="Santa Lúcia",
        uf="PR",
        ibge_code=DEMO_IBGE,
        timezone="America/Sao_Paulo",
        installation_name="Central",
        kind=NodeKind.HUB,
        unit_cnes="",
        admin_username="admin",
        admin_full_name="Administradora Central",
        admin_password="senha-forte-2026",
    )
    with db.unit_of_work() as session:
        complete_setup(session, data)
    adopt_node_id(db)
    yield db
    db.dispose()


@pytest.fixture
def net(hub: Database, tmp_path: Path) -> Network:
    network = Network(tmp_path, hub)
    network.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    network.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
    return network


def _hub_ingest_by_cli(net: Network, pg_url: str) -> None:
    """The scheduler's form: `saude-municipal-cli --db URL sync ingest PASTA`."""
    if "sync" not in cli.COMMANDS:  # the command is not there yet: the same call it will make
        ingest(net.hub, net.share)
        return
    assert cli.main(["--db", pg_url, "sync", "ingest", str(net.share)]) == 0


def _round(net: Network, hub_ingest: Callable[[], Any]) -> None:
    for _ in range(2):
        for db in net.nodes.values():
            export_to(db, net.hub_id(), net.share)
        hub_ingest()
        for name in net.nodes:
            net.receive(name)


def _pending(db: Database) -> int:
    with db.read_only() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ChangeLogEntry)
                .where(ChangeLogEntry.acknowledged.is_(False))
            )
            or 0
        )


def _citizen(db: Database, citizen_id: str) -> dict[str, Any]:
    """The citizen's row as the node holds it now."""
    with db.read_only() as session:
        found = session.get(Citizen, uuid.UUID(citizen_id))
        assert found is not None
        return row_as_dict(found)


def _hub_origin_seqs(hub: Database) -> list[int]:
    with hub.read_only() as session:
        return list(
            session.scalars(
                select(ChangeLogEntry.origin_seq)
                .where(ChangeLogEntry.origin_node == hub.node_id)
                .order_by(ChangeLogEntry.origin_seq)
            )
        )


def test_units_converge_through_a_postgresql_hub_and_conflicts_are_opened_there(
    net: Network, pg_url: str
) -> None:
    a, b = net.nodes["UBS Centro"], net.nodes["UBS Vila Nova"]
    maria = add_citizen(a, "Maria da Silva", cpf="52998224725")
    jose = add_citizen(b, "José Pereira", unit=UNIT_B)
    _round(net, lambda: ingest(net.hub, net.share))
    assert _citizen(net.hub, maria)["name"] == "Maria da Silva"
    assert _citizen(net.hub, jose)["name"] == "José Pereira"
    assert _citizen(b, maria)["cpf"] == "52998224725"

    # the same citizen edited at both units: one field on both sides, other fields on one each
    edit_citizen(a, maria, phone="41999990000", street="Rua das Flores")
    b.clock.advance(timedelta(seconds=5))
    edit_citizen(b, maria, phone="41988880000", number="120")
    _round(net, lambda: _hub_ingest_by_cli(net, pg_url))

    states = [snapshot(db, ["citizen"])["citizen"] for db in (net.hub, a, b)]
    for state in states:
        for row in state.values():
            row.pop("updated_at")
    assert states[0] == states[1] == states[2]
    merged = states[0][maria]
    assert (merged["street"], merged["number"], merged["phone"]) == (
        "Rua das Flores",
        "120",
        "41988880000",
    )
    with net.hub.read_only() as session:
        conflicts = [
            (c.row_id, c.fields, {c.local_row["phone"], c.remote_row["phone"]})
            for c in session.scalars(select(SyncConflict))
        ]
    # the hub opened the same-field conflict, with both versions kept
    assert conflicts == [(maria, ["phone"], {"41999990000", "41988880000"})]
    # every unit's change was confirmed by the hub's receipts: nothing left to send
    assert _pending(a) == 0 and _pending(b) == 0


def test_two_clerks_type_on_the_hub_while_an_ingest_runs(net: Network) -> None:
    hub = net.hub
    a = net.nodes["UBS Centro"]
    mine = [add_citizen(hub, f"Cidadã Central {n}", unit=UNIT_A) for n in range(12)]
    first, second = mine[:6], mine[6:]
    for n in range(300):
        add_citizen(a, f"Cidadão da Unidade {n}")
    export_to(a, net.hub_id(), net.share, max_changes=50)
    start = threading.Barrier(3)
    failures: list[BaseException] = []

    def clerk(account: str, citizens: list[str]) -> None:
        start.wait()
        for turn in range(3):
            for citizen_id in citizens:
                try:
                    with hub.unit_of_work(account) as session:
                        citizen = session.get(Citizen, uuid.UUID(citizen_id))
                        assert citizen is not None
                        citizen.phone = f"4199999{turn:04d}"
                        citizen.street = f"Rua {account} {turn}"
                except BaseException as error:  # collected and asserted below
                    failures.append(error)

    def scheduler() -> None:
        start.wait()
        try:
            ingest(hub, net.share)
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    threads = [
        threading.Thread(target=clerk, args=("clerk1", first)),
        threading.Thread(target=clerk, args=("clerk2", second)),
        threading.Thread(target=scheduler),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

    # no clerk's edit was lost, and the unit's 300 citizens all arrived
    for account, citizens in (("clerk1", first), ("clerk2", second)):
        for citizen_id in citizens:
            citizen = _citizen(hub, citizen_id)
            assert (citizen["phone"], citizen["street"]) == ("41999990002", f"Rua {account} 2")
    with hub.read_only() as session:
        assert session.scalar(select(func.count()).select_from(Citizen)) == 312
    # the hub numbered its own changes 1..n with no gap: 12 creations and 36 edits
    assert _hub_origin_seqs(hub) == list(range(1, 49))
    # and the unit receives every one of them
    net.receive("UBS Centro")
    ingest(hub, net.share)
    net.receive("UBS Centro")
    for account, citizens in (("clerk1", first), ("clerk2", second)):
        for citizen_id in citizens:
            assert _citizen(a, citizen_id)["street"] == f"Rua {account} 2"


def test_the_same_citizen_saved_by_two_clerks_at_once_refuses_the_second(net: Network) -> None:
    hub = net.hub
    citizen_id = add_citizen(hub, "Maria da Silva")
    loaded, flushed = threading.Barrier(2), threading.Barrier(2)
    saved: list[str] = []
    refused: list[str] = []

    def clerk(account: str, phone: str) -> None:
        try:
            with hub.unit_of_work(account) as session:
                citizen = session.get(Citizen, uuid.UUID(citizen_id))
                assert citizen is not None
                loaded.wait()  # both clerks have the same version on screen
                if account == "clerk2":
                    citizen.phone = phone
                    session.flush()  # clerk 2 saves first: the row is locked until it commits
                    flushed.wait()
                else:
                    flushed.wait()
                    citizen.phone = phone  # clerk 1 saves while clerk 2 is committing
            saved.append(phone)
        except StaleDataError:
            refused.append(phone)

    threads = [
        threading.Thread(target=clerk, args=("clerk1", "41911110000")),
        threading.Thread(target=clerk, args=("clerk2", "41922220000")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the second save is refused instead of silently overwriting the first
    assert (saved, refused) == (["41922220000"], ["41911110000"])
    assert _citizen(hub, citizen_id)["phone"] == "41922220000"
    with hub.read_only() as session:
        logged = list(
            session.scalars(
                select(ChangeLogEntry.changed_fields)
                .where(ChangeLogEntry.row_id == citizen_id)
                .order_by(ChangeLogEntry.seq)
            )
        )
    assert logged == [[], ["phone"]]  # the creation and the one saved edit; no trace of the other
    assert _hub_origin_seqs(hub) == [1, 2]


def test_an_export_while_a_batch_is_being_applied_skips_nothing(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second ingest (or the sync center) exports while the first is still applying a batch.

    The batch's changes get their log positions before it commits; a clerk's edit committed
    meanwhile gets a later one. An export that read only the clerk's edit and moved the unit's
    cursor past it would never send the batch's changes to that unit.
    """
    hub = net.hub
    a, b = net.nodes["UBS Centro"], net.nodes["UBS Vila Nova"]
    typed_at_hub = add_citizen(hub, "Cidadã da Central", unit=UNIT_B)
    from_a = [add_citizen(a, f"Cidadão da Unidade {n}", unit=UNIT_B) for n in range(1200)]
    export_to(a, net.hub_id(), net.share)
    halfway, resume = threading.Event(), threading.Event()
    real_iter_changes = batchfile.iter_changes

    def paused_after_first_chunk(*args: Any) -> Iterator[dict[str, Any]]:
        for number, change in enumerate(real_iter_changes(*args)):
            if number == 1001:  # the first 1,000 are applied (and numbered), not committed
                halfway.set()
                resume.wait()
            yield change

    monkeypatch.setattr(batchfile, "iter_changes", paused_after_first_chunk)
    importing = threading.Thread(target=import_folder, args=(hub, net.share))
    importing.start()
    assert halfway.wait(60)
    # A clerk saves meanwhile: every writer of the change log takes the same lock first, so the
    # save waits for the import to commit (about a second for a full batch) instead of taking a
    # log position an export could see before the import's.
    saving = threading.Thread(
        target=edit_citizen, args=(hub, typed_at_hub), kwargs={"phone": "41977770000"}
    )
    saving.start()
    exporting = threading.Thread(target=export_to, args=(hub, b.node_id, net.share))
    exporting.start()
    exporting.join(2)  # unsafe exporters finish here; safe ones wait for the import to commit
    saving.join(1)
    assert saving.is_alive()  # the clerk's save is waiting its turn, not interleaved
    resume.set()
    importing.join()
    saving.join()
    exporting.join()
    monkeypatch.setattr(batchfile, "iter_changes", real_iter_changes)

    ingest(hub, net.share)
    net.receive("UBS Vila Nova")
    with b.read_only() as session:
        have = {str(i) for i in session.scalars(select(Citizen.id))}
    assert set(from_a) <= have and typed_at_hub in have
    assert _citizen(b, typed_at_hub)["phone"] == "41977770000"
