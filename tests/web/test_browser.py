"""The verification page in a real headless Chromium (Debian's /usr/bin/chromium), served by uvicorn."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.factories import ADMIN, achievement_payload, credential_payload, issuer_payload
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")


@pytest.fixture
def live_server(settings: Settings, empty_database: None) -> Iterator[str]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, _app):
        yield base


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()


def _issue_two(base: str) -> tuple[str, str]:
    """Returns the verification URLs of a valid credential and of a revoked one."""
    issuer = httpx.post(f"{base}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
    headers = {"Authorization": f"Bearer {issuer['apiKey']}"}
    achievement = httpx.post(f"{base}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
    valid = httpx.post(f"{base}/api/v1/credentials", json=credential_payload(achievement["id"]), headers=headers).json()
    revoked = httpx.post(
        f"{base}/api/v1/credentials", json=credential_payload(achievement["id"]), headers=headers
    ).json()
    httpx.post(
        f"{base}/api/v1/credentials/{revoked['id']}/revoke", json={"reason": "issued in error"}, headers=headers
    ).raise_for_status()
    return valid["verifyUrl"], revoked["verifyUrl"]


def test_phone_sized_page_shows_the_verdict_issuer_and_achievement(live_server: str, browser, tmp_path: Path) -> None:
    valid_url, revoked_url = _issue_two(live_server)
    page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(valid_url)
    assert page.inner_text("h1").strip().endswith("Verified")
    body = page.inner_text("body")
    assert "Noorderpoort College" in body and "Welding Safety Basics" in body and "Sanne de Vries" in body
    assert page.locator("img[alt^='QR code']").evaluate("img => img.naturalWidth") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
    page.screenshot(path=str(tmp_path / "verified.png"), full_page=True)
    # One request for the page plus its assets (stylesheet, QR image), nothing from elsewhere.
    assert all(url.startswith(live_server) for url in requests)
    assert len(requests) <= 3

    page.goto(revoked_url)
    assert page.inner_text("h1").strip().endswith("Revoked")
    assert "Noorderpoort College" in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "revoked.png"), full_page=True)
    if os.environ.get("VETCRED_SCREENSHOTS"):
        for name in ("verified.png", "revoked.png"):
            shutil.copy(tmp_path / name, Path(os.environ["VETCRED_SCREENSHOTS"]) / name)
