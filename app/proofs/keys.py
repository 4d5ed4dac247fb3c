"""Ed25519 signing keys and the master key that encrypts them at rest (AES-256-GCM)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.errors import KeyMaterialError

MASTER_KEY_LENGTH = 32
NONCE_LENGTH = 12
_TAG_LENGTH = 16


def generate_signing_key() -> Ed25519PrivateKey:
    """A new random Ed25519 key."""
    return Ed25519PrivateKey.generate()


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key of ``private_key``."""
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


class MasterKey:
    """The 32-byte AES-256-GCM key that wraps every issuer's private key. Its bytes never appear in a repr."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != MASTER_KEY_LENGTH:
            raise KeyMaterialError(f"a master key has {MASTER_KEY_LENGTH} bytes, not {len(key)}")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "MasterKey(<redacted>)"

    @classmethod
    def load_or_create(cls, path: Path) -> MasterKey:
        """Read the key at ``path``, or create it (32 random bytes, mode 0600, parent folders too)."""
        path = Path(path)
        try:
            return cls(path.read_bytes())
        except FileNotFoundError:
            pass
        except KeyMaterialError as error:
            raise KeyMaterialError(f"{path} is not a master key: {error.detail}") from error
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(MASTER_KEY_LENGTH)
        try:
            # O_EXCL: if another process created the file meanwhile, use theirs instead of overwriting it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls.load_or_create(path)
        with os.fdopen(fd, "wb") as file:
            file.write(key)
            file.flush()
            os.fsync(file.fileno())
        return cls(key)

    def encrypt(self, plaintext: bytes, *, aad: bytes) -> bytes:
        """``nonce ‖ ciphertext ‖ tag`` with a fresh random 12-byte nonce; ``aad`` binds it to its context."""
        nonce = secrets.token_bytes(NONCE_LENGTH)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, *, aad: bytes) -> bytes:
        """The plaintext of ``encrypt``'s output; ``KeyMaterialError`` if key, AAD or blob is wrong."""
        if len(blob) < NONCE_LENGTH + _TAG_LENGTH:
            raise KeyMaterialError("the encrypted key is truncated")
        try:
            return self._aead.decrypt(blob[:NONCE_LENGTH], blob[NONCE_LENGTH:], aad)
        except InvalidTag as error:
            raise KeyMaterialError(
                "the encrypted key does not decrypt: wrong master key, wrong context (AAD), or altered data"
            ) from error
