"""verify_proofs: one result per proof, and "failed" only for what is wrong, "could not check" for what is unknown."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from app.errors import DidResolutionError, UnauthorizedKey
from app.proofs import eddsa_rdfc_2022
from app.proofs.dids import CompositeResolver, ResolvedKey, did_key
from app.proofs.embedded import verify_proofs
from app.proofs.keys import generate_signing_key, public_key_bytes
from app.proofs.loader import default_loader
from app.proofs.results import ProofOutcome, ProofResult
from app.proofs.signer import Ed25519Signer

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
OB3 = json.loads((VECTORS / "ob3-proof-vector.json").read_text("utf-8"))["credential"]
ED25519_2020 = json.loads((VECTORS / "independent" / "ed25519-signature-2020-ob3-vc2.json").read_text("utf-8"))
CREATED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
RESOLVER = CompositeResolver(lambda _vm: None)


@pytest.fixture(scope="module")
def signer() -> Ed25519Signer:
    key = generate_signing_key()
    did = did_key(public_key_bytes(key))
    return Ed25519Signer(key, f"{did}#{did.removeprefix('did:key:')}")


@pytest.fixture
def signed(signer: Ed25519Signer) -> dict[str, Any]:
    credential = copy.deepcopy(OB3)
    credential["issuer"]["id"] = signer.verification_method.split("#")[0]
    return eddsa_rdfc_2022.sign(credential, signer, default_loader(), CREATED)


def _results(document: dict[str, Any], resolver: Any = RESOLVER) -> list[ProofResult]:
    return verify_proofs(document, resolver, default_loader())


def _only(document: dict[str, Any], resolver: Any = RESOLVER) -> ProofResult:
    [result] = _results(document, resolver)
    return result


def test_a_valid_proof_passes_with_who_signed(signed: dict[str, Any], signer: Ed25519Signer) -> None:
    result = _only(signed)
    assert (result.index, result.label, result.outcome, result.code) == (
        0,
        "DataIntegrityProof/eddsa-rdfc-2022",
        ProofOutcome.PASSED,
        None,
    )
    assert result.verified is not None and result.verified.verification_method == signer.verification_method
    assert result.verified.legacy is None
    assert result.reason == f"signed by {signer.verification_method} (eddsa-rdfc-2022)"


def test_no_proof_no_results(signed: dict[str, Any]) -> None:
    del signed["proof"]
    assert _results(signed) == []


def test_every_proof_gets_its_own_result(signed: dict[str, Any]) -> None:
    [ours] = signed["proof"]
    signed["proof"] = [
        {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019", "proofValue": "z1"},
        ours,
        "not a proof",
        {**ours, "created": "2026-05-02T12:00:00Z"},
        {"type": "BbsBlsSignature2020"},
        {"type": ["DataIntegrityProof"], "cryptosuite": "eddsa-rdfc-2022"},
    ]
    results = _results(signed)
    assert [(r.index, r.outcome.value, r.code) for r in results] == [
        (0, "could_not_check", "unsupported_proof"),
        (1, "passed", None),
        (2, "failed", "proof_error"),
        (3, "failed", "proof_error"),
        (4, "could_not_check", "unsupported_proof"),
        (5, "could_not_check", "unsupported_proof"),
    ]
    assert results[0].label == "DataIntegrityProof/ecdsa-rdfc-2019"
    assert "does not verify DataIntegrityProof/ecdsa-rdfc-2019 proofs" in results[0].reason
    assert "signature does not match" in results[3].reason


def test_a_single_proof_object_is_index_0(signed: dict[str, Any]) -> None:
    signed["proof"] = signed["proof"][0]
    assert _only(signed).outcome is ProofOutcome.PASSED


@pytest.mark.parametrize(
    ("change", "outcome", "reason"),
    [
        (lambda d: d["credentialSubject"]["achievement"].update(name="Else"), "failed", "signature does not match"),
        (
            lambda d: d["issuer"].update(id="did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"),
            "failed",
            "issuer",
        ),
        (lambda d: d["proof"][0].update(proofPurpose="authentication"), "failed", "not 'assertionMethod'"),
        (lambda d: d["proof"][0].update(proofValue="z1"), "failed", "not a 64-byte Ed25519 signature"),
        (lambda d: d.update({"grade": "A"}), "failed", "grade"),
        (lambda d: d["@context"].append("https://contexts.example/v1"), "could_not_check", "never fetched"),
        (
            lambda d: d["proof"][0].update(verificationMethod="did:web:elsewhere.example#key-1"),
            "could_not_check",
            "cannot be resolved offline",
        ),
        (
            lambda d: d["proof"][0].update(verificationMethod="did:example:123#key-1"),
            "could_not_check",
            "not a key vetcred can resolve",
        ),
    ],
)
def test_outcomes_and_reasons(signed: dict[str, Any], change: Any, outcome: str, reason: str) -> None:
    change(signed)
    result = _only(signed)
    assert (result.outcome.value, result.verified) == (outcome, None)
    assert reason in result.reason


def test_a_key_the_controller_does_not_authorize_fails(signed: dict[str, Any]) -> None:
    def unauthorized(method: str) -> ResolvedKey:
        raise UnauthorizedKey(f"{method} is not listed under assertionMethod")

    result = _only(signed, unauthorized)
    assert (result.outcome, result.code) == (ProofOutcome.FAILED, "unauthorized_key")


def test_an_eddsa_proof_by_a_p256_key_fails(signed: dict[str, Any], signer: Ed25519Signer) -> None:
    p256 = ec.generate_private_key(ec.SECP256R1()).public_key()

    def resolver(method: str) -> ResolvedKey:
        return ResolvedKey(method, signer.verification_method.split("#")[0], p256)

    result = _only(signed, resolver)
    assert result.outcome is ProofOutcome.FAILED
    assert "eddsa-rdfc-2022 needs an Ed25519 key" in result.reason and "P-256" in result.reason


def test_unresolvable_keys_cannot_be_checked(signed: dict[str, Any]) -> None:
    def offline(method: str) -> ResolvedKey:
        raise DidResolutionError("fetching from other hosts is turned off (VETCRED_FETCH_REMOTE=false)")

    result = _only(signed, offline)
    assert (result.outcome, result.code) == (ProofOutcome.COULD_NOT_CHECK, "did_resolution_error")
    assert "turned off" in result.reason


def test_ed25519_signature_2020_is_legacy_and_needs_its_context() -> None:
    result = _only(copy.deepcopy(ED25519_2020))
    assert result.outcome is ProofOutcome.PASSED and result.label == "Ed25519Signature2020"
    assert result.verified is not None
    assert result.verified.legacy == "Ed25519Signature2020, a legacy suite superseded by eddsa-rdfc-2022"

    without = copy.deepcopy(ED25519_2020)
    without["@context"].remove("https://w3id.org/security/suites/ed25519-2020/v1")
    result = _only(without)
    assert (
        result.outcome is ProofOutcome.FAILED
        and "needs https://w3id.org/security/suites/ed25519-2020/v1" in result.reason
    )


def test_ed25519_signature_2020_signs_its_proof_options() -> None:
    document = copy.deepcopy(ED25519_2020)
    document["proof"]["created"] = "2026-07-01T08:30:01Z"
    result = _only(document)
    assert result.outcome is ProofOutcome.FAILED and "signature does not match" in result.reason
