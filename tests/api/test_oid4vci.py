"""OpenID4VCI 1.0 pre-authorized code flow, run as a wallet runs it, and its refusals with the spec's error codes."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import OKPKey

from app.config import Settings
from app.main import create_app
from tests.factories import issue, make_achievement, make_issuer
from tests.wallet.wallet import PRE_AUTHORIZED, Clock, Holder, Wallet, offer_uri_of, scan_offer_qr

# QR codes are decoded with zbar (libzbar0): each test needs it.
pytestmark = pytest.mark.usefixtures("zbar")

ISSUER = "https://vetcred.test"
TOKEN = f"{ISSUER}/oid4vci/token"
NONCE = f"{ISSUER}/oid4vci/nonce"
CREDENTIAL = f"{ISSUER}/oid4vci/credential"
CONFIGURATION = "OpenBadgeCredential_ldp_vc"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(settings: Settings, empty_database: None, clock: Clock) -> Iterator[TestClient]:
    """The app on a clock the test moves; claim links come back in the issue response (no SMTP)."""
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


@pytest.fixture
def college(client: TestClient) -> tuple[dict[str, str], str]:
    _, headers = make_issuer(client)
    return headers, make_achievement(client, headers)["id"]


def _issue(client: TestClient, college: tuple[dict[str, str], str], **over: Any) -> dict[str, Any]:
    headers, achievement_id = college
    return issue(client, headers, achievement_id, **over)


def _offer_link(client: TestClient, claim_url: str) -> str:
    page = client.get(claim_url)
    assert page.status_code == 200, page.text
    return scan_offer_qr(page.text)


def _code(client: TestClient, offer_link: str) -> str:
    offer = client.get(offer_uri_of(offer_link)).json()
    return str(offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"])


def _token(wallet: Wallet, client: TestClient, claim_url: str, tx_code: str | None = None) -> str:
    response = wallet.token(TOKEN, _code(client, _offer_link(client, claim_url)), tx_code)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _request(proof: str) -> dict[str, Any]:
    return {"credential_configuration_id": CONFIGURATION, "proofs": {"jwt": [proof]}}


def _error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == code, response.text
    assert response.headers["cache-control"] == "no-store"


def _verify(client: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    return dict(client.post("/api/v1/verify", json=credential).json())


def test_a_wallet_scans_the_claim_page_takes_a_holder_bound_credential_and_sees_it_revoked(
    client: TestClient, college: tuple[dict[str, str], str]
) -> None:
    headers, _ = college
    issued = _issue(client, college)
    assert issued["claimUrl"].startswith(f"{ISSUER}/claim/") and issued["claimTxCode"] is None

    # The phone camera reads the QR code of the claim page: an offer by reference.
    offer_link = _offer_link(client, issued["claimUrl"])
    assert offer_link.startswith("openid-credential-offer://?credential_offer_uri=")
    wallet = Wallet(client)
    offer = wallet.offer(offer_link)
    # The college's own Credential Issuer Identifier (tests/api/test_oid4vci_colleges.py).
    assert offer["credential_issuer"] == f"{ISSUER}/issuers/{issued['credential']['issuer']['id'].rsplit(':', 1)[1]}"
    assert offer["credential_configuration_ids"] == [CONFIGURATION]
    assert "tx_code" not in offer["grants"][PRE_AUTHORIZED]

    credential = wallet.claim(offer_link)

    subject = credential["credentialSubject"]
    assert subject["id"] == wallet.holder.did and wallet.holder.did.startswith("did:key:z6Mk")
    original = issued["credential"]
    assert credential["id"] != original["id"]
    assert credential["credentialStatus"] == original["credentialStatus"]
    assert {k: v for k, v in subject.items() if k != "id"} == original["credentialSubject"]
    unchanged = {k for k in original if k not in ("id", "credentialSubject", "proof")}
    assert all(credential[k] == original[k] for k in unchanged)

    report = _verify(client, credential)
    assert report["verified"] is True, report
    assert {c["name"]: c["outcome"] for c in report["checks"]} == {
        "structure": "passed",
        "proof": "passed",
        "status": "passed",
        "validity_period": "passed",
        "issuer": "passed",
        "ob3_schema": "passed",
    }

    claim = client.get(f"/api/v1/credentials/{issued['id']}/claim", headers=headers).json()
    assert claim["state"] == "used" and claim["usedAt"]
    [bound] = claim["holderCredentials"]
    assert bound["holderDid"] == wallet.holder.did and bound["credential"] == credential

    # Revoking the original revokes the holder-bound copy: they share one status list entry.
    revoked = client.post(f"/api/v1/credentials/{issued['id']}/revoke", json={"reason": "exam fraud"}, headers=headers)
    assert revoked.status_code == 200
    report = _verify(client, credential)
    assert report["verified"] is False and report["verdict"] == "revoked"


def test_metadata_describe_the_ob3_credential_and_the_pre_authorized_grant(client: TestClient) -> None:
    response = client.get("/.well-known/openid-credential-issuer")
    assert response.headers["content-type"] == "application/json"
    metadata = response.json()
    assert metadata["credential_issuer"] == ISSUER
    assert metadata["credential_endpoint"] == CREDENTIAL
    assert metadata["nonce_endpoint"] == NONCE
    configuration = metadata["credential_configurations_supported"][CONFIGURATION]
    assert configuration["format"] == "ldp_vc"
    assert configuration["credential_definition"] == {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
    }
    assert configuration["cryptographic_binding_methods_supported"] == ["did:key", "did:jwk", "jwk"]
    assert configuration["credential_signing_alg_values_supported"] == ["eddsa-rdfc-2022"]
    algorithms = configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]
    assert {"EdDSA", "ES256"} <= set(algorithms)
    assert configuration["credential_metadata"]["display"][0]["name"]

    server = client.get("/.well-known/oauth-authorization-server").json()
    assert server["issuer"] == ISSUER and server["token_endpoint"] == TOKEN
    assert server["pre-authorized_grant_anonymous_access_supported"] is True
    assert server["grant_types_supported"] == [PRE_AUTHORIZED]


def test_the_offer_by_value_is_the_offer_by_reference(client: TestClient, college) -> None:
    page = client.get(_issue(client, college)["claimUrl"]).text
    by_reference = scan_offer_qr(page)
    assert f'href="{by_reference}"' in page
    [by_value_link] = [link for link in _hrefs(page) if link.startswith("openid-credential-offer://?credential_offer=")]
    by_value = json.loads(parse_qs(urlsplit(by_value_link).query)["credential_offer"][0])
    fetched = client.get(offer_uri_of(by_reference))
    assert fetched.headers["content-type"] == "application/json"
    assert fetched.headers["cache-control"] == "no-store"
    assert by_value == fetched.json()


def _hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_a_used_link_gives_no_second_wallet_its_credential(client: TestClient, college) -> None:
    claim_url = _issue(client, college)["claimUrl"]
    first, second = Wallet(client), Wallet(client)
    # Two offers from two page views, both exchanged for tokens before either wallet asks for the credential.
    first_token, second_token = _token(first, client, claim_url), _token(second, client, claim_url)
    late_offer = _offer_link(client, claim_url)

    nonce = first.nonce(NONCE)
    response = first.credential(CREDENTIAL, first_token, _request(first.holder.proof(aud=ISSUER, nonce=nonce)))
    assert response.status_code == 200, response.text

    nonce = second.nonce(NONCE)
    response = second.credential(CREDENTIAL, second_token, _request(second.holder.proof(aud=ISSUER, nonce=nonce)))
    _error(response, 400, "credential_request_denied")
    _error(second.token(TOKEN, _code(client, late_offer)), 400, "invalid_grant")

    page = client.get(claim_url)
    assert page.status_code == 200 and "offer-qr" not in page.text
    assert "You added this credential to a wallet" in page.text
    assert "Download" in page.text and "Add to LinkedIn profile" in page.text


def test_a_replayed_pre_authorized_code_is_invalid_grant(client: TestClient, college) -> None:
    wallet = Wallet(client)
    code = _code(client, _offer_link(client, _issue(client, college)["claimUrl"]))
    assert wallet.token(TOKEN, code).status_code == 200
    _error(wallet.token(TOKEN, code), 400, "invalid_grant")
    _error(wallet.token(TOKEN, "not-a-code-we-issued"), 400, "invalid_grant")
    # The offer itself is gone once its code is used.
    assert client.get(f"{ISSUER}/oid4vci/offers/{code}").status_code == 404


def test_token_requests_need_the_right_grant_and_parameters(client: TestClient, college) -> None:
    code = _code(client, _offer_link(client, _issue(client, college)["claimUrl"]))
    _error(client.post(TOKEN, data={"grant_type": "authorization_code", "code": code}), 400, "unsupported_grant_type")
    _error(client.post(TOKEN, data={"pre-authorized_code": code}), 400, "invalid_request")
    _error(client.post(TOKEN, data={"grant_type": PRE_AUTHORIZED}), 400, "invalid_request")
    _error(client.post(TOKEN, json={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code}), 400, "invalid_request")
    # No PIN was asked for, so sending one is a malformed request.
    _error(Wallet(client).token(TOKEN, code, tx_code="123456"), 400, "invalid_request")


def test_a_pin_is_needed_when_required_and_wrong_pins_lock_the_link(
    settings: Settings, empty_database: None, clock: Clock
) -> None:
    with TestClient(create_app(settings.model_copy(update={"claim_tx_code": "on"}), clock=clock)) as client:
        _, headers = make_issuer(client)
        issued = issue(client, headers, make_achievement(client, headers)["id"])
        pin = issued["claimTxCode"]
        assert pin and len(pin) == 6 and pin.isdigit()
        wallet = Wallet(client)
        offer_link = _offer_link(client, issued["claimUrl"])
        offer = wallet.offer(offer_link)
        assert offer["grants"][PRE_AUTHORIZED]["tx_code"] == {
            "input_mode": "numeric",
            "length": 6,
            "description": "Enter the PIN from the separate message your college sent you.",
        }
        code = offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
        _error(wallet.token(TOKEN, code), 400, "invalid_request")
        wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
        _error(wallet.token(TOKEN, code, wrong), 400, "invalid_grant")
        assert wallet.token(TOKEN, code, pin).status_code == 200  # a wallet may let the learner try again

        # Five wrong PINs lock the link: then even the right one is refused, and the page offers no wallet.
        other = issue(client, headers, make_achievement(client, headers, name="Forklift")["id"])
        link = _offer_link(client, other["claimUrl"])
        wrong = f"{(int(other['claimTxCode']) + 1) % 1_000_000:06d}"
        for _ in range(5):
            _error(wallet.token(TOKEN, _code(client, link), wrong), 400, "invalid_grant")
        response = wallet.token(TOKEN, _code(client, link), other["claimTxCode"])
        _error(response, 400, "invalid_grant")
        assert "too many wrong PINs" in response.json()["error_description"]
        page = client.get(other["claimUrl"]).text
        assert "offer-qr" not in page and "wrong PIN was entered too many times" in page

        # Re-sending the link gives a new PIN and unlocks it.
        resent = client.post(f"/api/v1/credentials/{other['id']}/claim/resend", headers=headers).json()
        credential = Wallet(client).claim(_offer_link(client, resent["claimUrl"]), tx_code=resent["claimTxCode"])
        assert _verify(client, credential)["verified"] is True


def test_codes_tokens_and_nonces_expire(client: TestClient, college, clock: Clock) -> None:
    claim_url = _issue(client, college)["claimUrl"]
    wallet = Wallet(client)

    code = _code(client, _offer_link(client, claim_url))
    clock.advance(minutes=10, seconds=1)
    _error(wallet.token(TOKEN, code), 400, "invalid_grant")
    assert client.get(f"{ISSUER}/oid4vci/offers/{code}").status_code == 404

    token = _token(wallet, client, claim_url)
    nonce = wallet.nonce(NONCE)
    clock.advance(minutes=5, seconds=1)
    proof = wallet.holder.proof(aud=ISSUER, nonce=nonce, iat=clock.now.timestamp())
    _error(wallet.credential(CREDENTIAL, token, _request(proof)), 400, "invalid_nonce")
    clock.advance(minutes=5)
    proof = wallet.holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE), iat=clock.now.timestamp())
    _error(wallet.credential(CREDENTIAL, token, _request(proof)), 401, "invalid_token")


def test_the_credential_endpoint_needs_a_live_access_token(client: TestClient, college) -> None:
    wallet = Wallet(client)
    proof = wallet.holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE))
    for token in (None, "not-a-token-we-issued"):
        response = wallet.credential(CREDENTIAL, token, _request(proof))
        _error(response, 401, "invalid_token")
        assert response.headers["www-authenticate"].startswith("Bearer")

    # A token works once: after the credential, it is spent.
    token = _token(wallet, client, _issue(client, college)["claimUrl"])
    assert wallet.credential(CREDENTIAL, token, _request(proof)).status_code == 200
    again = wallet.holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE))
    _error(wallet.credential(CREDENTIAL, token, _request(again)), 401, "invalid_token")


def test_proofs_need_a_fresh_nonce_the_issuer_as_audience_and_the_key_they_name(client: TestClient, college) -> None:
    wallet = Wallet(client)
    token = _token(wallet, client, _issue(client, college)["claimUrl"])
    holder = wallet.holder

    def refused(proof: str, code: str) -> str:
        response = wallet.credential(CREDENTIAL, token, _request(proof))
        _error(response, 400, code)
        return str(response.json()["error_description"])

    assert "fresh c_nonce" in refused(holder.proof(aud=ISSUER, nonce="made-up-nonce"), "invalid_nonce")
    assert "nonce" in refused(holder.proof(aud=ISSUER, nonce=None), "invalid_proof")
    assert "aud" in refused(
        holder.proof(aud="https://other-issuer.example", nonce=wallet.nonce(NONCE)), "invalid_proof"
    )
    # Signed by another key than the did:key its kid names.
    impostor = OKPKey.generate_key("Ed25519")
    assert "signature" in refused(holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE), signer=impostor), "invalid_proof")
    typ = holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE), header={"typ": "JWT"})
    assert "typ" in refused(typ, "invalid_proof")
    old = holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE), iat=0)
    assert "too old" in refused(old, "invalid_proof")
    private = holder.proof(
        aud=ISSUER, nonce=wallet.nonce(NONCE), use_jwk=True, header={"jwk": holder.key.as_dict(private=True)}
    )
    assert "private key" in refused(private, "invalid_proof")

    # A nonce is spent by the first request that uses it: replaying the proof is refused.
    proof = holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE))
    assert wallet.credential(CREDENTIAL, token, _request(proof)).status_code == 200
    other_token = _token(wallet, client, _issue(client, college)["claimUrl"])
    _error(wallet.credential(CREDENTIAL, other_token, _request(proof)), 400, "invalid_nonce")


def test_malformed_credential_requests_are_refused_without_spending_the_token(client: TestClient, college) -> None:
    wallet = Wallet(client)
    token = _token(wallet, client, _issue(client, college)["claimUrl"])
    proof = wallet.holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE))
    cases = [
        (
            {"credential_configuration_id": "UniversityDegree", "proofs": {"jwt": [proof]}},
            "unknown_credential_configuration",
        ),
        ({"credential_identifier": "x", "proofs": {"jwt": [proof]}}, "unknown_credential_identifier"),
        ({"proofs": {"jwt": [proof]}}, "invalid_credential_request"),
        ({"credential_configuration_id": CONFIGURATION}, "invalid_proof"),
        ({"credential_configuration_id": CONFIGURATION, "proofs": {"di_vp": [{}]}}, "invalid_proof"),
        (
            {"credential_configuration_id": CONFIGURATION, "proofs": {"jwt": [proof, proof]}},
            "invalid_credential_request",
        ),
        (_request(proof) | {"proof": {"proof_type": "jwt", "jwt": proof}}, "invalid_credential_request"),
    ]
    for body, code in cases:
        _error(wallet.credential(CREDENTIAL, token, body), 400, code)
    response = client.post(CREDENTIAL, content=b"{not json", headers={"Authorization": f"Bearer {token}"})
    _error(response, 400, "invalid_credential_request")
    # None of that spent the token or the nonce.
    assert wallet.credential(CREDENTIAL, token, _request(proof)).status_code == 200


@pytest.mark.parametrize(
    ("holder", "use_jwk", "did_prefix"),
    [
        (Holder.ed25519, True, "did:key:z6Mk"),  # an Ed25519 jwk header is bound as did:key
        (Holder.p256, True, "did:jwk:"),
        (Holder.p256, False, "did:jwk:"),  # kid: did:jwk:...#0
    ],
    ids=["ed25519-jwk", "p256-jwk", "p256-did-jwk"],
)
def test_the_older_single_proof_and_es256_did_jwk_keys(
    client: TestClient, college, holder, use_jwk, did_prefix
) -> None:
    wallet = Wallet(client, holder())
    token = _token(wallet, client, _issue(client, college)["claimUrl"])
    proof = wallet.holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE), use_jwk=use_jwk)
    # Draft 13 wallets: "format" instead of a configuration id, and a single "proof" object.
    body = {"format": "ldp_vc", "proof": {"proof_type": "jwt", "jwt": proof}}
    response = wallet.credential(CREDENTIAL, token, body)
    assert response.status_code == 200, response.text
    [issued] = response.json()["credentials"]
    subject_id = issued["credential"]["credentialSubject"]["id"]
    assert subject_id == wallet.holder.did and subject_id.startswith(did_prefix)
    assert _verify(client, issued["credential"])["verified"] is True


def test_a_credential_issued_to_a_did_goes_only_to_that_did(client: TestClient, college) -> None:
    owner = Holder.ed25519()
    recipient = {"name": "Sanne de Vries", "email": "sanne@learner.example", "did": owner.did}
    claim_url = _issue(client, college, recipient=recipient)["claimUrl"]
    stranger = Wallet(client)
    token = _token(stranger, client, claim_url)
    response = stranger.credential(
        CREDENTIAL, token, _request(stranger.holder.proof(aud=ISSUER, nonce=stranger.nonce(NONCE)))
    )
    _error(response, 400, "invalid_proof")
    wallet = Wallet(client, owner)
    response = wallet.credential(CREDENTIAL, token, _request(owner.proof(aud=ISSUER, nonce=wallet.nonce(NONCE))))
    assert response.status_code == 200
    assert response.json()["credentials"][0]["credential"]["credentialSubject"]["id"] == owner.did


def test_a_revoked_credential_is_not_offered_to_wallets(client: TestClient, college) -> None:
    headers, _ = college
    issued = _issue(client, college)
    wallet = Wallet(client)
    code = _code(client, _offer_link(client, issued["claimUrl"]))
    client.post(f"/api/v1/credentials/{issued['id']}/revoke", json={"reason": "issued in error"}, headers=headers)
    _error(wallet.token(TOKEN, code), 400, "invalid_grant")
    page = client.get(issued["claimUrl"]).text
    assert "offer-qr" not in page and "It is no longer valid" in page


OPENID_CREDENTIAL = {"type": "openid_credential", "credential_configuration_id": CONFIGURATION}


def test_authorization_details_grant_a_credential_identifier_that_fetches_the_credential(
    client: TestClient, college
) -> None:
    wallet = Wallet(client)
    code = _code(client, _offer_link(client, _issue(client, college)["claimUrl"]))
    response = wallet.token(TOKEN, code, authorization_details=[OPENID_CREDENTIAL])
    assert response.status_code == 200, response.text
    [granted] = response.json()["authorization_details"]
    [identifier] = granted.pop("credential_identifiers")
    assert granted == OPENID_CREDENTIAL and identifier.startswith("urn:vetcred:offer:")
    token = response.json()["access_token"]

    def request(**naming: str) -> dict[str, Any]:
        return naming | {"proofs": {"jwt": [wallet.holder.proof(aud=ISSUER, nonce=wallet.nonce(NONCE))]}}

    both = request(credential_identifier=identifier, credential_configuration_id=CONFIGURATION)
    _error(wallet.credential(CREDENTIAL, token, both), 400, "invalid_credential_request")
    with_format = request(credential_identifier=identifier, format="ldp_vc")
    _error(wallet.credential(CREDENTIAL, token, with_format), 400, "invalid_credential_request")
    other = request(credential_identifier="urn:vetcred:offer:someone-elses")
    _error(wallet.credential(CREDENTIAL, token, other), 400, "unknown_credential_identifier")

    # None of that spent the token: the granted identifier fetches the credential, bound to the wallet.
    response = wallet.credential(CREDENTIAL, token, request(credential_identifier=identifier))
    assert response.status_code == 200, response.text
    [issued] = response.json()["credentials"]
    assert issued["credential"]["credentialSubject"]["id"] == wallet.holder.did
    assert _verify(client, issued["credential"])["verified"] is True


def test_a_token_request_without_authorization_details_gets_none(client: TestClient, college) -> None:
    code = _code(client, _offer_link(client, _issue(client, college)["claimUrl"]))
    response = Wallet(client).token(TOKEN, code)
    assert response.status_code == 200 and "authorization_details" not in response.json()


def test_a_draft_13_authorization_details_entry_by_format_is_granted_too(client: TestClient, college) -> None:
    entry = {
        "type": "openid_credential",
        "format": "ldp_vc",
        "credential_definition": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
    }
    code = _code(client, _offer_link(client, _issue(client, college)["claimUrl"]))
    response = Wallet(client).token(TOKEN, code, authorization_details=[entry])
    [granted] = response.json()["authorization_details"]
    assert granted["format"] == "ldp_vc" and granted["credential_configuration_id"] == CONFIGURATION
    assert len(granted["credential_identifiers"]) == 1


@pytest.mark.parametrize(
    "details",
    [
        "not json",
        "{}",
        "[]",
        json.dumps([{"type": "openid_credential", "credential_configuration_id": "UniversityDegree"}]),
        json.dumps([{"type": "payment_initiation"}]),
        json.dumps(["openid_credential"]),
    ],
    ids=["not-json", "object", "empty", "unknown-configuration", "other-type", "not-an-object"],
)
def test_wrong_authorization_details_are_refused_before_the_code_is_spent(
    client: TestClient, college, details: str
) -> None:
    wallet = Wallet(client)
    code = _code(client, _offer_link(client, _issue(client, college)["claimUrl"]))
    _error(wallet.token(TOKEN, code, authorization_details=details), 400, "invalid_authorization_details")
    assert wallet.token(TOKEN, code, authorization_details=[OPENID_CREDENTIAL]).status_code == 200
