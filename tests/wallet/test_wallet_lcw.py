"""The Learner Credential Wallet's side of the VC-API exchange, played by an independent implementation
(tests/interop/js/lcw-exchange.js: Digital Bazaar's vc library, following LCW's own exchange code): from the claim
page's deep link to a credential bound to the wallet's DID, which vetcred's verifier and Digital Bazaar's
verifyCredential both verify, and whose status is the original's. A wrong challenge, a wrong domain, a presentation
signed by another key than the holder's DID and a replay are refused, and nothing is issued for them.

Needs Node.js and `npm ci --prefix tests/interop/js`; skips without them, fails without them in CI.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.factories import ADMIN, achievement_payload, credential_payload, issuer_payload
from tests.interop import node
from tests.servers import serving
from tests.wallet.wallet import scan_offer_qr

pytestmark = [pytest.mark.interop_js, pytest.mark.usefixtures("zbar")]  # QR codes: libzbar0

WALLET_SEED = "11" * 32
OTHER_SEED = "22" * 32


@pytest.fixture(autouse=True)
def _node() -> None:
    node.require()


@pytest.fixture
def live_server(settings: Settings, empty_database: None) -> Iterator[str]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, _app):
        yield base


def _issued(base: str) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    college = httpx.post(f"{base}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
    headers = {"Authorization": f"Bearer {college['apiKey']}"}
    achievement = httpx.post(f"{base}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
    issued = httpx.post(f"{base}/api/v1/credentials", json=credential_payload(achievement["id"]), headers=headers)
    assert issued.status_code == 201, issued.text
    return college, headers, issued.json()


def _deep_link(claim_url: str) -> str:
    """The claim page's "Add to Learner Credential Wallet" link, checked to be what its QR code holds."""
    page = httpx.get(claim_url).text
    match = re.search(r'<a href="(dccrequest://[^"]+)">', page)
    assert match, "the claim page offers no Learner Credential Wallet link"
    link = html.unescape(match.group(1))
    assert scan_offer_qr(page, figure="lcw-qr") == link
    return link


def _wallet(deep_link: str, **job: Any) -> dict[str, Any]:
    request = {"deepLink": deep_link, "suite": "Ed25519Signature2020", "seed": WALLET_SEED, "version": 1} | job
    return dict(node.run("lcw-exchange.js", request))


def _refused(answer: dict[str, Any], status: int, error: str, words: str) -> None:
    assert answer["status"] == status, answer
    body = answer["body"]
    assert body["error"] == error and body["status"] == status and words in body["detail"], body
    assert "verifiablePresentation" not in body


@pytest.mark.parametrize(
    ("suite", "version"), [("Ed25519Signature2020", 1), ("eddsa-rdfc-2022", 2)], ids=["lcw-ed25519-2020", "eddsa"]
)
def test_the_wallet_receives_the_credential_bound_to_its_did_sharing_the_originals_status(
    live_server: str, suite: str, version: int
) -> None:
    base = live_server
    college, headers, issued = _issued(base)

    seen = _wallet(_deep_link(issued["claimUrl"]), suite=suite, version=version, replay=True)

    request = seen["request"]
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert {"method": "key"} in request["query"][0]["acceptedMethods"]
    assert request["domain"] == base.removeprefix("http://")
    assert len(request["challenge"]) >= 32
    assert seen["answer"]["status"] == 200, seen["answer"]
    presented = seen["answer"]["body"]["verifiablePresentation"]
    assert presented["type"] == ["VerifiablePresentation"]
    [credential] = presented["verifiableCredential"]  # LCW takes verifiableCredential[0]
    assert credential["credentialSubject"]["id"] == seen["did"]
    assert credential["credentialStatus"] == issued["credential"]["credentialStatus"]
    assert credential["id"] != issued["credential"]["id"]
    assert httpx.post(f"{base}/api/v1/verify", json=credential).json()["verified"] is True

    did_document = httpx.get(college["didDocumentUrl"])
    [digital_bazaar] = node.run(
        "verify.js",
        {
            "documents": {college["did"]: did_document.json()},
            "credentials": [credential],
            "now": datetime.now(UTC).isoformat(),
        },
    )
    assert digital_bazaar["verified"] is True, digital_bazaar

    # Replayed: the exchange issued once and is spent.
    _refused(seen["replayed"], 410, "exchange_gone", "already completed")
    claim = httpx.get(f"{base}/api/v1/credentials/{issued['id']}/claim", headers=headers).json()
    assert claim["state"] == "used"
    assert [h["holderDid"] for h in claim["holderCredentials"]] == [seen["did"]]

    revoked = httpx.post(f"{base}/api/v1/credentials/{issued['id']}/revoke", json={"reason": "test"}, headers=headers)
    assert revoked.status_code == 200, revoked.text
    report = httpx.post(f"{base}/api/v1/verify", json=credential).json()
    assert report["verified"] is False and report["verdict"] == "revoked", report


@pytest.mark.parametrize(
    ("job", "words"),
    [
        ({"challenge": "an-old-challenge"}, "challenge is 'an-old-challenge'"),
        ({"domain": "evil.example"}, "domain is 'evil.example'"),
        ({"signSeed": OTHER_SEED}, "controller does not match holder"),
    ],
    ids=["wrong-challenge", "wrong-domain", "another-key"],
)
def test_a_presentation_not_made_for_this_exchange_by_the_holder_is_refused_and_nothing_is_issued(
    live_server: str, job: dict[str, Any], words: str
) -> None:
    base = live_server
    _college, headers, issued = _issued(base)

    seen = _wallet(_deep_link(issued["claimUrl"]), **job)

    _refused(seen["answer"], 400, "invalid_presentation", words)
    claim = httpx.get(f"{base}/api/v1/credentials/{issued['id']}/claim", headers=headers).json()
    assert claim["state"] == "open" and claim["holderCredentials"] == []
    # The learner can still take the credential with the same wallet, properly.
    assert _wallet(_deep_link(issued["claimUrl"]))["answer"]["status"] == 200
