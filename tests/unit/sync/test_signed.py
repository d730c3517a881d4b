"""Signed JSON documents (enrolments, receipts): round trip, tampering, wrong kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.sync.errors import BatchError
from app.sync.keys import generate_keys
from app.sync.signed import read_signed_json, write_signed_json

PAYLOAD = {"node_id": "5f0c", "nome": "UBS São José", "aplicados": [1, 2, 3]}


def test_signed_document_round_trips_and_verifies(tmp_path: Path) -> None:
    keys = generate_keys()
    path = tmp_path / "recibo.json"
    write_signed_json(path, "receipt", PAYLOAD, keys)

    document = read_signed_json(path, "receipt")

    assert document.payload == PAYLOAD
    assert document.key_id == keys.key_id
    assert document.verify(keys.sign_public)
    document.require(keys.sign_public)
    assert list(tmp_path.iterdir()) == [path]


def test_tampered_payload_fails_verification(tmp_path: Path) -> None:
    keys = generate_keys()
    path = tmp_path / "recibo.json"
    write_signed_json(path, "receipt", PAYLOAD, keys)
    content = json.loads(path.read_text(encoding="utf-8"))
    content["payload"]["aplicados"].append(4)
    path.write_text(json.dumps(content), encoding="utf-8")

    document = read_signed_json(path, "receipt")

    assert not document.verify(keys.sign_public)
    with pytest.raises(BatchError) as refused:
        document.require(keys.sign_public)
    assert refused.value.code == "signature"
    assert "assinatura" in refused.value.message


def test_document_signed_by_another_node_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cadastro.json"
    write_signed_json(path, "enrolment", PAYLOAD, generate_keys())

    document = read_signed_json(path, "enrolment")

    assert not document.verify(generate_keys().sign_public)


def test_wrong_kind_or_not_json_is_refused_in_portuguese(tmp_path: Path) -> None:
    path = tmp_path / "recibo.json"
    write_signed_json(path, "receipt", PAYLOAD, generate_keys())
    garbage = tmp_path / "foto.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe0 not json")

    for wrong, kind in ((path, "enrolment"), (garbage, "receipt")):
        with pytest.raises(BatchError) as refused:
            read_signed_json(wrong, kind)
        assert refused.value.code == "format"
        assert "arquivo" in refused.value.message
