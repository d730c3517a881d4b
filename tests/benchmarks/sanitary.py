"""Benchmark of the VISA dashboard: 50,000 establishments, 500,000 inspections, the due list and
the dashboard, each as a ratio to the same SQL run straight through `sqlite3`.

A real migrated SQLite file (WAL, the app's pragmas) in `bench-data/` is filled by Core
`insert` executemany in chunks: establishments (risk I/II/III or not yet classified, a few
interdicted or closed, next inspections spread from a year late to two years ahead), ten
inspections each (done over the past years; about 2% still planned, some for today), an auto de
infração and its process for 10% of them, licences (some renewed, some revoked), complaints. The
rows are benchmark data that will never sync, so change capture is skipped on the inserts (the
`sync_apply` execution option, as for rows the hub applies). The file is reused by later runs.

Then, with the database's fixed clock date as "today":

- due list: the first page (100 rows) of overdue establishments, as the planning screen and the
  dashboard's "Inspeções vencidas" open it, through `dashboard_list` vs the very same statements
  (`list_statement` and `planned_statement_for`) compiled once and run through `sqlite3`;
- dashboard: `dashboard` vs its five aggregate statements (`dashboard_statements`) run raw.

Each time is the median of several runs; the query plans are printed under the ratios.
`python -m tests.benchmarks.sanitary --establishments 5000 --inspections 50000` for a quick look
(or `BENCH_VISA_ESTABLISHMENTS` / `BENCH_VISA_INSPECTIONS` under `make bench`).
"""

from __future__ import annotations

import argparse
import decimal
import enum
import itertools
import os
import random
import sqlite3
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, insert
from sqlalchemy.engine import Dialect

from app.brazil.names import normalize_key
from app.clock import FixedClock
from app.db.base import new_id
from app.db.engine import sqlite_path, sqlite_url
from app.db.migrate import HEAD_REVISION, upgrade
from app.db.session import Database
from app.registry.models import District
from app.sanitary.dashboard import dashboard, dashboard_statements
from app.sanitary.dashboard_inspection_rows import DueRow, planned_statement_for
from app.sanitary.dashboard_lists import dashboard_list, list_statement
from app.sanitary.enums import (
    ComplaintStatus,
    DocumentKind,
    EstablishmentStatus,
    HolderKind,
    InspectionOutcome,
    InspectionReason,
    InspectionStatus,
    ProcessStage,
    RiskLevel,
)
from app.sanitary.models import (
    Complaint,
    Establishment,
    Inspection,
    SanitaryDocument,
    SanitaryInspector,
    SanitaryLicence,
    SanitaryProcess,
)
from app.security.actor import SYSTEM

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench-data"
CHUNK = 20_000
RUNS = 21
PAGE = 100
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TEAMS = ("Equipe Alimentos", "Equipe Serviços de Saúde", "Equipe Produtos e Ambientes")
WORDS = ("Sabor", "Central", "Popular", "Nova Era", "Família", "Do Bairro", "Bom Preço", "Vida")
KINDS = ("Restaurante", "Padaria", "Açougue", "Drogaria", "Mercado", "Salão", "Clínica", "Bar")
RISKS = (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, None)
RISK_WEIGHTS = (30, 45, 20, 5)
OUTCOMES = tuple(InspectionOutcome)
OUTCOME_WEIGHTS = (70, 20, 8, 2)
NO_CAPTURE = {"sync_apply": True}  # benchmark rows never sync


def database_path(establishments: int, inspections: int) -> Path:
    """The cached database of that size and schema (a new revision builds a new one: an old
    cache would measure yesterday's indexes)."""
    return DATA / f"visa-{establishments}-{inspections}-r{HEAD_REVISION}.sqlite3"


# --- data ---------------------------------------------------------------------------------------


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    while chunk := list(itertools.islice(rows, CHUNK)):
        yield chunk


def _insert(db: Database, model: type[Any], rows: Iterator[dict[str, Any]]) -> int:
    done = 0
    for chunk in _chunks(rows):
        with db.unit_of_work() as session:
            session.connection().execute(insert(model).execution_options(**NO_CAPTURE), chunk)
        done += len(chunk)
    return done


