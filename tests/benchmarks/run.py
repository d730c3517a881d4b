"""`make bench`: the DESIGN §7 benchmarks, each printed as a ratio to a raw baseline.

1. Start-up to the login window vs a bare PySide6 window (separate processes, best of N).
2. Citizen search on 1,000,000 citizens through `find_citizens` vs the raw FTS5 query.
3. Resident memory with the 1,000,000-citizen database open and a search done.
4. A month of production (500,000 attendances): closing, summary and BPA file vs plain SQL, with
   the peak memory of the process doing it (`tests/benchmarks/production.py`).
5. Sync: 100,000 citizen changes exported by a unit and imported at the hub vs a raw executemany,
   and the peak memory of a 200,000-change backlog (`tests/benchmarks/sync.py`).
6. VISA: 50,000 establishments and 500,000 inspections, the due list and the dashboard vs the same
   SQL through sqlite3 (`tests/benchmarks/sanitary.py`).
Sizes can be reduced for a quick look: `BENCH_CITIZENS=100000 BENCH_ATTENDANCES=50000 make bench`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.benchmarks.bigdata import build
from tests.benchmarks.production import bench_production
from tests.benchmarks.sanitary import bench_from_env as bench_sanitary
from tests.benchmarks.sync import bench_sync

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench-data"
QUERIES = (
    "maria",
    "silva",
    "jose sant",
    "ana oli",
    "conceicao",
    "joa ferr",
    "lu",
    "pedro ma",
    "araujo",
    "fran gom",
)
BARE_WINDOW = (
    "import sys; from PySide6.QtWidgets import QApplication, QWidget; app = QApplication(sys.argv);"
    " w = QWidget(); w.show(); app.processEvents(); print('ready', flush=True)"
)


def _time_to_ready(command: list[str], runs: int = 7) -> float:
    """Best time from launching `command` until it prints "ready" (its window is on screen)."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.strip() == "ready":
                    times.append(time.perf_counter() - started)
                    break
            proc.wait(timeout=60)
    return min(times)


def bench_startup(db_path: Path) -> None:
    bare = _time_to_ready([sys.executable, "-c", BARE_WINDOW])
    ours = _time_to_ready([sys.executable, "-m", "ui", "--db", str(db_path), "--quit-when-ready"])
    print(
        f"[start-up] janela vazia {bare * 1000:.0f} ms | janela de login {ours * 1000:.0f} ms | "
        f"razão {ours / bare:.2f}x (orçamento ≤ 2,5x)"
    )


def _median_ms(fn: object, repeat: int = 5) -> float:
    samples = []
    for query in QUERIES:
        for _ in range(repeat):
            started = time.perf_counter()
            fn(query)  # type: ignore[operator]
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_search(db: object) -> None:
    from app.db.fts import fts_query
    from app.registry.queries import CitizenFilter, find_citizens
    from app.security.actor import SYSTEM

    # The same statement the list issues (bairro included), run straight through sqlite3.
    raw_sql = (
        "SELECT c.id, c.name, c.social_name, c.cns, c.cpf, c.birth_date, c.sex, c.mother_name,"
        " d.name FROM citizen_fts f JOIN citizen c ON c.rowid = f.rowid"
        " LEFT JOIN district d ON d.id = c.district_id"
        " WHERE citizen_fts MATCH ? AND c.deleted_at IS NULL ORDER BY f.rowid LIMIT 100"
    )
    with db.read_only() as session:  # type: ignore[attr-defined]
        raw = session.connection().connection.driver_connection

        def run_raw(text: str) -> None:
            raw.execute(raw_sql, (fts_query(text),)).fetchall()

        def run_ours(text: str) -> None:
            find_citizens(session, SYSTEM, CitizenFilter(text=text), limit=100)

        run_raw("warm up"), run_ours("warm up")
        raw_ms, ours_ms = _median_ms(run_raw), _median_ms(run_ours)
    print(
        f"[busca] FTS5 puro {raw_ms:.1f} ms | find_citizens {ours_ms:.1f} ms (mediana) | "
        f"razão {ours_ms / raw_ms:.2f}x (orçamento ≤ 50 ms e ≤ 1,5x)"
    )


MEMORY_PROBE = (
    "import resource, sys; from app.bootstrap import open_database;"
    " from app.registry.queries import CitizenFilter, find_citizens;"
    " from app.security.actor import SYSTEM; db = open_database(sys.argv[1]);"
    " s = db.read_only().__enter__(); find_citizens(s, SYSTEM, CitizenFilter(text='maria'));"
    " find_citizens(s, SYSTEM, CitizenFilter(), limit=200);"
    " print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def bench_memory(db_path: Path) -> None:
    """Peak RSS of a fresh process that opens the database and runs the list and a search."""
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(db_path)],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    peak_mb = int(out.split()[-1]) / 1024
    print(
        f"[memória] pico de RSS com o banco aberto e uma busca feita: {peak_mb:.0f} MB "
        "(orçamento ≤ 300 MB; sem a interface gráfica)"
    )


def main() -> None:
    citizens = int(os.environ.get("BENCH_CITIZENS", "1000000"))
    path = DATA / f"municipio-{citizens}.sqlite3"
    print(f"Banco de benchmark: {path} ({citizens:,} cidadãos)")
    db = build(path, citizens)
    bench_search(db)
    db.dispose()
    bench_memory(path)
    bench_startup(path)
    bench_production(citizens, int(os.environ.get("BENCH_ATTENDANCES", "500000")))
    bench_sync()
    bench_sanitary()


if __name__ == "__main__":
    main()
