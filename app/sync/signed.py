"""Small signed JSON documents: enrolment files, enrolment requests and batch receipts.

On disk: `{"kind": ..., "payload": ..., "key_id": ..., "signature": base64}`. The Ed25519
signature covers the canonical JSON of `{"kind", "payload"}` (sorted keys, no spaces, UTF-8),
so the signed bytes can be rebuilt from the parsed document; `kind` is signed too, so a receipt
cannot be passed off as an enrolment.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.atomicfile import atomic_writer
from app.sync.errors import BatchError
from app.sync.keys import NodeKeys, sign, verify_signature

_NOT_READABLE = "Não foi possível ler o arquivo {path}. Confira se ele existe e está acessível."
_WRONG_FILE = (
    "O arquivo escolhido não é o documento esperado ou está corrompido. "
    "Confira se escolheu o arquivo certo."
)


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value that signatures and hashes are computed over."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def _signed_bytes(kind: str, payload: dict[str, Any]) -> bytes:
    return canonical_json({"kind": kind, "payload": payload})


@dataclass(frozen=True)
class SignedDocument:
    """A parsed signed document; its signature is not trusted until `verify`/`require`."""

    kind: str
    payload: dict[str, Any]
    key_id: str
    signature: bytes

    def verify(self, sign_public: bytes) -> bool:
        return verify_signature(sign_public, self.signature, _signed_bytes(self.kind, self.payload))

    def require(self, sign_public: bytes) -> None:
        """Raise BatchError("signature") unless `sign_public` signed this document."""
        if not self.verify(sign_public):
            raise BatchError("signature")


def write_signed_json(path: Path, kind: str, payload: dict[str, Any], keys: NodeKeys) -> None:
    """Sign `payload` as a document of `kind` and write it atomically to `path`."""
    signature = sign(keys, _signed_bytes(kind, payload))
    document = {
        "kind": kind,
        "payload": payload,
        "key_id": keys.key_id,
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    with atomic_writer(path) as out:
        out.write(canonical_json(document))


def read_signed_json(path: Path, kind: str) -> SignedDocument:
    """Parse a signed document of `kind`; BatchError("format") if it is anything else."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        raise BatchError("format", _NOT_READABLE.format(path=path)) from None
    try:
        document = json.loads(raw.decode("utf-8"))
        signature = base64.b64decode(document["signature"], validate=True)
        parsed = SignedDocument(
            document["kind"], document["payload"], document["key_id"], signature
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BatchError("format", _WRONG_FILE) from None
    if parsed.kind != kind or not _well_typed(parsed):
        raise BatchError("format", _WRONG_FILE)
    return parsed


def _well_typed(document: SignedDocument) -> bool:
    return isinstance(document.payload, dict) and isinstance(document.key_id, str)
