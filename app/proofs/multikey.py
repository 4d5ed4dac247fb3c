"""Keys as Multikey strings: multicodec prefix + key bytes, base58btc, multibase prefix ``z``.

vetcred signs with Ed25519 (``z6Mk...``); it also reads P-256 public keys (``zDn...``, compressed points).
"""

from __future__ import annotations

import base58
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.errors import KeyMaterialError
from app.proofs.public_keys import PublicKey

ED25519_PUBLIC_CODEC = b"\xed\x01"
ED25519_PRIVATE_CODEC = b"\x80\x26"
P256_PUBLIC_CODEC = b"\x80\x24"  # multicodec p256-pub (0x1200) as a varint
KEY_LENGTH = 32
P256_COMPRESSED_LENGTH = 33


def encode_public_key(raw: bytes) -> str:
    """``z6Mk...`` for a raw 32-byte Ed25519 public key."""
    return _encode(ED25519_PUBLIC_CODEC, raw, "public")


def decode_public_key(multibase: str) -> bytes:
    """The raw 32-byte Ed25519 public key of a ``z6Mk...`` Multikey; ``KeyMaterialError`` if it is not one."""
    return _decode(ED25519_PUBLIC_CODEC, multibase, "public")


def decode_multikey(multibase: str) -> PublicKey:
    """The public key of an Ed25519 (``z6Mk...``) or P-256 (``zDn...``) Multikey; ``KeyMaterialError`` otherwise."""
    if not isinstance(multibase, str) or not multibase.startswith("z"):
        raise KeyMaterialError("a public Multikey is base58btc and starts with 'z'")
    data = _base58btc(multibase, "public")
    if data.startswith(P256_PUBLIC_CODEC):
        point = data[len(P256_PUBLIC_CODEC) :]
        if len(point) != P256_COMPRESSED_LENGTH:
            raise KeyMaterialError(
                f"the P-256 Multikey holds {len(point)} bytes, not a {P256_COMPRESSED_LENGTH}-byte point"
            )
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        except ValueError as error:
            raise KeyMaterialError("the P-256 Multikey is not a point on the curve") from error
    return Ed25519PublicKey.from_public_bytes(decode_public_key(multibase))


def encode_private_key(raw: bytes) -> str:
    """``z3u2...`` for a raw 32-byte Ed25519 private key (the seed)."""
    return _encode(ED25519_PRIVATE_CODEC, raw, "private")


def decode_private_key(multibase: str) -> bytes:
    """The raw 32-byte Ed25519 private key (seed) of a private Multikey; ``KeyMaterialError`` if not one."""
    return _decode(ED25519_PRIVATE_CODEC, multibase, "private")


def _encode(codec: bytes, raw: bytes, kind: str) -> str:
    if len(raw) != KEY_LENGTH:
        raise KeyMaterialError(f"an Ed25519 {kind} key has {KEY_LENGTH} bytes, not {len(raw)}")
    return "z" + base58.b58encode(codec + raw).decode("ascii")


def _decode(codec: bytes, multibase: str, kind: str) -> bytes:
    if not isinstance(multibase, str) or not multibase.startswith("z"):
        raise KeyMaterialError(f"an Ed25519 {kind} Multikey is base58btc and starts with 'z'")
    data = _base58btc(multibase, kind)
    if not data.startswith(codec):
        raise KeyMaterialError(f"the {kind} Multikey is not an Ed25519 key (multicodec 0x{codec.hex()} expected)")
    if len(data) != len(codec) + KEY_LENGTH:
        raise KeyMaterialError(f"the {kind} Multikey holds {len(data) - len(codec)} key bytes, not {KEY_LENGTH}")
    return data[len(codec) :]


def _base58btc(multibase: str, kind: str) -> bytes:
    try:
        return base58.b58decode(multibase[1:])
    except ValueError as error:
        raise KeyMaterialError(f"the {kind} Multikey is not valid base58btc") from error
