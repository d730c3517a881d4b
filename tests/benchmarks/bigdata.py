"""Generator of a large synthetic municipality (default 1,000,000 citizens) for the benchmarks.

The database is built once in `bench-data/` through the real migrations and the real demo setup,
then filled by Core bulk inserts in chunks (the FTS triggers index every row as it goes). A later
run reuses the file when it already holds the requested number of citizens.
"""

from __future__ import annotations

import itertools
import random
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from app.bootstrap import open_database
from app.db.session import Database
from app.installation.demo import DEMO_IBGE, UNITS, create_demo
from app.installation.synthetic import citizen_rows
from app.registry.models import Citizen, District

CHUNK = 20_000


def citizen_count(db: Database) -> int:
    with db.read_only() as session:
        return int(session.scalar(select(func.count()).select_from(Citizen)) or 0)


def build(path: Path, citizens: int = 1_000_000, seed: int = 42) -> Database:
    """Open (building if needed) a database with `citizens` synthetic citizens."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(str(path))
    have = citizen_count(db)
    if have >= citizens:
        return db
    if have > 0:  # a smaller or interrupted build: start over (identifiers must stay unique)
        db.dispose()
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        db = open_database(str(path))
    create_demo(db, citizens=0, seed=seed)
    _fill(db, citizens, random.Random(seed))
    return db


def _fill(db: Database, count: int, rng: random.Random) -> None:
    with db.read_only() as session:
        districts = list(session.scalars(select(District.id)))
    rows = citizen_rows(
        rng,
        count,
        today=db.clock.now().date(),
        district_ids=districts,
        unit_cnes=[cnes for cnes, *_ in UNITS[:3]],
        municipality_ibge=DEMO_IBGE,
        node_id=db.node_id,
    )
    started, done = time.perf_counter(), 0
    while chunk := list(itertools.islice(rows, CHUNK)):
        with db.unit_of_work() as session:
            session.execute(insert(Citizen), chunk)
        done += len(chunk)
        if done % 100_000 == 0:
            print(f"  {done:>9,} cidadãos gerados ({time.perf_counter() - started:.0f} s)")
