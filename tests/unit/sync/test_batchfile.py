"""Batch files: round trip, atomic writing, and every kind of damage or forgery refused.

A batch of 12,000 changes (several encrypted chunks) is written once per module; the damage
tests copy its bytes, cut or flip them, and check that the importer refuses the copy with the
right code and a Portuguese message before a single change would be applied.
"""

from __future__ import annotations

import json
import random
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.sync.batchfile import (
    FORMAT_VERSION,
    MAGIC,
    iter_changes,
    read_manifest,
    verify_batch,
    write_batch,
)
from app.sync.errors import BatchError
from app.sync.keys import NodeKeys, generate_keys, sign

PORTUGUESE_WORDS = ("arquivo", "lote", "sistema")


def _changes(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Changes with random tokens, so they compress poorly and span several chunks."""
    rng = random.Random(seed)
    for number in range(count):
        yield {
            "change_id": f"{rng.getrandbits(128):032x}",
            "origin_seq": number + 1,
            "table": "citizen",
            "row": {"nome": f"Cidadã nº {number}", "cns": f"{rng.getrandbits(50):015d}"},
        }


def _manifest(batch_id: str = "lote-1") -> dict[str, Any]:
    return {"batch_id": batch_id, "origin": "ubs-centro", "recipient": "hub", "seq": [1, 12000]}


def _assert_refused(error: BatchError, *codes: str) -> None:
    assert error.code in codes
    assert any(word in error.message for word in PORTUGUESE_WORDS), error.message


@dataclass(frozen=True)
class Written:
    path: Path
    data: bytes
    manifest: dict[str, Any]
    sender: NodeKeys
    recipient: NodeKeys


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    sender, recipient = generate_keys(), generate_keys()
    path = tmp_path_factory.mktemp("lote") / "ubs-centro_e1_000001-012000.lote"
    manifest = write_batch(path, _manifest(), _changes(12_000), sender, recipient.box_public)
    return Written(path, path.read_bytes(), manifest, sender, recipient)


def _payload_start(data: bytes) -> int:
    offset = len(MAGIC)
    for _block in range(2):
        offset += 4 + int.from_bytes(data[offset : offset + 4], "big")
    return offset


def _chunk_boundaries(data: bytes) -> list[int]:
    """Offsets where each sealed chunk record starts, then the end of the file."""
    offsets = [_payload_start(data)]
    while offsets[-1] < len(data):
        offsets.append(offsets[-1] + 4 + int.from_bytes(data[offsets[-1] : offsets[-1] + 4], "big"))
    return offsets


def _refusal(path: Path, written: Written) -> BatchError | None:
    """The error that stops an import of `path` (verify, then read every change), if any."""
    try:
        manifest = verify_batch(path, written.sender.sign_public)
        for _change in iter_changes(path, manifest, written.recipient):
            pass
    except BatchError as error:
        return error
    return None


# ---- round trip and atomic writing --------------------------------------------------------


def test_changes_come_back_in_order_with_a_complete_manifest(written: Written) -> None:
    manifest = verify_batch(written.path, written.sender.sign_public)

    assert list(iter_changes(written.path, manifest, written.recipient)) == list(_changes(12_000))
    assert manifest == written.manifest
    assert manifest["format"] == FORMAT_VERSION
    assert manifest["change_count"] == 12_000
    assert manifest["key_id"] == written.sender.key_id
    assert manifest["payload_size"] == len(written.data) - _payload_start(written.data)
    assert {"batch_id", "origin", "recipient", "seq", "payload_sha256", "wrap"} <= set(manifest)
    assert read_manifest(written.path)[0] == manifest
    assert len(_chunk_boundaries(written.data)) >= 4, "the batch must span several chunks"


def test_only_the_final_file_is_left_in_the_folder(written: Written) -> None:
    assert [p.name for p in written.path.parent.iterdir()] == [written.path.name]


def test_an_empty_batch_round_trips(tmp_path: Path) -> None:
    sender, recipient = generate_keys(), generate_keys()
    path = tmp_path / "vazio.lote"
    write_batch(path, _manifest(), [], sender, recipient.box_public)

    manifest = verify_batch(path, sender.sign_public)

    assert manifest["change_count"] == 0
    assert list(iter_changes(path, manifest, recipient)) == []


def test_a_failing_export_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    sender, recipient = generate_keys(), generate_keys()
    path = tmp_path / "lote.lote"
    path.write_bytes(b"lote anterior")

    def failing() -> Iterator[dict[str, Any]]:
        yield from _changes(5_000)
        raise RuntimeError("banco indisponível")

    with pytest.raises(RuntimeError):
        write_batch(path, _manifest(), failing(), sender, recipient.box_public)

    assert list(tmp_path.iterdir()) == [path]
    assert path.read_bytes() == b"lote anterior"


def test_a_failing_first_export_leaves_nothing(tmp_path: Path) -> None:
    sender, recipient = generate_keys(), generate_keys()

    def failing() -> Iterator[dict[str, Any]]:
        yield from _changes(100)
        raise RuntimeError("banco indisponível")

    with pytest.raises(RuntimeError):
        write_batch(tmp_path / "lote.lote", _manifest(), failing(), sender, recipient.box_public)

    assert list(tmp_path.iterdir()) == []


# ---- truncation and bit flips -------------------------------------------------------------


def test_file_cut_at_every_chunk_boundary_is_refused_before_any_change(
    written: Written, tmp_path: Path
) -> None:
    cut = tmp_path / "cortado.lote"
    for offset in _chunk_boundaries(written.data)[:-1]:
        cut.write_bytes(written.data[:offset])
        with pytest.raises(BatchError) as refused:
            verify_batch(cut, written.sender.sign_public)
        _assert_refused(refused.value, "truncated")
        # Even a reader that skipped verification could not accept the shorter payload.
        with pytest.raises(BatchError) as unverified:
            list(iter_changes(cut, written.manifest, written.recipient))
        _assert_refused(unverified.value, "truncated")


def test_file_cut_at_random_offsets_is_refused_before_any_change(
    written: Written, tmp_path: Path
) -> None:
    rng = random.Random(20240611)
    offsets = [0, 3, len(MAGIC), len(MAGIC) + 2] + [
        rng.randrange(len(written.data)) for _ in range(50)
    ]
    cut = tmp_path / "cortado.lote"
    for offset in offsets:
        cut.write_bytes(written.data[:offset])
        with pytest.raises(BatchError) as refused:
            verify_batch(cut, written.sender.sign_public)
        _assert_refused(refused.value, "truncated")


def test_every_random_bit_flip_is_refused(written: Written, tmp_path: Path) -> None:
    rng = random.Random(1234)
    header_end = _payload_start(written.data)
    # Half anywhere in the file, a quarter in the header, a quarter in the first chunk.
    positions = [rng.randrange(len(written.data)) for _ in range(26)]
    positions += [rng.randrange(header_end) for _ in range(12)]
    positions += [rng.randrange(header_end, header_end + 200) for _ in range(12)]
    flipped = tmp_path / "alterado.lote"
    refusals = []
    for position in positions:
        data = bytearray(written.data)
        data[position] ^= 1 << rng.randrange(8)
        flipped.write_bytes(bytes(data))
        refusals.append(_refusal(flipped, written))
    assert all(refusal is not None for refusal in refusals)
    for refusal in refusals:
        assert refusal is not None
        _assert_refused(refusal, "format", "truncated", "signature", "hash", "decrypt")


def test_a_file_that_is_not_a_batch_is_refused_as_format(tmp_path: Path) -> None:
    other = tmp_path / "planilha.xlsx"
    other.write_bytes(b"PK\x03\x04 uma planilha qualquer")

    with pytest.raises(BatchError) as refused:
        read_manifest(other)

    _assert_refused(refused.value, "format")


# ---- forgery and the wrong reader ----------------------------------------------------------


def test_payload_swapped_between_two_signed_batches_is_refused(
    written: Written, tmp_path: Path
) -> None:
    other_path = tmp_path / "outro.lote"
    write_batch(
        other_path,
        _manifest("lote-2"),
        _changes(12_000),
        written.sender,
        written.recipient.box_public,
    )
    other = other_path.read_bytes()
    swapped = tmp_path / "trocado.lote"
    swapped.write_bytes(
        written.data[: _payload_start(written.data)] + other[_payload_start(other) :]
    )

    with pytest.raises(BatchError) as refused:
        verify_batch(swapped, written.sender.sign_public)

    _assert_refused(refused.value, "hash")


def test_a_third_node_cannot_read_the_batch(written: Written) -> None:
    manifest = verify_batch(written.path, written.sender.sign_public)

    with pytest.raises(BatchError) as refused:
        iter_changes(written.path, manifest, generate_keys())

    _assert_refused(refused.value, "recipient")


def test_a_signature_by_another_key_is_refused(written: Written, tmp_path: Path) -> None:
    with pytest.raises(BatchError) as unknown_sender:
        verify_batch(written.path, generate_keys().sign_public)
    _assert_refused(unknown_sender.value, "signature")

    forger = generate_keys()
    forged = tmp_path / "forjado.lote"
    write_batch(forged, _manifest(), _changes(10), forger, written.recipient.box_public)
    with pytest.raises(BatchError) as forged_refused:
        verify_batch(forged, written.sender.sign_public)
    _assert_refused(forged_refused.value, "signature")


def test_a_batch_from_a_newer_format_asks_for_an_update(written: Written, tmp_path: Path) -> None:
    manifest = dict(written.manifest, format=FORMAT_VERSION + 1)
    manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    signature = sign(written.sender, manifest_bytes)
    newer = tmp_path / "novo.lote"
    newer.write_bytes(
        MAGIC
        + len(manifest_bytes).to_bytes(4, "big")
        + manifest_bytes
        + len(signature).to_bytes(4, "big")
        + signature
        + b"payload de um formato futuro"
    )

    for refuse in (
        lambda: read_manifest(newer),
        lambda: verify_batch(newer, written.sender.sign_public),
    ):
        with pytest.raises(BatchError) as refused:
            refuse()
        _assert_refused(refused.value, "too_new")
        assert "Atualize o sistema" in refused.value.message


# ---- memory --------------------------------------------------------------------------------


def _small_changes(count: int) -> Iterator[dict[str, Any]]:
    for number in range(count):
        yield {"seq": number, "table": "vaccination", "row": {"dose": number % 3}}


@pytest.mark.slow
def test_a_200000_change_backlog_is_written_and_read_in_bounded_memory(tmp_path: Path) -> None:
    sender, recipient = generate_keys(), generate_keys()
    path = tmp_path / "grande.lote"
    tracemalloc.start()
    try:
        write_batch(path, _manifest(), _small_changes(200_000), sender, recipient.box_public)
        manifest = verify_batch(path, sender.sign_public)
        read = 0
        for expected, change in zip(
            _small_changes(200_000), iter_changes(path, manifest, recipient), strict=True
        ):
            assert change == expected
            read += 1
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert read == 200_000
    assert peak < 30 * 1024 * 1024
