"""Presentation JWTs made with jwcrypto (an independent JOSE implementation): VC 1.1 ``vp`` claims and VC-JOSE-COSE
payloads, EdDSA and ES256, holders as did:key and did:jwk; the verifier's challenge as ``nonce`` and its domain as
``aud``, through ``POST /api/v1/verify``."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jwcrypto import jwk, jwt

from app.config import Settings
from app.main import create_app
from app.proofs.dids import did_key
from tests.factories import issue, make_achievement, make_issuer

CHALLENGE = "0f6a2d4e-8b1c-4f3a-9d7e-2c5b8a1e6f90"
DOMAIN = "https://employer.example"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


class Holder:
    """A wallet key (jwcrypto) and the DIDs it can present as."""

    def __init__(self, kty: str, crv: str, alg: str) -> None:
        self.key = jwk.JWK.generate(kty=kty, crv=crv)
        self.alg = alg

    @property
    def did_jwk(self) -> str:
        public = self.key.export_public(as_dict=True)
        members = {name: public[name] for name in sorted(public) if name in ("crv", "kty", "x", "y")}
        return "did:jwk:" + _b64(json.dumps(members, separators=(",", ":")).encode())

    @property
    def did_key(self) -> str:
        return did_key(base64.urlsafe_b64decode(self.key.export_public(as_dict=True)["x"] + "=="))

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        token = jwt.JWT(header={"alg": self.alg, "typ": "JWT", **header}, claims=claims)
        token.make_signed_token(self.key)
        return str(token.serialize())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


ED25519 = Holder("OKP", "Ed25519", "EdDSA")
P256 = Holder("EC", "P-256", "ES256")


@pytest.fixture
def client(settings: Settings, empty_database: None) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _credential(client: TestClient, subject: str) -> dict[str, Any]:
    _, headers = make_issuer(client)
    achievement = make_achievement(client, headers)["id"]
    recipient = {"name": "Sanne de Vries", "email": "sanne@learner.example", "did": subject}
    return dict(issue(client, headers, achievement, recipient=recipient)["credential"])


def _vp_claims(holder_did: str, credentials: list[Any], **claims: Any) -> dict[str, Any]:
    now = int(time.time())
    presentation = {"@context": [VC_V1], "type": ["VerifiablePresentation"], "verifiableCredential": credentials}
    registered = {"iss": holder_did, "aud": DOMAIN, "nonce": CHALLENGE, "iat": now, "exp": now + 300}
    return registered | {"vp": presentation} | claims


def _verify(client: TestClient, token: str | dict[str, Any], **asked: str) -> dict[str, Any]:
    params = asked or {"challenge": CHALLENGE, "domain": DOMAIN}
    if isinstance(token, str):
        headers = {"content-type": "application/jwt"}
        response = client.post("/api/v1/verify", params=params, content=token, headers=headers)
    else:
        response = client.post("/api/v1/verify", params=params, json=token)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _outcomes(part: dict[str, Any]) -> dict[str, str]:
    return {check["name"]: check["outcome"] for check in part["checks"]}


@pytest.mark.parametrize(
    ("holder", "form"),
    [(P256, "kid did:jwk"), (ED25519, "iss did:key"), (ED25519, "kid did:jwk")],
)
def test_a_jwt_presentation_with_nonce_and_aud_verifies(client: TestClient, holder: Holder, form: str) -> None:
    did = holder.did_key if "did:key" in form else holder.did_jwk
    credential = _credential(client, did)
    header = {"kid": f"{did}#0"} if form.startswith("kid") else {}
    report = _verify(client, holder.sign(_vp_claims(did, [credential]), **header))

    assert report["verified"] is True and report["format"] == "vp-jwt"
    assert report["holder"]["id"] == did and report["holder"]["signer"]["method"] == f"VP-JWT {holder.alg}"
    assert _outcomes(report["holder"]) == dict.fromkeys(
        ("structure", "proof", "challenge", "domain", "validity_period"), "passed"
    )
    [checked] = report["credentials"]
    assert checked["verdict"] == "verified" and checked["subjectIsHolder"] is True


@pytest.mark.parametrize(
    ("claims", "asked", "failed"),
    [
        ({"nonce": "another-nonce"}, {}, "challenge"),
        ({}, {"challenge": "what-we-asked", "domain": DOMAIN}, "challenge"),
        ({"aud": "https://another-verifier.example"}, {}, "domain"),
        ({"exp": int(time.time()) - 60}, {}, "validity_period"),
        ({"nbf": int(time.time()) + 3600}, {}, "validity_period"),
        ({"iat": int(time.time()) + 3600}, {}, "validity_period"),
    ],
    ids=["wrong-nonce", "other-challenge-asked", "wrong-aud", "expired", "not-yet-valid", "made-in-the-future"],
)
def test_what_fails_the_holder_check(
    client: TestClient, claims: dict[str, Any], asked: dict[str, str], failed: str
) -> None:
    did = P256.did_jwk
    report = _verify(client, P256.sign(_vp_claims(did, [_credential(client, did)], **claims), kid=f"{did}#0"), **asked)
    assert report["holder"]["verdict"] == "not_valid"
    assert _outcomes(report["holder"])[failed] == "failed" and _outcomes(report["holder"])["proof"] == "passed"
    assert report["credentials"][0]["verdict"] == "verified"


def test_an_audience_list_naming_the_domain_is_taken(client: TestClient) -> None:
    did = P256.did_jwk
    claims = _vp_claims(did, [], aud=["https://someone.example", DOMAIN])
    assert _verify(client, P256.sign(claims, kid=f"{did}#0"))["holder"]["verdict"] == "verified"


def test_a_presentation_jwt_signed_by_another_key_than_its_holders_fails(client: TestClient) -> None:
    holder, stranger = P256.did_jwk, Holder("EC", "P-256", "ES256")
    credential = _credential(client, holder)
    # A stranger's key, named as the holder's: the signature does not verify with the holder's key.
    impostor = stranger.sign(_vp_claims(holder, [credential]), kid=f"{holder}#0")
    # A stranger signs with their own key a presentation whose iss is the holder.
    other_did = stranger.sign(_vp_claims(holder, [credential]), kid=f"{stranger.did_jwk}#0")
    for token, reason in ((impostor, "signature does not match"), (other_did, "controller does not match holder")):
        report = _verify(client, token)
        [proof] = [c for c in report["holder"]["checks"] if c["name"] == "proof"]
        assert report["holder"]["verdict"] == "not_valid" and reason in proof["reason"], proof
        assert report["credentials"][0]["holderBinding"]["outcome"] == "could_not_check"


def test_a_key_given_only_in_the_jwt_identifies_no_holder(client: TestClient) -> None:
    claims = _vp_claims(P256.did_jwk, []) | {"iss": "https://wallet.example/users/7"}
    token = P256.sign(claims, jwk=P256.key.export_public(as_dict=True))
    report = _verify(client, token)
    [proof] = [c for c in report["holder"]["checks"] if c["name"] == "proof"]
    assert (report["holder"]["verdict"], proof["code"]) == ("could_not_check", "unidentified_key")


def test_a_credential_bound_to_the_did_key_of_the_did_jwk_holders_key_is_the_holders(client: TestClient) -> None:
    """A wallet bound as did:key (vetcred binds an Ed25519 jwk that way) presenting as did:jwk of the same key."""
    credential = _credential(client, ED25519.did_key)
    did = ED25519.did_jwk
    report = _verify(client, ED25519.sign(_vp_claims(did, [credential]), kid=f"{did}#0"))
    [checked] = report["credentials"]
    assert checked["subjectIsHolder"] is True and "key the holder signed with" in checked["holderBinding"]["reason"]
    other = _credential(client, P256.did_jwk)
    report = _verify(client, ED25519.sign(_vp_claims(did, [other]), kid=f"{did}#0"))
    assert report["credentials"][0]["holderBinding"]["outcome"] == "failed"


def test_vc_jose_cose_presentations_bare_and_enveloped(client: TestClient) -> None:
    did = P256.did_jwk
    payload = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": did,
        "verifiableCredential": [_credential(client, did)],
        "nonce": CHALLENGE,
        "aud": DOMAIN,
        "iat": int(time.time()),
    }
    token = P256.sign(payload, kid=f"{did}#0", typ="vp+jwt")
    report = _verify(client, token)
    assert report["verified"] is True and report["holder"]["signer"]["method"] == "VP-JWT ES256"
    enveloped = {
        "@context": [VC_V2],
        "type": "EnvelopedVerifiablePresentation",
        "id": f"data:application/vp+jwt,{token}",
    }
    assert _verify(client, enveloped)["verified"] is True
    # A holder stated in the payload must be the one whose key signed.
    forged = P256.sign(payload | {"holder": ED25519.did_key}, kid=f"{did}#0", typ="vp+jwt")
    assert _verify(client, forged)["holder"]["verdict"] == "not_valid"


def test_an_envelope_of_another_media_type_is_read_as_no_presentation(client: TestClient) -> None:
    enveloped = {"@context": [VC_V2], "type": "EnvelopedVerifiablePresentation", "id": "data:text/plain,hello"}
    holder = _verify(client, enveloped)["holder"]
    assert (
        holder["verdict"] == "not_valid" and holder["checks"][0]["reason"] == "the JWT carries no readable presentation"
    )
    assert _outcomes(holder)["proof"] == "could_not_check" and "text/plain" in holder["checks"][1]["reason"]
