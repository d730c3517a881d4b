"""The batch file: a signed manifest plus the changes, compressed and encrypted to one recipient.

Layout (integers are 4-byte big-endian lengths):

    b"SMLOTE\\x00\\x01" | len | manifest (canonical UTF-8 JSON) | len | Ed25519 signature of
    exactly those manifest bytes | payload to the end of the file

The payload is the changes as NDJSON, zlib-compressed as a stream, cut into 64 KiB plaintext
chunks, each sealed with ChaCha20-Poly1305 under a random file key and stored as `len | sealed`.
A chunk's nonce is its index; its associated data binds the batch id, the index and a "last
chunk" flag, so reordered, dropped or cut-off chunks fail to open. The file key is wrapped to
the recipient (ephemeral X25519 + HKDF-SHA256 + ChaCha20-Poly1305) inside the manifest, which
also carries the payload's SHA-256 and size: the signature covers everything in the file.
Writing and reading are streams, so memory stays bounded whatever the batch size.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.atomicfile import atomic_writer
from app.sync.errors import BatchError
from app.sync.keys import NodeKeys, sign, verify_signature
from app.sync.signed import canonical_json

MAGIC = b"SMLOTE\x00\x01"
FORMAT_VERSION = 1
CHUNK_SIZE = 64 * 1024
_TAG_SIZE = 16
_SIGNATURE_SIZE = 64
_MAX_MANIFEST_SIZE = 1024 * 1024
_MAX_LINE_SIZE = 32 * 1024 * 1024
_INFLATE_STEP = 256 * 1024
_COPY_BUFFER = 1024 * 1024
_WRAP_ALG = "x25519-hkdf-sha256-chacha20poly1305"
_WRAP_INFO = b"saude-municipal/lote/chave/v1"
_CHUNK_AAD = b"saude-municipal/lote/bloco/v1"

Change = dict[str, Any]


# ---- writing -------------------------------------------------------------------------------


def write_batch(
    path: Path,
    manifest: dict[str, Any],
    changes: Iterable[Change],
    sender: NodeKeys,
    recipient_box_public: bytes,
) -> dict[str, Any]:
    """Write `changes` as a batch for the recipient; return the manifest as signed.

    `manifest` must hold at least "batch_id"; the format, payload digest, size, change count,
    sender key id and wrapped file key are added here. The file appears complete or not at all.
    """
    path = Path(path)
    batch_id = manifest.get("batch_id")
    if not isinstance(batch_id, str) or not batch_id:
        raise ValueError("the manifest needs a non-empty string batch_id")
    file_key = ChaCha20Poly1305.generate_key()
    final = dict(manifest, format=FORMAT_VERSION, key_id=sender.key_id)
    final["wrap"] = _wrap_key(file_key, recipient_box_public, batch_id)
    with _temporary_payload(path) as payload:
        sealer = _ChunkSealer(payload, file_key, batch_id)
        final["change_count"] = _write_changes(sealer, changes)
        final["payload_sha256"] = sealer.sha256.hexdigest()
        final["payload_size"] = sealer.size
        _assemble(path, final, sender, payload)
    return final


@contextlib.contextmanager
def _temporary_payload(path: Path) -> Iterator[IO[bytes]]:
    """A scratch file beside the target that the OS removes on close, even after a crash."""
    with tempfile.TemporaryFile(
        "w+b", dir=path.parent, prefix=f".{path.name}.", suffix=".payload.tmp"
    ) as scratch:
        yield scratch


def _write_changes(sealer: _ChunkSealer, changes: Iterable[Change]) -> int:
    compressor = zlib.compressobj(6)
    count = 0
    for change in changes:
        line = json.dumps(change, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        sealer.write(compressor.compress(line.encode("utf-8") + b"\n"))
        count += 1
    sealer.write(compressor.flush())
    sealer.close()
    return count


def _assemble(path: Path, manifest: dict[str, Any], sender: NodeKeys, payload: IO[bytes]) -> None:
    manifest_bytes = canonical_json(manifest)
    signature = sign(sender, manifest_bytes)
    payload.seek(0)
    with atomic_writer(path) as out:
        out.write(MAGIC)
        out.write(_length(manifest_bytes) + manifest_bytes)
        out.write(_length(signature) + signature)
        shutil.copyfileobj(payload, out, _COPY_BUFFER)


class _ChunkSealer:
    """Cuts a byte stream into chunks, seals each and writes it, hashing what hits the disk."""

    def __init__(self, out: IO[bytes], file_key: bytes, batch_id: str) -> None:
        self._out = out
        self._aead = ChaCha20Poly1305(file_key)
        self._batch_id = batch_id
        self._buffer = bytearray()
        self._index = 0
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        # Strictly greater: whatever remains at close() is the final chunk, never empty-by-luck.
        while len(self._buffer) > CHUNK_SIZE:
            self._seal(bytes(self._buffer[:CHUNK_SIZE]), last=False)
            del self._buffer[:CHUNK_SIZE]

    def close(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(
            _nonce(self._index), plain, _chunk_aad(self._batch_id, self._index, last)
        )
        record = _length(sealed) + sealed
        self._out.write(record)
        self.sha256.update(record)
        self.size += len(record)
        self._index += 1


# ---- the manifest --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes


def read_manifest(path: Path) -> tuple[dict[str, Any], bytes]:
    """The manifest and its signature, not yet verified; refuses other formats and newer ones."""
    with _open(path) as handle:
        header = _read_header(handle)
    _check_version(header.manifest)
    return header.manifest, header.signature


def _open(path: Path) -> IO[bytes]:
    try:
        return Path(path).open("rb")
    except OSError:
        message = f"Não foi possível ler o arquivo {path}. Confira se ele existe e está acessível."
        raise BatchError("format", message) from None


def _read_header(handle: IO[bytes]) -> _Header:
    """Read magic, manifest and signature, leaving `handle` at the start of the payload."""
    magic = handle.read(len(MAGIC))
    if magic != MAGIC:
        raise BatchError("truncated" if MAGIC.startswith(magic) else "format")
    manifest_bytes = _read_block(handle, _MAX_MANIFEST_SIZE)
    signature = _read_block(handle, _SIGNATURE_SIZE)
    if len(signature) != _SIGNATURE_SIZE:
        raise BatchError("format")
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except ValueError:
        raise BatchError("format") from None
    if not isinstance(manifest, dict):
        raise BatchError("format")
    return _Header(manifest, manifest_bytes, signature)


def _read_block(handle: IO[bytes], limit: int) -> bytes:
    length = int.from_bytes(_read_exact(handle, 4), "big")
    if length > limit:
        raise BatchError("format")
    return _read_exact(handle, length)


def _read_exact(handle: IO[bytes], size: int) -> bytes:
    data = handle.read(size)
    if len(data) < size:
        raise BatchError("truncated")
    return data


def _check_version(manifest: dict[str, Any]) -> None:
    version = manifest.get("format")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BatchError("format")
    if version > FORMAT_VERSION:
        raise BatchError("too_new")


# ---- verifying -----------------------------------------------------------------------------


def verify_batch(path: Path, sender_sign_public: bytes) -> dict[str, Any]:
    """Check signature, then payload size and SHA-256; return the trusted manifest.

    The signature comes first so a tampered manifest is reported as tampering, not as a newer
    format. Reads the payload in blocks: memory is bounded whatever the file size.
    """
    with _open(path) as handle:
        header = _read_header(handle)
        if not verify_signature(sender_sign_public, header.signature, header.manifest_bytes):
            raise BatchError("signature")
        _check_version(header.manifest)
        reader = _HashingReader(handle)
        while reader.read(_COPY_BUFFER):
            pass
    _check_payload(header.manifest, reader)
    return header.manifest


def _check_payload(manifest: dict[str, Any], reader: _HashingReader) -> None:
    expected_size = manifest.get("payload_size")
    expected_hash = manifest.get("payload_sha256")
    if not isinstance(expected_size, int) or not isinstance(expected_hash, str):
        raise BatchError("format")
    if reader.size < expected_size:
        raise BatchError("truncated")
    actual = reader.sha256.hexdigest()
    if reader.size != expected_size or not hmac.compare_digest(actual, expected_hash):
        raise BatchError("hash")


class _HashingReader:
    """Reads from a file while hashing and counting every byte read."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int) -> bytes:
        data = self._handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


