"""The learner's claim page: through the real app, and in a real headless Chromium served by uvicorn."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.main import create_app
from tests.factories import issue, make_achievement, make_issuer
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving
from tests.wallet.wallet import Wallet, offer_uri_of, scan_offer_qr


@pytest.fixture
def issued(client: TestClient) -> dict[str, Any]:
    _, headers = make_issuer(client)
    return issue(client, headers, make_achievement(client, headers)["id"])


def test_the_page_says_what_the_credential_is_and_offers_wallet_download_and_sharing(
    client: TestClient, issued: dict[str, Any]
) -> None:
    response = client.get(issued["claimUrl"])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    page = response.text
    for text in ("Your credential", "Sanne de Vries", "Welding Safety Basics", "Noorderpoort College", "Issued on"):
        assert text in page
    assert "<script" not in page
    verify_url = issued["verifyUrl"]
    for link in (f"{verify_url}.json", f"{verify_url}/certificate.pdf", verify_url, f"{verify_url}/qr.svg"):
        assert f'"{link}"' in page
    assert scan_offer_qr(page).startswith("openid-credential-offer://?credential_offer_uri=")


@pytest.mark.parametrize(
    ("action", "headline", "css"), [("revoke", "Revoked", "revoked"), ("suspend", "Suspended", "suspended")]
)
def test_a_revoked_or_suspended_credential_is_offered_nowhere_as_if_valid(
    client: TestClient, action: str, headline: str, css: str
) -> None:
    _, headers = make_issuer(client, allowSuspension=True)
    issued = issue(client, headers, make_achievement(client, headers)["id"])
    changed = client.post(f"/api/v1/credentials/{issued['id']}/{action}", json={"reason": "x"}, headers=headers)
    assert changed.status_code == 200, changed.text
    page = client.get(issued["claimUrl"]).text
    banner = page.split('<section class="verdict', 1)[1].split("</section>", 1)[0]
    assert f"verdict-{css}" in banner and headline in banner and "Your credential" not in banner
    verify_url = issued["verifyUrl"]
    assert "linkedin.com" not in page and f"{verify_url}/certificate.pdf" not in page
    assert "openid-credential-offer" not in page and f"{verify_url}.json" not in page
    assert f'href="{verify_url}"' in page  # where anyone can see the current status


def test_the_linkedin_link_fills_in_the_certification(client: TestClient, issued: dict[str, Any]) -> None:
    page = client.get(issued["claimUrl"]).text
    [href] = [html.unescape(h) for h in re.findall(r'href="(https://www\.linkedin\.com/[^"]+)"', page)]
    parts = urlsplit(href)
    assert parts.path == "/profile/add"
    awarded = issued["credential"]["awardedDate"]
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Welding Safety Basics",
        "organizationName": "Noorderpoort College",
        "issueYear": awarded[:4],
        "issueMonth": str(int(awarded[5:7])),
        "certUrl": issued["verifyUrl"],
        "certId": issued["id"],
    }
    assert "%20" in href and " " not in href  # URL-encoded


def test_the_downloads_are_the_signed_credential_and_the_pdf(client: TestClient, issued: dict[str, Any]) -> None:
    assert client.get(issued["verifyUrl"] + ".json").json() == issued["credential"]
    assert client.get(issued["verifyUrl"] + "/certificate.pdf").headers["content-type"] == "application/pdf"


def test_each_view_makes_a_fresh_offer_and_an_unknown_link_is_not_found(
    client: TestClient, issued: dict[str, Any]
) -> None:
    first, second = (scan_offer_qr(client.get(issued["claimUrl"]).text) for _ in range(2))
    assert first != second
    assert client.get(offer_uri_of(first)).status_code == 200
    response = client.get("/claim/not-a-real-token")
    assert response.status_code == 404 and "Credential not found" in response.text


@pytest.fixture
def live_server(settings: Settings, empty_database: None) -> Iterator[tuple[str, TestClient]]:
    """The app served by uvicorn, and a TestClient on the same app to set up records before the browser runs.

    (Setting up through the TestClient waits for each request's transaction to commit; see docs/wallet.md.)
    """
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, app):
        yield base, TestClient(app, base_url=base)


@pytest.mark.usefixtures("chromium")
def test_in_chromium_the_page_shows_the_credential_and_its_qr_code_scans_to_the_offer(
    live_server: tuple[str, TestClient], tmp_path: Path, zbar: ModuleType
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    base, setup = live_server
    _, headers = make_issuer(setup)
    issued = issue(setup, headers, make_achievement(setup, headers)["id"])

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, java_script_enabled=False
        )
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(issued["claimUrl"])
        assert page.inner_text("h1").strip().endswith("Your credential")
        body = page.inner_text("body")
        assert "Welding Safety Basics" in body and "Noorderpoort College" in body and "Sanne de Vries" in body
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
        qr = page.locator("figure.offer-qr img")
        assert qr.evaluate("img => img.naturalWidth") > 0
        scanned = zbar.decode(Image.open(io.BytesIO(qr.screenshot())), symbols=[zbar.ZBarSymbol.QRCODE])
        page.screenshot(path=str(tmp_path / "claim.png"), full_page=True)
        offer_link = page.locator("a", has_text="Open in a wallet on this device").get_attribute("href")
        browser.close()

    [symbol] = scanned
    assert symbol.data.decode() == offer_link
    assert all(url.startswith(base) or url.startswith("data:") for url in requests)
    with httpx.Client() as http:
        credential = Wallet(http).claim(symbol.data.decode())
    assert credential["credentialSubject"]["id"].startswith("did:key:")
    if os.environ.get("VETCRED_SCREENSHOTS"):
        shutil.copy(tmp_path / "claim.png", Path(os.environ["VETCRED_SCREENSHOTS"]) / "claim.png")
