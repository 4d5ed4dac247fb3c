"""A college's logo and colours on its public pages and certificates, and only where this service vouches for it:
a credential that merely claims the college gets nothing of its look."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.config import Settings
from app.main import create_app
from app.trust.identity import IssuerIdentity, SourceKind, TrustSource
from tests.api.test_branding import GREEN_RECT, svg
from tests.factories import (
    ADMIN,
    achievement_payload,
    credential_payload,
    issue,
    issuer_payload,
    make_achievement,
    make_issuer,
    make_microcredential,
)
from tests.forgery import resign_as
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving

DISPLAY_NAME = "NP Vakschool Groningen"  # nowhere in the credentials: it can only come from the branding
BRANDING = {"displayName": DISPLAY_NAME, "primaryColour": "#006644", "accentColour": "#7a1f5c"}


def _brand(client: Any, headers: dict[str, str], base: str = "") -> None:
    assert client.put(f"{base}/api/v1/issuers/me/branding", json=BRANDING, headers=headers).status_code == 200
    logo = client.put(
        f"{base}/api/v1/issuers/me/branding/logo",
        content=svg(GREEN_RECT),
        headers=headers | {"Content-Type": "image/svg+xml"},
    )
    assert logo.status_code == 200, logo.text


@pytest.fixture
def branded(client: TestClient) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """A branded college and a credential it issued."""
    body, headers = make_issuer(client)
    _brand(client, headers)
    credential = issue(client, headers, make_achievement(client, headers)["id"])
    return body, headers, credential


def _shows_branding(page: str, college_id: str) -> bool:
    logo = f'<img class="college-logo" src="https://vetcred.test/issuers/{college_id}/logo" alt="{DISPLAY_NAME}">'
    theme = f'<link rel="stylesheet" href="https://vetcred.test/issuers/{college_id}/theme.css">'
    return logo in page and theme in page and f'<body data-college="{college_id}">' in page


def _shows_nothing_of_it(page: str) -> bool:
    return not any(mark in page for mark in (DISPLAY_NAME, "college-logo", "theme.css", "data-college"))


def test_the_verification_page_of_a_confirmed_college_shows_its_logo_and_colours(client: TestClient, branded) -> None:
    body, _, credential = branded
    page = client.get(credential["verifyUrl"]).text
    assert 'class="verdict verdict-verified"' in page
    assert _shows_branding(page, body["id"])


def test_a_credential_that_only_claims_the_college_gets_nothing_of_its_look(client: TestClient, branded) -> None:
    body, _, credential = branded
    # Same content, the college's name, signed with a stranger's did:key: a valid signature, an unknown signer.
    forged = resign_as(credential["credential"])
    page = client.post("/verify", data={"credential": json.dumps(forged)})
    assert page.status_code == 200
    assert "Signature valid — issuer not confirmed" in page.text
    assert _shows_nothing_of_it(page.text)

    # Claiming the college's own DID as issuer does not help: the key is not the college's.
    impostor = resign_as(credential["credential"])
    impostor["issuer"]["id"] = body["did"]
    page = client.post("/verify", data={"credential": json.dumps(impostor)})
    assert "Not valid" in page.text and _shows_nothing_of_it(page.text)

    # The genuine credential pasted into the same form is the college's, and looks it.
    genuine = client.post("/verify", data={"credential": json.dumps(credential["credential"])})
    assert _shows_branding(genuine.text, body["id"])


@pytest.mark.parametrize(
    ("kind", "confirmed", "college"),
    [
        (SourceKind.THIS_SERVICE, True, "did:web:vetcred.test:issuers:1"),
        (SourceKind.REGISTRY, True, None),  # a registry may vouch for a name, never for this service's look
        (SourceKind.THIS_SERVICE, False, None),
    ],
)
def test_only_this_service_vouches_for_one_of_its_colleges(kind: SourceKind, confirmed: bool, college: str) -> None:
    identity = IssuerIdentity(
        signer="did:web:vetcred.test:issuers:1",
        confirmed=confirmed,
        listed_as="did:web:vetcred.test:issuers:1",
        listed_in=(TrustSource("a source", kind),),
    )
    assert identity.college_did == college


def test_claim_catalogue_and_microcredential_pages_carry_the_college(client: TestClient, branded) -> None:
    body, headers, credential = branded
    claim = client.get(credential["claimUrl"]).text
    assert _shows_branding(claim, body["id"])
    spec = make_microcredential(client, headers)
    page = client.get(f"/microcredentials/{spec['id']}", headers={"Accept": "text/html"}).text
    assert _shows_branding(page, body["id"])

    _, other_headers = make_issuer(client, name="Friesland College")
    make_microcredential(client, other_headers, title={"en": "Roof Insulation"})
    catalogue = client.get("/catalogue").text
    # Each entry in its own college's colours and logo; both stylesheets are linked.
    assert catalogue.count('rel="stylesheet" href="https://vetcred.test/issuers/') == 2
    assert f'<section class="credential catalogue-entry" data-college="{body["id"]}"' in catalogue
    assert f'class="entry-logo" src="https://vetcred.test/issuers/{body["id"]}/logo" alt=""' in catalogue
    assert "<span>Friesland College</span>" in catalogue


def _images(pdf: bytes) -> list[Any]:
    return list(PdfReader(io.BytesIO(pdf)).pages[0].images)


def test_the_certificate_carries_the_logo_and_primary_colour(client: TestClient, branded, tmp_path: Path) -> None:
    _, headers, credential = branded
    pdf = client.get(f"{credential['verifyUrl']}/certificate.pdf").content
    images = _images(pdf)
    assert len(images) == 2  # the logo and the QR code
    assert any(image.image.size == (512, 256) for image in images)  # the logo, rasterised at upload
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()
    assert b"0 .4 .266667 RG" in content  # #006644, the rule under the logo

    # Without a logo, only the QR code.
    assert client.delete("/api/v1/issuers/me/branding/logo", headers=headers).status_code == 200
    assert len(_images(client.get(f"{credential['verifyUrl']}/certificate.pdf").content)) == 1
    if os.environ.get("VETCRED_SCREENSHOTS"):
        (Path(os.environ["VETCRED_SCREENSHOTS"]) / "branded-certificate.pdf").write_bytes(pdf)


# --- in a real browser --------------------------------------------------------------------------------------

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def live_server(settings: Settings, empty_database: None) -> Iterator[str]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, _app):
        yield base


@pytest.mark.usefixtures("chromium")
def test_a_green_college_cannot_make_a_revoked_credential_look_green(live_server: str, tmp_path: Path) -> None:
    base = live_server
    college = httpx.post(f"{base}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
    headers = {"Authorization": f"Bearer {college['apiKey']}"}
    _brand(httpx, headers, base)
    achievement = httpx.post(f"{base}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
    credentials = [
        httpx.post(f"{base}/api/v1/credentials", json=credential_payload(achievement["id"]), headers=headers).json()
        for _ in range(2)
    ]
    revoke = httpx.post(
        f"{base}/api/v1/credentials/{credentials[1]['id']}/revoke", json={"reason": "issued in error"}, headers=headers
    )
    assert revoke.status_code == 200

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
        shots = []
        for credential, verdict, colour in (
            (credentials[0], "Verified", "rgb(11, 107, 46)"),
            (credentials[1], "Revoked", "rgb(161, 20, 27)"),
        ):
            page.goto(credential["verifyUrl"])
            assert page.inner_text("h1").strip().endswith(verdict)
            band = page.locator(".college")
            assert band.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(0, 102, 68)"
            assert page.locator(".college-logo").evaluate("img => img.naturalWidth") == 512
            assert page.locator(".college-logo").get_attribute("alt") == DISPLAY_NAME
            # The verdict keeps its own colour whatever the college's colours are.
            assert page.locator(".verdict").evaluate("e => getComputedStyle(e).backgroundColor") == colour
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            name = f"branded-{verdict.lower()}.png"
            page.screenshot(path=str(tmp_path / name), full_page=True)
            shots.append(name)
        browser.close()
    if os.environ.get("VETCRED_SCREENSHOTS"):
        for name in shots:
            shutil.copy(tmp_path / name, Path(os.environ["VETCRED_SCREENSHOTS"]) / name)
