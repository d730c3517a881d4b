"""Test helpers: real nodes (each its own migrated, configured SQLite file) and a shared folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.bootstrap import adopt_node_id
from app.clock import FixedClock
from app.db.engine import sqlite_url
from app.db.migrate import upgrade
from app.db.session import Database
from app.installation.demo import DEMO_IBGE
from app.installation.models import NodeKind
from app.installation.service import SetupInput, complete_setup
from app.registry.enums import Sex
from app.registry.models import Citizen
from app.sync.capture import row_as_dict, synced_tables
from app.sync.exporter import export_to
from app.sync.folder import import_folder
from app.sync.hub import ingest
from app.sync.node import enrol_node, join_hub, write_request

UNIT_A = "7654321"
UNIT_B = "7654348"


def make_node(
    folder: Path, name: str, kind: NodeKind, cnes: str = "", clock: FixedClock | None = None
) -> Database:
    """A configured node on its own SQLite file under `folder`."""
    clock = clock or FixedClock()
    folder.mkdir(parents=True, exist_ok=True)
    db = Database(sqlite_url(folder / f"{name}.sqlite3"), clock=clock)
    upgrade(db, clock.now())
    data = SetupInput(
        municipality_name="Santa Lúcia",
        uf="PR",
        ibge_code=DEMO_IBGE,
        timezone="America/Sao_Paulo",
        installation_name=name,
        kind=kind,
        unit_cnes=cnes,
        admin_username="admin",
        admin_full_name="Administradora Teste",
        admin_password="senha-forte-2026",
    )
    with db.unit_of_work() as session:
        complete_setup(session, data)
    adopt_node_id(db)
    return db


@dataclass
class Network:
    """A hub and its nodes enrolled through a shared folder."""

    root: Path
    hub: Database
    nodes: dict[str, Database] = field(default_factory=dict)

    @property
    def share(self) -> Path:
        return self.root / "compartilhada"

    def add(
        self,
        name: str,
        kind: NodeKind,
        cnes: str = "",
        clock: FixedClock | None = None,
        team: str = "",
    ) -> Database:
        db = make_node(self.root / "nos", name, kind, cnes, clock)
        request = self.root / f"{name}.smpedido"
        answer = self.root / f"{name}.smcadastro"
        write_request(db, request)
        enrol_node(self.hub, request, answer, team=team)
        join_hub(db, answer)
        self.nodes[name] = db
        return db

    def hub_id(self) -> str:
        return self.hub.node_id

    def send(self, name: str) -> None:
        """Node → hub: export, then the hub ingests (and answers everyone)."""
        export_to(self.nodes[name], self.hub_id(), self.share)
        ingest(self.hub, self.share)

    def receive(self, name: str) -> list[Any]:
        return import_folder(self.nodes[name], self.share)

    def round(self) -> None:
        """Everyone sends, the hub ingests, everyone receives (twice, so answers settle)."""
        for _ in range(2):
            for name in self.nodes:
                export_to(self.nodes[name], self.hub_id(), self.share)
            ingest(self.hub, self.share)
            for name in self.nodes:
                self.receive(name)


def make_network(root: Path, clock: FixedClock | None = None) -> Network:
    hub = make_node(root / "nos", "Central", NodeKind.HUB, clock=clock)
    return Network(root, hub)


def add_citizen(
    db: Database,
    name: str,
    cpf: str | None = None,
    unit: str | None = UNIT_A,
    account: str = "admin",
) -> str:
    with db.unit_of_work("admin") as session:
        citizen = Citizen(
            name=name,
            name_key=name.upper(),
            birth_date=date(1980, 5, 17),
            sex=Sex.FEMALE,
            cpf=cpf,
            unit_cnes=unit,
        )
        session.add(citizen)
        session.flush()
        return str(citizen.id)


def edit_citizen(db: Database, citizen_id: str, **values: Any) -> None:
    import uuid

    with db.unit_of_work("admin") as session:
        citizen = session.get(Citizen, uuid.UUID(citizen_id))
        assert citizen is not None
        for key, value in values.items():
            setattr(citizen, key, value)


def snapshot(db: Database, tables: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Every synced row (minus the local edit counter), by table and id, for comparisons."""
    result: dict[str, dict[str, Any]] = {}
    with db.read_only() as session:
        for name, cls in synced_tables().items():
            if tables is not None and name not in tables:
                continue
            for obj in session.scalars(select(cls)):
                row = row_as_dict(obj)
                row.pop("version", None)
                result.setdefault(name, {})[row["id"]] = row
    return result


def bulk_citizens(db: Database, count: int, chunk: int = 20_000) -> None:
    """`count` synthetic citizens of UNIT_A by Core bulk inserts (captured like any insert)."""
    import itertools
    import random

    from sqlalchemy import insert

    from app.installation.synthetic import citizen_rows

    rows = citizen_rows(
        random.Random(11),
        count,
        today=db.clock.now().date(),
        district_ids=[None],
        unit_cnes=[UNIT_A],
        municipality_ibge=DEMO_IBGE,
        node_id=db.node_id,
    )
    table = Citizen.__table__  # Core: one executemany per chunk, captured by `after_execute`
    while part := list(itertools.islice(rows, chunk)):
        with db.unit_of_work("admin") as session:
            session.execute(insert(table), part)
