"""sign and verify: round trips, proof shapes, and a precise ProofError for every way a proof can be wrong."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from app.errors import DidResolutionError, ProofError, UnknownContext, UnsafeDocument
from app.proofs import eddsa_rdfc_2022
from app.proofs.dids import CompositeResolver, did_key
from app.proofs.keys import generate_signing_key, public_key_bytes
from app.proofs.loader import default_loader
from app.proofs.signer import Ed25519Signer

VECTOR = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "ob3-proof-vector.json").read_text("utf-8"))
CREATED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
RESOLVER = CompositeResolver(lambda _: None)


@pytest.fixture(scope="module")
def signer() -> Ed25519Signer:
    key = generate_signing_key()
    did = did_key(public_key_bytes(key))
    return Ed25519Signer(key, f"{did}#{did.removeprefix('did:key:')}")


@pytest.fixture
def unsigned(signer: Ed25519Signer) -> dict[str, Any]:
    credential = copy.deepcopy(VECTOR["credential"])
    credential["issuer"]["id"] = signer.verification_method.split("#")[0]
    return credential


@pytest.fixture
def signed(unsigned: dict[str, Any], signer: Ed25519Signer) -> dict[str, Any]:
    return eddsa_rdfc_2022.sign(unsigned, signer, default_loader(), CREATED)


def _verify(document: dict[str, Any]) -> eddsa_rdfc_2022.VerifiedProof:
    return eddsa_rdfc_2022.verify(document, RESOLVER, default_loader())


def test_sign_returns_a_new_document_with_a_proof_array(
    unsigned: dict[str, Any], signed: dict[str, Any], signer: Ed25519Signer
) -> None:
    assert "proof" not in unsigned
    assert {k: v for k, v in signed.items() if k != "proof"} == unsigned
    [proof] = signed["proof"]
    assert {k: v for k, v in proof.items() if k != "proofValue"} == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2024-05-01T12:00:00Z",
        "verificationMethod": signer.verification_method,
        "proofPurpose": "assertionMethod",
    }
    assert proof["proofValue"].startswith("z")


def test_sign_leaves_its_input_alone(unsigned: dict[str, Any], signer: Ed25519Signer) -> None:
    before = copy.deepcopy(unsigned)
    signed = eddsa_rdfc_2022.sign(unsigned, signer, default_loader(), CREATED)
    signed["credentialSubject"]["achievement"]["name"] = "changed"
    assert unsigned == before


def test_created_is_utc_whole_seconds(unsigned: dict[str, Any], signer: Ed25519Signer) -> None:
    created = datetime(2024, 5, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    signed = eddsa_rdfc_2022.sign(unsigned, signer, default_loader(), created)
    assert signed["proof"][0]["created"] == "2024-05-01T12:00:00Z"
    with pytest.raises(ValueError, match="timezone"):
        eddsa_rdfc_2022.sign(unsigned, signer, default_loader(), datetime(2024, 5, 1))


def test_sign_refuses_a_signed_document(signed: dict[str, Any], signer: Ed25519Signer) -> None:
    with pytest.raises(ProofError, match="already carries a proof"):
        eddsa_rdfc_2022.sign(signed, signer, default_loader(), CREATED)


def test_round_trip(signed: dict[str, Any], signer: Ed25519Signer) -> None:
    assert _verify(signed) == eddsa_rdfc_2022.VerifiedProof(
        verification_method=signer.verification_method,
        controller=signed["issuer"]["id"],
        created="2024-05-01T12:00:00Z",
        cryptosuite="eddsa-rdfc-2022",
    )


def test_single_object_proof_and_string_issuer_verify(unsigned: dict[str, Any], signer: Ed25519Signer) -> None:
    unsigned["issuer"] = unsigned["issuer"]["id"]
    signed = eddsa_rdfc_2022.sign(unsigned, signer, default_loader(), CREATED)
    signed["proof"] = signed["proof"][0]
    assert _verify(signed).controller == unsigned["issuer"]


def test_unsupported_proofs_beside_ours_are_ignored(signed: dict[str, Any]) -> None:
    legacy = {"type": "Ed25519Signature2020", "proofPurpose": "assertionMethod", "proofValue": "z1"}
    signed["proof"] = [legacy, *signed["proof"]]
    assert _verify(signed).cryptosuite == "eddsa-rdfc-2022"


def test_every_eddsa_proof_must_verify(signed: dict[str, Any]) -> None:
    [proof] = signed["proof"]
    signed["proof"] = [proof, {**proof, "created": "2024-05-02T12:00:00Z"}]
    with pytest.raises(ProofError, match="signature does not match"):
        _verify(signed)


def test_proof_context_prefix_rule(signed: dict[str, Any]) -> None:
    signed["proof"][0]["@context"] = list(signed["@context"])
    assert _verify(signed)
    signed["proof"][0]["@context"] = [
        "https://www.w3.org/ns/credentials/v2",
        "https://w3id.org/security/data-integrity/v2",
    ]
    with pytest.raises(ProofError, match="not a prefix"):
        _verify(signed)


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        document = document[key][0] if key == "proof" else document[key]
    if value is None:
        del document[last]
    else:
        document[last] = value


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("proof", None, "no proof"),
        ("proof", [], "no proof"),
        ("proof", "z123", "must be an object"),
        ("proof.type", "Ed25519Signature2020", "no DataIntegrityProof with cryptosuite eddsa-rdfc-2022"),
        ("proof.cryptosuite", "ecdsa-rdfc-2019", "no DataIntegrityProof with cryptosuite eddsa-rdfc-2022"),
        ("proof.proofPurpose", "authentication", "proof purpose is 'authentication'"),
        ("proof.proofPurpose", None, "proof purpose is None"),
        ("proof.proofValue", None, "proofValue is missing"),
        ("proof.proofValue", "uAAAA", "must start with 'z'"),
        ("proof.proofValue", "z0OIl", "not valid base58btc"),
        (
            "proof.proofValue",
            "z3yMApqCuCjXDWPrbjfR5mjCPTHqFG8Pux1TxQrEM35jj",
            "not a 64-byte Ed25519 signature",
        ),
        ("proof.verificationMethod", None, "no verificationMethod"),
        ("proof.created", "yesterday", "not an XML Schema dateTime"),
        ("credentialSubject.achievement.name", "Leadership", "signature does not match"),
        ("validFrom", "2009-01-01T00:00:00Z", "signature does not match"),
        ("proof.created", "2030-01-01T00:00:00Z", "signature does not match"),
        (
            "issuer.id",
            "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
            "controller does not match issuer",
        ),
        ("issuer", None, "no issuer id"),
    ],
)
def test_proof_errors(signed: dict[str, Any], path: str, value: Any, reason: str) -> None:
    _set(signed, path, value)
    with pytest.raises(ProofError, match=reason):
        _verify(signed)


def test_resolution_errors_propagate(unsigned: dict[str, Any]) -> None:
    signer = Ed25519Signer(generate_signing_key(), "did:web:elsewhere.example#key-1")
    unsigned["issuer"]["id"] = "did:web:elsewhere.example"
    with pytest.raises(DidResolutionError):
        _verify(eddsa_rdfc_2022.sign(unsigned, signer, default_loader(), CREATED))


def test_json_ld_errors_propagate(signed: dict[str, Any]) -> None:
    with pytest.raises(UnsafeDocument, match="grade"):
        _verify({**signed, "grade": "A"})
    with pytest.raises(UnknownContext):
        _verify({**signed, "@context": [*signed["@context"], "https://contexts.example/v1"]})