def _stamp(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": new_id(), "created_at": NOW, "updated_at": NOW, "origin_node": "bench", **row}


def _districts(db: Database) -> list[uuid.UUID]:
    names = [f"Bairro {n:02d}" for n in range(1, 31)]
    rows = [_stamp({"name": name, "name_key": normalize_key(name)}) for name in names]
    _insert(db, District, iter(rows))
    return [row["id"] for row in rows]


def _inspectors(db: Database) -> list[uuid.UUID]:
    rows = [
        _stamp({"name": f"Fiscal {n:02d} da Silva", "registration": f"VISA-{n:04d}",
                "team": TEAMS[n % len(TEAMS)], "username": "", "active": True})
        for n in range(1, 25)
    ]  # fmt: skip
    _insert(db, SanitaryInspector, iter(rows))
    return [row["id"] for row in rows]


def _establishment(n: int, rng: random.Random, districts: list[uuid.UUID]) -> dict[str, Any]:
    trade = f"{rng.choice(KINDS)} {rng.choice(WORDS)} {n}"
    status = rng.choices(tuple(EstablishmentStatus), (90, 5, 5))[0]
    risk = rng.choices(RISKS, RISK_WEIGHTS)[0]
    next_on = NOW.date() + timedelta(days=rng.randint(-400, 730))
    return _stamp({
        "holder_kind": HolderKind.CNPJ, "document": f"{10_000_000 + n:08d}000199",
        "legal_name": f"{trade} Ltda", "trade_name": trade, "name_key": normalize_key(trade),
        "street": "Rua das Flores", "number": str(n % 2000), "district_id": rng.choice(districts),
        "status": status, "risk": risk, "next_inspection_on": next_on,
        "last_inspection_on": next_on - timedelta(days=365), "team": rng.choice(TEAMS),
    })  # fmt: skip


def _inspections(
    establishments: list[dict[str, Any]], per: int, inspectors: list[uuid.UUID], rng: random.Random
) -> Iterator[dict[str, Any]]:
    today = NOW.date()
    for est in establishments:
        for k in range(per):
            planned = rng.random() < 0.02
            day = today + timedelta(days=rng.randint(-3, 20)) if planned else (
                today - timedelta(days=rng.randint(1, 3650)))  # fmt: skip
            yield _stamp({
                "establishment_id": est["id"], "team": est["team"],
                "reason": InspectionReason.ROUTINE if k else InspectionReason.LICENSING,
                "status": InspectionStatus.PLANNED if planned else InspectionStatus.DONE,
                "due_on": day, "inspector_id": rng.choice(inspectors),
                "performed_on": None if planned else day,
                "outcome": None if planned else rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0],
                "findings": "",
            })  # fmt: skip


