"""Signers: what signs for a verification method (an in-process Ed25519 key now; an HSM may follow)."""

from __future__ import annotations

from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class Signer(Protocol):
    """Signs bytes with the private key behind ``verification_method`` (a DID URL: ``did:web:...#key``).

    A PKCS#11 / HSM signer only needs to satisfy this protocol.
    """

    verification_method: str

    def sign(self, data: bytes) -> bytes: ...


class Ed25519Signer:
    """An Ed25519 private key held in memory."""

    __slots__ = ("_private_key", "verification_method")

    def __init__(self, private_key: Ed25519PrivateKey, verification_method: str) -> None:
        self._private_key = private_key
        self.verification_method = verification_method

    def __repr__(self) -> str:
        return f"Ed25519Signer(verification_method={self.verification_method!r})"

    def sign(self, data: bytes) -> bytes:
        """A 64-byte Ed25519 signature of ``data``."""
        return self._private_key.sign(data)
