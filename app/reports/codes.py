"""Verification codes printed on every issued document, such as `7K3Q-M9XD-2F`.

A code is nine random Crockford base-32 symbols (digits and letters without I, L, O and U, so
nothing is mistaken for 1 or 0 when read aloud or retyped) and one check symbol: the value of the
nine symbols modulo 37, written with Crockford's check alphabet (the 32 symbols plus `*~$=U`).
Any single mistyped symbol and any swap of two neighbours changes the check, so a typo or an
altered code is refused before the database is asked. The nine symbols carry 45 random bits,
enough that guessing a valid code is hopeless.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Protocol

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BODY_LENGTH = 9
CODE_LENGTH = BODY_LENGTH + 1
_GROUPS = (4, 4, 2)
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = str.maketrans("", "", " -\t\n\r.")


class Chooser(Protocol):
    """Anything with `choice` (the `secrets` module, or a seeded `random.Random` in tests)."""

    def choice(self, seq: Sequence[str], /) -> str: ...


def check_symbol(body: str) -> str:
    """Crockford's check symbol of `body` (canonical symbols only): its value modulo 37."""
    value = 0
    for symbol in body:
        value = value * 32 + ALPHABET.index(symbol)
    return CHECK_ALPHABET[value % 37]


def format_code(compact: str) -> str:
    """`7K3QM9XD2F` → `7K3Q-M9XD-2F` (groups of 4, 4 and 2)."""
    parts = []
    start = 0
    for size in _GROUPS:
        parts.append(compact[start : start + size])
        start += size
    return "-".join(parts)


def new_code(rng: Chooser = secrets) -> str:
    """A fresh code, grouped with dashes: nine random symbols and the check symbol."""
    body = "".join(rng.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return format_code(body + check_symbol(body))


def normalize_code(text: str) -> str:
    """What was typed, in canonical form: upper case, no spaces or dashes, O→0 and I/L→1."""
    return text.upper().translate(_IGNORED).translate(_LOOKALIKES)


def is_well_formed(code: str) -> bool:
    """True when `code` (typed in any form) has ten symbols and its check symbol matches."""
    compact = normalize_code(code)
    if len(compact) != CODE_LENGTH:
        return False
    body, check = compact[:BODY_LENGTH], compact[BODY_LENGTH]
    if any(symbol not in ALPHABET for symbol in body):
        return False
    return check_symbol(body) == check


def canonical(code: str) -> str | None:
    """The dashed form stored in the database, or None when `code` is not well formed."""
    if not is_well_formed(code):
        return None
    return format_code(normalize_code(code))
