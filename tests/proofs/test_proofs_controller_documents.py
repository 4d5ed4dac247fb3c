"""Controller documents: which key a verification method names, who controls it, and whether it may issue."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwcrypto import jwk as jwcrypto_jwk

from app.errors import DidResolutionError, FetchError, UnauthorizedKey
from app.proofs.controller_documents import method_public_key, resolve_remote
from app.proofs.dids import CompositeResolver
from app.proofs.multikey import decode_multikey

ED25519_MULTIBASE = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
P256_MULTIBASE = "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
DID = "did:web:college.example:issuers:7"
ISSUER = "https://college.example/issuers/7"


def _did_document(**over: Any) -> dict[str, Any]:
    return {
        "id": DID,
        "verificationMethod": [
            {"id": f"{DID}#key-1", "type": "Multikey", "controller": DID, "publicKeyMultibase": ED25519_MULTIBASE},
            {"id": "#key-2", "type": "Multikey", "controller": DID, "publicKeyMultibase": P256_MULTIBASE},
        ],
        "assertionMethod": [f"{DID}#key-1", "#key-2"],
        "authentication": [f"{DID}#key-1"],
    } | over


def _served(documents: dict[str, dict[str, Any]]) -> CompositeResolver:
    requested: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        requested.append(url)
        if url not in documents:
            raise FetchError(f"{url} answered HTTP 404")
        return documents[url]

    resolver = CompositeResolver(lambda _vm: None, remote=partial(resolve_remote, fetch=fetch))
    resolver.requested = requested  # type: ignore[attr-defined]
    return resolver


DID_URL = "https://college.example/issuers/7/did.json"


def test_did_web_keys_absolute_and_relative() -> None:
    resolver = _served({DID_URL: _did_document()})
    first = resolver(f"{DID}#key-1")
    assert first.controller == DID and first.public_key == decode_multikey(ED25519_MULTIBASE)
    second = resolver(f"{DID}#key-2")
    assert isinstance(second.public_key, ec.EllipticCurvePublicKey)
    assert resolver.requested == [DID_URL, DID_URL]  # type: ignore[attr-defined]


def test_a_key_not_under_assertion_method_may_not_issue() -> None:
    resolver = _served({DID_URL: _did_document(assertionMethod=["#key-2"])})
    with pytest.raises(UnauthorizedKey, match=r"does not list .*#key-1 under assertionMethod"):
        resolver(f"{DID}#key-1")


def test_embedded_assertion_methods_count() -> None:
    embedded = {"id": f"{DID}#key-3", "type": "Multikey", "controller": DID, "publicKeyMultibase": ED25519_MULTIBASE}
    resolver = _served({DID_URL: _did_document(assertionMethod=[embedded])})
    assert resolver(f"{DID}#key-3").controller == DID


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (_did_document(id="did:web:elsewhere.example"), "is not that DID's document"),
        (_did_document(verificationMethod=[]), "is not a verification method"),
        (
            _did_document(
                verificationMethod=[
                    {"id": f"{DID}#key-1", "type": "Multikey", "controller": "did:web:x", "publicKeyMultibase": "z"}
                ]
            ),
            "delegated controllers",
        ),
        (
            _did_document(
                verificationMethod=[
                    {"id": f"{DID}#key-1", "type": "EcdsaSecp256k1VerificationKey2019", "controller": DID}
                ]
            ),
            "not supported",
        ),
    ],
)
def test_did_documents_that_do_not_name_the_key(document: dict[str, Any], reason: str) -> None:
    with pytest.raises(DidResolutionError, match=reason):
        _served({DID_URL: document})(f"{DID}#key-1")


def test_a_revoked_key_may_not_issue() -> None:
    document = _did_document()
    document["verificationMethod"][0]["revoked"] = "2026-01-01T00:00:00Z"
    with pytest.raises(UnauthorizedKey, match="revoked"):
        _served({DID_URL: document})(f"{DID}#key-1")


def test_fetch_failures_cannot_be_checked() -> None:
    with pytest.raises(DidResolutionError, match=r"could not be fetched: .* HTTP 404"):
        _served({})(f"{DID}#key-1")


def _controller_document(**over: Any) -> dict[str, Any]:
    return {
        "id": ISSUER,
        "type": ["Profile"],
        "verificationMethod": [
            {"id": f"{ISSUER}#key-1", "type": "Multikey", "controller": ISSUER, "publicKeyMultibase": ED25519_MULTIBASE}
        ],
        "assertionMethod": [f"{ISSUER}#key-1", "https://college.example/keys/2"],
    } | over


def test_https_key_in_a_controller_document() -> None:
    resolver = _served({ISSUER: _controller_document()})
    resolved = resolver(f"{ISSUER}#key-1")
    assert (resolved.controller, resolved.public_key) == (ISSUER, decode_multikey(ED25519_MULTIBASE))
    assert resolver.requested == [ISSUER]  # type: ignore[attr-defined]


def test_https_key_document_and_its_controller() -> None:
    jwk = jwcrypto_jwk.JWK.generate(kty="EC", crv="P-256")
    method = {
        "@context": "https://www.w3.org/ns/cid/v1",
        "id": "https://college.example/keys/2",
        "type": "JsonWebKey",
        "controller": ISSUER,
        "publicKeyJwk": jwk.export_public(as_dict=True),
    }
    resolver = _served({ISSUER: _controller_document(), method["id"]: method})
    resolved = resolver(method["id"])
    assert resolved.controller == ISSUER and resolved.public_key == method_public_key(method)
    assert resolver.requested == [method["id"], ISSUER]  # type: ignore[attr-defined]

    unlisted = _served({ISSUER: _controller_document(assertionMethod=[f"{ISSUER}#key-1"]), method["id"]: method})
    with pytest.raises(UnauthorizedKey, match="not authorized"):
        unlisted(method["id"])
    with pytest.raises(DidResolutionError, match="is not that controller's document"):
        _served({ISSUER: {"id": "https://other.example"}, method["id"]: method})(method["id"])


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"id": "https://college.example/elsewhere"}, "neither the verification method nor its controller"),
        ({"id": "https://college.example/keys/2", "type": "Multikey"}, "names no https controller"),
        (
            {
                "id": "https://college.example/keys/2",
                "type": "Multikey",
                "controller": "https://college.example/keys/2",
            },
            "names itself",
        ),
    ],
)
def test_https_documents_that_do_not_name_the_key(document: dict[str, Any], reason: str) -> None:
    with pytest.raises(DidResolutionError, match=reason):
        _served({"https://college.example/keys/2": document})("https://college.example/keys/2")


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        ({"type": "Multikey", "publicKeyMultibase": ED25519_MULTIBASE}, Ed25519PublicKey),
        ({"type": "Ed25519VerificationKey2020", "publicKeyMultibase": ED25519_MULTIBASE}, Ed25519PublicKey),
        ({"type": "Multikey", "publicKeyMultibase": P256_MULTIBASE}, ec.EllipticCurvePublicKey),
        (
            {"type": "JsonWebKey2020", "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "A" * 43}},
            Ed25519PublicKey,
        ),
    ],
)
def test_verification_method_types(method: dict[str, Any], kind: type) -> None:
    assert isinstance(method_public_key(method), kind)


def test_offline_resolvers_refuse_remote_keys() -> None:
    with pytest.raises(DidResolutionError, match="cannot be resolved offline"):
        CompositeResolver(lambda _vm: None)(f"{ISSUER}#key-1")
