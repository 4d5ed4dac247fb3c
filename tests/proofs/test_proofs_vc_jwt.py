"""VC-JWTs made with jwcrypto (an independent JOSE library) from keys the test holds: what verifies, what fails,
and what vetcred honestly cannot check."""

from __future__ import annotations

import base64
import copy
import json
from functools import partial
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwcrypto import jwk, jws

from app.errors import FetchError
from app.proofs.controller_documents import resolve_remote
from app.proofs.dids import CompositeResolver
from app.proofs.results import ProofOutcome
from app.proofs.vc_jwt import JwtCredential, is_jwt_credential, verify_jwt_credential

RESOLVER = CompositeResolver(lambda _vm: None)
KINDS = {
    "EdDSA": lambda: jwk.JWK.generate(kty="OKP", crv="Ed25519"),
    "ES256": lambda: jwk.JWK.generate(kty="EC", crv="P-256"),
    "RS256": lambda: jwk.JWK.generate(kty="RSA", size=2048),
}
KEYS = {alg: make() for alg, make in KINDS.items()}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def did_key(key: jwk.JWK) -> str:
    public = key.get_op_key("verify")
    if key["kty"] == "OKP":
        raw = b"\xed\x01" + public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    else:
        raw = b"\x80\x24" + public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    return "did:key:z" + base58.b58encode(raw).decode("ascii")


def did_jwk(key: jwk.JWK) -> str:
    return "did:jwk:" + _b64(key.export_public().encode("utf-8"))


def credential(issuer: str, **over: Any) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:8d0c1e7a-2f4b-4c3d-9e5f-6a7b8c9d0e1f",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example Vocational College"},
        "validFrom": "2026-06-30T09:00:00Z",
        "name": "Safe Work at Height",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://college.example/a/1",
                "type": ["Achievement"],
                "name": "Safe Work at Height",
            },
        },
    } | over


def sign(payload: dict[str, Any], key: jwk.JWK, alg: str, **header: Any) -> str:
    token = jws.JWS(json.dumps(payload).encode("utf-8"))
    token.add_signature(key, alg=None, protected=json.dumps({"alg": alg, **header}))
    return str(token.serialize(compact=True))


def ob3_jwt(issuer: str, key: jwk.JWK, alg: str, **header: Any) -> str:
    """The OB 3.0 / VC-JOSE-COSE form: the credential is the payload, with iss, jti, nbf and sub beside it."""
    body = credential(issuer)
    claims = {"iss": issuer, "jti": body["id"], "nbf": 1782810000, "sub": body["credentialSubject"]["id"]}
    return sign(body | claims, key, alg, **header)


def check(token: str | dict[str, Any], resolver: Any = RESOLVER) -> JwtCredential:
    return verify_jwt_credential(token, resolver)


@pytest.mark.parametrize(
    ("alg", "discovery"),
    [
        (alg, discovery)
        for alg in KEYS
        for discovery in ("did:key", "did:jwk", "did:jwk from iss", "did:key without fragment")
        if not (alg == "RS256" and discovery.startswith("did:key"))  # vetcred reads RSA keys as JWKs only
    ],
)
def test_verifies_with_keys_named_by_dids(alg: str, discovery: str) -> None:
    key = KEYS[alg]
    did = did_key(key) if discovery.startswith("did:key") else did_jwk(key)
    kid = {
        "did:key": f"{did}#{did.removeprefix('did:key:')}",
        "did:jwk": f"{did}#0",
        "did:jwk from iss": None,
        "did:key without fragment": did,
    }[discovery]
    token = ob3_jwt(did, key, alg, typ="vc+jwt", **({"kid": kid} if kid else {}))
    checked = check(token)
    assert checked.result.outcome is ProofOutcome.PASSED, checked.result.reason
    assert checked.result.label == f"VC-JWT/{alg}" and checked.result.code is None
    assert checked.result.verified is not None and checked.result.verified.controller == did
    assert checked.credential is not None and checked.credential["issuer"]["id"] == did
    assert checked.header["alg"] == alg and checked.claims["iss"] == did


