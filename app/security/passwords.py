"""Password hashing and the password rules every account follows.

Hashes are Argon2id with the OWASP minimum parameters (19 MiB of memory, two passes, one lane),
recorded inside the hash string itself so a future change of parameters can be detected with
`needs_rehash` and applied at the next successful login. Tests use the same parameters as
production (a hash takes a few tens of milliseconds), so what is tested is what ships.
`password_error` holds the rules a new password must follow, with messages in Portuguese.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MEMORY_COST_KIB = 19456
TIME_COST = 2
PARALLELISM = 1
MIN_LENGTH = 8
# Argon2 accepts any length; a ceiling keeps a pasted novel from costing the server anything.
MAX_LENGTH = 128

_hasher = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_COST_KIB,
    parallelism=PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)


def hash_password(password: str) -> str:
    """The Argon2id hash string of `password` (salted, parameters included)."""
    return str(_hasher.hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches `password_hash`; False for a mismatch or a damaged hash."""
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError, ValueError):
        # ValueError: a hash with non-ASCII characters is not an Argon2 hash at all.
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters (or is unreadable) and should be redone."""
    try:
        return bool(_hasher.check_needs_rehash(password_hash))
    except (InvalidHashError, ValueError):
        return True


def password_error(password: str, username: str) -> str | None:
    """Why `password` cannot be used by the account `username`, or None when it can."""
    if len(password) < MIN_LENGTH:
        return f"A senha deve ter pelo menos {MIN_LENGTH} caracteres."
    if len(password) > MAX_LENGTH:
        return f"A senha pode ter no máximo {MAX_LENGTH} caracteres."
    if username.strip() and password.strip().casefold() == username.strip().casefold():
        return "A senha não pode ser igual ao nome de usuário."
    if len(set(password)) == 1:
        return "A senha não pode ser um mesmo caractere repetido."
    return None
