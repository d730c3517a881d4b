"""The single place that knows where bundled resources and per-user files live.

Bundled files (reference data, images, migrations) are found next to the source tree or, in the
frozen build, inside PyInstaller's bundle directory. Per-user files (the SQLite database, backups,
logs, settings) go to the platform's user data directory via platformdirs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

from app import APP_ID


def _bundle_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """Path of a bundled file under `resources/`."""
    return _bundle_root().joinpath("resources", *parts)


def migrations_dir() -> Path:
    """Directory holding the Alembic environment and revisions."""
    return Path(__file__).resolve().parent / "db" / "migrations"


def user_data_dir() -> Path:
    """Per-user data directory (created on demand)."""
    path = Path(platformdirs.user_data_dir(APP_ID, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    """Where the embedded SQLite database lives unless `--db` says otherwise."""
    return user_data_dir() / "saude-municipal.sqlite3"