@pytest.mark.parametrize("alg", KEYS)
def test_one_changed_byte_fails(alg: str) -> None:
    key = KEYS[alg]
    did = did_jwk(key)
    header, payload, signature = ob3_jwt(did, key, alg, kid=f"{did}#0").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["name"] = "Safe Work at Heigh7"
    changed = check(f"{header}.{_b64(json.dumps(claims).encode())}.{signature}").result
    assert changed.outcome is ProofOutcome.FAILED and "signature does not match" in changed.reason
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert check(f"{header}.{payload}.{flipped}").result.outcome is ProofOutcome.FAILED


def test_alg_none_and_hmac_cannot_be_checked() -> None:
    did = did_jwk(KEYS["EdDSA"])
    payload = _b64(json.dumps(credential(did)).encode())
    none_header = _b64(json.dumps({"alg": "none"}).encode())
    unsigned = check(f"{none_header}.{payload}.").result
    assert unsigned.outcome is ProofOutcome.COULD_NOT_CHECK and 'alg "none"' in unsigned.reason
    secret = jwk.JWK.generate(kty="oct", size=256)
    hmac = check(sign(credential(did), secret, "HS256", kid=f"{did}#0")).result
    assert hmac.outcome is ProofOutcome.COULD_NOT_CHECK and hmac.code == "unsupported_proof"
    assert "shared-secret" in hmac.reason
    other = check(sign(credential(did), jwk.JWK.generate(kty="EC", crv="P-384"), "ES384", kid=f"{did}#0")).result
    assert other.outcome is ProofOutcome.COULD_NOT_CHECK and "'ES384'" in other.reason


def test_jwts_of_other_kinds_cannot_be_checked() -> None:
    did = did_jwk(KEYS["ES256"])
    sd_jwt = check(sign(credential(did), KEYS["ES256"], "ES256", kid=f"{did}#0", typ="vc+sd-jwt")).result
    assert sd_jwt.outcome is ProofOutcome.COULD_NOT_CHECK and "typ 'vc+sd-jwt'" in sd_jwt.reason
    # A critical extension vetcred does not know: refused before any signature check (the signature is a dummy).
    header = _b64(json.dumps({"alg": "ES256", "kid": f"{did}#0", "crit": ["example"], "example": True}).encode())
    critical = check(f"{header}.{_b64(json.dumps(credential(did)).encode())}.c2ln").result
    assert critical.outcome is ProofOutcome.COULD_NOT_CHECK and "header extensions" in critical.reason


def test_vc11_vc_claim_is_mapped_as_vc_data_model_1_1_says() -> None:
    key = KEYS["ES256"]
    did = did_jwk(key)
    vc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": {"name": "Example Vocational College"},
        "credentialSubject": {"degree": {"name": "Safe Work at Height"}},
    }
    claims = {
        "vc": vc,
        "iss": did,
        "jti": "urn:uuid:1",
        "sub": "did:example:learner",
        "nbf": 1782810000,
        "exp": 1814346000,
    }
    checked = check(sign(claims, key, "ES256", typ="JWT", kid=f"{did}#0"))
    assert checked.result.outcome is ProofOutcome.PASSED, checked.result.reason
    assert checked.credential == {
        **vc,
        "issuer": {"name": "Example Vocational College", "id": did},
        "id": "urn:uuid:1",
        "credentialSubject": {"degree": {"name": "Safe Work at Height"}, "id": "did:example:learner"},
        "issuanceDate": "2026-06-30T09:00:00Z",
        "expirationDate": "2027-06-30T09:00:00Z",
    }
    assert checked.result.verified is not None
    assert checked.result.verified.legacy is not None and "VC Data Model 1.1 JWT" in checked.result.reason


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"iss": "did:example:impostor"}, "iss 'did:example:impostor' is not the credential's issuer"),
        ({"jti": "urn:uuid:other"}, "jti 'urn:uuid:other' is not the credential's id"),
        ({"sub": "did:example:other"}, "sub 'did:example:other' is not the credentialSubject's id"),
    ],
)
def test_registered_claims_that_disagree_with_the_credential_fail(claims: dict[str, Any], reason: str) -> None:
    key = KEYS["EdDSA"]
    did = did_jwk(key)
    result = check(sign(credential(did) | claims, key, "EdDSA", kid=f"{did}#0")).result
    assert result.outcome is ProofOutcome.FAILED and reason in result.reason

    vc11 = {"vc": {**credential(did), "issuanceDate": "2026-06-30T09:00:00Z"}, **claims}
    assert check(sign(vc11, key, "EdDSA", kid=f"{did}#0")).result.outcome is ProofOutcome.FAILED


