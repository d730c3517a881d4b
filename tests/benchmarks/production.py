"""Benchmark of a month of production: closing it, its summary and its BPA file, with peak memory.

A copy of the cached 1,000,000-citizen database (`bigdata.build`) gets, by Core bulk inserts, 60
UBS (the demo's three and 57 more: a city of a million has about a hundred), 12 professionals at
each and 500,000 current attendances in competence 10/2026 with about 1.3 procedures each (plus
some corrected and voided ones, which production must leave out). One UBS with the whole month
could not even be exported: the BPA-I of a CNES holds at most 999 sheets of 20 lines. The copy is
cached in `bench-data/` too. Then a separate process (so that `ru_maxrss` is its own) closes the
competence at every UBS, asks for each production summary and writes each BPA file,
inside one transaction rolled back at the end (the cached data stays open to the next run). Each
step is printed next to the same work done by plain SQL through `sqlite3` (DESIGN §7 style).
Smaller sizes for a quick look: `BENCH_CITIZENS=20000 BENCH_ATTENDANCES=10000`.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, literal_column, select

from app.bootstrap import open_database
from app.brazil.names import normalize_key
from app.care.models import Attendance, AttendanceProcedure
from app.db.base import new_id
from app.db.session import Database
from app.installation.demo import UNITS
from app.installation.synthetic import UniqueDraw, person_name
from app.reference.models import SigtapProcedure
from app.reference.sigtap_sample import import_sample_sigtap
from app.registry.enums import Race, Sex, UnitKind
from app.registry.models import Citizen, HealthUnit, Professional, ProfessionalBond
from tests.benchmarks.bigdata import build

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench-data"
COMPETENCE = "202610"
FIRST_DAY = date(2026, 10, 1)
DEMO_UBS = [cnes for cnes, _name, kind in UNITS if kind is UnitKind.UBS]
UNIT_COUNT = 60
UBS = DEMO_UBS + [f"{7655000 + n:07d}" for n in range(UNIT_COUNT - len(DEMO_UBS))]
PROFESSIONALS_PER_CBO = 4  # per UBS and occupation: 720 in all
CHUNK = 20_000
CORRECTED_SHARE = 0.01  # current attendances that replaced an earlier (corrected) one
VOIDED_SHARE = 0.005  # extra attendances voided afterwards (the original and its void record)
PROVIDER_CNPJ = "11222333000181"
CONSULTA_MEDICA, CONSULTA_NS = "0301010064", "0301010030"
PRESSAO, GLICEMIA = "0301100039", "0214010015"
CIDS = ("J069", "I10", "E119", "Z000", "N390", "")


def production_path(citizens: int, attendances: int) -> Path:
    return DATA / f"producao-{citizens}-{attendances}-{UNIT_COUNT}ubs-{COMPETENCE}.sqlite3"


# --- data -----------------------------------------------------------------------------------------


def build_production(citizens: int, attendances: int, seed: int = 7) -> Path:
    """The cached database with the month's production, built (minutes at full size) if missing."""
    target = production_path(citizens, attendances)
    if target.exists():
        return target
    base = DATA / f"municipio-{citizens}.sqlite3"
    if _raw_citizens(base) < citizens:  # else copied as it is (not migrated in place)
        build(base, citizens).dispose()
    scratch = target.with_name(target.name + ".partial")
    _copy(base, scratch)
    db = open_database(str(scratch))  # migrates the copy when the cache predates the schema
    for backup in (DATA / "backups").glob(f"{scratch.stem}.*.bak"):
        backup.unlink()  # the migration's safety copy of our own scratch file
    started = time.perf_counter()
    try:
        _fill(db, attendances, random.Random(seed))
    finally:
        db.dispose()
    _copy(scratch, target)
    for leftover in scratch.parent.glob(scratch.name + "*"):
        leftover.unlink()
    print(f"  produção gerada em {time.perf_counter() - started:.0f} s: {target.name}")
    return target


