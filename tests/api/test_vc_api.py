"""The VC-API exchange endpoint's contract (the Learner Credential Wallet's path): the deep link on the claim page,
the presentation request, and every refusal as an RFC 9457 problem with a precise detail. Signed presentations, and
the whole flow, are in tests/wallet/test_wallet_lcw.py (an independent implementation signs them)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.logs import redact
from app.main import create_app
from tests.factories import issue, make_achievement, make_issuer
from tests.wallet.wallet import Clock

PUBLIC = "https://vetcred.test"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(settings: Settings, empty_database: None, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def _issued(client: TestClient) -> tuple[dict[str, Any], dict[str, str]]:
    _, headers = make_issuer(client)
    return issue(client, headers, make_achievement(client, headers)["id"]), headers


def _lcw_request(client: TestClient, claim_url: str) -> dict[str, Any] | None:
    """The CHAPI-style request in the claim page's LCW deep link, as LCW's deepLink.ts parses it; None without one."""
    page = client.get(claim_url.removeprefix(PUBLIC))
    assert page.status_code == 200, page.text
    match = re.search(r'<a href="(dccrequest://request\?[^"]+)">', page.text)
    if match is None:
        return None
    [request] = parse_qs(urlsplit(unescape(match.group(1))).query)["request"]
    return dict(json.loads(request))


def _exchange(client: TestClient, claim_url: str) -> str:
    request = _lcw_request(client, claim_url)
    assert request is not None, "the claim page offers no Learner Credential Wallet link"
    return str(request["protocols"]["vcapi"]).removeprefix(PUBLIC)


def _problem(response: Any, status: int, error: str, words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["status"] == status and body["error"] == error and words in body["detail"], body
    assert body["type"] == "about:blank" and body["title"]


def test_the_claim_page_links_lcw_to_an_exchange_of_this_service(client: TestClient) -> None:
    issued, _ = _issued(client)

    request = _lcw_request(client, issued["claimUrl"])

    assert request is not None
    assert request["credentialRequestOrigin"] == PUBLIC
    assert re.fullmatch(rf"{PUBLIC}/exchanges/[A-Za-z0-9_-]{{43}}", request["protocols"]["vcapi"])


def test_the_exchange_asks_for_did_authentication_with_a_fresh_challenge_each_time(client: TestClient) -> None:
    issued, _ = _issued(client)
    url = _exchange(client, issued["claimUrl"])

    first = client.post(url, json={})
    second = client.post(url, json={})

    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    request = first.json()["verifiablePresentationRequest"]
    assert request["query"] == [
        {
            "type": "DIDAuthentication",
            "acceptedMethods": [{"method": "key"}, {"method": "jwk"}],
            "acceptedCryptosuites": [{"cryptosuite": "Ed25519Signature2020"}, {"cryptosuite": "eddsa-rdfc-2022"}],
        }
    ]
    assert request["domain"] == "vetcred.test"
    assert request["interact"] == {
        "service": [{"type": "UnmediatedHttpPresentationService2021", "serviceEndpoint": PUBLIC + url}]
    }
    assert second.json()["verifiablePresentationRequest"]["challenge"] != request["challenge"]


def test_a_link_with_a_pin_gets_no_lcw_exchange(settings: Settings, empty_database: None, clock: Clock) -> None:
    """VC-API exchanges have no step for the PIN: offering one would bypass it."""
    with TestClient(create_app(settings.model_copy(update={"claim_tx_code": "on"}), clock=clock)) as client:
        issued, _ = _issued(client)
        assert issued["claimTxCode"]
        assert _lcw_request(client, issued["claimUrl"]) is None
        assert "openid-credential-offer://" in client.get(issued["claimUrl"].removeprefix(PUBLIC)).text


def test_an_unknown_exchange_is_404(client: TestClient) -> None:
    _problem(client.post("/exchanges/not-a-reference", json={}), 404, "unknown_exchange", "no exchange")


@pytest.mark.parametrize("body", [b"[1]", b"not json", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_refused(client: TestClient, body: bytes) -> None:
    issued, _ = _issued(client)
    url = _exchange(client, issued["claimUrl"])
    response = client.post(url, content=body, headers={"Content-Type": "application/json"})
    _problem(response, 400, "invalid_request", "must be a JSON object")


def test_a_presentation_before_the_request_is_refused(client: TestClient) -> None:
    issued, _ = _issued(client)
    url = _exchange(client, issued["claimUrl"])
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]}
    _problem(client.post(url, json={"verifiablePresentation": vp}), 400, "invalid_request", "POST {} to this")


@pytest.mark.parametrize(
    ("vp", "words"),
    [
        ("a string", "must be a JSON object"),
        (
            {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]},
            "has no proof",
        ),
        (
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [{"id": "urn:uuid:1"}],
            },
            "carries no credentials",
        ),
        ({"@context": ["https://example.org"], "type": ["VerifiablePresentation"]}, "first @context"),
    ],
    ids=["not-an-object", "unsigned", "with-credentials", "not-a-vc-presentation"],
)
def test_a_presentation_that_proves_no_holder_is_refused_and_nothing_is_issued(
    client: TestClient, vp: Any, words: str
) -> None:
    issued, headers = _issued(client)
    url = _exchange(client, issued["claimUrl"])
    assert client.post(url, json={}).status_code == 200

    _problem(client.post(url, json={"verifiablePresentation": vp}), 400, "invalid_presentation", words)

    claim = client.get(f"/api/v1/credentials/{issued['id']}/claim", headers=headers).json()
    assert claim["state"] == "open" and claim["holderCredentials"] == []


def test_an_exchange_expires_with_the_offer_beside_it(client: TestClient, clock: Clock, settings: Settings) -> None:
    issued, _ = _issued(client)
    url = _exchange(client, issued["claimUrl"])
    clock.now += timedelta(seconds=settings.oid4vci_code_ttl_seconds)
    _problem(client.post(url, json={}), 410, "exchange_gone", "expired: reload the claim page")


def test_a_revoked_credential_is_not_exchanged(client: TestClient) -> None:
    issued, headers = _issued(client)
    url = _exchange(client, issued["claimUrl"])
    revoked = client.post(f"/api/v1/credentials/{issued['id']}/revoke", json={"reason": "test"}, headers=headers)
    assert revoked.status_code == 200, revoked.text
    _problem(client.post(url, json={}), 410, "exchange_gone", "the credential is revoked")


def test_a_replaced_claim_link_closes_its_exchanges(client: TestClient) -> None:
    issued, headers = _issued(client)
    url = _exchange(client, issued["claimUrl"])
    assert client.post(f"/api/v1/credentials/{issued['id']}/claim/reissue", headers=headers).status_code == 201
    _problem(client.post(url, json={}), 410, "exchange_gone", "replaced this claim link")


def test_logs_never_show_an_exchange_reference() -> None:
    """The exchange URL is a bearer capability, like the claim link it came from."""
    line = '"POST /exchanges/3N46blDq615UDW2f_5yqvuH5AtkfSrUS-TfCBT-hRbk HTTP/1.1" 200'
    assert redact(line) == '"POST /exchanges/<redacted> HTTP/1.1" 200'
