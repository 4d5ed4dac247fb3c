"""An employer asks a learner's wallet for credentials over OpenID4VP 1.0, and the wallet's side is an independent
implementation (tests/interop/js/openid4vp-wallet.js: OpenWallet Foundation's oid4vc-ts parses and resolves the
request, its DCQL library picks the held credentials the query matches, Digital Bazaar's vc library signs each
presentation). The employer's page turns to the verified answer; a presentation made for another request or
verifier, a tampered credential, a declined request, a replayed answer, a wrong state and a malformed vp_token are
each handled as the specification and the employer expect.

Needs Node.js and `npm ci --prefix tests/interop/js`; skips without them, fails without them in CI.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from app.config import Settings
from app.db.models import PresentationRequest
from app.errors import KeyMaterialError
from app.issuers.master_key import rotate
from app.logs import redact
from app.main import create_app
from app.proofs.keys import MasterKey
from app.wallet.openid4vp import (
    ANSWER_KEPT,
    ANSWER_WITHIN,
    MAX_PRESENTATIONS,
    OPEN_BADGE_TYPE,
    VC_TYPE,
    read_answer,
)
from tests.factories import issue, make_achievement, make_issuer
from tests.interop import node
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving
from tests.verification.holder import HOLDER, HOLDER_SEED, OTHER_SEED
from tests.wallet.wallet import Clock, scan_offer_qr

pytestmark = [pytest.mark.interop_js, pytest.mark.usefixtures("zbar")]  # QR codes: libzbar0

NOT_AN_OPEN_BADGE = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "issuer": "did:example:library",
    "credentialSubject": {"id": HOLDER},
}


@pytest.fixture(autouse=True)
def _node() -> None:
    node.require()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def live(settings: Settings, empty_database: None, clock: Clock) -> Iterator[tuple[str, Any]]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}), clock=clock)) as served:
        yield served


@pytest.fixture
def live_server(live: tuple[str, Any]) -> str:
    return str(live[0])


def _issued(http: httpx.Client, college: str, achievement: str) -> dict[str, Any]:
    """A credential ``college`` issues to the holder's DID: its id, the college's headers, the credential."""
    _, headers = make_issuer(http, name=college)  # type: ignore[arg-type]  # httpx.Client speaks TestClient's API
    achievement_id = make_achievement(http, headers, name=achievement)["id"]  # type: ignore[arg-type]
    recipient = {"name": "Sanne de Vries", "email": "sanne@learner.example", "did": HOLDER}
    body = issue(http, headers, achievement_id, recipient=recipient)  # type: ignore[arg-type]
    return {"id": body["id"], "headers": headers, "credential": body["credential"]}


@pytest.fixture
def held(live_server: str) -> list[dict[str, Any]]:
    with httpx.Client(base_url=live_server) as http:
        return [
            _issued(http, "Noorderpoort College", "Welding Safety Basics"),
            _issued(http, "Rijnmond Vakcollege", "Forklift Operation"),
        ]


def _ask(base: str, requester: str = "Acme Installers") -> tuple[str, str]:
    """The employer presses "Make a request": their page's address, and the request its link and QR code hold."""
    made = httpx.post(f"{base}/request", data={"requester": requester})
    assert made.status_code == 303, made.text
    page_url = base + made.headers["location"].split("?")[0]
    page = httpx.get(page_url)
    assert page.status_code == 200 and "Waiting for the learner" in page.text
    match = re.search(r'<a href="(openid4vp://[^"]+)">', page.text)
    assert match, "the page offers no same-device link"
    link = match.group(1).replace("&amp;", "&")
    assert scan_offer_qr(page.text, figure="request-qr") == link
    return page_url, link


def _qr_modules(html: str) -> int:
    """Modules a side of the request's QR code (4 pixels a module, a quiet zone of 4 modules each side)."""
    png = re.search(r'<figure class="qr request-qr">\s*<img src="data:image/png;base64,([^"]+)"', html)
    assert png
    with Image.open(io.BytesIO(base64.b64decode(png.group(1)))) as image:
        return image.width // 4 - 8


def _wallet(link: str, credentials: list[dict[str, Any]], **job: Any) -> dict[str, Any]:
    request = {"request": link, "seed": HOLDER_SEED.hex(), "credentials": credentials} | job
    return dict(node.run("openid4vp-wallet.js", request))


