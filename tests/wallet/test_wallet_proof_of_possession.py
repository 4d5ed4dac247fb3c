"""The ``jwt`` key proof check on its own: which keys and headers are taken, and why others are refused."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from joserfc.jwk import OKPKey

from app.proofs.dids import did_jwk
from app.wallet.oid4vci import ProtocolError
from app.wallet.proof_of_possession import check_jwt_proof
from tests.wallet.wallet import Holder

ISSUER = "https://college.example"
MAX_AGE = timedelta(minutes=5)


def _check(proof: str, now: datetime | None = None) -> str:
    return check_jwt_proof(proof, audience=ISSUER, now=now or datetime.now(UTC), max_age=MAX_AGE).holder_did


def _refused(proof: object, match: str, now: datetime | None = None) -> None:
    with pytest.raises(ProtocolError, match=match) as raised:
        check_jwt_proof(proof, audience=ISSUER, now=now or datetime.now(UTC), max_age=MAX_AGE)
    assert raised.value.code == "invalid_proof"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_did_key_kid_binds_to_that_did_with_or_without_the_fragment() -> None:
    holder = Holder.ed25519()
    assert _check(holder.proof(aud=ISSUER, nonce="n")) == holder.did
    assert _check(holder.proof(aud=ISSUER, nonce="n", header={"kid": holder.did})) == holder.did
    result = check_jwt_proof(
        holder.proof(aud=ISSUER, nonce="n-1"), audience=ISSUER, now=datetime.now(UTC), max_age=MAX_AGE
    )
    assert (result.nonce, result.algorithm) == ("n-1", "EdDSA")


def test_ed25519_under_its_fully_specified_name_and_p256_keys_are_taken() -> None:
    holder = Holder.ed25519()
    assert _check(holder.proof(aud=ISSUER, nonce="n", header={"alg": "Ed25519"})) == holder.did
    p256 = Holder.p256()
    assert _check(p256.proof(aud=ISSUER, nonce="n")) == p256.did  # kid did:jwk:...#0
    assert _check(p256.proof(aud=ISSUER, nonce="n", use_jwk=True)) == p256.did == did_jwk(p256.public_jwk)


def test_an_audience_list_that_names_the_issuer_is_taken() -> None:
    holder = Holder.ed25519()
    assert _check(holder.proof(aud=ISSUER, nonce="n", claims={"aud": ["https://x.example", ISSUER]})) == holder.did


@pytest.mark.parametrize(
    ("header", "match"),
    [
        ({"typ": None}, "typ"),
        ({"x5c": ["MIIB"]}, "x5c"),
        ({"kid": "did:web:college.example#key-1"}, "did:key or did:jwk"),
        ({"kid": "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"}, "Ed25519 did:key"),
        ({"kid": "did:jwk:bm90LWpzb24"}, "did:jwk"),
    ],
    ids=["no-typ", "x5c", "did-web", "secp256k1-did-key", "bad-did-jwk"],
)
def test_headers_that_are_refused(header: dict[str, object], match: str) -> None:
    _refused(Holder.ed25519().proof(aud=ISSUER, nonce="n", header=header), match)


@pytest.mark.parametrize(("alg", "match"), [("HS256", "unsupported alg"), ("ES256", "does not fit"), ("none", "alg")])
def test_an_algorithm_that_is_not_the_keys_is_refused(alg: str, match: str) -> None:
    holder = Holder.ed25519()
    header = {"typ": "openid4vci-proof+jwt", "alg": alg, "kid": holder.kid}
    claims = {"aud": ISSUER, "iat": int(time.time()), "nonce": "n"}
    _refused(f"{_b64(header)}.{_b64(claims)}.c2lnbmF0dXJl", match)


def test_a_proof_naming_both_kid_and_jwk_is_refused() -> None:
    holder = Holder.ed25519()
    _refused(holder.proof(aud=ISSUER, nonce="n", use_jwk=True, header={"kid": holder.kid}), "exactly one")


def test_a_proof_signed_by_another_key_than_it_names_is_refused() -> None:
    _refused(Holder.ed25519().proof(aud=ISSUER, nonce="n", signer=OKPKey.generate_key("Ed25519")), "signature")


@pytest.mark.parametrize(
    ("claims", "match"),
    [
        (lambda now: {"aud": "https://other.example"}, "aud"),
        (lambda now: {"iat": now + 600}, "future"),
        (lambda now: {"iat": now - 600}, "too old"),
        (lambda now: {"iat": "yesterday"}, "iat"),
        (lambda now: {"exp": now - 600}, "expired"),
        (lambda now: {"nonce": 42}, "nonce"),
    ],
    ids=["aud", "iat-future", "iat-old", "iat-text", "exp", "nonce-number"],
)
def test_claims_that_are_refused(claims: Callable[[int], dict[str, object]], match: str) -> None:
    # The times are taken when the test runs, not when it is collected: a slow full run outlives a 10-minute margin.
    _refused(Holder.ed25519().proof(aud=ISSUER, nonce="n", claims=claims(int(time.time()))), match)


@pytest.mark.parametrize("value", [None, "", "a.b", "not.a.jwt", 42])
def test_what_is_not_a_compact_jws_is_refused(value: object) -> None:
    _refused(value, "jwt proof")


def test_a_p256_jwk_is_bound_to_its_did_jwk_in_rfc_7638_form_whatever_the_header_holds() -> None:
    """The DID a wallet derives from its key the canonical way (the did:jwk specification's form: RFC 7638 members,
    sorted) is the one the credential is bound to, even when the header's JWK has other members in another order."""
    holder = Holder.p256()
    public = holder.public_jwk
    header_jwk = {"use": "sig", "alg": "ES256", "y": public["y"], "x": public["x"], "kty": "EC", "crv": "P-256"}
    bound = _check(holder.proof(aud=ISSUER, nonce="n", use_jwk=True, header={"jwk": header_jwk}))
    encoded = bound.removeprefix("did:jwk:")
    decoded = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert list(decoded) == ["crv", "kty", "x", "y"] and decoded["x"] == public["x"]
    assert bound == holder.did  # what the test wallet derives, as the specification's example does


def test_a_did_jwk_the_wallet_names_is_bound_exactly_as_named() -> None:
    """A wallet whose own did:jwk keeps another member order is bound to its own string, not to a canonical one."""
    holder = Holder.p256()
    public = holder.public_jwk
    own_order = {"kty": "EC", "crv": "P-256", "x": public["x"], "y": public["y"]}
    wallet_did = "did:jwk:" + _b64(own_order)
    assert wallet_did != did_jwk(public)
    assert _check(holder.proof(aud=ISSUER, nonce="n", header={"kid": f"{wallet_did}#0"})) == wallet_did