def _process_rows(
    establishments: list[dict[str, Any]], rng: random.Random
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    documents, processes = [], []
    for number, est in enumerate(establishments, start=1):
        day = NOW.date() - timedelta(days=rng.randint(1, 700))
        doc = _stamp({
            "kind": DocumentKind.INFRACTION, "series": "AI", "year": day.year, "number": number,
            "establishment_id": est["id"], "issued_on": day, "issued_at": NOW, "team": est["team"],
        })  # fmt: skip
        stage = rng.choice(tuple(ProcessStage))
        processes.append(_stamp({
            "year": day.year, "number": number, "establishment_id": est["id"],
            "infraction_id": doc["id"], "opened_on": day, "stage": stage,
            "due_on": NOW.date() + timedelta(days=rng.randint(-60, 60)),
        }))  # fmt: skip
        documents.append(doc)
    return documents, processes


def _licences(establishments: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    rows, number = [], 0
    for est in establishments:
        until = NOW.date() + timedelta(days=rng.randint(-200, 365))
        count = 2 if rng.random() < 0.1 else 1  # 10% renewed: an older licence, then this one
        for k in range(count):
            number += 1
            valid = until - timedelta(days=365 * (count - 1 - k))
            rows.append(_stamp({
                "establishment_id": est["id"], "year": 2025, "number": number,
                "issued_on": valid - timedelta(days=365), "valid_until": valid,
                "risk": est["risk"], "team": est["team"],
                "revoked_at": NOW if rng.random() < 0.01 else None,
            }))  # fmt: skip
    return rows


def _complaints(establishments: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    return [
        _stamp(
            {
                "year": 2026,
                "number": number,
                "received_on": NOW.date() - timedelta(days=40),
                "establishment_id": est["id"],
                "description": "Denúncia de teste",
                "due_on": NOW.date() + timedelta(days=rng.randint(-30, 30)),
                "status": rng.choice(tuple(ComplaintStatus)),
            }
        )
        for number, est in enumerate(establishments, start=1)
    ]


def build(establishments: int, inspections: int, seed: int = 11) -> Path:
    """The cached benchmark database, built (a few minutes at full size) when missing."""
    target = database_path(establishments, inspections)
    if target.exists():
        return target
    DATA.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(target.name + ".partial")
    for leftover in DATA.glob(scratch.name + "*"):
        leftover.unlink()
    db = Database(sqlite_url(scratch), clock=FixedClock(NOW))
    upgrade(db, NOW)
    started = time.perf_counter()
    _fill(db, establishments, inspections, random.Random(seed))
    db.dispose()
    scratch.rename(target)
    print(f"  banco da VISA gerado em {time.perf_counter() - started:.0f} s: {target.name}")
    return target


def _fill(db: Database, count: int, inspections: int, rng: random.Random) -> None:
    districts, inspectors = _districts(db), _inspectors(db)
    places = [_establishment(n, rng, districts) for n in range(count)]
    _insert(db, Establishment, iter(places))
    per = max(1, inspections // count)
    _insert(db, Inspection, _inspections(places, per, inspectors, rng))
    documents, processes = _process_rows(rng.sample(places, count // 10), rng)
    _insert(db, SanitaryDocument, iter(documents))
    _insert(db, SanitaryProcess, iter(processes))
    _insert(db, SanitaryLicence, iter(_licences(rng.sample(places, count * 8 // 10), rng)))
    _insert(db, Complaint, iter(_complaints(rng.sample(places, count // 20), rng)))


# --- the same SQL through sqlite3 ---------------------------------------------------------------


def _driver_value(value: Any) -> Any:
    """A bound value as SQLAlchemy stores it in SQLite (enum value, ISO date, UUID hex)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def raw_sql(statement: Executable, dialect: Dialect) -> tuple[str, tuple[Any, ...]]:
    """The statement's SQL text and parameters exactly as the app sends them to SQLite."""
    state = statement.compile(dialect=dialect).construct_expanded_state()
    values = state.positional_parameters or ()
    return state.statement, tuple(_driver_value(value) for value in values)


def query_plan(raw: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[str]:
    return [row[-1] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params)]


def _paired_medians(
    raw: Callable[[], object], ours: Callable[[], object], runs: int = RUNS
) -> tuple[float, float]:
    """Median milliseconds of each, the two run alternately so that both see the same machine."""
    raw(), ours()  # warm up (page cache, statement caches)
    raw_samples, our_samples = [], []
    for _ in range(runs):
        for action, samples in ((raw, raw_samples), (ours, our_samples)):
            started = time.perf_counter()
            action()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(raw_samples), statistics.median(our_samples)


def _report(label: str, raw_ms: float, ours_ms: float, what: str) -> None:
    print(
        f"[VISA — {label}] SQL puro (sqlite3) {raw_ms:.1f} ms | {what} {ours_ms:.1f} ms "
        f"(mediana) | razão {ours_ms / raw_ms:.2f}x"
    )


def _print_plans(raw: sqlite3.Connection, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    for sql, params in statements:
        head = " ".join(sql.split())[:90]
        print(f"    plano de «{head}…»: " + " | ".join(query_plan(raw, sql, params)))


def bench_due_list(db: Database, raw: sqlite3.Connection, key: str, plans: bool) -> None:
    today = NOW.date()
    dialect = db.engine.dialect
    with db.read_only() as session:
        first = dashboard_list(session, SYSTEM, key, today, PAGE)
        page = [row.establishment_id for row in first if isinstance(row, DueRow)]
        statements = [
            raw_sql(list_statement(key, today, PAGE), dialect),
            raw_sql(planned_statement_for(page), dialect),
        ]

        def run_raw() -> None:
            for sql, params in statements:
                raw.execute(sql, params).fetchall()

        raw_ms, ours_ms = _paired_medians(
            run_raw, lambda: dashboard_list(session, SYSTEM, key, today, PAGE)
        )
    _report(f"lista «{key}», 1ª página de {PAGE}", raw_ms, ours_ms, "dashboard_list")
    if plans:
        _print_plans(raw, statements)


def bench_dashboard(db: Database, raw: sqlite3.Connection, plans: bool) -> None:
    today = NOW.date()
    statements = [raw_sql(s, db.engine.dialect) for s in dashboard_statements(today)]

    def run_raw() -> None:
        for sql, params in statements:
            raw.execute(sql, params).fetchall()

    with db.read_only() as session:
        numbers = dashboard(session, SYSTEM, today)
        raw_ms, ours_ms = _paired_medians(run_raw, lambda: dashboard(session, SYSTEM, today))
    overdue = sum(numbers.overdue_by_risk.values())
    print(
        f"  painel: {overdue:,} inspeções vencidas, {sum(numbers.due_by_risk.values()):,} "
        f"a vencer em 30 dias, {sum(numbers.processes_by_stage.values()):,} processos abertos, "
        f"{numbers.licences_expiring:,} licenças a vencer, {numbers.licences_expired:,} vencidas"
    )
    _report("painel completo (5 consultas agregadas)", raw_ms, ours_ms, "dashboard")
    if plans:
        _print_plans(raw, statements)


def bench_sanitary(establishments: int, inspections: int, plans: bool = True) -> None:
    path = build(establishments, inspections)
    print(f"Banco da VISA: {path.name} ({establishments:,} estabelecimentos, "
          f"{inspections:,} inspeções)")  # fmt: skip
    db = Database(sqlite_url(path), clock=FixedClock(NOW))
    file = sqlite_path(db.url)
    assert file is not None
    raw = sqlite3.connect(file)
    try:
        for key in ("overdue", "overdue:III", "due"):
            bench_due_list(db, raw, key, plans)
        bench_dashboard(db, raw, plans)
    finally:
        raw.close()
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark do painel da VISA")
    parser.add_argument("--establishments", type=int, default=50_000)
    parser.add_argument("--inspections", type=int, default=500_000)
    parser.add_argument("--no-plans", action="store_true")
    args = parser.parse_args()
    bench_sanitary(args.establishments, args.inspections, plans=not args.no_plans)


def bench_from_env() -> None:
    """`make bench` entry: sizes from BENCH_VISA_ESTABLISHMENTS / BENCH_VISA_INSPECTIONS."""
    bench_sanitary(
        int(os.environ.get("BENCH_VISA_ESTABLISHMENTS", "50000")),
        int(os.environ.get("BENCH_VISA_INSPECTIONS", "500000")),
    )


if __name__ == "__main__":
    main()
