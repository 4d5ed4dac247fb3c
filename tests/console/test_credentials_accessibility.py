"""WCAG 2.1 AA on the console's credential and settings pages: axe-core in a real Chromium (as the public pages are
checked in tests/web/test_accessibility.py), an owner signed in through the invitation page, each page with data and
with a form error, on a desktop and a phone viewport."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.console.conftest import PASSWORD
from tests.console.test_settings import PASSWORD as SEAL_PASSWORD
from tests.console.test_settings import _seal_pkcs12
from tests.factories import ADMIN, achievement_payload, credential_payload, issuer_payload
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving
from tests.web.test_accessibility import AXE, VIEWPORTS, _require, _violations

P12 = "application/x-pkcs12"


@pytest.fixture
def live_server(settings: Settings, empty_database: None) -> Iterator[str]:
    # Development: the session cookie is not Secure, as a plain-http test server needs.
    update = {"environment": "development"}
    with serving(lambda base: create_app(settings.model_copy(update=update | {"public_url": base}))) as (base, _):
        yield base


def _college(base: str) -> tuple[str, list[dict[str, Any]]]:
    """A college with an allowSuspension profile, three credentials (one revoked), and its owner's invitation link."""
    http = httpx.Client(timeout=60)
    college = http.post(f"{base}/api/v1/issuers", json=issuer_payload(allowSuspension=True), headers=ADMIN).json()
    headers = {"Authorization": f"Bearer {college['apiKey']}"}
    achievement = http.post(f"{base}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
    issued = [
        http.post(f"{base}/api/v1/credentials", json=credential_payload(achievement["id"]), headers=headers).json()
        for _ in range(3)
    ]
    http.post(f"{base}/api/v1/credentials/{issued[2]['id']}/revoke", json={"reason": "x"}, headers=headers)
    invited = http.post(
        f"{base}/api/v1/issuers/{college['id']}/owner", json={"email": "owner@college.example"}, headers=ADMIN
    ).json()
    http.close()
    return invited["invitationUrl"], issued


def test_credential_and_settings_pages_have_no_serious_or_critical_wcag_violation(live_server: str) -> None:
    _require()
    from playwright.sync_api import sync_playwright

    invitation, issued = _college(live_server)
    one = issued[0]["id"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True)  # type: ignore[arg-type]
        context.add_init_script(path=AXE)
        page = context.new_page()
        page.goto(invitation)
        page.fill("#field-name", "Olga Owner")
        page.fill("#field-password", PASSWORD)
        page.fill("#field-password_confirmation", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/console")

        def go(url: str) -> None:
            page.goto(f"{live_server}{url}")

        def submit(url: str, button: str) -> None:
            go(url)
            page.click(button)

        def bulk() -> None:
            go("/console/credentials")
            page.check(f"#select-{issued[1]['id']}")
            page.click("text=Revoke the selected credentials…")

        def seal(password: str) -> None:
            go("/console/settings")
            page.set_input_files("#field-file", files=[{"name": "s.p12", "mimeType": P12, "buffer": _seal_pkcs12(30)}])
            page.fill("#field-password", password)
            page.click("text=Upload the e-seal")

        # Each step, and a text its page must show (so a step that went elsewhere is not checked by mistake).
        steps: dict[str, tuple[Callable[[], None], str]] = {
            "search": (lambda: go("/console/credentials"), "3 credentials"),
            "search with an error": (lambda: go("/console/credentials?issued_from=2026-02-30"), "Please correct"),
            "credential": (lambda: go(f"/console/credentials/{one}"), "Verification and downloads"),
            "revoke: confirmation with an error": (
                lambda: submit(f"/console/credentials/{one}/revoke", "main form button"),
                "Please correct",
            ),
            "suspend: confirmation": (lambda: go(f"/console/credentials/{one}/suspend"), "Suspend this credential?"),
            "claim link shown once": (
                lambda: submit(f"/console/credentials/{one}", "text=Send the claim e-mail again"),
                "it is shown only now",
            ),
            "bulk: confirmation": (bulk, "Revoke 1 credential?"),
            "settings with a seal error": (lambda: seal("wrong"), "the password is wrong"),
            "settings with a seal that runs out soon": (lambda: seal(SEAL_PASSWORD.decode()), "expires in 30 days"),
            "api key: confirmation": (lambda: go("/console/settings/api-keys/rotate"), "Make a new API key?"),
            "api key: shown once": (
                lambda: submit("/console/settings/api-keys/rotate", "text=Make the new key"),
                "shown only this once",
            ),
        }
        found: list[str] = []
        for name, (step, expected) in steps.items():
            step()
            assert expected in page.inner_text("main"), name
            assert page.locator("main h1").count() == 1, name
            for viewport_name, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)  # type: ignore[arg-type]
                for violation in _violations(page):
                    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
                    found.append(f"{name} [{viewport_name}]: {violation['id']}: {violation['help']} — {targets}")
            page.set_viewport_size(VIEWPORTS["desktop"])  # type: ignore[arg-type]
        browser.close()
    assert not found, "\n".join(found)
