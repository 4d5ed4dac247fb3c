"""A college's branding through the API: its choices, the contrast rule, logo uploads (and hostile SVGs), the
public logo and stylesheet, and that one college never touches another's."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.factories import make_issuer
from tests.servers import free_port

BRANDING = "/api/v1/issuers/me/branding"
LOGO = f"{BRANDING}/logo"
PNG = {"Content-Type": "image/png"}
SVG = {"Content-Type": "image/svg+xml"}


def png_bytes(width: int = 300, height: int = 120, colour: tuple[int, int, int] = (0, 102, 68)) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=_text_chunk())
    return out.getvalue()


def _text_chunk() -> Any:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert('png')</script>")
    return info


def svg(body: str, attributes: str = 'viewBox="0 0 200 100"') -> bytes:
    namespaces = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    return f"<svg {namespaces} {attributes}>{body}</svg>".encode()


GREEN_RECT = '<rect width="200" height="100" fill="#006644"/>'


@pytest.fixture
def college(client: TestClient) -> tuple[dict[str, Any], dict[str, str]]:
    return make_issuer(client)


def _put_logo(client: TestClient, headers: dict[str, str], data: bytes, kind: dict[str, str]) -> Any:
    return client.put(LOGO, content=data, headers=headers | kind)


def _served_logo(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    return response


def _pixels(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGBA")


def test_a_college_starts_with_defaults_and_sets_its_branding(client: TestClient, college) -> None:
    body, headers = college
    first = client.get(BRANDING, headers=headers)
    assert first.status_code == 200
    assert first.json() == {
        "displayName": "Noorderpoort College",
        "logoUrl": None,
        "primaryColour": "#0b4fa8",
        "accentColour": "#0b4fa8",
        "senderName": "Noorderpoort College",
        "replyTo": "credentials@noorderpoort.example",
        "themeUrl": f"https://vetcred.test/issuers/{body['id']}/theme.css",
        "credentialIssuer": f"https://vetcred.test/issuers/{body['id']}",
    }
    choice = {
        "displayName": "Noorderpoort",
        "primaryColour": "#006644",
        "accentColour": "#7A1F5C",
        "senderName": "Noorderpoort Examenbureau",
        "replyTo": "examens@noorderpoort.example",
    }
    response = client.put(BRANDING, json=choice, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() | {"accentColour": "#7A1F5C"} == first.json() | choice
    assert response.json()["accentColour"] == "#7a1f5c"  # stored lower-case
    assert client.get(BRANDING, headers=headers).json() == response.json()

    theme = client.get(f"/issuers/{body['id']}/theme.css")
    assert theme.headers["content-type"] == "text/css; charset=utf-8"
    assert theme.text == (
        f'[data-college="{body["id"]}"] {{\n  --college-primary: #006644;\n  --college-accent: #7a1f5c;\n}}\n'
    )
    again = client.get(f"/issuers/{body['id']}/theme.css", headers={"If-None-Match": theme.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    ("field", "colour", "ratio"),
    [
        # Fixed vectors: #777777 on white is 4.48:1 (just under AA), #767676 4.54:1 (just over).
        ("primaryColour", "#777777", "4.48:1"),
        ("accentColour", "#777777", "4.48:1"),
        ("primaryColour", "#00ff00", "1.37:1"),  # a bright green under white text
        ("accentColour", "#ffff00", "1.07:1"),  # yellow text on the white page
    ],
)
def test_a_colour_without_enough_contrast_is_refused_naming_the_field_and_the_ratio(
    client: TestClient, college, field: str, colour: str, ratio: str
) -> None:
    _, headers = college
    response = client.put(BRANDING, json={field: colour}, headers=headers)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert f"{colour} has a contrast ratio of {ratio}" in error["message"] and "4.5:1" in error["message"]
    assert client.get(BRANDING, headers=headers).json()["primaryColour"] == "#0b4fa8"  # nothing was stored


def test_the_contrast_threshold_itself_passes(client: TestClient, college) -> None:
    _, headers = college
    response = client.put(BRANDING, json={"primaryColour": "#767676", "accentColour": "#000000"}, headers=headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("choice", "field"),
    [
        ({"primaryColour": "green"}, "primaryColour"),
        ({"accentColour": "#12345"}, "accentColour"),
        ({"primaryColour": "#0b4fa8;}body{display:none"}, "primaryColour"),
        ({"replyTo": "not an address"}, "replyTo"),
        ({"displayName": ""}, "displayName"),
        ({"senderName": "Noorderpoort\r\nBcc: everyone@example.org"}, "senderName"),
        ({"displayName": "NP\nX-Evil: 1"}, "displayName"),
        ({"defaultColour": "#000000"}, "defaultColour"),
    ],
)
def test_malformed_branding_is_refused_naming_the_field(client: TestClient, college, choice, field: str) -> None:
    _, headers = college
    response = client.put(BRANDING, json=choice, headers=headers)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_png_logo_is_stored_bounded_and_re_encoded_and_served_with_an_etag(client: TestClient, college) -> None:
    body, headers = college
    original = png_bytes(1024, 256)
    response = _put_logo(client, headers, original, PNG)
    assert response.status_code == 200, response.text
    url = response.json()["logoUrl"]
    assert url == f"https://vetcred.test/issuers/{body['id']}/logo"

    served = _served_logo(client, url)
    image = _pixels(served.content)
    assert image.size == (512, 128)
    assert image.getpixel((256, 64)) == (0, 102, 68, 255)
    assert b"<script" not in served.content  # the PNG's text chunk did not survive re-encoding
    assert served.headers["cache-control"] == "public, max-age=300"
    etag = served.headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    # A new logo at the same address: the old ETag no longer matches.
    assert _put_logo(client, headers, png_bytes(100, 100, (10, 20, 30)), PNG).status_code == 200
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert _pixels(changed.content).size == (100, 100)

    removed = client.delete(LOGO, headers=headers)
    assert removed.status_code == 200 and removed.json()["logoUrl"] is None
    assert client.get(url).status_code == 404


def test_an_svg_logo_is_rasterised_to_png(client: TestClient, college) -> None:
    _, headers = college
    response = _put_logo(client, headers, svg(GREEN_RECT), SVG)
    assert response.status_code == 200, response.text
    image = _pixels(_served_logo(client, response.json()["logoUrl"]).content)
    assert image.size == (512, 256)
    assert image.getpixel((256, 128)) == (0, 102, 68, 255)


@pytest.fixture
def watched_server() -> Iterator[tuple[str, list[str]]]:
    """A web server on loopback that records every request: a hostile SVG's references must never reach it."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png_bytes(10, 10, (255, 0, 0)))

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_hostile_svg_is_drawn_inert_and_nothing_it_references_is_fetched(
    client: TestClient, college, watched_server: tuple[str, list[str]]
) -> None:
    base, seen = watched_server
    _, headers = college
    hostile = svg(
        GREEN_RECT
        + "<script>alert(document.cookie)</script>"
        + f'<image href="{base}/tracker.png" x="0" y="0" width="200" height="100"/>'
        + f'<image xlink:href="{base}/legacy.png" x="0" y="0" width="200" height="100"/>'
        + '<image href="file:///etc/passwd" width="10" height="10"/>'
        + f'<use href="{base}/sprite.svg#a"/>'
        + f'<style>@import url("{base}/style.css");</style>'
        + '<foreignObject width="200" height="100"><div xmlns="http://www.w3.org/1999/xhtml">'
        + "<script>alert(1)</script><iframe src='javascript:alert(2)'></iframe></div></foreignObject>"
        + '<a href="javascript:alert(3)"><text x="10" y="50">click</text></a>',
        'viewBox="0 0 200 100" onload="alert(4)"',
    )
    response = _put_logo(client, headers, hostile, SVG)
    assert response.status_code == 200, response.text
    served = _served_logo(client, response.json()["logoUrl"])
    assert served.content.startswith(b"\x89PNG\r\n\x1a\n")
    for marker in (b"script", b"onload", b"javascript", b"foreignObject", b"<svg", b"href"):
        assert marker not in served.content
    # The referenced red image was never fetched, so never drawn: the logo is the green rectangle.
    assert seen == []
    assert _pixels(served.content).getpixel((100, 50)) == (0, 102, 68, 255)


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", PNG, "not a PNG image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, PNG, "not a readable PNG"),
        (b"this is not an image", SVG, "not a well-formed SVG"),
        (b"<html><body>hello</body></html>", SVG, "not an SVG document"),
        (svg(GREEN_RECT, 'width="100%"'), SVG, "needs a viewBox"),
        (svg(GREEN_RECT, 'viewBox="0 0 1000 10"'), SVG, "at most 8 times as wide"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + svg("&x;"), SVG, "SVG"),
        (b'<!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + svg("&b;"), SVG, "SVG"),
        (png_bytes(), {"Content-Type": "image/jpeg"}, "send the logo as image/png or image/svg+xml"),
        (png_bytes(), SVG, "not a well-formed SVG"),
        (b"", PNG, "empty"),
    ],
)
def test_what_is_not_a_png_or_svg_image_is_refused_with_422(
    client: TestClient, college, data: bytes, kind: dict[str, str], message: str
) -> None:
    _, headers = college
    response = _put_logo(client, headers, data, kind)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] in ("logo", "Content-Type") and message in error["message"]
    assert client.get(BRANDING, headers=headers).json()["logoUrl"] is None


