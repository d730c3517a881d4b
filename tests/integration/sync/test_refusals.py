"""Damaged, forged, misaddressed or out-of-window batches are refused whole, with a reason.

Every bad file is dropped into the hub's `entrada/` and imported by the real folder transport:
it must be refused with the expected code and its Portuguese message, nothing applied, and the
file moved to `quarentena/` with a `.motivo.txt` saying which file and why. A good batch imported
afterwards still applies, and replaying it later is reported as already imported.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.migrate import HEAD_REVISION
from app.db.session import Database
from app.installation.models import NodeKind
from app.registry.models import Citizen
from app.sync import batchfile
from app.sync.errors import MESSAGES
from app.sync.exporter import OLDEST_READABLE, export_to
from app.sync.folder import import_folder
from app.sync.importer import ImportOutcome
from app.sync.models import SyncBatch
from app.sync.node import node_keys, revoke_node
from tests.integration.sync.network import UNIT_A, UNIT_B, Network, add_citizen, make_network
from tests.integration.sync.network import make_node as new_node

_ADDED_BY_WRITER = ("format", "key_id", "wrap", "change_count", "payload_sha256", "payload_size")


class Scene:
    """A hub, unit A (with two real batches for the hub) and unit B, all on real files."""

    def __init__(self, root: Path) -> None:
        self.net: Network = make_network(root)
        self.a = self.net.add("UBS Centro", NodeKind.UNIT, UNIT_A)
        self.b = self.net.add("UBS Vila Nova", NodeKind.UNIT, UNIT_B)
        add_citizen(self.a, "Maria da Silva")
        add_citizen(self.a, "Joana de Souza")
        staging = root / "lotes"
        self.batches = export_to(self.a, self.net.hub_id(), staging, max_changes=1).files
        assert len(self.batches) >= 2
        self.inbox = self.net.share / "entrada"
        self.inbox.mkdir(parents=True, exist_ok=True)

    def drop(self, name: str, data: bytes) -> Path:
        path = self.inbox / name
        path.write_bytes(data)
        return path

    def import_one(self, path: Path) -> ImportOutcome:
        outcomes = [o for o in import_folder(self.net.hub, self.net.share) if o.file == path]
        assert len(outcomes) == 1
        return outcomes[0]

    def changes_of(self, batch: Path) -> list[dict[str, Any]]:
        manifest, _ = batchfile.read_manifest(batch)
        return list(batchfile.iter_changes(batch, manifest, node_keys(self.net.hub)))

    def forge(self, name: str, sender: Database, recipient: Database, **fields: Any) -> Path:
        """A validly signed batch from `sender`'s real keys, based on unit A's first batch."""
        manifest, _ = batchfile.read_manifest(self.batches[0])
        manifest = {k: v for k, v in manifest.items() if k not in _ADDED_BY_WRITER}
        manifest.update(origin=sender.node_id, recipient=recipient.node_id, **fields)
        manifest["batch_id"] = str(uuid.uuid4())
        path = self.inbox / name
        changes = self.changes_of(self.batches[0])
        batchfile.write_batch(
            path, manifest, changes, node_keys(sender), node_keys(recipient).box_public
        )
        return path


def _hub_state(db: Database) -> tuple[int, int]:
    with db.read_only() as session:
        citizens = session.scalar(select(func.count()).select_from(Citizen))
        applied = session.scalar(
            select(func.count())
            .select_from(SyncBatch)
            .where(SyncBatch.direction == "in", SyncBatch.status == "applied")
        )
    return citizens or 0, applied or 0


def _assert_refused(scene: Scene, path: Path, codes: set[str]) -> ImportOutcome:
    before = _hub_state(scene.net.hub)
    outcome = scene.import_one(path)
    assert outcome.status == "refused"
    assert outcome.code in codes, (path.name, outcome.code)
    # the importer words the misaddressed case itself; every other refusal uses the catalogue
    if outcome.code == "recipient":
        assert "gerado para outro computador" in outcome.message
    else:
        assert outcome.message == MESSAGES[outcome.code]  # type: ignore[index]
    assert _hub_state(scene.net.hub) == before == (0, 0)
    assert not path.exists()
    kept = scene.net.share / "quarentena" / path.name
    assert kept.exists()
    note = kept.with_name(kept.name + ".motivo.txt").read_text(encoding="utf-8")
    assert path.name in note and outcome.message in note
    return outcome


def _assert_good_batch_still_applies(scene: Scene) -> None:
    first = scene.drop("lote_bom.smlote", scene.batches[0].read_bytes())
    outcome = scene.import_one(first)
    assert outcome.status == "applied"
    assert _hub_state(scene.net.hub) == (1, 1)
    replay = scene.drop("lote_repetido.smlote", scene.batches[0].read_bytes())
    again = scene.import_one(replay)
    assert (again.status, again.message) == ("duplicate", "já importado: nada a fazer")
    assert _hub_state(scene.net.hub) == (1, 1)


def test_truncated_copies_are_refused_at_every_kind_of_offset(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    data = scene.batches[0].read_bytes()
    header = len(batchfile.MAGIC)
    manifest_len = int.from_bytes(data[header : header + 4], "big")
    payload_start = header + 4 + manifest_len + 4 + 64
    rng = random.Random(2026)
    offsets = {0, 3, header, header + 2, header + 4 + manifest_len // 2, payload_start - 1}
    offsets |= {payload_start, payload_start + 3, len(data) - 1}
    offsets |= {rng.randrange(1, len(data)) for _ in range(6)}
    for offset in sorted(offsets):
        path = scene.drop(f"cortado_{offset:06d}_{scene.batches[0].name}", data[:offset])
        _assert_refused(scene, path, {"truncated"})
    _assert_good_batch_still_applies(scene)


def test_random_bit_flips_are_refused(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    data = scene.batches[0].read_bytes()
    rng = random.Random(7)
    damage_codes = {"format", "truncated", "signature", "hash", "decrypt", "recipient"}
    damage_codes |= {"unknown_node", "too_new"}
    for attempt in range(12):
        flipped = bytearray(data)
        for _ in range(1 + attempt % 3):
            position = rng.randrange(len(flipped))
            flipped[position] ^= 1 << rng.randrange(8)
        path = scene.drop(f"danificado_{attempt:02d}.smlote", bytes(flipped))
        _assert_refused(scene, path, damage_codes)
    _assert_good_batch_still_applies(scene)


def test_a_payload_swapped_between_two_batches_of_the_same_sender_is_refused(
    tmp_path: Path,
) -> None:
    scene = Scene(tmp_path)
    first, second = (p.read_bytes() for p in scene.batches[:2])

    def split(data: bytes) -> tuple[bytes, bytes]:
        header = len(batchfile.MAGIC)
        size = int.from_bytes(data[header : header + 4], "big")
        start = header + 4 + size + 4 + 64
        return data[:start], data[start:]

    head_1, payload_1 = split(first)
    head_2, payload_2 = split(second)
    for name, head, payload, expected in (
        ("trocado_1.smlote", head_1, payload_2, len(payload_1)),
        ("trocado_2.smlote", head_2, payload_1, len(payload_2)),
    ):
        outcome = _assert_refused(scene, scene.drop(name, head + payload), {"hash", "truncated"})
        # a shorter foreign payload looks cut off; otherwise the digest does not match
        assert outcome.code == ("truncated" if len(payload) < expected else "hash")
    _assert_good_batch_still_applies(scene)


def test_batches_from_unknown_or_revoked_nodes_or_for_another_node_are_refused(
    tmp_path: Path,
) -> None:
    scene = Scene(tmp_path)
    stranger = new_node(tmp_path / "fora", "Notebook Estranho", NodeKind.UNIT, UNIT_B)
    unknown = scene.forge("lote_desconhecido.smlote", stranger, scene.net.hub)
    _assert_refused(scene, unknown, {"unknown_node"})

    # unit B exports a real batch, then the hub revokes it
    add_citizen(scene.b, "Ana Revogada", unit=UNIT_B)
    from_b = export_to(scene.b, scene.net.hub_id(), tmp_path / "lotes_b").files[0]
    with scene.net.hub.unit_of_work("admin") as session:
        revoke_node(session, scene.b.node_id)
    revoked = scene.drop(from_b.name, from_b.read_bytes())
    _assert_refused(scene, revoked, {"revoked"})

    elsewhere = scene.forge("lote_para_b.smlote", scene.a, scene.b)
    _assert_refused(scene, elsewhere, {"recipient"})
    _assert_good_batch_still_applies(scene)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"min_reader": f"{int(HEAD_REVISION) + 1:04d}"}, "too_new"),
        ({"schema_version": f"{int(OLDEST_READABLE) - 1:04d}"}, "too_old"),
    ],
)
def test_signed_batches_outside_the_schema_window_are_refused(
    tmp_path: Path, fields: dict[str, str], code: str
) -> None:
    scene = Scene(tmp_path)
    outside = scene.forge(f"lote_{code}.smlote", scene.a, scene.net.hub, **fields)
    outcome = _assert_refused(scene, outside, {code})
    assert "Atualize o sistema" in outcome.message
    _assert_good_batch_still_applies(scene)


def test_an_old_batch_replayed_after_later_ones_is_already_imported(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    for index, batch in enumerate(scene.batches):
        assert scene.import_one(scene.drop(f"{index}_{batch.name}", batch.read_bytes())).status == (
            "applied"
        )
    applied = _hub_state(scene.net.hub)
    replay = scene.drop("reenviado.smlote", scene.batches[0].read_bytes())
    outcome = scene.import_one(replay)
    assert (outcome.status, outcome.message) == ("duplicate", "já importado: nada a fazer")
    assert _hub_state(scene.net.hub) == applied
    assert not (scene.net.share / "quarentena").exists()


def test_a_refused_file_is_listed_in_the_history_with_its_reason(tmp_path: Path) -> None:
    from app.sync.status import history

    scene = Scene(tmp_path)
    data = scene.batches[0].read_bytes()
    path = scene.drop("lote_cortado.smlote", data[:-10])  # the payload cut short
    outcome = _assert_refused(scene, path, {"truncated"})
    with scene.net.hub.read_only() as session:
        rows = [r for r in history(session) if r.file_name == "lote_cortado.smlote"]
    assert [(r.status_label, r.reason, r.peer_name) for r in rows] == [
        ("recusado", outcome.message, "UBS Centro")
    ]
