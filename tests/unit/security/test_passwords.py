"""Password hashing (Argon2id, OWASP parameters) and the rules a new password must follow."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from app.security.passwords import hash_password, needs_rehash, password_error, verify_password


def test_hash_is_argon2id_with_the_owasp_parameters() -> None:
    assert hash_password("Ipê-amarelo-2026").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_the_right_password_verifies_and_a_wrong_one_does_not() -> None:
    stored = hash_password("Ipê-amarelo-2026")
    assert verify_password(stored, "Ipê-amarelo-2026")
    assert not verify_password(stored, "ipê-amarelo-2026")
    assert not verify_password(stored, "")


def test_a_damaged_hash_refuses_every_password_instead_of_crashing() -> None:
    assert not verify_password("não é um hash", "qualquer-coisa")
    assert not verify_password("", "")


def test_same_password_gives_different_hashes() -> None:
    # Salted: two clerks with the same password cannot be spotted by comparing hashes.
    assert hash_password("Ipê-amarelo-2026") != hash_password("Ipê-amarelo-2026")


def test_hashes_made_with_weaker_parameters_need_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)
    assert needs_rehash(weak.hash("Ipê-amarelo-2026"))
    assert not needs_rehash(hash_password("Ipê-amarelo-2026"))
    assert needs_rehash("lixo")


@pytest.mark.parametrize(
    ("password", "username", "message"),
    [
        ("curta1", "maria", "A senha deve ter pelo menos 8 caracteres."),
        ("", "maria", "A senha deve ter pelo menos 8 caracteres."),
        ("x" * 129 + "y", "maria", "A senha pode ter no máximo 128 caracteres."),
        ("maria.silva", "maria.silva", "A senha não pode ser igual ao nome de usuário."),
        ("Maria.Silva", "maria.silva", "A senha não pode ser igual ao nome de usuário."),
        ("aaaaaaaaaa", "maria", "A senha não pode ser um mesmo caractere repetido."),
        ("11111111", "maria", "A senha não pode ser um mesmo caractere repetido."),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(
    password: str, username: str, message: str
) -> None:
    assert password_error(password, username) == message


@pytest.mark.parametrize("password", ["Ipê-amarelo-2026", "12345678a", "maria.silva2"])
def test_acceptable_passwords(password: str) -> None:
    assert password_error(password, "maria.silva") is None
