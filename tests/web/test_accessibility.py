"""WCAG 2.1 AA on every public page: axe-core in a real Chromium, 0 serious or critical violations.

One app, one browser, every page a visitor can reach (each verification verdict, the claim and learner pages, a
portfolio and a withdrawn one, the catalogue, a micro-credential, /verify empty and with results - a credential's and a
presentation's -, an employer's request for credentials waiting, answered and declined, the error pages), in English
and Finnish, on a desktop and a phone viewport. axe-core is Deque's
engine, pinned in tests/interop/js/package.json and installed by
``npm ci --prefix tests/interop/js`` (.ci/run does it); it is injected into each page, so Node.js itself is not
needed at run time. Without Chromium, Playwright or axe-core the test skips, unless VETCRED_REQUIRE_INTEROP=1 (CI),
where it fails instead.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from jwcrypto import jwk, jwt

from app.config import Settings
from app.main import create_app
from app.proofs.dids import did_jwk
from tests.api.test_branding import GREEN_RECT, svg
from tests.factories import (
    ADMIN,
    achievement_payload,
    assessment_row,
    credential_payload,
    issuer_payload,
    microcredential_payload,
)
from tests.forgery import resign_as
from tests.interop.node import JS_DIR
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving

AXE = JS_DIR / "node_modules" / "axe-core" / "axe.min.js"
# The success criteria of WCAG 2.0 and 2.1, levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
LANGUAGES = ("en", "fi")
CHALLENGE = "accessibility-check"
VERDICTS = ("verified", "revoked")
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _missing() -> str | None:
    if not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not AXE.is_file():
        return f"axe-core is not installed (npm ci --prefix {JS_DIR})"
    return None


@pytest.fixture
def live_server(settings: Settings, empty_database: None) -> Iterator[str]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, _app):
        yield base


def _json(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _pages(base: str) -> dict[str, str | Callable[[Any, str], None]]:
    """Every kind of public page, by name: a URL, or the steps that reach it (a form a visitor submits)."""
    http = httpx.Client(timeout=60)  # a busy test machine may sign slowly
    college = _json(http.post(f"{base}/api/v1/issuers", json=issuer_payload(allowSuspension=True), headers=ADMIN))
    headers = {"Authorization": f"Bearer {college['apiKey']}"}
    # The college's own colours and logo on its pages: their contrast and alternative text are checked too.
    branding = {"displayName": "Rijnmond Vakcollege", "primaryColour": "#006644", "accentColour": "#7a1f5c"}
    assert http.put(f"{base}/api/v1/issuers/me/branding", json=branding, headers=headers).status_code == 200
    logo = http.put(
        f"{base}/api/v1/issuers/me/branding/logo",
        content=svg(GREEN_RECT),
        headers=headers | {"Content-Type": "image/svg+xml"},
    )
    assert logo.status_code == 200, logo.text
    achievement = _json(http.post(f"{base}/api/v1/achievements", json=achievement_payload(), headers=headers))

    def issue(**over: Any) -> dict[str, Any]:
        payload = credential_payload(achievement["id"], **over)
        return dict(_json(http.post(f"{base}/api/v1/credentials", json=payload, headers=headers)))

    valid, revoked, suspended = issue(), issue(), issue()
    expired = issue(validFrom="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z")
    for credential, action in ((revoked, "revoke"), (suspended, "suspend")):
        changed = http.post(
            f"{base}/api/v1/credentials/{credential['id']}/{action}", json={"reason": "x"}, headers=headers
        )
        assert changed.status_code == 200, changed.text
    spec = _json(http.post(f"{base}/api/v1/microcredentials", json=microcredential_payload(), headers=headers))
    micro = _json(
        http.post(f"{base}/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers)
    )
    genuine = http.get(f"{valid['verifyUrl']}.json").json()
    # A wallet's presentation (a JWT made with jwcrypto) of a credential issued to its DID and of one that is not.
    wallet = jwk.JWK.generate(kty="EC", crv="P-256")
    holder = did_jwk(wallet.export_public(as_dict=True))
    own = issue(recipient={"name": "Sanne de Vries", "email": "sanne@learner.example", "did": holder})["credential"]
    presentation = jwt.JWT(
        header={"alg": "ES256", "kid": f"{holder}#0"},
        claims={
            "iss": holder,
            "nonce": CHALLENGE,
            "iat": int(time.time()),
            "vp": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [own, genuine],
            },
        },
    )
    presentation.make_signed_token(wallet)
    # A portfolio of a verified and a revoked credential of this college and an uploaded sealed EDC; a withdrawn one.
    claim = valid["claimUrl"]
    edc = http.get(f"{micro['credentials'][1]['verifyUrl']}.json").text
    made = http.post(f"{claim}/portfolio", data={"credential": [valid["id"], revoked["id"]], "pasted": edc})
    assert made.status_code == 201, made.text
    portfolio = re.search(r'href="([^"]+/p/[\w-]+)"', made.text).group(1)  # type: ignore[union-attr]
    withdrawn = http.post(f"{claim}/portfolio", data={"credential": [valid["id"]]})
    assert withdrawn.status_code == 201, withdrawn.text
    withdrawn_url = re.search(r'href="([^"]+/p/[\w-]+)"', withdrawn.text).group(1)  # type: ignore[union-attr]
    ids = re.findall(r"/portfolio/([\w-]+)/withdraw", http.get(f"{claim}/all").text)
    for portfolio_id in ids[:1]:  # the newest first: the second one
        assert http.post(f"{claim}/portfolio/{portfolio_id}/withdraw").status_code in (200, 303)
    assert http.get(withdrawn_url).status_code == 410 and http.get(portfolio).status_code == 200
    # An employer's requests: one waiting, one the wallet answered (a VP-JWT made for it), one the learner declined.
    requests = [_employer_request(http, base) for _ in range(3)]
    answered, declined = requests[1], requests[2]
    made_for_it = jwt.JWT(
        header={"alg": "ES256", "kid": f"{holder}#0"},
        claims={
            "iss": holder,
            "nonce": answered["nonce"],
            "aud": answered["client_id"],
            "iat": int(time.time()),
            "vp": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [own],
            },
        },
    )
    made_for_it.make_signed_token(wallet)
    vp_token = json.dumps({"microcredentials": [made_for_it.serialize()]})
    sent = http.post(answered["response_uri"], data={"vp_token": vp_token, "state": answered["state"]})
    assert sent.status_code == 200, sent.text
    sent = http.post(declined["response_uri"], data={"error": "access_denied", "state": declined["state"]})
    assert sent.status_code == 200, sent.text
    http.close()

    def pasted(text: str, challenge: str = "") -> Callable[[Any, str], None]:
        def submit(page: Any, language: str) -> None:
            page.goto(f"{base}/verify?lang={language}")
            page.fill("textarea", text)
            page.fill("#challenge", challenge)
            page.click("button[type=submit]")

        return submit

    return {
        "verification: verified": valid["verifyUrl"],
        "verification: revoked": revoked["verifyUrl"],
        "verification: suspended": suspended["verifyUrl"],
        "verification: expired": expired["verifyUrl"],
        "verification: micro-credential (EDC)": micro["credentials"][1]["verifyUrl"],
        "verification: unknown signer": pasted(json.dumps(resign_as(genuine))),
        "verify: empty": f"{base}/verify",
        "verify: a result": pasted(json.dumps(genuine)),
        "verify: a presentation": pasted(presentation.serialize(), CHALLENGE),
        "verify: not JSON (422)": pasted("{not json"),
        "claim": valid["claimUrl"],
        "learner": f"{valid['claimUrl']}/all",
        "portfolio": portfolio,
        "portfolio withdrawn (410)": withdrawn_url,
        "catalogue": f"{base}/catalogue",
        "micro-credential": spec["uri"],
        "not found (404)": f"{base}/v/no-such-token",
        "request: start": f"{base}/request",
        "request: waiting": requests[0]["page"],
        "request: answered": answered["page"],
        "request: declined": declined["page"],
        "request: sent": f"{base}/request/sent",
    }


def _employer_request(http: httpx.Client, base: str) -> dict[str, str]:
    """An employer's request made on its form: its page, and the request's parameters its link holds."""
    made = http.post(f"{base}/request", data={"requester": "Acme Installers"})
    assert made.status_code == 303, made.text
    page = base + made.headers["location"].split("?")[0]
    link = re.search(r'<a href="(openid4vp://[^"]+)">', http.get(page).text).group(1)  # type: ignore[union-attr]
    return dict(parse_qsl(urlsplit(html.unescape(link)).query)) | {"page": page}


# Without CSS selectors for every node checked, axe runs about twice as fast; a failing rule is run again with them,
# so that the message can say which elements fail.
AXE_RUN = """([tags, rules, selectors]) => axe.run(document, {
    runOnly: rules.length ? {type: 'rule', values: rules} : {type: 'tag', values: tags},
    resultTypes: ['violations'], selectors: selectors, elementRef: false})"""


def _violations(page: Any) -> list[dict[str, Any]]:
    results = page.evaluate(AXE_RUN, [WCAG_AA, [], False])
    failing = [v["id"] for v in results["violations"] if v["impact"] in BLOCKING]
    if not failing:
        return []
    return [v for v in page.evaluate(AXE_RUN, [WCAG_AA, failing, True])["violations"] if v["impact"] in BLOCKING]


def _require() -> None:
    reason = _missing()
    if reason:
        if os.environ.get("VETCRED_REQUIRE_INTEROP") == "1":
            pytest.fail(f"VETCRED_REQUIRE_INTEROP=1 but {reason}")
        pytest.skip(reason)


# What the check must catch: an image without alternative text, grey on white, a field without a label, no lang.
BROKEN_PAGE = """<!doctype html><html><head><title>t</title></head><body><main>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#aaa;background:#fff">Verified</p><input type="text"></main></body></html>"""


