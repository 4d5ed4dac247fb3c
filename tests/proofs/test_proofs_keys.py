"""Signing keys and the master key: AES-256-GCM round trips, AAD binding, file creation and redaction."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.errors import KeyMaterialError
from app.proofs.keys import MasterKey, generate_signing_key, public_key_bytes
from app.proofs.signer import Ed25519Signer


def test_load_or_create_makes_a_private_32_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "keys" / "master.key"
    created = MasterKey.load_or_create(path)
    assert path.stat().st_size == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    blob = created.encrypt(b"issuer private key", aad=b"issuer-1")
    assert MasterKey.load_or_create(path).decrypt(blob, aad=b"issuer-1") == b"issuer private key"


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_wrong_size_file_is_refused(tmp_path: Path, size: int) -> None:
    path = tmp_path / "master.key"
    path.write_bytes(b"k" * size)
    with pytest.raises(KeyMaterialError, match=str(size)):
        MasterKey.load_or_create(path)


def test_round_trip_and_fresh_nonces() -> None:
    key = MasterKey(bytes(range(32)))
    first = key.encrypt(b"secret", aad=b"ctx")
    second = key.encrypt(b"secret", aad=b"ctx")
    assert first != second and first[:12] != second[:12]
    assert len(first) == 12 + len(b"secret") + 16
    assert key.decrypt(first, aad=b"ctx") == b"secret"


@pytest.mark.parametrize(
    "mangle",
    [lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]), lambda blob: blob[:20], lambda blob: b""],
    ids=["flipped-bit", "truncated", "empty"],
)
def test_altered_blobs_fail(mangle: Callable[[bytes], bytes]) -> None:
    key = MasterKey(bytes(range(32)))
    with pytest.raises(KeyMaterialError):
        key.decrypt(mangle(key.encrypt(b"secret", aad=b"issuer-1")), aad=b"issuer-1")


def test_wrong_aad_fails() -> None:
    key = MasterKey(bytes(range(32)))
    with pytest.raises(KeyMaterialError, match="AAD"):
        key.decrypt(key.encrypt(b"secret", aad=b"issuer-1"), aad=b"issuer-2")


def test_other_master_key_fails() -> None:
    blob = MasterKey(bytes(32)).encrypt(b"secret", aad=b"a")
    with pytest.raises(KeyMaterialError):
        MasterKey(bytes([1]) * 32).decrypt(blob, aad=b"a")


def test_reprs_never_show_key_material() -> None:
    raw = bytes(range(32))
    assert raw.hex() not in repr(MasterKey(raw)) and "redacted" in repr(MasterKey(raw))
    signing_key = generate_signing_key()
    signer = Ed25519Signer(signing_key, "did:key:z6Mk#z6Mk")
    assert repr(signer) == "Ed25519Signer(verification_method='did:key:z6Mk#z6Mk')"


def test_signing_key_and_signer() -> None:
    signing_key = generate_signing_key()
    public = public_key_bytes(signing_key)
    assert len(public) == 32
    signature = Ed25519Signer(signing_key, "did:key:x#x").sign(b"data")
    Ed25519PublicKey.from_public_bytes(public).verify(signature, b"data")
