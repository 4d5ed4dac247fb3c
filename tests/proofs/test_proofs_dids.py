"""did:web, did:key and did:jwk identifiers, DID documents, and offline resolution."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.errors import DidResolutionError
from app.proofs.canonical import canonize
from app.proofs.dids import (
    CompositeResolver,
    ResolvedKey,
    did_document,
    did_jwk,
    did_key,
    did_web,
    did_web_document_url,
    resolve_did_key,
)
from app.proofs.loader import default_loader
from app.proofs.multikey import decode_public_key

PUBLIC_MULTIBASE = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "w3c-vc-di-eddsa" / "keyPair.json").read_text(encoding="utf-8")
)["publicKeyMultibase"]
VECTOR_DID = f"did:key:{PUBLIC_MULTIBASE}"
VECTOR_METHOD = f"{VECTOR_DID}#{PUBLIC_MULTIBASE}"


@pytest.mark.parametrize(
    ("public_url", "did", "document_url"),
    [
        (
            "http://127.0.0.1:8000",
            "did:web:127.0.0.1%3A8000:issuers:abc",
            "https://127.0.0.1:8000/issuers/abc/did.json",  # did:web is https only; a development DID resolves locally
        ),
        (
            "https://college.example",
            "did:web:college.example:issuers:abc",
            "https://college.example/issuers/abc/did.json",
        ),
        (
            "https://college.example:8443/",
            "did:web:college.example%3A8443:issuers:abc",
            "https://college.example:8443/issuers/abc/did.json",
        ),
    ],
)
def test_did_web_round_trip(public_url: str, did: str, document_url: str) -> None:
    assert did_web(public_url, "abc") == did
    assert did_web_document_url(did) == document_url


@pytest.mark.parametrize(
    ("did", "url"),
    [  # the examples of the did:web method specification
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
    ],
)
def test_did_web_spec_examples(did: str, url: str) -> None:
    assert did_web_document_url(did) == url


@pytest.mark.parametrize(
    ("public_url", "issuer_id"),
    [
        ("https://college.example/badges", "abc"),
        ("https://college.example", "a:b"),
        ("https://[::1]:8000", "abc"),
    ],
)
def test_did_web_refuses_what_it_cannot_encode(public_url: str, issuer_id: str) -> None:
    with pytest.raises(ValueError):
        did_web(public_url, issuer_id)


@pytest.mark.parametrize("did", [VECTOR_DID, "did:web:", "did:web:college.example::x", "did:web:college.example#key"])
def test_did_web_document_url_refuses_other_dids(did: str) -> None:
    with pytest.raises(DidResolutionError):
        did_web_document_url(did)


def test_did_document_shape_and_json_ld() -> None:
    did = did_web("https://college.example", "abc")
    document = did_document(did, "key-1", PUBLIC_MULTIBASE)
    method = f"{did}#key-1"
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": PUBLIC_MULTIBASE}
        ],
        "authentication": [method],
        "assertionMethod": [method],
    }
    assert f"<{did}> <https://w3id.org/security#assertionMethod> <{method}> ." in canonize(document, default_loader())


def test_did_key_of_the_vector_key_resolves_offline() -> None:
    public = decode_public_key(PUBLIC_MULTIBASE)
    assert did_key(public) == VECTOR_DID
    assert resolve_did_key(VECTOR_METHOD) == ResolvedKey(
        id=VECTOR_METHOD, controller=VECTOR_DID, public_key=Ed25519PublicKey.from_public_bytes(public)
    )


@pytest.mark.parametrize(
    "method",
    [
        VECTOR_DID,  # no fragment
        f"{VECTOR_DID}#key-1",  # fragment is not the key
        "did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc#z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc",
        "did:web:college.example#z6Mk",
    ],
)
def test_bad_did_key_methods(method: str) -> None:
    with pytest.raises(DidResolutionError):
        resolve_did_key(method)


def test_composite_resolver() -> None:
    local_method = "did:web:college.example:issuers:abc#key-1"
    local_key = ResolvedKey(
        local_method, "did:web:college.example:issuers:abc", Ed25519PublicKey.from_public_bytes(bytes(32))
    )
    resolver = CompositeResolver({local_method: local_key}.get)
    assert resolver(local_method) == local_key
    assert resolver(VECTOR_METHOD).controller == VECTOR_DID
    with pytest.raises(DidResolutionError, match="cannot be resolved offline"):
        resolver("did:web:elsewhere.example#key-1")
    with pytest.raises(DidResolutionError, match="cannot be resolved offline"):
        resolver("https://example.edu/issuers/565049#key-1")


# The did:jwk method specification's P-256 example (github.com/quartzjer/did-jwk, spec.md): the JWK and its DID.
SPEC_P256_JWK = {
    "crv": "P-256",
    "kty": "EC",
    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
}
SPEC_P256_DID = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5"
    "IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)


def test_did_jwk_is_the_specifications_example_whatever_order_and_extra_members_the_jwk_has() -> None:
    assert did_jwk(SPEC_P256_JWK) == SPEC_P256_DID
    # As a wallet or a library may hand the key over: members in another order, with alg, use and kid.
    shuffled = {"kid": "key-1", "use": "sig", "y": SPEC_P256_JWK["y"], "alg": "ES256", **SPEC_P256_JWK}
    assert next(iter(shuffled)) == "kid" and did_jwk(shuffled) == SPEC_P256_DID
    # And it resolves to that very key.
    assert CompositeResolver(lambda _vm: None)(f"{SPEC_P256_DID}#0").controller == SPEC_P256_DID


def test_did_jwk_of_an_ed25519_key_holds_its_rfc_7638_members() -> None:
    jwk = {"x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA"}
    encoded = did_jwk(jwk).removeprefix("did:jwk:")
    decoded = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert list(decoded.items()) == [("crv", "Ed25519"), ("kty", "OKP"), ("x", jwk["x"])]
