"""eddsa-rdfc-2022 reproduces the W3C vc-di-eddsa test vectors (appendix B) byte for byte, step by step."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.errors import ProofError
from app.proofs import data_integrity, eddsa_rdfc_2022
from app.proofs.dids import CompositeResolver, ResolvedKey, resolve_did_key
from app.proofs.embedded import verify_proofs
from app.proofs.loader import DocumentLoader
from app.proofs.multikey import decode_private_key
from app.proofs.signer import Ed25519Signer

W3C = Path(__file__).resolve().parents[1] / "vectors" / "w3c-vc-di-eddsa"
SUITE = W3C / "eddsa-rdfc-2022"
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(name: str) -> str:
    return (SUITE / name).read_text(encoding="utf-8")


UNSIGNED = _json(W3C / "unsigned.json")
PROOF_CONFIG = _json(SUITE / "proofConfigDataInt.json")
SIGNED = _json(SUITE / "signedDataInt.json")


@pytest.fixture(scope="module")
def signer() -> Ed25519Signer:
    seed = decode_private_key(_json(W3C / "keyPair.json")["privateKeyMultibase"])
    return Ed25519Signer(Ed25519PrivateKey.from_private_bytes(seed), PROOF_CONFIG["verificationMethod"])


def test_proof_options(signer: Ed25519Signer) -> None:
    options = data_integrity.proof_options(
        cryptosuite="eddsa-rdfc-2022", created=CREATED, verification_method=signer.verification_method
    )
    assert {**options, "@context": UNSIGNED["@context"]} == PROOF_CONFIG


def test_each_step(examples_loader: DocumentLoader, signer: Ed25519Signer) -> None:
    canonical_document = eddsa_rdfc_2022.canonical_document(UNSIGNED, examples_loader)
    assert canonical_document == _text("canonDocDataInt.txt")
    options = {key: value for key, value in PROOF_CONFIG.items() if key != "@context"}
    canonical_proof = eddsa_rdfc_2022.canonical_proof_config(options, UNSIGNED["@context"], examples_loader)
    assert canonical_proof == _text("proofCanonDataInt.txt")
    assert hashlib.sha256(canonical_document.encode()).hexdigest() == _text("docHashDataInt.txt").strip()
    assert hashlib.sha256(canonical_proof.encode()).hexdigest() == _text("proofHashDataInt.txt").strip()
    data = eddsa_rdfc_2022.hash_data(canonical_proof, canonical_document)
    assert data.hex() == _text("combinedHashDataInt.txt").strip()
    signature = signer.sign(data)
    assert signature.hex() == _text("sigHexDataInt.txt").strip()
    assert "z" + base58.b58encode(signature).decode() == _text("sigBTC58DataInt.txt").strip()


def test_signed_credential(examples_loader: DocumentLoader, signer: Ed25519Signer) -> None:
    signed = eddsa_rdfc_2022.sign(UNSIGNED, signer, examples_loader, CREATED)
    assert {k: v for k, v in signed.items() if k != "proof"} == {k: v for k, v in SIGNED.items() if k != "proof"}
    assert signed["proof"] == [SIGNED["proof"]]  # ours is a one-element array, the vector's a single object


def test_the_vector_verifies_when_its_key_speaks_for_its_issuer(examples_loader: DocumentLoader) -> None:
    """The vector's issuer (https://vc.example/issuers/5678) is not the did:key that signed it. A resolver
    standing for that issuer's controller document (listing the did:key as assertion key) lets it verify."""

    def issuer_document(method: str) -> ResolvedKey:
        key = resolve_did_key(method)
        return ResolvedKey(id=key.id, controller=SIGNED["issuer"], public_key=key.public_key)

    verified = eddsa_rdfc_2022.verify(SIGNED, issuer_document, examples_loader)
    assert verified == eddsa_rdfc_2022.VerifiedProof(
        verification_method=PROOF_CONFIG["verificationMethod"],
        controller=SIGNED["issuer"],
        created="2023-02-24T23:36:38Z",
        cryptosuite="eddsa-rdfc-2022",
    )


def test_the_vector_fails_the_issuer_check_with_plain_did_key(examples_loader: DocumentLoader) -> None:
    with pytest.raises(ProofError, match="verification method controller does not match issuer"):
        eddsa_rdfc_2022.verify(SIGNED, CompositeResolver(lambda _: None), examples_loader)


def test_verify_proofs_reports_the_vector_failing_the_issuer_check(examples_loader: DocumentLoader) -> None:
    [result] = verify_proofs(SIGNED, CompositeResolver(lambda _: None), examples_loader)
    assert (result.outcome, result.label) == ("failed", "DataIntegrityProof/eddsa-rdfc-2022")
    assert result.reason == "verification method controller does not match issuer"
