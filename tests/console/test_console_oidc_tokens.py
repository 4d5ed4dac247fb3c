"""The ID token checks of single sign-on: signature by the provider's keys, issuer, audience, expiry, nonce."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from app.staff.oidc import SsoError, verify_id_token

ISSUER = "https://login.college.example"
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
JWKS = KeySet([KEY]).as_dict(private=False)


def _token(key: Any = KEY, alg: str = "RS256", **over: Any) -> str:
    now = int(NOW.timestamp())
    claims = {
        "iss": ISSUER,
        "sub": "user-1",
        "aud": "vetcred",
        "iat": now,
        "exp": now + 300,
        "nonce": "the-nonce",
        "email": "ines@college.example",
        "email_verified": True,
    } | over
    return jwt.encode({"alg": alg, "kid": "k1"}, {k: v for k, v in claims.items() if v is not None}, key)


def _verify(token: str, **over: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "issuer": ISSUER,
        "client_id": "vetcred",
        "nonce": "the-nonce",
        "access_token": None,
        "now": NOW,
    } | over
    return verify_id_token(token, JWKS, **arguments)


def test_a_good_token_gives_its_claims() -> None:
    assert _verify(_token())["email"] == "ines@college.example"


@pytest.mark.parametrize(
    "token",
    [
        _token(iss="https://elsewhere.example"),
        _token(aud="another-client"),
        _token(exp=int(NOW.timestamp()) - 600),
        _token(nonce="an-old-nonce"),
        _token(nonce=None),
        _token(key=RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)),
        _token(key=OctKey.import_key(b"the-client-secret-the-client-secret"), alg="HS256"),
    ],
    ids=["issuer", "audience", "expired", "nonce", "no-nonce", "other-key", "hmac"],
)
def test_a_token_that_does_not_check_out_is_refused(token: str) -> None:
    with pytest.raises(SsoError):
        _verify(token)


def test_a_tampered_token_is_refused() -> None:
    header, _payload, signature = _token().split(".")
    forged = _token(email="owner@college.example").split(".")[1]
    with pytest.raises(SsoError):
        _verify(".".join([header, forged, signature]))