# ---- reading the changes -------------------------------------------------------------------


def iter_changes(path: Path, manifest: dict[str, Any], recipient: NodeKeys) -> Iterator[Change]:
    """Stream the changes of a batch verified by `verify_batch` (pass the manifest it returned).

    Raises BatchError("recipient") at once if this node cannot unwrap the file key; any damage
    found while streaming raises BatchError, possibly after some changes were yielded, so the
    caller applies them in a transaction it rolls back on error.
    """
    file_key = _unwrap_key(manifest, recipient)
    return _stream_changes(Path(path), manifest, file_key)


def _stream_changes(path: Path, manifest: dict[str, Any], file_key: bytes) -> Iterator[Change]:
    inflater = zlib.decompressobj()
    lines = _LineSplitter()
    count = 0
    with _open(path) as handle:
        _read_header(handle)
        reader = _HashingReader(handle)
        for plain in _open_chunks(reader, file_key, manifest):
            for piece in _inflate(inflater, plain):
                for change in lines.feed(piece):
                    count += 1
                    yield change
    if not inflater.eof or inflater.unused_data or lines.pending:
        raise BatchError("decrypt")
    _check_payload(manifest, reader)
    if count != manifest.get("change_count"):
        raise BatchError("hash")


def _open_chunks(
    reader: _HashingReader, file_key: bytes, manifest: dict[str, Any]
) -> Iterator[bytes]:
    aead = ChaCha20Poly1305(file_key)
    batch_id = _batch_id(manifest)
    for index, sealed, last in _read_records(reader):
        try:
            plain = aead.decrypt(_nonce(index), sealed, _chunk_aad(batch_id, index, last))
        except InvalidTag:
            raise _damage(reader, manifest) from None
        yield plain


