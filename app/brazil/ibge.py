"""Municipality lookup by 7-digit IBGE code: which UF a code belongs to, the list of a UF's towns.

The table is the bundled `resources/reference/municipios-brutils-2.5.0.json` (5,570 municipalities,
{"UF": {"name in lower case without accents": "code"}}), read once on first use. Because the source
has no accents, display names come out as "Sao Paulo" rather than "São Paulo"; they are fit for pick
lists and messages, not for official documents. Fonte: brutils 2.5.0 (MIT), códigos IBGE.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from app.brazil.identifiers import ibge_error
from app.paths import resource_path

UFS: tuple[str, ...] = (
    "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
    "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
)  # fmt: skip

# Words kept in lower case inside a name, as Portuguese place names are written.
_LOWER_WORDS = frozenset({"de", "da", "do", "das", "dos", "e", "del"})


@dataclass(frozen=True, slots=True)
class _Municipality:
    code: str
    uf: str
    name: str  # display form, e.g. "Olho d'Agua das Flores"
    key: str  # as in the source file, used for sorting


@dataclass(frozen=True, slots=True)
class _Table:
    by_code: Mapping[str, _Municipality]
    by_uf: Mapping[str, tuple[_Municipality, ...]]


def _capitalize_part(part: str) -> str:
    if part.startswith("d'") and len(part) > 2:
        return "d'" + part[2:].capitalize()
    return part.capitalize()


def _display_name(key: str) -> str:
    """ "olho d'agua das flores" → "Olho d'Agua das Flores"; "ji-parana" → "Ji-Parana"."""
    words = key.split()
    shown = [
        word if index and word in _LOWER_WORDS else "-".join(map(_capitalize_part, word.split("-")))
        for index, word in enumerate(words)
    ]
    return " ".join(shown)


def _read_source() -> dict[str, dict[str, str]]:
    path = resource_path("reference", "municipios-brutils-2.5.0.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: esperado um objeto JSON por UF")
    return {str(uf): {str(k): str(v) for k, v in towns.items()} for uf, towns in raw.items()}


@cache
def _table() -> _Table:
    by_code: dict[str, _Municipality] = {}
    by_uf: dict[str, tuple[_Municipality, ...]] = {}
    for uf, towns in _read_source().items():
        rows = [_Municipality(code, uf, _display_name(key), key) for key, code in towns.items()]
        rows.sort(key=lambda row: row.key)
        by_uf[uf] = tuple(rows)
        by_code.update((row.code, row) for row in rows)
    return _Table(by_code=by_code, by_uf=by_uf)


def municipality_uf(code: str) -> str | None:
    """The UF of the municipality with IBGE `code` (e.g. "3550308" → "SP"), or None if unknown."""
    found = _table().by_code.get(code.strip())
    return found.uf if found else None


def municipality_exists(code: str) -> bool:
    """True when `code` is the 7-digit IBGE code of one of the 5,570 municipalities."""
    return code.strip() in _table().by_code


def municipality_name(code: str) -> str | None:
    """Display name of the municipality with IBGE `code` (without accents), or None."""
    found = _table().by_code.get(code.strip())
    return found.name if found else None


def municipalities_of(uf: str) -> list[tuple[str, str]]:
    """(code, display name) of every municipality of `uf`, alphabetical; [] for an unknown UF."""
    return [(row.code, row.name) for row in _table().by_uf.get(uf.strip().upper(), ())]


def municipality_error(code: str, uf: str | None = None) -> str | None:
    """Why `code` is not a known municipality (of `uf`, when given), or None; empty → None."""
    problem = ibge_error(code)
    if problem or not code.strip():
        return problem
    found = _table().by_code.get(code.strip())
    if found is None:
        return "Código IBGE não encontrado na tabela de municípios."
    if uf is None or not uf.strip():
        return None
    wanted = uf.strip().upper()
    if wanted not in UFS:
        return f"UF desconhecida: {uf.strip()}."
    if found.uf != wanted:
        place = f"{found.name}/{found.uf}"
        return f"O código {found.code} é do município {place}, que não fica em {wanted}."
    return None