def test_the_checker_finds_what_it_must() -> None:
    _require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content(BROKEN_PAGE)
        page.add_script_tag(path=str(AXE))
        found = {violation["id"] for violation in _violations(page)}
        browser.close()
    assert {"image-alt", "color-contrast", "label", "html-has-lang"} <= found, found


def test_every_public_page_has_no_serious_or_critical_wcag_violation(live_server: str) -> None:
    _require()
    from playwright.sync_api import sync_playwright

    pages = _pages(live_server)
    found: list[str] = []
    checked = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # bypass_csp: the pages allow no script at all, and axe is one injected into each of them.
        context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True)  # type: ignore[arg-type]
        context.add_init_script(path=AXE)
        page = context.new_page()
        for language in LANGUAGES:
            for name, where in pages.items():
                page.set_viewport_size(VIEWPORTS["desktop"])  # type: ignore[arg-type]
                if isinstance(where, str):
                    page.goto(f"{where}?lang={language}")
                else:
                    where(page, language)
                assert page.get_attribute("html", "lang") == language, name
                if name == "portfolio":  # as a browser shows it: the picked two verified, the revoked one revoked
                    verdicts = [page.locator(f".portfolio-credential .verdict-{v}").count() for v in VERDICTS]
                    assert verdicts == [2, 1], verdicts
                # A verdict is a word beside its symbol and colour (1.4.1), and keyboard focus is visible (2.4.7).
                for headline in page.locator(".verdict h1").all():
                    symbol = headline.locator(".verdict-symbol").inner_text()
                    assert headline.inner_text().replace(symbol, "").strip(), name
                page.keyboard.press("Tab")
                ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
                assert ring == "solid", f"{name}: the first focusable element shows no focus ring ({ring})"
                # Each viewport on the same loaded page: the layout follows the size (media queries) at once.
                for viewport_name, viewport in VIEWPORTS.items():
                    page.set_viewport_size(viewport)  # type: ignore[arg-type]
                    checked += 1
                    for violation in _violations(page):
                        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
                        found.append(
                            f"{name} [{language}, {viewport_name}]: {violation['id']} ({violation['impact']}): "
                            f"{violation['help']} — {targets}"
                        )
        browser.close()
    assert checked == len(pages) * len(LANGUAGES) * len(VIEWPORTS)
    assert not found, "\n".join(found)
