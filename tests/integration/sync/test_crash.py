"""The hub's import killed (SIGKILL) at random and chosen points: all or nothing, then completed.

One unit exports 3,000 new citizens in one batch. For every kill point the hub starts from the
same copy of its database and of the shared folder, and the import runs in a separate process
(`import_worker`) that is killed: right away, after seeded random delays, in the middle of the
bulk apply, just before the commit and between the commit and the receipt. Afterwards the file
passes `integrity_check`, the hub holds none or all of the citizens (as many as the change-log
rows that brought them), and a normal import finishes the job with a receipt for the unit.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import insert

from app.bootstrap import adopt_node_id
from app.db.engine import sqlite_path, sqlite_url
from app.db.session import Database
from app.installation.demo import DEMO_IBGE
from app.installation.models import NodeKind
from app.installation.synthetic import citizen_rows
from app.registry.models import Citizen
from app.sync.exporter import export_to
from app.sync.folder import import_folder
from app.sync.importer import RECEIPT_SUFFIX
from tests.integration.sync.network import UNIT_A, make_network

CITIZENS = 3_000
ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Scene:
    """The pristine hub database, the shared folder holding the unit's batch, and who is who."""

    hub_file: Path
    share: Path
    hub_id: str
    unit_id: str
    citizen_ids: frozenset[str]
    batch_name: str


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file (backup API) plus its key file beside it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    keys = source.with_name(source.name + ".chaves.pem")
    shutil.copy(keys, target.with_name(target.name + ".chaves.pem"))


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    root = tmp_path_factory.mktemp("queda")
    net = make_network(root)
    unit = net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
    rows = list(
        citizen_rows(
            random.Random(5),
            CITIZENS,
            today=unit.clock.now().date(),
            district_ids=[None],
            unit_cnes=[UNIT_A],
            municipality_ibge=DEMO_IBGE,
            node_id=unit.node_id,
        )
    )
    with unit.unit_of_work("admin") as session:
        session.execute(insert(Citizen), rows)
    files = export_to(unit, net.hub_id(), net.share, max_changes=10_000).files
    assert len(files) == 1
    hub_file = sqlite_path(net.hub.url)
    assert hub_file is not None
    pristine = root / "intacto" / "Central.sqlite3"
    _copy_database(hub_file, pristine)
    scene = Scene(
        pristine,
        net.share,
        net.hub_id(),
        unit.node_id,
        frozenset(str(r["id"]) for r in rows),
        files[0].name,
    )
    net.hub.dispose()
    unit.dispose()
    return scene


def _fresh_copy(scene: Scene, where: Path) -> tuple[Path, Path]:
    hub_file = where / "Central.sqlite3"
    _copy_database(scene.hub_file, hub_file)
    share = where / "compartilhada"
    shutil.copytree(scene.share, share)
    return hub_file, share


def _start(hub_file: Path, share: Path, pause: str = "") -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "tests.integration.sync.import_worker", str(hub_file), str(share)]
    return subprocess.Popen(
        [*args, pause] if pause else args,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(worker: subprocess.Popen[str], marker: str) -> None:
    assert worker.stdout is not None
    while True:
        line = worker.stdout.readline()
        if line.strip() == marker:
            return
        if not line:
            assert worker.stderr is not None
            pytest.fail(f"worker ended before {marker!r}: {worker.stderr.read()[-2000:]}")


def _kill(worker: subprocess.Popen[str]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGKILL)
    worker.communicate()


def _state_after_kill(hub_file: Path) -> tuple[int, int]:
    """Check the file's integrity; (citizens, citizen rows in the change log) at the hub."""
    raw = sqlite3.connect(hub_file)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        citizens = raw.execute("SELECT count(*) FROM citizen").fetchone()[0]
        logged = raw.execute(
            "SELECT count(*) FROM change_log WHERE table_name = 'citizen'"
        ).fetchone()[0]
    finally:
        raw.close()
    assert citizens in (0, CITIZENS)
    assert logged == citizens
    return citizens, logged


def _receipts(scene: Scene, share: Path) -> list[Path]:
    return sorted((share / "saida" / scene.unit_id).glob(f"*{RECEIPT_SUFFIX}"))


def _complete(scene: Scene, hub_file: Path, share: Path) -> None:
    """A normal import after the crash: every citizen once, the batch archived, a receipt."""
    hub = Database(sqlite_url(hub_file))
    adopt_node_id(hub)
    try:
        outcomes = import_folder(hub, share)
        assert {o.status for o in outcomes} <= {"applied", "duplicate"}
        with hub.engine.connect() as conn:
            ids = [str(r[0]) for r in conn.exec_driver_sql("SELECT id FROM citizen")]
    finally:
        hub.dispose()
    assert len(ids) == CITIZENS
    assert {i.replace("-", "") for i in ids} == {i.replace("-", "") for i in scene.citizen_ids}
    assert (share / "arquivo" / scene.batch_name).exists()
    assert not (share / "saida" / scene.hub_id / scene.batch_name).exists()
    assert len(_receipts(scene, share)) == 1


def test_an_uninterrupted_worker_imports_everything(scene: Scene, tmp_path: Path) -> None:
    hub_file, share = _fresh_copy(scene, tmp_path)
    worker = _start(hub_file, share)
    out, err = worker.communicate(timeout=240)
    assert worker.returncode == 0, err
    markers = out.split()
    assert markers.index("mid-apply") < markers.index("before-commit")
    assert markers.index("before-commit") < markers.index("after-commit") < markers.index("done")
    assert _state_after_kill(hub_file)[0] == CITIZENS
    _complete(scene, hub_file, share)


@pytest.mark.parametrize(
    ("pause", "citizens", "receipt"),
    [
        ("start", 0, False),
        ("mid-apply", 0, False),
        ("before-commit", 0, False),
        ("after-commit", CITIZENS, False),
    ],
)
def test_killed_at_a_chosen_point(
    scene: Scene, tmp_path: Path, pause: str, citizens: int, receipt: bool
) -> None:
    hub_file, share = _fresh_copy(scene, tmp_path)
    worker = _start(hub_file, share, pause)
    _wait_for(worker, pause)
    _kill(worker)
    assert _state_after_kill(hub_file)[0] == citizens
    # killed before the receipt: the unit has no confirmation yet, the batch is still waiting
    assert bool(_receipts(scene, share)) is receipt
    assert (share / "saida" / scene.hub_id / scene.batch_name).exists()
    _complete(scene, hub_file, share)


def test_killed_immediately_and_after_random_delays(scene: Scene, tmp_path: Path) -> None:
    rng = random.Random(2026)
    delays = [None, 0.0] + [rng.uniform(0.0, 1.5) for _ in range(5)]
    outcomes = []
    for n, delay in enumerate(delays):
        hub_file, share = _fresh_copy(scene, tmp_path / f"queda-{n}")
        worker = _start(hub_file, share)
        if delay is not None:  # None: killed right after the process was created
            _wait_for(worker, "start")
            time.sleep(delay)
        _kill(worker)
        outcomes.append(_state_after_kill(hub_file)[0])
        _complete(scene, hub_file, share)
    assert outcomes[0] == 0
