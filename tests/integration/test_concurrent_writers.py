"""Two processes writing the same SQLite file: the second waits its turn, nothing is lost.

A clerk's app and a scheduled CLI command (or two app windows) may write at the same moment.
Write sessions begin IMMEDIATE, so the later one waits (busy_timeout) instead of failing with
"database is locked" after it has already read.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app.bootstrap import open_database
from app.installation.demo import create_demo
from app.registry.models import District

WRITER = """
import sys, time
from app.bootstrap import open_database
from app.registry.units import create_district
from app.security.actor import SYSTEM
db = open_database(sys.argv[1])
for i in range(40):
    with db.unit_of_work() as s:
        s.connection()
        time.sleep(0.002)  # hold the transaction a little, as a real save does
        create_district(s, SYSTEM, f"Bairro {sys.argv[2]} {i}")
"""


def test_two_processes_writing_at_once_both_complete(tmp_path: Path) -> None:
    path = tmp_path / "compartilhado.sqlite3"
    db = open_database(str(path))
    create_demo(db, citizens=10, seed=2)
    with db.read_only() as s:
        before = s.scalar(select(func.count()).select_from(District))
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], stderr=subprocess.PIPE)
        for name in ("A", "B")
    ]
    errors = [proc.communicate(timeout=120)[1].decode() for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], errors
    with db.read_only() as s:
        assert s.scalar(select(func.count()).select_from(District)) == before + 80
    db.dispose()
