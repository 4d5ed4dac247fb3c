"""Every page, the PDF and each e-mail in every shipped language: no English UI string is left in a translation.

The check compares what a reader sees (text, and alt/placeholder/aria-label/title attributes) with the English
msgids. The credential's own words and the verifier's technical detail carry a ``lang`` attribute of their own and
are left out, as are proper names; a msgid its translation keeps unchanged ("Portfolio", "Online") is not a miss.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient

from app.i18n.catalogues import translations
from app.i18n.languages import DEFAULT, LANGUAGES
from app.wallet.mail import claim_link_message, tx_code_message
from tests import system_packages
from tests.factories import issue, make_achievement, make_issuer, microcredential_payload
from tests.i18n.test_catalogues import EXTRACTED

TRANSLATED = [code for code in LANGUAGES if code != DEFAULT]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def english_left(text: str, language: str) -> list[str]:
    """The English UI strings (or their fixed parts around placeholders) found in ``text``."""
    catalogue = translations(language)
    found = []
    for msgid, ids in EXTRACTED.items():
        translated = catalogue.ngettext(ids[0], ids[1], 5) if len(ids) > 1 else catalogue.gettext(msgid)
        if translated == (ids[1] if len(ids) > 1 else msgid):
            continue  # the same word in this language, or (caught by test_catalogues) untranslated
        for english in ids:
            for part in PLACEHOLDER.split(english):
                part = part.strip(" .,:;()\u2013\u201c\u201d")
                if part.lower() in translated.lower():
                    continue  # a word the language shares (French "minutes", Dutch "credential")
                if len(part) >= 4 and re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text):
                    found.append(part)
    return found


# Wallets and bodies named on the claim page by their own (English) names.
PRODUCT_NAMES = ("Learner Credential Wallet", "Digital Credentials Consortium", "OpenWallet Foundation")


def visible_text(page: str, language: str) -> str:
    """What a reader of ``language`` sees, without the parts marked as another language (credential content,
    technical detail) and without the language switcher (each language's own name)."""
    root = lxml.html.document_fromstring(page)
    assert root.get("lang") == language
    for element in root.xpath("//*[@lang]"):
        if element is not root and element.get("lang") != language:
            element.drop_tree()
    for element in root.xpath("//nav[contains(@class, 'languages')] | //script | //style | //code"):
        element.drop_tree()
    attributes = " ".join(root.xpath("//@alt | //@placeholder | //@aria-label | //img/@title"))
    text = root.text_content() + " " + attributes
    for name in PRODUCT_NAMES:  # proper names, the same in every language: not UI text left in English
        text = text.replace(name, "")
    return text


@pytest.fixture
def pages(client: TestClient) -> dict[str, str]:
    """The path of each kind of page, for one college with a credential and a published micro-credential."""
    _, headers = make_issuer(client)
    issued = issue(client, headers, make_achievement(client, headers)["id"])
    spec = client.post("/api/v1/microcredentials", json=microcredential_payload(), headers=headers)
    assert spec.status_code == 201, spec.text
    token = issued["claimUrl"].rsplit("/", 1)[-1]
    verify = issued["verifyUrl"].removeprefix("https://vetcred.test")
    return {
        "landing": "/",
        "verification": verify,
        "certificate": f"{verify}/certificate.pdf",
        "claim": f"/claim/{token}",
        "learner": f"/claim/{token}/all",
        "catalogue": "/catalogue",
        "microcredential": spec.json()["uri"].removeprefix("https://vetcred.test"),
        "verify form": "/verify",
        "not found": "/v/no-such-token",
    }


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_page_is_in_the_language(client: TestClient, pages: dict[str, str], language: str) -> None:
    for name, path in pages.items():
        if name == "certificate":
            continue
        response = client.get(path, params={"lang": language})
        assert response.headers["content-language"] == language, name
        left = english_left(visible_text(response.text, language), language)
        assert not left, f"{name} in {language} still says {left}"
    pasted = client.get(pages["verification"] + ".json").text
    result = client.post("/verify", params={"lang": language}, data={"credential": pasted})
    left = english_left(visible_text(result.text, language), language)
    assert result.status_code == 200 and not left, f"the verify result in {language} still says {left}"
    refused = client.post("/verify", params={"lang": language}, data={"credential": "{not json"})
    assert refused.status_code == 422 and not english_left(visible_text(refused.text, language), language)


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_certificate_is_in_the_language(
    client: TestClient, pages: dict[str, str], language: str, tmp_path: Path
) -> None:
    system_packages.poppler("pdftotext")
    response = client.get(pages["certificate"], params={"lang": language})
    assert response.headers["content-language"] == language
    text = _pdf_text(response.content, tmp_path)
    # The achievement and the issuer are the credential's own (English) words; they are not UI strings.
    assert not english_left(text, language), f"the certificate in {language} still says {english_left(text, language)}"
    assert translations(language).gettext("Certificate") in text


def _parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None and message.get_content_type() == "multipart/alternative"
    return str(plain.get_content()), str(html.get_content())


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_e_mail_is_in_the_language(language: str) -> None:
    common: dict[str, Any] = {"to": "learner@example.org", "achievement": "Welding Safety", "issuer": "Noorderpoort"}
    messages = [
        claim_link_message(
            **common,
            learner="Sanne",
            url="https://vetcred.test/claim/t",
            expires_at=datetime(2026, 12, 22, tzinfo=UTC),
            pin_follows=True,
            language=language,
        ),
        tx_code_message(**common, tx_code="012345", language=language),
    ]
    for message in messages:
        plain, html = _parts(message)
        assert message["Content-Language"] == language
        for text in (str(message["Subject"]), plain, visible_text(html, language)):
            assert not english_left(text, language), f"{language}: {english_left(text, language)}"
