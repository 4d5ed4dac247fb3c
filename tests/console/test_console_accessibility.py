"""WCAG 2.1 AA on every console page: axe-core in a real Chromium, 0 serious or critical violations, on a desktop and
a phone viewport, in English and Finnish. The pages are the sign-in side (sign-in, its errors, joining, single
sign-on) and every page an owner reaches from the console's parameterless pages (tests/console/crawl.py), so the pages
other areas add are checked as soon as they are included."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.console.conftest import PASSWORD, accept_invitation, csrf_of
from tests.console.crawl import crawl
from tests.factories import ADMIN, achievement_payload, credential_payload, issuer_payload, microcredential_payload
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving
from tests.web.test_accessibility import AXE, VIEWPORTS, _require, _violations

LANGUAGES = ("en", "fi")


@pytest.fixture
def live_console(settings: Settings, empty_database: None) -> Iterator[tuple[str, Any]]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as served:
        yield served


def _owner_and_data(base: str) -> tuple[str, str]:
    """A college with data in every area; returns its owner's e-mail address and an invitation link of another."""
    http = httpx.Client(base_url=base, timeout=60)
    college = http.post("/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
    key = {"Authorization": f"Bearer {college['apiKey']}"}
    achievement = http.post("/api/v1/achievements", json=achievement_payload(), headers=key).json()
    http.post("/api/v1/credentials", json=credential_payload(achievement["id"]), headers=key)
    http.post("/api/v1/microcredentials", json=microcredential_payload(), headers=key)
    invited = http.post(
        f"/api/v1/issuers/{college['id']}/owner", json={"email": "owner@college.example"}, headers=ADMIN
    )
    assert accept_invitation(http, invited.json()["invitationUrl"], name="Olga Owner").status_code == 303
    csrf = csrf_of(http.get("/console").text)
    http.post("/console/account/totp/start", data={"csrf_token": csrf})  # the page then shows the QR code
    page = http.post(
        "/console/staff/invitations", data={"csrf_token": csrf, "email": "new@college.example", "role": "viewer"}
    )
    link = page.text.split('readonly value="', 1)[1].split('"', 1)[0]
    http.close()
    return "owner@college.example", link


def test_every_console_page_has_no_serious_or_critical_wcag_violation(live_console: tuple[str, Any]) -> None:
    _require()
    from playwright.sync_api import sync_playwright

    base, app = live_console
    email, invitation = _owner_and_data(base)
    with httpx.Client(base_url=base, timeout=60) as owner:
        form = csrf_of(owner.get("/console/sign-in").text)
        owner.post("/console/sign-in", data={"csrf_token": form, "email": email, "password": PASSWORD})
        signed_in_pages, _ = crawl(app, owner)  # type: ignore[arg-type]
    signed_in_pages -= {"/console/sign-in", "/console/sso"}  # before sign-in: below
    found: list[str] = []
    checked = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True)  # type: ignore[arg-type]
        context.add_init_script(path=AXE)
        page = context.new_page()

        def check(name: str, language: str) -> None:
            nonlocal checked
            assert page.get_attribute("html", "lang") == language, name
            page.keyboard.press("Tab")
            assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid", name
            for viewport_name, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)  # type: ignore[arg-type]
                checked += 1
                for violation in _violations(page):
                    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
                    found.append(
                        f"{name} [{language}, {viewport_name}]: {violation['id']} ({violation['impact']}): "
                        f"{violation['help']} — {targets}"
                    )
            page.set_viewport_size(VIEWPORTS["desktop"])  # type: ignore[arg-type]

        for language in LANGUAGES:
            page.goto(f"{base}/console/sign-in?lang={language}")
            check("sign-in", language)
            page.fill("#field-email", email)
            page.fill("#field-password", "a wrong password")
            page.click("form.stacked-form button[type=submit]")
            check("sign-in: wrong password", language)
            page.click("form.stacked-form button[type=submit]")
            check("sign-in: empty fields", language)
            page.goto(f"{invitation}?lang={language}")
            check("joining", language)
            page.goto(f"{base}/console/sso?email=someone@elsewhere.example&lang={language}")
            check("single sign-on: no college", language)
        page.goto(f"{base}/console/sign-in")
        page.fill("#field-email", email)
        page.fill("#field-password", PASSWORD)
        page.click("form.stacked-form button[type=submit]")
        assert page.url.endswith("/console"), page.url
        for language in LANGUAGES:
            for url in sorted(signed_in_pages):
                page.goto(f"{base}{url}{'&' if '?' in url else '?'}lang={language}")
                check(url, language)
            page.goto(f"{base}/console/no-such-page?lang={language}")
            check("not found (404)", language)
        browser.close()
    assert len(signed_in_pages) >= 5, signed_in_pages
    assert checked == (5 + len(signed_in_pages) + 1) * len(LANGUAGES) * len(VIEWPORTS)
    assert not found, "\n".join(found)
