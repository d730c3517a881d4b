"""Random histories of edits, exports, lossy deliveries and resolutions always converge.

A Hypothesis state machine drives a hub and three units (two of unit A, one of unit B), each a
real SQLite node with its own clock, through random steps: citizens created, fields edited (clocks
moving on, sometimes set a year back), tombstones, exports, hub ingests, imports, batch files lost
on the way (the sender later re-exports with `resend=True`) and conflicts resolved by a person. At
the end everything is delivered until nothing moves, and then every node shows the same citizens,
every change the hub acknowledged is at the hub and nothing is left pending anywhere.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule
from sqlalchemy import select

from app.bootstrap import adopt_node_id
from app.clock import FixedClock
from app.db.engine import sqlite_url
from app.db.session import Database
from app.installation.models import NodeKind
from app.registry.models import Citizen
from app.sync.exporter import export_to
from app.sync.folder import import_folder
from app.sync.hub import ingest
from app.sync.models import ChangeLogEntry, SyncConflict
from tests.integration.sync.network import (
    UNIT_A,
    UNIT_B,
    Network,
    add_citizen,
    make_network,
    snapshot,
)

UNITS = {"UBS Centro": UNIT_A, "UBS Centro Anexo": UNIT_A, "UBS Vila Nova": UNIT_B}
NAMES = list(UNITS)
YEAR = timedelta(days=365)
MAX_ROUNDS = 8

FIELD_VALUES = {
    "phone": st.from_regex(r"\A41[0-9]{9}\Z"),
    "street": st.sampled_from(["Rua das Flores", "Avenida Brasil", "Rua XV de Novembro", ""]),
    "number": st.sampled_from(["1", "120", "S/N", "45A"]),
    "name": st.sampled_from(["Ana Souza", "Ana de Souza", "Beatriz Lima", "Carla Mendes"]),
}


@functools.cache
def _template() -> Path:
    """A hub and three enrolled units built once; every example starts from a copy of them."""
    root = Path(tempfile.mkdtemp(prefix="sm-convergencia-"))
    net = make_network(root)
    for name, cnes in UNITS.items():
        net.add(name, NodeKind.UNIT, cnes)
    for db in [net.hub, *net.nodes.values()]:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
    return root


def _open(path: Path) -> Database:
    db = Database(sqlite_url(path), clock=FixedClock())
    adopt_node_id(db)
    return db


def _network_copy() -> Network:
    root = Path(tempfile.mkdtemp(prefix="sm-exemplo-"))
    shutil.copytree(_template(), root, dirs_exist_ok=True)
    net = Network(root, _open(root / "nos" / "Central.sqlite3"))
    for name in NAMES:
        net.nodes[name] = _open(root / "nos" / f"{name}.sqlite3")
    return net


def _citizens(db: Database) -> dict[str, dict[str, Any]]:
    rows = snapshot(db, ["citizen"]).get("citizen", {})
    for row in rows.values():
        row.pop("updated_at")
    return rows


class Convergence(RuleBasedStateMachine):
    """The hub, three units and a shared folder that sometimes loses files."""

    def __init__(self) -> None:
        super().__init__()
        self.net = _network_copy()
        self.citizens: list[str] = []

    # --- typing on a unit --------------------------------------------------------------------

    @rule(node=st.sampled_from(NAMES), suffix=st.integers(0, 10**6))
    def create(self, node: str, suffix: int) -> None:
        db = self.net.nodes[node]
        self.citizens.append(add_citizen(db, f"Pessoa {suffix}", unit=UNITS[node]))

    @rule(
        node=st.sampled_from(NAMES),
        pick=st.integers(0, 10**6),
        change=st.sampled_from(list(FIELD_VALUES)).flatmap(
            lambda f: st.tuples(st.just(f), FIELD_VALUES[f])
        ),
        seconds=st.integers(1, 3600),
        wrong_clock=st.booleans(),
    )
    def edit(
        self, node: str, pick: int, change: tuple[str, str], seconds: int, wrong_clock: bool
    ) -> None:
        db = self.net.nodes[node]
        db.clock.advance(timedelta(seconds=seconds) - (YEAR if wrong_clock else timedelta()))  # type: ignore[attr-defined]
        self._write(db, pick, {change[0]: change[1]})

    @rule(node=st.sampled_from(NAMES), pick=st.integers(0, 10**6))
    def tombstone(self, node: str, pick: int) -> None:
        db = self.net.nodes[node]
        self._write(db, pick, {"deleted_at": db.clock.now()}, only_live=True)

    def _write(
        self, db: Database, pick: int, values: dict[str, Any], only_live: bool = False
    ) -> None:
        if not self.citizens:
            return
        citizen_id = self.citizens[pick % len(self.citizens)]
        with db.unit_of_work("admin") as session:
            citizen = session.get(Citizen, uuid.UUID(citizen_id))
            if citizen is None or (only_live and citizen.deleted_at is not None):
                return  # not arrived here yet, or already deleted
            for key, value in values.items():
                setattr(citizen, key, value)

    @rule(node=st.sampled_from(NAMES), pick=st.integers(0, 10**6), keep_remote=st.booleans())
    def resolve(self, node: str, pick: int, keep_remote: bool) -> None:
        """A person picks one side of an open conflict; the choice is written as an edit."""
        db = self.net.nodes[node]
        with db.unit_of_work("admin") as session:
            open_ = list(
                session.scalars(
                    select(SyncConflict)
                    .where(SyncConflict.resolved_at.is_(None))
                    .order_by(SyncConflict.opened_at, SyncConflict.row_id)
                )
            )
            if not open_:
                return
            conflict = open_[pick % len(open_)]
            chosen = conflict.remote_row if keep_remote else conflict.local_row
            citizen = session.get(Citizen, uuid.UUID(conflict.row_id))
            assert citizen is not None
            fields = ["deleted_at"] if conflict.kind == "delete" else conflict.fields
            for name in fields:
                setattr(citizen, name, _from_json(name, chosen.get(name)))
            conflict.resolved_at = db.clock.now()
            conflict.resolved_by = "admin"
            conflict.resolution = "manter a outra" if keep_remote else "manter esta"

    # --- moving files --------------------------------------------------------------------------

    @rule(node=st.sampled_from(NAMES))
    def export(self, node: str) -> None:
        export_to(self.net.nodes[node], self.net.hub_id(), self.net.share)

    @rule()
    def hub_ingest(self) -> None:
        ingest(self.net.hub, self.net.share)

    @rule(node=st.sampled_from(NAMES))
    def receive(self, node: str) -> None:
        import_folder(self.net.nodes[node], self.net.share)

    @rule()
    def everyone_syncs(self) -> None:
        """A quiet day: every unit exports, the hub ingests, every unit imports."""
        for name in NAMES:
            self.export(name)
        self.hub_ingest()
        for name in NAMES:
            self.receive(name)

    @rule(pick=st.integers(0, 10**6))
    def lose_a_file(self, pick: int) -> None:
        """A file vanishes on the way (a USB stick lost, a share cleaned up)."""
        files = sorted(p for p in (self.net.share / "saida").glob("*/*") if p.is_file())
        if files:
            files[pick % len(files)].unlink()

    # --- the end -------------------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            self._deliver_everything()
            self._check()
        finally:
            for db in [self.net.hub, *self.net.nodes.values()]:
                db.dispose()
            shutil.rmtree(self.net.root, ignore_errors=True)

    def _deliver_everything(self) -> None:
        """Rounds of resending (what was lost is exported again) until nothing changes."""
        net = self.net
        for _ in range(MAX_ROUNDS):
            for db in net.nodes.values():
                export_to(db, net.hub_id(), net.share, resend=True)
            import_folder(net.hub, net.share)
            for db in net.nodes.values():
                export_to(net.hub, db.node_id, net.share, resend=True)
            for db in net.nodes.values():
                import_folder(db, net.share)
            if self._quiet():
                return

    def _quiet(self) -> bool:
        states = [_citizens(db) for db in [self.net.hub, *self.net.nodes.values()]]
        pending = [self._pending(db) for db in self.net.nodes.values()]
        return all(s == states[0] for s in states) and pending == [[]] * len(pending)

    def _pending(self, db: Database) -> list[str]:
        with db.read_only() as session:
            return list(
                session.scalars(
                    select(ChangeLogEntry.change_id).where(
                        ChangeLogEntry.received_from.is_(None),
                        ChangeLogEntry.acknowledged.is_(False),
                    )
                )
            )

    def _check(self) -> None:
        hub = _citizens(self.net.hub)
        assert set(hub) == set(self.citizens)
        for name, db in self.net.nodes.items():
            assert _citizens(db) == hub, name
            assert self._pending(db) == [], name
        with self.net.hub.read_only() as session:
            at_hub = set(session.scalars(select(ChangeLogEntry.change_id)))
        for db in self.net.nodes.values():
            with db.read_only() as session:
                acknowledged = set(
                    session.scalars(
                        select(ChangeLogEntry.change_id).where(
                            ChangeLogEntry.origin_node == db.node_id,
                            ChangeLogEntry.acknowledged.is_(True),
                        )
                    )
                )
            assert acknowledged <= at_hub


def _from_json(name: str, value: Any) -> Any:
    """A value of a conflict's stored row back into what the ORM attribute takes."""
    if name == "deleted_at" and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


TestConvergence = Convergence.TestCase
TestConvergence.settings = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
