"""The Open Badges 3.0 linked-data-proof test vector (OB implementation guide), reproduced exactly."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.errors import DidResolutionError, ProofError
from app.proofs import eddsa_rdfc_2022
from app.proofs.dids import ResolvedKey
from app.proofs.keys import public_key_bytes
from app.proofs.loader import default_loader
from app.proofs.multikey import decode_multikey, encode_public_key
from app.proofs.signer import Ed25519Signer

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
VECTOR: dict[str, Any] = json.loads((VECTORS / "ob3-proof-vector.json").read_text(encoding="utf-8"))
CREATED = datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)


def issuer_key(method: str) -> ResolvedKey:
    """Stands for dereferencing the issuer's key URL (https://example.edu/issuers/565049#z6Mk...), offline."""
    if method != VECTOR["verificationMethod"]:
        raise DidResolutionError(f"{method!r} is not the vector's key")
    return ResolvedKey(method, VECTOR["controller"], decode_multikey(VECTOR["publicKeyMultibase"]))


SEED = bytes.fromhex(VECTOR["privateKeyHex"])[:32]  # the page prints seed ‖ public key


@pytest.fixture(scope="module")
def signer() -> Ed25519Signer:
    return Ed25519Signer(Ed25519PrivateKey.from_private_bytes(SEED), VECTOR["verificationMethod"])


def test_key_pair() -> None:
    public = public_key_bytes(Ed25519PrivateKey.from_private_bytes(SEED))
    assert public.hex() == VECTOR["publicKeyHex"]
    assert encode_public_key(public) == VECTOR["publicKeyMultibase"]


def test_each_step(signer: Ed25519Signer) -> None:
    loader = default_loader()
    document = eddsa_rdfc_2022.canonical_document(VECTOR["credential"], loader)
    assert document == (VECTORS / "ob3" / "document-canon.txt").read_text(encoding="utf-8")
    proof = eddsa_rdfc_2022.canonical_proof_config(VECTOR["proofOptions"], VECTOR["credential"]["@context"], loader)
    assert proof == (VECTORS / "ob3" / "proof-canon.txt").read_text(encoding="utf-8")
    assert hashlib.sha256(document.encode()).hexdigest() == VECTOR["documentHashHex"]
    assert hashlib.sha256(proof.encode()).hexdigest() == VECTOR["proofHashHex"]
    data = eddsa_rdfc_2022.hash_data(proof, document)
    assert data.hex() == VECTOR["dataToSignHex"]
    assert signer.sign(data).hex() == VECTOR["signatureHex"]


def test_sign_gives_the_published_proof(signer: Ed25519Signer) -> None:
    signed = eddsa_rdfc_2022.sign(VECTOR["credential"], signer, default_loader(), CREATED)
    assert signed["proof"] == [{**VECTOR["proofOptions"], "proofValue": VECTOR["proofValue"]}]
    assert base58.b58decode(VECTOR["proofValue"][1:]).hex() == VECTOR["signatureHex"]


def test_published_credential_verifies() -> None:
    published = {
        **VECTOR["credential"],
        "proof": {**VECTOR["proofOptions"], "proofValue": VECTOR["proofValue"]},
    }
    verified = eddsa_rdfc_2022.verify(published, issuer_key, default_loader())
    assert verified.controller == "https://example.edu/issuers/565049"
    assert verified.created == "2010-01-01T19:23:24Z"


def test_tampered_credential_fails() -> None:
    published = {**VECTOR["credential"], "name": "Leadership Badge"}
    published["proof"] = {**VECTOR["proofOptions"], "proofValue": VECTOR["proofValue"]}
    with pytest.raises(ProofError, match="signature does not match"):
        eddsa_rdfc_2022.verify(published, issuer_key, default_loader())