def test_an_oversize_logo_is_refused_with_413(client: TestClient, college) -> None:
    _, headers = college
    big = svg(GREEN_RECT + "<!--" + "x" * 300_000 + "-->")
    response = _put_logo(client, headers, big, SVG)
    assert response.status_code == 413, response.text
    assert response.json()["errors"][0]["field"] == "logo"
    huge = Image.new("1", (5000, 5000))  # small file, a canvas too large to decode
    out = io.BytesIO()
    huge.save(out, format="PNG")
    assert len(out.getvalue()) < 262_144
    refused = _put_logo(client, headers, out.getvalue(), PNG)
    assert refused.status_code == 422 and "at most 16777216 pixels" in refused.text


def test_another_college_cannot_change_it_and_only_its_own_key_can(client: TestClient, college) -> None:
    _, first_headers = college
    second, second_headers = make_issuer(client, name="Friesland College")
    assert client.put(BRANDING, json={"displayName": "Not mine"}).status_code == 401
    assert _put_logo(client, {}, png_bytes(), PNG).status_code == 401

    assert client.put(BRANDING, json={"displayName": "Friesland"}, headers=second_headers).status_code == 200
    assert _put_logo(client, second_headers, png_bytes(), PNG).status_code == 200
    assert client.delete(LOGO, headers=second_headers).status_code == 200

    mine = client.get(BRANDING, headers=first_headers).json()
    assert mine["displayName"] == "Noorderpoort College" and mine["logoUrl"] is None
    assert client.get(BRANDING, headers=second_headers).json()["displayName"] == "Friesland"
    assert client.get(f"/issuers/{second['id']}/logo").status_code == 404
    assert client.get("/issuers/no-such-college/theme.css").status_code == 404


def test_the_openapi_document_describes_the_branding_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    put = paths["/api/v1/issuers/me/branding"]["put"]
    assert {"200", "401", "413", "422"} <= set(put["responses"])
    assert put["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/BrandingOut")
    logo = paths["/api/v1/issuers/me/branding/logo"]["put"]
    assert set(logo["requestBody"]["content"]) == {"image/png", "image/svg+xml"}
    assert "413" in logo["responses"] and "422" in logo["responses"]
    public = paths["/issuers/{issuer_id}/logo"]["get"]["responses"]
    assert set(public["200"]["content"]) == {"image/png"} and "404" in public
