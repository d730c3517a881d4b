"""Benchmark of sync: a unit's backlog of citizen changes exported, then imported at the hub.

A unit and a hub (each a configured SQLite file in a temporary folder, the unit enrolled with the
hub as in `tests/integration/sync/network.py`) start empty. The unit receives N synthetic
citizens by Core bulk inserts (captured into its change log as any insert is), then:

- export: every pending change written to batch files (`export_to`, 5,000 changes a file);
- import: the hub reads the folder (`import_folder`: verify, decrypt, apply, receipts);
- raw: the same N citizen rows, values as SQLite stores them (read back from the unit), inserted
  by one plain `executemany` into the empty citizen table of a fresh migrated database (indexes
  and search triggers included, as for the import).

The ratio raw/import is held against the DESIGN §7 budget: the import keeps at least 30% of the
raw insert throughput. A separate process (so that `ru_maxrss` is its own) exports and imports a
200,000-change backlog and reports its peak RSS and the tracemalloc peak of export plus import.
Sizes: `BENCH_SYNC_CHANGES` (default 100,000), `BENCH_SYNC_BACKLOG` (default 200,000).
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from app.db.engine import sqlite_path
from app.db.session import Database
from app.installation.models import NodeKind
from app.sync.exporter import export_to
from app.sync.folder import import_folder
from tests.integration.sync.network import UNIT_A, Network, bulk_citizens, make_network, make_node

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 20_000
BUDGET = 0.30  # DESIGN §7: import throughput ≥ 30% of a raw executemany
RAW_RUNS = 3


def _network(root: Path) -> tuple[Network, Database]:
    net = make_network(root)
    return net, net.add("UBS Centro", NodeKind.UNIT, UNIT_A)


def _timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _stored_citizens(unit: Database) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The citizen rows exactly as SQLite stores them (values already converted)."""
    path = sqlite_path(unit.url)
    assert path is not None
    raw = sqlite3.connect(path)
    try:
        cursor = raw.execute("SELECT * FROM citizen")
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()
    finally:
        raw.close()


def _raw_seconds(root: Path, columns: list[str], rows: list[tuple[Any, ...]]) -> float:
    """Best of `RAW_RUNS`: one executemany of `rows` into a fresh migrated database's citizens."""
    best = float("inf")
    statement = (
        f"INSERT INTO citizen ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    for run in range(RAW_RUNS):
        db = make_node(root / f"bruto-{run}", "Bruto", NodeKind.UNIT, UNIT_A)
        path = sqlite_path(db.url)
        db.dispose()
        assert path is not None
        raw = sqlite3.connect(path, isolation_level=None)
        try:
            raw.execute("PRAGMA journal_mode=WAL")
            raw.execute("PRAGMA synchronous=FULL")
            started = time.perf_counter()
            raw.execute("BEGIN")
            raw.executemany(statement, rows)
            raw.execute("COMMIT")
            best = min(best, time.perf_counter() - started)
        finally:
            raw.close()
    return best


def _applied(outcomes: list[Any]) -> int:
    return sum(o.applied for o in outcomes if o.status == "applied")


def bench_throughput(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sm-bench-sync-") as folder:
        root = Path(folder)
        net, unit = _network(root)
        fill, _ = _timed(lambda: bulk_citizens(unit, count))
        export, exported = _timed(lambda: export_to(unit, net.hub_id(), net.share))
        size = sum(f.stat().st_size for f in exported.files) / 1e6
        imported, outcomes = _timed(lambda: import_folder(net.hub, net.share))
        applied = _applied(outcomes)
        columns, rows = _stored_citizens(unit)
        raw = _raw_seconds(root, columns, rows)
        net.hub.dispose()
        unit.dispose()
    share = raw / imported
    print(
        f"[sincronização] {count:,} cidadãos inseridos na unidade (inserção em lote capturada) "
        f"em {fill:.2f} s"
    )
    print(
        f"[exportação] {exported.changes:,} alterações em {len(exported.files)} lotes "
        f"({size:.1f} MB) em {export:.2f} s ({exported.changes / export:,.0f} alterações/s)"
    )
    print(
        f"[importação] {applied:,} alterações verificadas, decifradas e aplicadas na central em "
        f"{imported:.2f} s ({applied / imported:,.0f} alterações/s) | executemany puro {raw:.2f} s "
        f"| vazão da importação = {share:.0%} do executemany puro (orçamento ≥ {BUDGET:.0%})"
    )


# --- memory of a long backlog, in its own process ------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_backlog(count: int) -> dict[str, Any]:
    """Fill, then export and import `count` changes with tracemalloc on; the peaks."""
    with tempfile.TemporaryDirectory(prefix="sm-bench-backlog-") as folder:
        net, unit = _network(Path(folder))
        bulk_citizens(unit, count)
        out: dict[str, Any] = {"rss_filled": _peak_mb()}
        tracemalloc.start()
        exported = export_to(unit, net.hub_id(), net.share)
        out["traced_export"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.reset_peak()
        out["applied"] = _applied(import_folder(net.hub, net.share))
        out["traced_import"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        out["rss_done"] = _peak_mb()
        out["files"] = len(exported.files)
        out["changes"] = exported.changes
        net.hub.dispose()
        unit.dispose()
    return out


def bench_backlog(count: int) -> None:
    child = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.sync", "--backlog", str(count)],
        check=False, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if child.returncode:
        print(f"[fila longa] falhou:\n{child.stderr[-3000:]}")
        return
    got = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"[fila longa] {got['changes']:,} alterações em {got['files']} lotes, todas aplicadas "
        f"({got['applied']:,}) | pico de RSS {got['rss_filled']:.0f} MB após a inserção, "
        f"{got['rss_done']:.0f} MB após exportar e importar | tracemalloc: pico "
        f"{got['traced_export']:.0f} MB na exportação, {got['traced_import']:.0f} MB na importação"
    )


def bench_sync() -> None:
    bench_throughput(int(os.environ.get("BENCH_SYNC_CHANGES", "100000")))
    bench_backlog(int(os.environ.get("BENCH_SYNC_BACKLOG", "200000")))


def main() -> None:
    if sys.argv[1:2] == ["--backlog"]:
        print(json.dumps(measure_backlog(int(sys.argv[2]))))
        return
    bench_sync()


if __name__ == "__main__":
    main()