def _damage(reader: _HashingReader, manifest: dict[str, Any]) -> BatchError:
    """A chunk that fails to open: a short file is reported as cut off, anything else as damage."""
    expected = manifest.get("payload_size")
    short = isinstance(expected, int) and reader.size < expected
    return BatchError("truncated" if short else "decrypt")


def _read_records(reader: _HashingReader) -> Iterator[tuple[int, bytes, bool]]:
    """Yield (index, sealed chunk, is_last); the last chunk is the one followed by end of file."""
    header = reader.read(4)
    index = 0
    while True:
        if len(header) < 4:
            raise BatchError("truncated")
        length = int.from_bytes(header, "big")
        if not _TAG_SIZE <= length <= CHUNK_SIZE + _TAG_SIZE:
            raise BatchError("decrypt")
        sealed = reader.read(length)
        if len(sealed) < length:
            raise BatchError("truncated")
        header = reader.read(4)
        yield index, sealed, not header
        if not header:
            return
        index += 1


def _inflate(inflater: zlib._Decompress, data: bytes) -> Iterator[bytes]:
    """Decompress in bounded steps, so a tiny chunk cannot expand into a huge buffer."""
    try:
        out = inflater.decompress(data, _INFLATE_STEP)
        yield out
        while inflater.unconsumed_tail or len(out) == _INFLATE_STEP:
            out = inflater.decompress(inflater.unconsumed_tail, _INFLATE_STEP)
            yield out
    except zlib.error:
        raise BatchError("decrypt") from None


class _LineSplitter:
    """Turns a stream of NDJSON bytes into parsed changes."""

    def __init__(self) -> None:
        self.pending = bytearray()

    def feed(self, data: bytes) -> Iterator[Change]:
        self.pending += data
        end = self.pending.rfind(b"\n")
        if end < 0:
            if len(self.pending) > _MAX_LINE_SIZE:
                raise BatchError("format")
            return
        complete = bytes(self.pending[:end])
        del self.pending[: end + 1]
        for line in complete.split(b"\n"):
            yield _parse_change(line)


def _parse_change(line: bytes) -> Change:
    try:
        change = orjson.loads(line)  # about 4x json.loads: parsing is the import's hot loop
    except ValueError:  # orjson.JSONDecodeError, invalid UTF-8 included
        raise BatchError("format") from None
    if not isinstance(change, dict):
        raise BatchError("format")
    return change


# ---- keys and chunk parameters -------------------------------------------------------------


def _wrap_key(file_key: bytes, recipient_box_public: bytes, batch_id: str) -> dict[str, str]:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_box_public))
    wrapping = _wrapping_key(shared, ephemeral_public, recipient_box_public)
    wrapped = ChaCha20Poly1305(wrapping).encrypt(bytes(12), file_key, batch_id.encode("utf-8"))
    return {"alg": _WRAP_ALG, "ephemeral": _b64(ephemeral_public), "key": _b64(wrapped)}


def _unwrap_key(manifest: dict[str, Any], recipient: NodeKeys) -> bytes:
    ephemeral_public, wrapped = _wrap_fields(manifest)
    batch_id = _batch_id(manifest)
    try:
        shared = recipient.box_private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        wrapping = _wrapping_key(shared, ephemeral_public, recipient.box_public)
        return ChaCha20Poly1305(wrapping).decrypt(bytes(12), wrapped, batch_id.encode("utf-8"))
    except (InvalidTag, ValueError):
        raise BatchError("recipient") from None


def _wrap_fields(manifest: dict[str, Any]) -> tuple[bytes, bytes]:
    wrap = manifest.get("wrap")
    try:
        if not isinstance(wrap, dict) or wrap.get("alg") != _WRAP_ALG:
            raise ValueError(wrap)
        ephemeral = base64.b64decode(wrap["ephemeral"], validate=True)
        wrapped = base64.b64decode(wrap["key"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise BatchError("format") from None
    return ephemeral, wrapped


def _wrapping_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    # Both public keys go into the derivation so the wrapped key is bound to this recipient.
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=_WRAP_INFO + ephemeral_public + recipient_public,
    )
    return hkdf.derive(shared)


def _batch_id(manifest: dict[str, Any]) -> str:
    batch_id = manifest.get("batch_id")
    if not isinstance(batch_id, str) or not batch_id:
        raise BatchError("format")
    return batch_id


def _nonce(index: int) -> bytes:
    # Unique per chunk and the file key is single-use, so a counter is a safe nonce.
    return index.to_bytes(12, "big")


def _chunk_aad(batch_id: str, index: int, last: bool) -> bytes:
    encoded = batch_id.encode("utf-8")
    return b"".join(
        (_CHUNK_AAD, _length(encoded), encoded, index.to_bytes(8, "big"), bytes([int(last)]))
    )


def _length(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
