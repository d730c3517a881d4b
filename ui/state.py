"""Window state only: geometry, splitter positions, table header layout and the last choices of
a form (such as the attendance entry's unit, professional and date), kept in QSettings.

Real settings (things a person decides) are declared in `app/settings.py`; this module remembers
how the windows were left, so they reopen the same way. Values are Qt's own byte arrays, never
pickled Python objects. Tests point the store at a temporary INI file with `use_file`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget

from app import APP_ID

_file: Path | None = None


def use_file(path: Path | None) -> None:
    """Keep window state in `path` (an INI file) instead of the platform's store; None resets."""
    global _file
    _file = path


def _store() -> QSettings:
    if _file is not None:
        return QSettings(str(_file), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, APP_ID, "janelas")


def _load(key: str) -> QByteArray | None:
    value = _store().value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_text(key: str, value: str) -> None:
    """Remember a form's last choice (an id or a date as text) for the next start."""
    _store().setValue(f"{key}/text", value)


def load_text(key: str) -> str:
    """The remembered choice, or "" when there is none."""
    value = _store().value(f"{key}/text")
    return value if isinstance(value, str) else ""


def save_geometry(widget: QWidget, key: str) -> None:
    _store().setValue(f"{key}/geometry", widget.saveGeometry())


def restore_geometry(widget: QWidget, key: str) -> bool:
    """Put the window where it was; False (nothing done) the first time."""
    value = _load(f"{key}/geometry")
    return value is not None and widget.restoreGeometry(value)


def save_splitter(splitter: QSplitter, key: str) -> None:
    _store().setValue(f"{key}/splitter", splitter.saveState())


def restore_splitter(splitter: QSplitter, key: str) -> bool:
    value = _load(f"{key}/splitter")
    return value is not None and splitter.restoreState(value)


def save_header(header: QHeaderView, key: str) -> None:
    _store().setValue(f"{key}/header", header.saveState())


def restore_header(header: QHeaderView, key: str) -> bool:
    value = _load(f"{key}/header")
    return value is not None and header.restoreState(value)
