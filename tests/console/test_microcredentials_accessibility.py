"""WCAG 2.1 AA on the micro-credential form as only a post shows it, with its errors and with a preview: axe-core in
a real Chromium, desktop and phone (the pages reached by links are checked by tests/console/test_console_accessibility,
which crawls them)."""

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


def test_the_form_with_errors_and_with_a_preview_has_no_serious_or_critical_wcag_violation(live_server: str) -> None:
    _require()
    from playwright.sync_api import sync_playwright

    invitation, spec_id = _college(live_server)
    console = f"{live_server}/console/microcredentials"

    def submitted(button: str, **typed: str) -> Any:
        """The form filled from the college's micro-credential, ``typed`` into its fields, sent with ``button``."""

        def steps(page: Any) -> None:
            page.goto(f"{console}/new?from={spec_id}")
            for field, value in typed.items():
                page.fill(f"#field-{field}", value)
            page.click(f"button[value={button}] >> nth=-1")

        return steps

    pages: dict[str, Any] = {
        "new: errors": submitted("create", **{"title-en": "", "ectsCredits": "-1"}),
        "new: preview": submitted("preview"),
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
        for name, steps in pages.items():
            page.set_viewport_size(VIEWPORTS["desktop"])  # type: ignore[arg-type]
            steps(page)
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
