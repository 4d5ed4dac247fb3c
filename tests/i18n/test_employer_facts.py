"""What an employer reads on a micro-credential's page: amounts with their units and the duration in words, in the
reader's language, and the trust source named in that language too."""

from __future__ import annotations

import lxml.html
import pytest
from fastapi.testclient import TestClient

from app.demo import sample_microcredential
from tests.factories import issue, make_achievement, make_issuer
from tests.i18n.test_every_language import visible_text


def _text(html: str) -> str:
    return " ".join(lxml.html.document_fromstring(html).text_content().split())


@pytest.mark.parametrize(
    ("language", "facts"),
    [
        ("en", ["3 ECTS credits, 84 hours", "EQF level 4", "8 weeks", "Practical assessment"]),
        ("fi", ["3 opintopistettä (ECTS), 84 tuntia", "EQF-taso 4", "8 viikkoa", "Käytännön näyttö"]),
        ("sl", ["3 kreditne točke ECTS, 84 ur", "Raven EOK 4", "8 tednov", "Pod nadzorom, s preverjanjem"]),
        ("da", ["3 ECTS-point, 84 timer", "EQF-niveau 4", "8 uger", "Praktisk prøve"]),
    ],
)
def test_the_demo_micro_credential_states_its_facts_in_words(
    client: TestClient, language: str, facts: list[str]
) -> None:
    _, headers = make_issuer(client)
    body = sample_microcredential().model_dump(mode="json", exclude_none=True)
    created = client.post("/api/v1/microcredentials", json=body, headers=headers)
    assert created.status_code == 201, created.text
    page = client.get(created.json()["uri"].removeprefix("https://vetcred.test"), params={"lang": language})
    text = _text(page.text)
    for fact in facts:
        assert fact in text, f"{language}: {fact!r} missing"
    assert "P8W" not in text and "PT" not in text and "MicroCredential" not in text
    # Four distinct learning outcomes, each its own sentence.
    assert len({li.text_content().strip() for li in lxml.html.document_fromstring(page.text).xpath("//li")}) >= 4


def test_the_trust_source_is_named_in_the_reader_s_language(client: TestClient) -> None:
    _, headers = make_issuer(client)
    issued = issue(client, headers, make_achievement(client, headers)["id"])
    path = issued["verifyUrl"].removeprefix("https://vetcred.test")
    german = " ".join(visible_text(client.get(path, params={"lang": "de"}).text, "de").split())
    # A singular noun, so that "as %(sources)s confirms" agrees: "bestätigt durch das Verzeichnis …".
    assert "bestätigt durch das Verzeichnis der Bildungseinrichtungen dieses Dienstes (vetcred.test)" in german
    assert "registered on this service" not in german  # only in the technical details, marked lang="en"
    slovenian = " ".join(visible_text(client.get(path, params={"lang": "sl"}).text, "sl").split())
    assert "kar potrjuje register ustanov te storitve (vetcred.test)" in slovenian
    greek = " ".join(visible_text(client.get(path, params={"lang": "el"}).text, "el").split())
    assert "όπως επιβεβαιώνει το μητρώο φορέων αυτής της υπηρεσίας (vetcred.test)" in greek
    # The JSON report stays in English, whoever reads the page.
    assert "colleges registered on this service (vetcred.test)" in client.get(path + "/report.json").text
