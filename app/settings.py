"""User settings of this computer: declared once here, typed, stored as versioned JSON.

Each option is an `Option` (key, type, default, Portuguese label, limits); `Settings` reads and
writes them in `settings.json` in the platform's user config directory (or a path given by tests).
The file carries `settings_version`; when an option is renamed or its meaning changes, bump
`SETTINGS_VERSION` and add an `_UPGRADES[old_version]` function that rewrites the stored values.
A missing, unreadable or damaged file gives the defaults (logged, never a crash), and a stored value
of the wrong type or out of its limits falls back to its default. Window geometry and column widths
are not settings: they live in QSettings behind `ui/state.py`.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import platformdirs

from app import APP_ID
from app.errors import ValidationError

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
FILE_NAME = "settings.json"

T = TypeVar("T", int, str, bool)


@dataclass(frozen=True)
class Option(Generic[T]):
    """One declared setting; `minimum`/`maximum` bound integer options."""

    key: str
    type: type[T]
    default: T
    label: str
    help: str = ""
    minimum: int | None = None
    maximum: int | None = None

    def problem(self, value: object) -> str | None:
        """Why `value` cannot be stored in this option, or None."""
        if type(value) is not self.type:  # bool is an int subclass: compare exactly
            return f"Valor inválido para “{self.label}”."
        if isinstance(value, int) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                return f"“{self.label}”: o mínimo é {self.minimum}."
            if self.maximum is not None and value > self.maximum:
                return f"“{self.label}”: o máximo é {self.maximum}."
        return None


LOCK_MINUTES: Option[int] = Option(
    key="session.lock_minutes",
    type=int,
    default=15,
    label="Minutos sem uso até bloquear a sessão",
    help="Depois deste tempo sem teclado nem mouse, a tela é bloqueada e pede a senha.",
    minimum=1,
    maximum=240,
)

BPA_CNPJ: Option[str] = Option(
    key="care.bpa_cnpj",
    type=str,
    default="",
    label="CNPJ do órgão de origem do BPA",
    help="CNPJ (ou CPF) que vai no cabeçalho do arquivo BPA e identifica a instalação no e-SUS.",
)

OPTIONS: dict[str, Option[Any]] = {option.key: option for option in (LOCK_MINUTES, BPA_CNPJ)}

# settings_version N → function turning version-N values into version-(N+1) values.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def default_path() -> Path:
    """Where the settings file lives unless a path is given."""
    return Path(platformdirs.user_config_dir(APP_ID, appauthor=False)) / FILE_NAME


class Settings:
    """The settings file of this computer; `get`/`set` take declared options, `save` writes."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self._values: dict[str, Any] = _upgrade(_read(self.path))

    def get(self, option: Option[T]) -> T:
        value = self._values.get(option.key, option.default)
        return option.default if option.problem(value) else value

    def set(self, option: Option[T], value: T) -> None:
        """Change a value in memory (call `save` to keep it); ValidationError when refused."""
        problem = option.problem(value)
        if problem:
            raise ValidationError({option.key: problem})
        self._values[option.key] = value

    def save(self) -> None:
        """Write the file atomically (a temporary file renamed over the old one)."""
        data = {"settings_version": SETTINGS_VERSION, "values": self._values}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".settings-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=2, sort_keys=True)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _read(path: Path) -> tuple[int, dict[str, Any]]:
    """(version, values) stored in `path`; (current version, {}) when absent or damaged."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SETTINGS_VERSION, {}
    except (OSError, ValueError):
        log.warning("settings file %s unreadable; using defaults", path, exc_info=True)
        return SETTINGS_VERSION, {}
    values = raw.get("values") if isinstance(raw, dict) else None
    version = raw.get("settings_version") if isinstance(raw, dict) else None
    if not isinstance(values, dict) or not isinstance(version, int):
        log.warning("settings file %s has an unexpected shape; using defaults", path)
        return SETTINGS_VERSION, {}
    return version, values


def _upgrade(stored: tuple[int, dict[str, Any]]) -> dict[str, Any]:
    version, values = stored
    while version < SETTINGS_VERSION:
        values = _UPGRADES[version](values)
        version += 1
    if version > SETTINGS_VERSION:
        log.warning("settings written by a newer version (%s); reading known keys", version)
    return values