def test_vc11_dates_that_disagree_fail() -> None:
    key = KEYS["EdDSA"]
    did = did_jwk(key)
    vc = {**credential(did), "@context": ["https://www.w3.org/2018/credentials/v1"]}
    vc["issuanceDate"] = "2026-06-30T09:00:00Z"
    result = check(sign({"vc": vc, "nbf": 1782810001}, key, "EdDSA", kid=f"{did}#0")).result
    assert result.outcome is ProofOutcome.FAILED and "nbf (2026-06-30T09:00:01Z)" in result.reason
    assert check(sign({"vc": vc, "nbf": 1782810000}, key, "EdDSA", kid=f"{did}#0")).result.outcome == "passed"
    both = check(sign({**credential(did), "vc": vc}, key, "EdDSA", kid=f"{did}#0")).result
    assert both.outcome is ProofOutcome.FAILED and "forbids the vc claim" in both.reason


def test_the_key_must_be_the_issuers() -> None:
    key, stranger = KEYS["EdDSA"], jwk.JWK.generate(kty="OKP", crv="Ed25519")
    did = did_jwk(key)
    other = did_jwk(stranger)
    result = check(sign(credential(did) | {"iss": did}, stranger, "EdDSA", kid=f"{other}#0")).result
    assert result.outcome is ProofOutcome.FAILED and "controller does not match issuer" in result.reason
    mismatch = check(sign(credential(did), key, "EdDSA", kid=f"{did}#0", jwk=stranger.export_public(as_dict=True)))
    assert mismatch.result.outcome is ProofOutcome.FAILED and "jwk header is not the key" in mismatch.result.reason
    wrong_alg = check(sign(credential(did_key(key)), key, "EdDSA", kid=did_key(KEYS["ES256"]))).result
    assert wrong_alg.outcome is ProofOutcome.FAILED and "(P-256; EdDSA needs Ed25519)" in wrong_alg.reason


def test_an_ed25519_did_with_es256_fails() -> None:
    did = did_key(KEYS["EdDSA"])
    token = ob3_jwt(did, KEYS["ES256"], "ES256", kid=did)
    result = check(token).result
    assert result.outcome is ProofOutcome.FAILED and "(Ed25519; ES256 needs P-256)" in result.reason


@pytest.mark.parametrize("alg", KEYS)
def test_a_jwk_header_key_is_an_unidentified_signer(alg: str) -> None:
    key = KEYS[alg]
    issuer = "https://college.example/issuers/7"
    checked = check(ob3_jwt(issuer, key, alg, jwk=key.export_public(as_dict=True)))
    result = checked.result
    assert result.outcome is ProofOutcome.COULD_NOT_CHECK and result.code == "unidentified_key"
    assert result.verified is not None and result.verified.controller is None
    assert result.verified.key_thumbprint == key.thumbprint()
    assert result.verified.verification_method == "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + key.thumbprint()
    assert "unidentified key" in result.reason and issuer in result.reason

    header, payload, signature = ob3_jwt(issuer, key, alg, jwk=key.export_public(as_dict=True)).split(".")
    tampered = check(f"{header}.{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BA'}.{signature}").result
    assert tampered.outcome is ProofOutcome.FAILED