def _parameters(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


def test_the_employers_page_turns_to_the_verified_answer_and_follows_a_later_revocation(
    live_server: str, held: list[dict[str, Any]]
) -> None:
    page_url, link = _ask(live_server)
    asked = _parameters(link)
    response_uri = asked["response_uri"]
    assert response_uri.startswith(f"{live_server}/openid4vp/responses/")
    assert asked["client_id"] == "redirect_uri:" + response_uri
    assert (asked["response_type"], asked["response_mode"]) == ("vp_token", "direct_post")
    assert json.loads(asked["dcql_query"])["credentials"][0]["meta"] == {"type_values": [[VC_TYPE, OPEN_BADGE_TYPE]]}
    assert json.loads(asked["client_metadata"])["client_name"] == "Acme Installers (vetcred)"
    # On a screen, nothing stains the code: low error correction keeps a 1 kB request at version 23, not 32.
    assert _qr_modules(httpx.get(page_url).text) <= 17 + 4 * 23
    # The page's address is not in the request: reading the QR code opens nothing of the employer's.
    assert urlsplit(page_url).path.rsplit("/", 1)[1] not in link

    wallet = _wallet(link, [held[0]["credential"], NOT_AN_OPEN_BADGE, held[1]["credential"]], replay=True)

    # oid4vc-ts resolved the request as OpenID4VP 1.0 with the redirect_uri prefix; DCQL matched the two badges.
    assert wallet["request"]["nonce"] == asked["nonce"] and wallet["matched"] == [0, 2]
    assert wallet["answer"] == {"status": 200, "body": {"redirect_uri": f"{live_server}/request/sent"}}
    replayed = wallet["replayed"]
    assert replayed["status"] == 400 and replayed["body"]["error"] == "invalid_request"
    assert "already answered" in replayed["body"]["error_description"]
    assert httpx.get(page_url + "/state").json() == {"state": "answered"}

    page = httpx.get(page_url)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert "2 of 2 credentials verified" in text
    assert text.count("Holder verified") == 2 and text.count("It was issued to the holder who presented it.") == 2
    assert "Welding Safety Basics" in text and "Forklift Operation" in text
    assert "Noorderpoort College" in text and "Rijnmond Vakcollege" in text
    assert "Sanne de Vries" in text

    revoked = httpx.post(
        f"{live_server}/api/v1/credentials/{held[1]['id']}/revoke", json={"reason": "x"}, headers=held[1]["headers"]
    )
    assert revoked.status_code == 200, revoked.text
    again = httpx.get(page_url).text
    assert "1 of 2 credentials verified" in again and "Revoked" in again


@pytest.mark.parametrize(
    ("override", "check"),
    [({"challenge": "a-nonce-of-another-request"}, "Challenge"), ({"domain": "https://other.example"}, "Domain")],
    ids=["other-nonce", "other-verifier"],
)
def test_a_presentation_made_for_another_request_or_verifier_is_shown_not_valid(
    live_server: str, held: list[dict[str, Any]], override: dict[str, str], check: str
) -> None:
    page_url, link = _ask(live_server)
    wallet = _wallet(link, [held[0]["credential"]], **override)
    assert wallet["answer"]["status"] == 200  # taken: the employer is shown why it fails
    text = httpx.get(page_url).text
    assert "0 of 1 credential verified" in text and "Presentation not valid" in text
    assert re.search(rf"Failed</span> <span class=\"check-label\">{check}</span>", text), text


def test_a_presentation_signed_by_another_key_and_a_tampered_credential_are_not_valid(
    live_server: str, held: list[dict[str, Any]]
) -> None:
    page_url, link = _ask(live_server)
    _wallet(link, [held[0]["credential"], held[1]["credential"]], tamper=1)
    text = httpx.get(page_url).text
    assert "1 of 2 credentials verified" in text and "Not valid" in text

    page_url, link = _ask(live_server)
    _wallet(link, [held[0]["credential"]], signSeed=OTHER_SEED.hex())
    text = httpx.get(page_url).text
    assert "0 of 1 credential verified" in text and "Presentation not valid" in text


def test_a_learner_who_declines_is_shown_as_declining(live_server: str, held: list[dict[str, Any]]) -> None:
    page_url, link = _ask(live_server, requester="")
    assert "client_name" in (metadata := json.loads(_parameters(link)["client_metadata"]))
    assert metadata["client_name"] == "vetcred"  # no name given: the service's
    wallet = _wallet(link, [held[0]["credential"]], decline=True)
    assert wallet["answer"]["status"] == 200
    text = httpx.get(page_url).text
    assert "The learner sent no credentials" in text and "declined the request in their wallet" in text


def _post(base: str, link: str, **form: str) -> httpx.Response:
    return httpx.post(_parameters(link)["response_uri"], data=form)


def test_responses_the_endpoint_refuses_change_nothing(live_server: str, clock: Clock) -> None:
    page_url, link = _ask(live_server)
    state = _parameters(link)["state"]
    refusals = [
        ({"vp_token": "{}", "state": "not-the-state"}, "state is not this request's state"),
        ({"vp_token": "not json", "state": state}, "vp_token is not JSON"),
        ({"vp_token": "[" * 100_000 + "]" * 100_000, "state": state}, "nested too deeply"),
        ({"vp_token": '{"other": [{}]}', "state": state}, "queries this request did not make: other"),
        ({"vp_token": '{"microcredentials": []}', "state": state}, "must be a non-empty array"),
        ({"vp_token": '{"microcredentials": [1]}', "state": state}, "a JSON object or a JWT string"),
        (
            {"vp_token": json.dumps({"microcredentials": [{}] * (MAX_PRESENTATIONS + 1)}), "state": state},
            f"at most {MAX_PRESENTATIONS}",
        ),
        ({"state": state}, "neither vp_token nor error"),
    ]
    for form, words in refusals:
        refused = _post(live_server, link, **form)
        assert refused.status_code == 400, (form, refused.text)
        assert refused.json()["error"] == "invalid_request" and words in refused.json()["error_description"]
    assert httpx.get(page_url + "/state").json() == {"state": "waiting"}

    unknown = httpx.post(f"{live_server}/openid4vp/responses/nothing-here", data={"state": state, "vp_token": "{}"})
    assert unknown.status_code == 404 and unknown.json()["error"] == "invalid_request"
    assert httpx.get(f"{live_server}/request/not-a-request").status_code == 404

    clock.advance(seconds=ANSWER_WITHIN.total_seconds())
    late = _post(live_server, link, state=state, error="access_denied")
    assert late.status_code == 400 and "expired" in late.json()["error_description"]
    assert httpx.get(page_url + "/state").json() == {"state": "expired"}
    assert "This request has expired" in httpx.get(page_url).text


def test_an_answer_is_encrypted_at_rest_survives_a_master_key_rotation_and_is_deleted_after_an_hour(
    live: tuple[str, Any], held: list[dict[str, Any]], clock: Clock
) -> None:
    base, app = live
    page_url, link = _ask(base)
    _wallet(link, [held[0]["credential"]])
    runtime = app.state.runtime
    with runtime.transaction() as session:
        [row] = session.scalars(select(PresentationRequest)).all()
        assert row.answer_encrypted is not None and b"Sanne" not in row.answer_encrypted
        old, new = runtime.master_key, MasterKey.generate()
        assert rotate(session, old, new).presentation_answers == 1
        answer = read_answer(row, new)
        assert answer is not None and len(answer.presentations) == 1
        with pytest.raises(KeyMaterialError):
            read_answer(row, old)
        rotate(session, new, old)  # back, for the running service's key
    assert "1 of 1 credential verified" in httpx.get(page_url).text

    clock.advance(seconds=ANSWER_KEPT.total_seconds() + 1)
    assert httpx.get(page_url).status_code == 404
    _ask(base)  # a new request purges what is past its time
    with runtime.transaction() as session:
        assert len(session.scalars(select(PresentationRequest)).all()) == 1


def test_the_form_explains_and_a_name_too_long_is_refused(live_server: str) -> None:
    form = httpx.get(f"{live_server}/request?lang=nl")
    assert form.status_code == 200 and form.headers["content-language"] == "nl"
    assert 'action="/request?lang=nl"' in form.text and 'name="requester"' in form.text
    refused = httpx.post(f"{live_server}/request", data={"requester": "x" * 121})
    assert refused.status_code == 422 and "at most 120 characters" in refused.text
    assert 'aria-invalid="true"' in refused.text


def test_in_a_browser_the_waiting_page_turns_by_itself_to_the_verified_answer(
    live_server: str, held: list[dict[str, Any]], chromium: str
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        refused: list[str] = []  # what the Content-Security-Policy blocks is reported on the console
        page.on("console", lambda message: refused.append(message.text) if "Content Security" in message.text else None)
        failed: list[str] = []  # the page's script and its state requests (no favicon is served: not the page's)
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
        page.goto(f"{live_server}/request")
        page.fill("#requester", "Acme Installers")
        page.click("button[type=submit]")
        page.wait_for_selector('h1:has-text("Waiting for the learner\'s wallet")')
        link = page.get_attribute("a[href^='openid4vp://']", "href")
        assert link is not None
        _wallet(link, [held[0]["credential"], held[1]["credential"]])
        # No reload by the test: the page's own script sees the answer and shows it.
        page.wait_for_selector("h1:has-text('2 of 2 credentials verified')", timeout=20_000)
        assert page.locator(".presentation .verdict-verified").count() == 4  # two holders, two credentials
        browser.close()
    assert not refused and not failed, (refused, failed)


def test_access_logs_never_show_a_request_page_or_response_uri_secret() -> None:
    page = '127.0.0.1 - "GET /request/Zq9-viewer_token/state HTTP/1.1" 200'
    assert redact(page) == '127.0.0.1 - "GET /request/<redacted>/state HTTP/1.1" 200'
    answer = '127.0.0.1 - "POST /openid4vp/responses/aD0u-reference HTTP/1.1" 200'
    assert redact(answer) == '127.0.0.1 - "POST /openid4vp/responses/<redacted> HTTP/1.1" 200'
