"""Public keys from JWKs, Multikeys, did:key and did:jwk, checked against the published examples of each spec."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwcrypto import jwk as jwcrypto_jwk

from app.errors import DidResolutionError, KeyMaterialError, UnauthorizedKey
from app.proofs.dids import CompositeResolver, resolve_did_jwk, resolve_did_key
from app.proofs.multikey import decode_multikey
from app.proofs.public_keys import (
    b64url_decode,
    b64url_encode,
    describe,
    jwk_thumbprint,
    public_key_from_jwk,
)

# RFC 7638, section 3.1: the RSA key of RFC 7517 appendix A.1 and its SHA-256 thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZ"
    "CiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0z"
    "gdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kE"
    "gU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
# did:key method specification, test-vectors/nist-curves.json: a P-256 did:key and the same key as a JWK.
P256_DID_KEY = "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
P256_DID_KEY_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI",
    "y": "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU",
}
# did:jwk method specification, the P-256 example.
DID_JWK = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5"
    "IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)
DID_JWK_JWK = {
    "crv": "P-256",
    "kty": "EC",
    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
}


def test_rfc7638_thumbprint_and_rsa_import() -> None:
    assert jwk_thumbprint(RFC7638_JWK) == RFC7638_THUMBPRINT
    key = public_key_from_jwk(RFC7638_JWK)
    assert isinstance(key, rsa.RSAPublicKey) and describe(key) == "RSA-2048"


@pytest.mark.parametrize("kty", ["OKP", "EC", "RSA"])
def test_thumbprints_agree_with_jwcrypto(kty: str) -> None:
    generated = {"OKP": ("OKP", "Ed25519"), "EC": ("EC", "P-256"), "RSA": ("RSA", None)}[kty]
    key = jwcrypto_jwk.JWK.generate(kty=generated[0], **({"crv": generated[1]} if generated[1] else {"size": 2048}))
    public = json.loads(key.export_public())
    assert jwk_thumbprint(public) == key.thumbprint()
    assert describe(public_key_from_jwk(public)) == {"OKP": "Ed25519", "EC": "P-256", "RSA": "RSA-2048"}[kty]


def test_did_key_p256_vector() -> None:
    fingerprint = P256_DID_KEY.removeprefix("did:key:")
    resolved = resolve_did_key(f"{P256_DID_KEY}#{fingerprint}")
    assert resolved.controller == P256_DID_KEY
    assert resolved.public_key == public_key_from_jwk(P256_DID_KEY_JWK)
    assert decode_multikey(fingerprint) == resolved.public_key


def test_did_jwk_vector() -> None:
    resolved = resolve_did_jwk(f"{DID_JWK}#0")
    assert json.loads(b64url_decode(DID_JWK.removeprefix("did:jwk:"))) == DID_JWK_JWK
    assert resolved.controller == DID_JWK
    assert resolved.public_key == public_key_from_jwk(DID_JWK_JWK)
    assert CompositeResolver(lambda _: None)(f"{DID_JWK}#0") == resolved


@pytest.mark.parametrize(
    ("jwk", "reason"),
    [
        ({**DID_JWK_JWK, "d": "AAAA"}, "private key material"),
        ({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}, "not supported"),
        ({"kty": "EC", "crv": "P-256", "x": DID_JWK_JWK["x"], "y": DID_JWK_JWK["x"]}, "not on the curve"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "3 bytes, not 32"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "A+A/" * 11}, "not base64url"),
        ({"kty": "RSA", "n": b64url_encode((2**1023 + 1).to_bytes(128, "big")), "e": "AQAB"}, "at least 2048"),
        ("not an object", "JSON object"),
    ],
)
def test_bad_jwks_are_refused(jwk: object, reason: str) -> None:
    with pytest.raises(KeyMaterialError, match=reason):
        public_key_from_jwk(jwk)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "error", "reason"),
    [
        (f"{DID_JWK}#1", DidResolutionError, "did:jwk:<jwk>#0"),
        ("did:jwk:bm90IGpzb24#0", DidResolutionError, "base64url-encoded JSON"),
        (
            "did:jwk:" + b64url_encode(json.dumps({**DID_JWK_JWK, "d": "AAAA"}).encode()) + "#0",
            DidResolutionError,
            "private key material",
        ),
        (
            "did:jwk:" + b64url_encode(json.dumps({**DID_JWK_JWK, "use": "enc"}).encode()) + "#0",
            UnauthorizedKey,
            "encryption key",
        ),
    ],
)
def test_bad_did_jwk(method: str, error: type[Exception], reason: str) -> None:
    with pytest.raises(error, match=reason):
        resolve_did_jwk(method)


def test_multikey_kinds() -> None:
    ed25519 = decode_multikey("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")
    assert isinstance(ed25519, Ed25519PublicKey)
    p256 = decode_multikey(P256_DID_KEY.removeprefix("did:key:"))
    assert isinstance(p256, ec.EllipticCurvePublicKey) and describe(p256) == "P-256"
    with pytest.raises(KeyMaterialError, match="not an Ed25519 key"):  # secp256k1
        decode_multikey("zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")


def test_unknown_did_methods_say_what_is_resolved() -> None:
    with pytest.raises(DidResolutionError, match="did:key, did:jwk, did:web or https"):
        CompositeResolver(lambda _: None)("did:ion:abc#key-1")
