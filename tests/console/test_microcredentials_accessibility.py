"""WCAG 2.1 AA on the console's micro-credential pages: axe-core in a real Chromium, signed in as an issuer, on a
desktop and a phone viewport; the form also with its errors and with a preview (as tests/web/test_accessibility)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.console.conftest import PASSWORD
from tests.factories import ADMIN, issuer_payload, microcredential_payload
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving
from tests.web.test_accessibility import AXE, VIEWPORTS, _require, _violations


@pytest.fixture
def live_server(settings: Settings, empty_database: None) -> Iterator[str]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, _app):
        yield base


def _college(base: str) -> tuple[str, str]:
    """A college with one micro-credential; its first owner's invitation link and the micro-credential's id."""
    with httpx.Client(timeout=60) as http:
        college = http.post(f"{base}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
        owner = http.post(
            f"{base}/api/v1/issuers/{college['id']}/owner", json={"email": "head@college.example"}, headers=ADMIN
        )
        headers = {"Authorization": f"Bearer {college['apiKey']}"}
        spec = http.post(f"{base}/api/v1/microcredentials", json=microcredential_payload(), headers=headers)
    assert owner.status_code == 201 and spec.status_code == 201, (owner.text, spec.text)
    return owner.json()["invitationUrl"], spec.json()["id"]


def test_the_micro_credential_pages_have_no_serious_or_critical_wcag_violation(live_server: str) -> None:
    _require()
    from playwright.sync_api import sync_playwright

    invitation, spec_id = _college(live_server)
    console = f"{live_server}/console/microcredentials"

    def submitted(path: str, button: str) -> Any:
        def steps(page: Any) -> None:
            page.goto(f"{console}{path}")
            if "errors" in button:
                page.fill("#field-title-en", "")
            page.click(f"button[value={button.split()[0]}] >> nth=-1")

        return steps

    pages: dict[str, Any] = {
        "list": console,
        "new": f"{console}/new",
        "new: errors": submitted(f"/new?from={spec_id}", "create errors"),
        "new: preview": submitted(f"/new?from={spec_id}", "preview"),
        "view": f"{console}/{spec_id}",
        "preview": f"{console}/{spec_id}/preview",
    }
    found: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True)  # type: ignore[arg-type]
        context.add_init_script(path=AXE)
        page = context.new_page()
        page.goto(invitation)
        page.fill("input[name=name]", "Hanna Head")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=password_confirmation]", PASSWORD)
        page.click("button[type=submit]")
        for name, where in pages.items():
            page.set_viewport_size(VIEWPORTS["desktop"])  # type: ignore[arg-type]
            if isinstance(where, str):
                page.goto(where)
            else:
                where(page)
            assert page.locator("h1").count() == 1, f"{name}: {page.url}"
            if name == "new: errors":
                assert page.locator("#error-summary").count() == 1, name
            if name == "new: preview":
                assert page.locator(".preview .edc-page img").count() == 2, name
            for viewport_name, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)  # type: ignore[arg-type]
                for violation in _violations(page):
                    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
                    found.append(f"{name} [{viewport_name}]: {violation['id']}: {violation['help']} — {targets}")
        browser.close()
    assert not found, "\n".join(found)