def _raw_citizens(path: Path) -> int:
    if not path.exists():
        return 0
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(raw.execute("SELECT count(*) FROM citizen").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        raw.close()


def _copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (the source may have a WAL)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _fill(db: Database, count: int, rng: random.Random) -> None:
    with db.unit_of_work("bench") as session:
        known = select(SigtapProcedure.code).where(SigtapProcedure.competence == COMPETENCE)
        if session.scalar(known.limit(1)) is None:
            with tempfile.TemporaryDirectory() as folder:
                import_sample_sigtap(session, Path(folder), COMPETENCE)
    staff = _professionals(db, rng)
    # Every other citizen born before the month (an indigenous one without etnia would stop the
    # file: the cached 1M database predates the etnia column, so they stay out).
    with db.read_only() as session:
        query = select(Citizen.id).where(
            Citizen.birth_date < FIRST_DAY,
            Citizen.race != Race.INDIGENOUS,
            literal_column("citizen.rowid") % 2 == 0,
        )
        people = list(session.scalars(query))
    rows = _attendance_rows(rng, count, staff, people, db.node_id)
    done = 0
    while chunk := list(itertools.islice(rows, CHUNK)):
        attendances = [row for row, _ in chunk]
        procedures = [p for _, items in chunk for p in items]
        with db.unit_of_work() as session:
            session.execute(insert(Attendance), attendances)
            session.execute(insert(AttendanceProcedure), procedures)
        done += len(chunk)
        if done % 100_000 < CHUNK:
            print(f"  {done:>9,} atendimentos gerados")


def _synced(node: str, when: datetime) -> dict[str, Any]:
    return {"id": new_id(), "created_at": when, "updated_at": when, "origin_node": node}


def _professionals(db: Database, rng: random.Random) -> dict[str, list[tuple[uuid.UUID, str]]]:
    """The extra UBS, and doctors, nurses and technicians at each UBS: (id, CBO) by unit."""
    draw, when = UniqueDraw(rng), datetime(2026, 9, 1, tzinfo=UTC)
    extra = [cnes for cnes in UBS if cnes not in DEMO_UBS]
    units = [{**_synced(db.node_id, when), "cnes": cnes, "name": f"UBS Bairro {n:02d}",
              "kind": UnitKind.UBS} for n, cnes in enumerate(extra, start=1)]  # fmt: skip
    people, bonds = [], []
    staff: dict[str, list[tuple[uuid.UUID, str]]] = {cnes: [] for cnes in UBS}
    for cnes, cbo, _ in itertools.product(UBS, ("225142", "223565", "322245"),
                                          range(PROFESSIONALS_PER_CBO)):  # fmt: skip
        name = person_name(rng, Sex.FEMALE if rng.random() < 0.6 else Sex.MALE)
        person = {**_synced(db.node_id, when), "name": name, "name_key": normalize_key(name),
                  "cns": draw.cns()}  # fmt: skip
        people.append(person)
        bonds.append({**_synced(db.node_id, when), "professional_id": person["id"],
                      "unit_cnes": cnes, "cbo": cbo})  # fmt: skip
        staff[cnes].append((person["id"], cbo))
    with db.unit_of_work() as session:
        session.execute(insert(HealthUnit), units)
        session.execute(insert(Professional), people)
        session.execute(insert(ProfessionalBond), bonds)
    return staff


def _procedures(rng: random.Random, cbo: str) -> list[tuple[str, int]]:
    """About 1.3 procedures per attendance, each allowed for the occupation in the sample."""
    if cbo == "322245":
        return [(PRESSAO, 1)] if rng.random() < 0.7 else [(GLICEMIA, 1)]
    done = [(CONSULTA_MEDICA if cbo == "225142" else CONSULTA_NS, 1)]
    extra = rng.random()
    if extra < 0.30:
        done.append((PRESSAO, 1))
    elif extra < 0.42:
        done.append((GLICEMIA, 1))
    return done


def _attendance_rows(
    rng: random.Random,
    count: int,
    staff: dict[str, list[tuple[uuid.UUID, str]]],
    people: list[uuid.UUID],
    node: str,
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(attendance, its procedures) rows; a few come with a corrected or voided predecessor."""
    days = [FIRST_DAY + timedelta(n) for n in range(31)]
    days = [day for day in days if day.weekday() < 5]
    for _ in range(count):
        cnes = rng.choice(UBS)
        professional, cbo = rng.choice(staff[cnes])
        day = rng.choice(days)
        when = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=15)
        row = {**_synced(node, when), "unit_cnes": cnes, "citizen_id": rng.choice(people),
               "professional_id": professional, "cbo": cbo, "attended_on": day,
               "competence": COMPETENCE, "icd10": "" if cbo == "322245" else rng.choice(CIDS),
               "typed_by": "bench", "corrects_id": None, "voided": False,
               "correction_reason": ""}  # fmt: skip
        chance = rng.random()
        if chance < CORRECTED_SHARE:  # this one replaced an earlier record, which must not count
            earlier = {**row, **_synced(node, when - timedelta(minutes=30))}
            yield earlier, _procedure_rows(rng, earlier, node)
            row = {**row, "corrects_id": earlier["id"], "correction_reason": "Correção"}
        elif chance < CORRECTED_SHARE + VOIDED_SHARE:  # and another one, typed then voided
            typo = {**row, **_synced(node, when - timedelta(minutes=20))}
            yield typo, _procedure_rows(rng, typo, node)
            void = {
                **typo,
                **_synced(node, when - timedelta(minutes=10)),
                "voided": True,
                "corrects_id": typo["id"],
                "correction_reason": "Digitado por engano",
            }
            yield void, []  # a void record carries no procedures
        yield row, _procedure_rows(rng, row, node)


def _procedure_rows(rng: random.Random, row: dict[str, Any], node: str) -> list[dict[str, Any]]:
    return [
        {
            **_synced(node, row["created_at"]),
            "unit_cnes": row["unit_cnes"],
            "attendance_id": row["id"],
            "procedure": code,
            "quantity": quantity,
        }
        for code, quantity in _procedures(rng, row["cbo"])
    ]


# --- raw SQL baselines ----------------------------------------------------------------------------

CURRENT = (
    "a.unit_cnes = ? AND a.competence = ? AND a.deleted_at IS NULL AND a.voided = 0"
    " AND NOT EXISTS (SELECT 1 FROM attendance n WHERE n.corrects_id = a.id)"
)
RAW_TOTALS = (
    f"SELECT count(*) FROM attendance a WHERE {CURRENT}",
    "SELECT coalesce(sum(p.quantity), 0) FROM attendance_procedure p"
    f" JOIN attendance a ON a.id = p.attendance_id WHERE {CURRENT}",
)
RAW_SUMMARY = (
    "SELECT a.professional_id, pr.name, pr.cns, a.cbo, count(DISTINCT a.id), sum(p.quantity)"
    " FROM attendance a JOIN attendance_procedure p ON p.attendance_id = a.id"
    f" JOIN professional pr ON pr.id = a.professional_id WHERE {CURRENT}"
    " GROUP BY a.professional_id, a.cbo",
    "SELECT p.procedure, sum(p.quantity), count(DISTINCT a.id) FROM attendance_procedure p"
    f" JOIN attendance a ON a.id = p.attendance_id WHERE {CURRENT} GROUP BY p.procedure",
)
RAW_ROWS = (
    "SELECT a.id, a.attended_on, a.cbo, a.icd10, pr.name, pr.cns, c.name, c.cns, c.cpf,"
    " c.birth_date, c.sex, c.race, c.municipality_ibge, c.cep, c.street, c.number, c.complement,"
    " c.phone, d.name, p.procedure, p.quantity FROM attendance a"
    " JOIN attendance_procedure p ON p.attendance_id = a.id"
    " JOIN citizen c ON c.id = a.citizen_id JOIN professional pr ON pr.id = a.professional_id"
    f" LEFT JOIN district d ON d.id = c.district_id WHERE {CURRENT} AND p.deleted_at IS NULL"
    " ORDER BY a.attended_on, a.id, p.id"
)


def _raw_seconds(path: Path, statements: tuple[str, ...]) -> float:
    """Best of two runs of `statements` for every UBS, fetched to the last row."""
    best, raw = float("inf"), sqlite3.connect(path)
    try:
        for _ in range(2):
            started = time.perf_counter()
            for cnes, statement in itertools.product(UBS, statements):
                cursor = raw.execute(statement, (cnes, COMPETENCE))
                while cursor.fetchmany(10_000):
                    pass
            best = min(best, time.perf_counter() - started)
    finally:
        raw.close()
    return best


# --- the measured process -------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path) -> dict[str, Any]:
    """Close, summarise and export every UBS's month in one transaction, then roll it back."""
    from app.care.attendance_queries import production_summary
    from app.care.attendances import close_competence
    from app.care.bpa_export import export_bpa
    from app.security.actor import SYSTEM

    db = open_database(str(path))
    out: dict[str, Any] = {"rss_open": _peak_mb()}
    with db.unit_of_work("bench") as session, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        closed = [close_competence(session, SYSTEM, cnes, COMPETENCE) for cnes in UBS]
        out["close"] = time.perf_counter() - started
        started = time.perf_counter()
        for cnes in UBS:
            production_summary(session, SYSTEM, cnes, COMPETENCE)
        out["summary"] = time.perf_counter() - started
        out["rss_summary"] = _peak_mb()
        out["attendances"] = sum(c.attendances for c in closed)
        out["procedures"] = sum(c.procedures for c in closed)
        started = time.perf_counter()
        files = [export_bpa(session, SYSTEM, cnes, COMPETENCE, Path(folder),
                            provider_cnpj=PROVIDER_CNPJ) for cnes in UBS]  # fmt: skip
        out["bpa"] = time.perf_counter() - started
        out["rss_bpa"] = _peak_mb()
        out["bpa_i"] = sum(f.individual for f in files)
        out["bpa_c"] = sum(f.consolidated for f in files)
        out["bpa_mb"] = sum(f.path.stat().st_size for f in files) / 1e6
        session.rollback()  # the cached month stays open for the next run
    db.dispose()
    return out


def bench_production(citizens: int, attendances: int) -> None:
    path = build_production(citizens, attendances)
    child = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.production", "--measure", str(path)],
        check=False, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if child.returncode:
        print(f"[produção] falhou:\n{child.stderr[-3000:]}")
        return
    got = json.loads(child.stdout.strip().splitlines()[-1])
    raw_totals = _raw_seconds(path, RAW_TOTALS)
    raw_summary = _raw_seconds(path, RAW_SUMMARY)
    raw_rows = _raw_seconds(path, (RAW_ROWS,))
    print(
        f"[produção] {got['attendances']:,} atendimentos e {got['procedures']:,} procedimentos "
        f"em {len(UBS)} UBS, competência {COMPETENCE[4:]}/{COMPETENCE[:4]}"
    )
    print(
        f"[fechamento] close_competence {got['close']:.2f} s | SQL puro (COUNT/SUM) "
        f"{raw_totals:.2f} s | razão {got['close'] / raw_totals:.2f}x"
    )
    print(
        f"[resumo] production_summary {got['summary']:.2f} s | SQL puro (GROUP BY profissional e "
        f"procedimento) {raw_summary:.2f} s | razão {got['summary'] / raw_summary:.2f}x"
    )
    print(
        f"[BPA] export_bpa {got['bpa']:.2f} s ({got['bpa_i']:,} linhas BPA-I, {got['bpa_c']:,} "
        f"BPA-C, {got['bpa_mb']:.0f} MB) | leitura SQL pura das mesmas linhas {raw_rows:.2f} s | "
        f"razão {got['bpa'] / raw_rows:.2f}x"
    )
    print(
        f"[memória da produção] pico de RSS: {got['rss_open']:.0f} MB com o banco aberto, "
        f"{got['rss_summary']:.0f} MB após fechar e resumir, {got['rss_bpa']:.0f} MB após o BPA"
    )


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(Path(sys.argv[2]))))
        return
    citizens = int(os.environ.get("BENCH_CITIZENS", "1000000"))
    attendances = int(os.environ.get("BENCH_ATTENDANCES", "500000"))
    bench_production(citizens, attendances)


if __name__ == "__main__":
    main()
