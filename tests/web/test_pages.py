"""The public pages behind a credential's QR code, through the real HTTP app."""

from __future__ import annotations

import io
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader

from tests.factories import issue, make_achievement, make_issuer


@pytest.fixture
def issued(client: TestClient) -> tuple[dict[str, str], dict[str, Any]]:
    _, headers = make_issuer(client)
    return headers, issue(client, headers, make_achievement(client, headers)["id"])


def _path(url: str) -> str:
    return url.removeprefix("https://vetcred.test")


def test_issue_response_links_an_unguessable_verification_page(issued) -> None:
    _, body = issued
    token = body["verifyUrl"].rsplit("/", 1)[1]
    assert len(token) >= 43 and body["id"] not in token
    assert "Sanne" not in token and "learner" not in token
    assert body["qrPngUrl"] == body["verifyUrl"] + "/qr.png"
    assert body["qrSvgUrl"] == body["verifyUrl"] + "/qr.svg"


def test_page_shows_verified_with_issuer_achievement_and_learner(client: TestClient, issued) -> None:
    _, body = issued
    response = client.get(_path(body["verifyUrl"]), headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    for text in (
        "Verified",
        "Noorderpoort College",
        "Welding Safety Basics",
        "Sanne de Vries",
        "Final grade: A",
        body["credential"]["issuer"]["id"],
        "Digital signature",
        "Confirmed by",
        "colleges registered on this service (vetcred.test)",
    ):
        assert text in html
    assert "<script" not in html


def test_page_re_verifies_on_each_view_and_shows_revocation(client: TestClient, issued) -> None:
    headers, body = issued
    client.post(f"/api/v1/credentials/{body['id']}/revoke", json={"reason": "error in grading"}, headers=headers)
    html = client.get(_path(body["verifyUrl"])).text
    assert "Revoked" in html and "has revoked this credential" in html
    assert "error in grading" not in html


def test_content_negotiation_returns_the_signed_credential(client: TestClient, issued) -> None:
    _, body = issued
    as_json = client.get(_path(body["verifyUrl"]), headers={"Accept": "application/json"})
    assert as_json.headers["content-type"].startswith("application/vc+ld+json")
    assert as_json.json() == body["credential"]
    assert client.get(_path(body["verifyUrl"]) + ".json").json() == body["credential"]
    report = client.get(_path(body["verifyUrl"]) + "/report.json").json()
    assert report["verified"] is True and report["verdict"] == "verified"


def test_qr_png_decodes_to_exactly_the_verification_url(client: TestClient, issued, zbar: ModuleType) -> None:
    _, body = issued
    response = client.get(_path(body["qrPngUrl"]))
    assert response.headers["content-type"] == "image/png"
    [symbol] = zbar.decode(Image.open(io.BytesIO(response.content)), symbols=[zbar.ZBarSymbol.QRCODE])
    assert symbol.data.decode() == body["verifyUrl"]
    svg = client.get(_path(body["qrSvgUrl"]))
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text.lstrip().startswith("<?xml")


def test_certificate_pdf_has_the_key_facts(client: TestClient, issued) -> None:
    _, body = issued
    response = client.get(_path(body["certificatePdfUrl"]))
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for fact in ("Welding Safety Basics", "Sanne de Vries", "Noorderpoort College", body["verifyUrl"]):
        assert fact in text


def test_unknown_token_is_a_plain_404_page(client: TestClient) -> None:
    response = client.get("/v/not-a-real-token")
    assert response.status_code == 404 and "Credential not found" in response.text
    assert client.get("/v/not-a-real-token.json").status_code == 404


def test_verify_anything_page_checks_a_pasted_credential(client: TestClient, issued) -> None:
    _, body = issued
    import json

    form = client.get("/verify")
    assert form.status_code == 200 and "<form" in form.text
    response = client.post("/verify", data={"credential": json.dumps(body["credential"])})
    assert response.status_code == 200 and "Verified" in response.text and "Welding Safety Basics" in response.text
    tampered = body["credential"] | {"name": "Master Welder"}
    response = client.post("/verify", files={"file": ("c.json", json.dumps(tampered), "application/json")})
    assert "Not valid" in response.text
    response = client.post("/verify", data={"credential": "{oops"})
    assert response.status_code == 422 and "neither JSON nor a VC-JWT" in response.text
