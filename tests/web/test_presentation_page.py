"""The /verify page with a presentation pasted or uploaded: the holder's verdict, then each credential's, on one page.

Presentations are signed by Digital Bazaar's @digitalbazaar/vc (Node.js; skipped without it, failed in CI).
"""

from __future__ import annotations

import copy
import html
import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.interop import node
from tests.verification.holder import CHALLENGE, DOMAIN, HOLDER, issued_to, present

pytestmark = pytest.mark.interop_js


@pytest.fixture(autouse=True)
def _node() -> None:
    node.require()


def _text(page: str) -> str:
    """The page's words, one line per element, as a reader meets them."""
    return html.unescape(re.sub(r"\s*\n\s*", "\n", re.sub(r"<[^>]+>", "\n", page)))


def _headlines(page: str) -> list[str]:
    found = re.findall(r'<h[14] id="(?:c\d+-)?verdict-headline">(.*?)</h[14]>', page)
    return [" ".join(_text(headline).split()) for headline in found]


def test_a_pasted_presentation_shows_the_holder_and_each_credential(client: TestClient) -> None:
    credentials = [issued_to(client, "Noorderpoort College"), issued_to(client, "Rijnmond Vakcollege", name="Forklift")]
    tampered = copy.deepcopy(credentials[0])
    tampered["credentialSubject"]["achievement"]["name"] = "Master Welder"
    presentation = present([tampered, credentials[1]])

    page = client.post(
        "/verify", data={"credential": json.dumps(presentation), "challenge": CHALLENGE, "domain": DOMAIN}
    )

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert _headlines(page.text) == ["✓ Holder verified", "✕ Not valid", "✓ Verified"]
    words = _text(page.text)
    assert HOLDER in words and "Credential 1 of 2" in words and "Credential 2 of 2" in words
    assert "It was made for this request: its challenge is the one given." in words
    assert "Master Welder" in words and "Forklift" in words
    assert words.count("It was issued to the holder who presented it.") == 2
    # Each credential's sections have ids of their own.
    ids = re.findall(r'id="([^"]+)"', page.text)
    assert len(ids) == len(set(ids))


def test_an_uploaded_presentation_with_a_wrong_challenge_fails_the_holder(client: TestClient) -> None:
    presentation = present([issued_to(client, "Noorderpoort College")])
    files = {"file": ("presentation.json", json.dumps(presentation), "application/json")}
    page = client.post("/verify", data={"challenge": "not-what-the-wallet-signed"}, files=files)
    assert page.status_code == 200
    assert _headlines(page.text) == ["✕ Presentation not valid", "✓ Verified"]
    assert "It was not made for this request" in _text(page.text)
    # The form keeps the verifier's inputs when the text is not a presentation at all.
    refused = client.post("/verify", data={"credential": "{oops", "challenge": "c-1", "domain": DOMAIN})
    assert refused.status_code == 422 and 'value="c-1"' in refused.text and f'value="{DOMAIN}"' in refused.text


def test_the_form_offers_the_challenge_and_domain(client: TestClient) -> None:
    form = client.get("/verify").text
    for name in ("challenge", "domain"):
        assert re.search(rf'<label for="{name}">[^<]+</label> <input id="{name}" name="{name}"', form)
