"""Ed25519 signing keys and the master key that encrypts them at rest (AES-256-GCM)."""

from __future__ import annotations

import base64
import binascii
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

    __slots__ = ("_aead", "_raw")

    def __init__(self, key: bytes) -> None:
        if len(key) != MASTER_KEY_LENGTH:
            raise KeyMaterialError(f"a master key has {MASTER_KEY_LENGTH} bytes, not {len(key)}")
        self._aead = AESGCM(key)
        self._raw = key

    def __repr__(self) -> str:
        return "MasterKey(<redacted>)"

    @classmethod
    def generate(cls) -> MasterKey:
        """A new random master key (not stored anywhere yet: see ``write``)."""
        return cls(secrets.token_bytes(MASTER_KEY_LENGTH))

    @classmethod
    def from_text(cls, text: str) -> MasterKey:
        """A key given as text, for secret stores (``VETCRED_MASTER_KEY``): 64 hex digits, or base64/base64url."""
        value = text.strip()
        try:
            raw = bytes.fromhex(value) if len(value) == 2 * MASTER_KEY_LENGTH else _base64(value)
        except ValueError as error:
            raise KeyMaterialError("a master key as text is 64 hex digits or the base64 of 32 bytes") from error
        return cls(raw)

    @classmethod
    def read(cls, path: Path) -> MasterKey:
        """The key stored at ``path`` (32 raw bytes, or text as ``from_text`` reads); ``FileNotFoundError`` if none."""
        data = Path(path).read_bytes()
        if len(data) == MASTER_KEY_LENGTH:
            return cls(data)
        try:
            return cls.from_text(data.decode("ascii"))
        except (KeyMaterialError, UnicodeDecodeError):
            raise KeyMaterialError(
                f"{path} is not a master key: it has {len(data)} bytes, neither {MASTER_KEY_LENGTH} raw bytes nor "
                "64 hex digits or the base64 of 32 bytes"
            ) from None

    @classmethod
    def load_or_create(cls, path: Path) -> MasterKey:
        """Read the key at ``path``, or create it (32 random bytes, mode 0600, parent folders too)."""
        try:
            return cls.read(path)
        except FileNotFoundError:
            pass
        try:
            return cls.generate().write(path)
        except FileExistsError:  # another process created it meanwhile: use theirs
            return cls.read(path)

    def write(self, path: Path) -> MasterKey:
        """Store this key at ``path`` (mode 0600, parent folders too); ``FileExistsError`` rather than overwrite."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(self._raw)
            file.flush()
            os.fsync(file.fileno())
        return self

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


def _base64(text: str) -> bytes:
    try:
        altchars = b"-_" if "-" in text or "_" in text else None
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=altchars, validate=True)
    except binascii.Error as error:
        raise ValueError(str(error)) from error
