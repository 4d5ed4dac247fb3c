"""The verification page in a real headless Chromium (Debian's /usr/bin/chromium), served by uvicorn."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Response
from PIL import Image

from app.config import Settings
from app.main import create_app
from app.outbound import OutboundClient, OutboundPolicy
from app.proofs.keys import generate_signing_key
from tests import system_packages
from tests.factories import (
    ADMIN,
    achievement_payload,
    assessment_row,
    credential_payload,
    issuer_payload,
    microcredential_payload,
)
from tests.forgery import key_did, resign_as
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.usefixtures("chromium")


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
    # One request for the page plus its assets (stylesheet, the college's colours, QR image), nothing from elsewhere.
    assert all(url.startswith(live_server) for url in requests)
    assert len(requests) <= 4

    page.goto(revoked_url)
    assert page.inner_text("h1").strip().endswith("Revoked")
    assert "Noorderpoort College" in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "revoked.png"), full_page=True)
    if os.environ.get("VETCRED_SCREENSHOTS"):
        for name in ("verified.png", "revoked.png"):
            shutil.copy(tmp_path / name, Path(os.environ["VETCRED_SCREENSHOTS"]) / name)


# --- one clear message per page: the trust cases -----------------------------------------------------------


def _save(tmp_path: Path, name: str) -> None:
    if os.environ.get("VETCRED_SCREENSHOTS"):
        shutil.copy(tmp_path / name, Path(os.environ["VETCRED_SCREENSHOTS"]) / name)


def _paste(page, base: str, credential: dict) -> None:
    """What an employer does with a credential file: paste it into /verify and press the button (no JavaScript)."""
    page.goto(f"{base}/verify")
    page.fill("textarea", json.dumps(credential))
    page.click("button[type=submit]")


@pytest.fixture
def listed_key_server(settings: Settings, empty_database: None) -> Iterator[tuple[str, object]]:
    """This service with an operator registry (served on loopback) that lists one did:key as a known issuer."""
    key = generate_signing_key()
    registry = {"meta": {"updated": "2026-11-20T09:30:00+0000"}, "registry": {key_did(key): {"name": "Listed Academy"}}}

    def registry_app(_base: str) -> FastAPI:
        app = FastAPI()
        app.get("/registry.json")(lambda: Response(json.dumps(registry), media_type="application/json"))
        return app

    with serving(registry_app) as (registry_base, _):
        trust = json.dumps([{"name": "DCC Community", "url": f"{registry_base}/registry.json"}])
        outbound = OutboundClient(OutboundPolicy(allow_origins=frozenset({registry_base})))

        def make(base: str) -> FastAPI:
            return create_app(
                settings.model_copy(update={"public_url": base, "trust_registries": trust}), outbound=outbound
            )

        with serving(make) as (base, _app):
            yield base, key


def test_forged_and_registry_listed_signers_each_get_one_clear_message(
    listed_key_server, browser, tmp_path: Path
) -> None:
    base, listed_key = listed_key_server
    valid_url, _ = _issue_two(base)
    genuine = httpx.get(f"{valid_url}.json").json()
    page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)

    _paste(page, base, resign_as(genuine))  # a forger's did:key, Noorderpoort's name
    assert page.inner_text("h1").strip().endswith("Signature valid — issuer not confirmed")
    issuer = page.inner_text("section.issuer")
    assert "Not confirmed" in issuer and "“Noorderpoort College”" in issuer
    assert page.locator(".issuer-name").count() == 0 and page.locator(".verdict-verified").count() == 0
    page.screenshot(path=str(tmp_path / "forged-name.png"), full_page=True)

    _paste(page, base, resign_as(genuine, listed_key))
    assert page.inner_text("h1").strip().endswith("Verified")
    assert page.inner_text(".issuer-name") == "Listed Academy"
    assert "DCC Community (updated 20 November 2026)" in page.inner_text("section.issuer")
    page.screenshot(path=str(tmp_path / "registry-listed.png"), full_page=True)
    for name in ("forged-name.png", "registry-listed.png"):
        _save(tmp_path, name)


def test_a_revoked_certificate_is_marked_across_the_printed_page(live_server: str, tmp_path: Path) -> None:
    pdftoppm = system_packages.poppler("pdftoppm")
    _, revoked_url = _issue_two(live_server)
    (tmp_path / "revoked.pdf").write_bytes(httpx.get(f"{revoked_url}/certificate.pdf").content)
    subprocess.run(
        [pdftoppm, "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", "revoked.pdf", "revoked-pdf"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    image = Image.open(tmp_path / "revoked-pdf.png").convert("RGB")
    width, height = image.size
    # The solid band at the top of the page is the revoked red (#a1141b), and the diagonal mark tints the middle.
    band = image.getpixel((width // 2, int(height * 0.09)))
    assert band[0] > 130 and band[1] < 60 and band[2] < 60, band
    reds = sum(
        1
        for x in range(0, width, 4)
        for y in range(int(height * 0.3), int(height * 0.7), 4)
        if (p := image.getpixel((x, y)))[0] > 200 and 150 < p[1] < 225 and p[0] - p[1] > 20
    )
    assert reds > 200, reds  # the pale red "REVOKED" lettering behind the text
    _save(tmp_path, "revoked-pdf.png")


def test_an_edc_with_a_test_seal_says_so_in_its_one_banner(live_server: str, browser, tmp_path: Path) -> None:
    issuer = httpx.post(f"{live_server}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
    headers = {"Authorization": f"Bearer {issuer['apiKey']}"}
    spec = httpx.post(f"{live_server}/api/v1/microcredentials", json=microcredential_payload(), headers=headers).json()
    issued = httpx.post(
        f"{live_server}/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers
    ).json()
    page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page.goto(issued["credentials"][1]["verifyUrl"])
    assert page.inner_text("h1").strip().endswith("Verified")
    assert "self-issued test certificate" in page.inner_text("section.verdict")
    assert page.locator(".outcome-failed").count() == 0 and page.locator("aside.notice").count() == 0
    page.screenshot(path=str(tmp_path / "edc-test-seal.png"), full_page=True)
    _save(tmp_path, "edc-test-seal.png")


@pytest.mark.parametrize(("language", "headline"), [("en", "Verified"), ("et", "Kontrollitud"), ("el", "Επαληθεύτηκε")])
def test_the_phone_sized_page_in_english_estonian_and_greek(
    live_server: str, browser, tmp_path: Path, language: str, headline: str
) -> None:
    valid_url, _ = _issue_two(live_server)
    page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page.goto(f"{valid_url}?lang={language}")
    assert page.get_attribute("html", "lang") == language
    assert page.inner_text("h1").strip().endswith(headline)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # longer words still fit a phone
    shot = Path(os.environ.get("VETCRED_SCREENSHOTS", str(tmp_path))) / f"verify-{language}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert Image.open(shot).size[0] == 390


# --- the API documentation: the app's own Swagger UI and ReDoc, offline, under its CSP ---------------------


@pytest.mark.parametrize(
    ("path", "title", "operation"),
    [
        ("/docs", ".swagger-ui .info .title", ".opblock-summary-path"),
        ("/redoc", ".api-info h1", "[data-section-id^='tag/'], [data-section-id^='operation/']"),
    ],
)
def test_the_api_documentation_renders_with_no_network_and_breaks_no_csp_rule(
    live_server: str, browser, path: str, title: str, operation: str
) -> None:
    context = browser.new_context()
    elsewhere: list[str] = []

    def only_this_service(route) -> None:  # no network but the service's own: anything else is refused, and noted
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_service)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}{path}")
    page.wait_for_selector(operation, timeout=20_000)
    assert page.inner_text(title).strip().startswith("vetcred")
    assert page.locator(operation).count() > 5
    assert elsewhere == []
    # A CSP violation is reported on the console as an error. One is known and harmless: ReDoc's sidebar credit
    # always asks for Redocly's logo from Redocly's CDN; the policy refuses it (no request leaves) and ReDoc then
    # leaves the image out (its onError).
    redocly_logo = "Loading the image 'https://cdn.redoc.ly/redoc/logo-mini.svg' violates"
    assert [e for e in errors if not (path == "/redoc" and e.startswith(redocly_logo))] == [], errors
    context.close()
