"""A throwaway PostgreSQL server for tests, started from the machine's own binaries.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
`postgres` user (`runuser -u postgres --`). Data directory and Unix socket live in a temporary
folder; no TCP port is opened. Without the binaries the caller skips — or fails when
`SAUDE_REQUIRE_POSTGRES=1`, which CI sets so a missing server can never pass silently.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

REQUIRE_ENV = "SAUDE_REQUIRE_POSTGRES"


def find_bindir() -> Path | None:
    """Directory holding initdb and pg_ctl, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.insert(0, str(Path(found).resolve().parent))
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


@dataclass
class PostgresServer:
    bindir: Path
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.root / "server.log"),
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"host={self.socket_dir} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_server() -> PostgresServer | None:
    bindir = find_bindir()
    if bindir is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="sm-pg-", dir="/tmp"))
    os.chmod(root, 0o755)
    server = PostgresServer(bindir, root)
    server.start()
    return server
