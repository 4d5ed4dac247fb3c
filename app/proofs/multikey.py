"""Ed25519 keys as Multikey strings: multicodec prefix + raw key, base58btc, multibase prefix ``z``."""

from __future__ import annotations

import base58

from app.errors import KeyMaterialError

ED25519_PUBLIC_CODEC = b"\xed\x01"
ED25519_PRIVATE_CODEC = b"\x80\x26"
KEY_LENGTH = 32


def encode_public_key(raw: bytes) -> str:
    """``z6Mk...`` for a raw 32-byte Ed25519 public key."""
    return _encode(ED25519_PUBLIC_CODEC, raw, "public")


def decode_public_key(multibase: str) -> bytes:
    """The raw 32-byte Ed25519 public key of a ``z6Mk...`` Multikey; ``KeyMaterialError`` if it is not one."""
    return _decode(ED25519_PUBLIC_CODEC, multibase, "public")


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
    try:
        data = base58.b58decode(multibase[1:])
    except ValueError as error:
        raise KeyMaterialError(f"the {kind} Multikey is not valid base58btc") from error
    if not data.startswith(codec):
        raise KeyMaterialError(f"the {kind} Multikey is not an Ed25519 key (multicodec 0x{codec.hex()} expected)")
    if len(data) != len(codec) + KEY_LENGTH:
        raise KeyMaterialError(f"the {kind} Multikey holds {len(data) - len(codec)} key bytes, not {KEY_LENGTH}")
    return data[len(codec) :]
