"""A node's key pairs: Ed25519 to sign what it sends, X25519 to receive encrypted batches.

Both private keys live in one file as PKCS#8 PEM blocks encrypted under the node's secret,
written atomically and readable by the owner only. A public key travels as its raw 32 bytes;
its `key_id` (first 16 hex digits of its SHA-256) names it in manifests and logs.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.atomicfile import atomic_writer
from app.sync.errors import SyncKeyError

__all__ = [
    "NodeKeys",
    "SyncKeyError",
    "generate_keys",
    "key_id_of",
    "load_keys",
    "save_keys",
    "sign",
    "verify_signature",
]

_PEM_BLOCK = re.compile(
    rb"-----BEGIN ENCRYPTED PRIVATE KEY-----.+?-----END ENCRYPTED PRIVATE KEY-----\n?", re.DOTALL
)
_MISSING = (
    "O arquivo de chaves deste computador não foi encontrado ({path}). "
    "Refaça o cadastro do computador junto à secretaria."
)
_UNREADABLE = (
    "Não foi possível abrir as chaves deste computador: a senha não confere ou o arquivo "
    "({path}) está danificado. Procure o suporte técnico."
)


@dataclass(frozen=True)
class NodeKeys:
    """The private keys of this node; the public halves are derived on demand."""

    sign_private: Ed25519PrivateKey
    box_private: X25519PrivateKey

    @property
    def sign_public(self) -> bytes:
        return self.sign_private.public_key().public_bytes_raw()

    @property
    def box_public(self) -> bytes:
        return self.box_private.public_key().public_bytes_raw()

    @property
    def key_id(self) -> str:
        return key_id_of(self.sign_public)


def generate_keys() -> NodeKeys:
    return NodeKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


def key_id_of(sign_public: bytes) -> str:
    """The short name of a signing public key."""
    return hashlib.sha256(sign_public).hexdigest()[:16]


def sign(keys: NodeKeys, data: bytes) -> bytes:
    return keys.sign_private.sign(data)


def verify_signature(sign_public: bytes, signature: bytes, data: bytes) -> bool:
    """True when `signature` is `sign_public`'s signature of `data`; never raises."""
    try:
        Ed25519PublicKey.from_public_bytes(sign_public).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def save_keys(keys: NodeKeys, path: Path, secret: bytes) -> None:
    """Write both private keys, encrypted under `secret`, readable by the owner only."""
    encryption = serialization.BestAvailableEncryption(secret)
    pem = b"".join(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        for key in (keys.sign_private, keys.box_private)
    )
    with atomic_writer(path, mode=0o600) as out:
        out.write(pem)
    if os.name == "posix":
        os.chmod(path, 0o600)


def load_keys(path: Path, secret: bytes) -> NodeKeys:
    """Read the keys `save_keys` wrote; SyncKeyError (Portuguese) if that cannot be done."""
    try:
        blocks = _PEM_BLOCK.findall(Path(path).read_bytes())
    except FileNotFoundError:
        raise SyncKeyError(_MISSING.format(path=path)) from None
    except OSError:
        raise SyncKeyError(_UNREADABLE.format(path=path)) from None
    try:
        loaded = [serialization.load_pem_private_key(block, password=secret) for block in blocks]
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise SyncKeyError(_UNREADABLE.format(path=path)) from None
    signing = [key for key in loaded if isinstance(key, Ed25519PrivateKey)]
    boxing = [key for key in loaded if isinstance(key, X25519PrivateKey)]
    if len(loaded) != 2 or len(signing) != 1 or len(boxing) != 1:
        raise SyncKeyError(_UNREADABLE.format(path=path))
    return NodeKeys(signing[0], boxing[0])