def test_a_private_jwk_header_fails() -> None:
    key = KEYS["ES256"]
    result = check(ob3_jwt("https://college.example/issuers/7", key, "ES256", jwk=json.loads(key.export()))).result
    assert result.outcome is ProofOutcome.FAILED and "private key material (d)" in result.reason


def test_https_kid_and_relative_kid() -> None:
    key = KEYS["RS256"]
    issuer = "https://college.example/issuers/7"
    document = {
        "id": issuer,
        "verificationMethod": [
            {
                "id": "#key-1",
                "type": "JsonWebKey",
                "controller": issuer,
                "publicKeyJwk": key.export_public(as_dict=True),
            }
        ],
        "assertionMethod": ["#key-1"],
    }

    def fetch(url: str) -> dict[str, Any]:
        if url != issuer:
            raise FetchError(f"{url} answered HTTP 404")
        return copy.deepcopy(document)

    resolver = CompositeResolver(lambda _vm: None, remote=partial(resolve_remote, fetch=fetch))
    for kid in (f"{issuer}#key-1", "#key-1"):
        result = check(ob3_jwt(issuer, key, "RS256", kid=kid), resolver).result
        assert result.outcome is ProofOutcome.PASSED, result.reason
        assert result.verified is not None and result.verified.verification_method == f"{issuer}#key-1"
    offline = check(ob3_jwt(issuer, key, "RS256", kid=f"{issuer}#key-1")).result
    assert offline.outcome is ProofOutcome.COULD_NOT_CHECK and "cannot be resolved offline" in offline.reason
    opaque = check(ob3_jwt(issuer, key, "RS256", kid="key-1")).result
    assert opaque.outcome is ProofOutcome.COULD_NOT_CHECK and "cannot be found" in opaque.reason


def test_enveloped_verifiable_credentials() -> None:
    key = KEYS["ES256"]
    did = did_jwk(key)
    token = ob3_jwt(did, key, "ES256", typ="vc+jwt", kid=f"{did}#0")
    envelope = {"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential"}
    for data_url in (f"data:application/vc+jwt,{token}", f"data:application/jwt;base64,{_b64(token.encode())}="):
        checked = check(envelope | {"id": data_url})
        assert checked.result.outcome is ProofOutcome.PASSED, checked.result.reason
        assert checked.credential is not None and checked.credential["issuer"]["id"] == did
    sd_jwt = check(envelope | {"id": f"data:application/vc+sd-jwt,{token}~"}).result
    assert sd_jwt.outcome is ProofOutcome.COULD_NOT_CHECK and "application/vc+sd-jwt" in sd_jwt.reason
    changed = check(envelope | {"id": f"data:application/vc+jwt,{token[:-3]}xyz"}).result
    assert changed.outcome is ProofOutcome.FAILED
    not_a_url = check(envelope | {"id": "urn:uuid:1"}).result
    assert not_a_url.outcome is ProofOutcome.FAILED and "data: URL" in not_a_url.reason


def test_recognition_and_garbage() -> None:
    did = did_jwk(KEYS["EdDSA"])
    token = ob3_jwt(did, KEYS["EdDSA"], "EdDSA", kid=f"{did}#0")
    assert is_jwt_credential(token) and is_jwt_credential(f"  {token}\n")
    assert is_jwt_credential({"type": ["EnvelopedVerifiableCredential"], "id": "data:,"})
    assert not is_jwt_credential({"type": ["VerifiableCredential"]}) and not is_jwt_credential("a.b")
    garbage = check("not a jwt").result
    assert garbage.outcome is ProofOutcome.FAILED and "not a compact JWS" in garbage.reason
    not_json = check("eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln").result
    assert not_json.outcome is ProofOutcome.FAILED and "not base64url-encoded JSON" in not_json.reason
    no_credential = check(sign({"iss": did}, KEYS["EdDSA"], "EdDSA", kid=f"{did}#0")).result
    assert no_credential.outcome is ProofOutcome.FAILED and "carries no credential" in no_credential.reason
