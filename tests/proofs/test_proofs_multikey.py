"""Ed25519 Multikey encoding, checked against the W3C vc-di-eddsa key pair."""

from __future__ import annotations

import json
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.errors import KeyMaterialError
from app.proofs.keys import public_key_bytes
from app.proofs.multikey import decode_private_key, decode_public_key, encode_private_key, encode_public_key

KEY_PAIR = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "w3c-vc-di-eddsa" / "keyPair.json").read_text(encoding="utf-8")
)


def test_private_key_of_the_w3c_pair_derives_its_public_multikey() -> None:
    seed = decode_private_key(KEY_PAIR["privateKeyMultibase"])
    public = public_key_bytes(Ed25519PrivateKey.from_private_bytes(seed))
    assert encode_public_key(public) == KEY_PAIR["publicKeyMultibase"]
    assert decode_public_key(KEY_PAIR["publicKeyMultibase"]) == public


def test_round_trips() -> None:
    raw = bytes(range(32))
    assert encode_public_key(raw).startswith("z6Mk")
    assert decode_public_key(encode_public_key(raw)) == raw
    assert encode_private_key(raw).startswith("z3u2")
    assert decode_private_key(encode_private_key(raw)) == raw


@pytest.mark.parametrize(
    "multibase",
    [
        "u6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # base64url multibase prefix, not base58btc
        KEY_PAIR["publicKeyMultibase"][1:],  # no multibase prefix at all
        "z0OIl",  # not base58
        KEY_PAIR["privateKeyMultibase"],  # a private key where a public one is expected
        "z" + base58.b58encode(b"\xe7\x01" + bytes(33)).decode(),  # secp256k1 codec
        "z" + base58.b58encode(b"\xed\x01" + bytes(31)).decode(),  # one byte short
        "",
    ],
)
def test_bad_public_multikeys(multibase: str) -> None:
    with pytest.raises(KeyMaterialError):
        decode_public_key(multibase)


def test_public_key_is_not_a_private_key() -> None:
    with pytest.raises(KeyMaterialError, match="not an Ed25519 key"):
        decode_private_key(KEY_PAIR["publicKeyMultibase"])


def test_64_byte_private_multikeys_are_refused() -> None:
    """The OB vector page prints seed ‖ public key under the private codec, which means a 32-byte seed."""
    with pytest.raises(KeyMaterialError, match="64 key bytes"):
        decode_private_key("z" + base58.b58encode(b"\x80\x26" + bytes(64)).decode())


def test_encoding_checks_the_length() -> None:
    with pytest.raises(KeyMaterialError):
        encode_public_key(bytes(33))
