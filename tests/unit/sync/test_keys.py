"""Node keys: saved under a secret, read back only with it, private to the owner, signatures."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.sync.keys import (
    SyncKeyError,
    generate_keys,
    key_id_of,
    load_keys,
    save_keys,
    sign,
    verify_signature,
)

SECRET = b"segredo-do-no"


def test_keys_saved_and_loaded_sign_and_open_the_same(tmp_path: Path) -> None:
    keys = generate_keys()
    path = tmp_path / "chaves.pem"
    save_keys(keys, path, SECRET)

    loaded = load_keys(path, SECRET)

    assert loaded.sign_public == keys.sign_public
    assert loaded.box_public == keys.box_public
    assert loaded.key_id == keys.key_id == key_id_of(keys.sign_public)
    assert len(keys.key_id) == 16
    assert verify_signature(keys.sign_public, sign(loaded, b"lote"), b"lote")
    assert list(tmp_path.iterdir()) == [path]


def test_private_keys_are_not_stored_in_clear(tmp_path: Path) -> None:
    keys = generate_keys()
    path = tmp_path / "chaves.pem"
    save_keys(keys, path, SECRET)

    assert path.read_bytes().count(b"BEGIN ENCRYPTED PRIVATE KEY") == 2


def test_wrong_secret_is_refused_in_portuguese(tmp_path: Path) -> None:
    path = tmp_path / "chaves.pem"
    save_keys(generate_keys(), path, SECRET)

    with pytest.raises(SyncKeyError) as refused:
        load_keys(path, b"outra-senha")

    assert "senha" in refused.value.message


def test_damaged_or_missing_key_file_is_refused_in_portuguese(tmp_path: Path) -> None:
    path = tmp_path / "chaves.pem"
    save_keys(generate_keys(), path, SECRET)
    path.write_bytes(path.read_bytes()[:150])

    with pytest.raises(SyncKeyError) as damaged:
        load_keys(path, SECRET)
    with pytest.raises(SyncKeyError) as missing:
        load_keys(tmp_path / "nao-existe.pem", SECRET)

    assert "danificado" in damaged.value.message
    assert "não foi encontrado" in missing.value.message


@pytest.mark.skipif(os.name != "posix", reason="permissions are POSIX-only")
def test_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "chaves.pem"
    save_keys(generate_keys(), path, SECRET)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_signature_verifies_only_for_the_signed_data_and_key() -> None:
    keys, other = generate_keys(), generate_keys()
    signature = sign(keys, b"recibo")

    assert verify_signature(keys.sign_public, signature, b"recibo")
    assert not verify_signature(keys.sign_public, signature, b"recibO")
    assert not verify_signature(other.sign_public, signature, b"recibo")
    assert not verify_signature(keys.sign_public, b"\x00" * 64, b"recibo")
    assert not verify_signature(b"curta", signature, b"recibo")
