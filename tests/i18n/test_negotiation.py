"""Which language a page speaks: ?lang=, the switcher's cookie, Accept-Language (q-values), college, English."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.i18n.languages import COOKIE, choose, display_name, from_accept_language, parse_accept_language
from app.i18n.localizer import localizer
from tests import system_packages
from tests.factories import issue, make_achievement, make_issuer


def test_accept_language_is_read_by_weight() -> None:
    assert parse_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == ["fr-CH", "fr", "en", "de"]
    assert parse_accept_language("de;q=0.2, et;q=0.9, el;q=0") == ["et", "de"]
    assert from_accept_language("pt-BR, de-AT;q=0.8") == "de"
    assert from_accept_language("sr-Latn-RS") == from_accept_language("sr") == "sr-Latn"
    assert from_accept_language("ja, zh;q=0.5") is None
    # Danish, Finnish and Slovenian, with a region; a Swedish-speaking Finn who also reads Finnish gets Finnish.
    assert [from_accept_language(h) for h in ("da-DK", "fi-FI, sv;q=0.5", "sl-SI", "sv-FI, fi;q=0.9")] == [
        "da",
        "fi",
        "sl",
        "fi",
    ]


def test_dates_are_written_as_each_language_writes_them() -> None:
    day, moment = date(2026, 12, 22), datetime(2026, 11, 28, 23, 45, tzinfo=UTC)
    assert localizer("en").date(day) == "22 December 2026"
    assert localizer("da").date(day) == "22. december 2026"
    assert localizer("fi").date(day) == "22. joulukuuta 2026"
    assert localizer("sl").date(day) == "22. december 2026"
    assert localizer("fi").moment(moment) == "28. marraskuuta 2026 23:45 UTC"
    assert [display_name(code) for code in ("da", "fi", "sl")] == ["Dansk", "Suomi", "Slovenščina"]


def test_the_order_is_query_cookie_header_college_english() -> None:
    assert choose(query="et", cookie="el", accept_language="de", college_default="fr") == "et"
    assert choose(query="xx", cookie="el", accept_language="de", college_default="fr") == "el"
    assert choose(query=None, cookie="nope", accept_language="de", college_default="fr") == "de"
    assert choose(query=None, cookie=None, accept_language="ja", college_default="fr") == "fr"
    assert choose(query=None, cookie=None, accept_language=None, college_default="klingon") == "en"


@pytest.fixture
def verify_path(client: TestClient) -> str:
    _, headers = make_issuer(client, defaultLanguage="et")
    issued = issue(client, headers, make_achievement(client, headers)["id"])
    return str(issued["verifyUrl"]).removeprefix("https://vetcred.test")


def _lang(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.headers["content-language"] in response.text[:60]  # <html lang="...">
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response.headers["vary"].split(",")}
    return str(response.headers["content-language"])


def test_pages_follow_the_order(client: TestClient, verify_path: str) -> None:
    assert _lang(client.get(verify_path)) == "et"  # no preference at all: the college's default
    assert _lang(client.get(verify_path, headers={"Accept-Language": "ja, el;q=0.3, de;q=0.5"})) == "de"
    assert _lang(client.get(verify_path, headers={"Accept-Language": "xx-YY"})) == "et"
    chosen = client.get(verify_path, params={"lang": "hr"}, headers={"Accept-Language": "de"})
    assert _lang(chosen) == "hr" and chosen.cookies.get(COOKIE) == "hr"
    # The switcher's choice sticks: the cookie now outranks the browser, ?lang= outranks the cookie.
    assert _lang(client.get(verify_path, headers={"Accept-Language": "de"})) == "hr"
    assert _lang(client.get(verify_path, params={"lang": "sr-latn"})) == "sr-Latn"
    assert _lang(client.get(verify_path, params={"lang": "klingon"})) == "sr-Latn"  # unknown: skipped
    switcher = client.get(verify_path).text
    for code in ("el", "da", "fi", "sl"):
        assert f'href="?lang={code}"' in switcher  # the switcher, without JavaScript


def test_a_college_default_language_must_be_one_vetcred_speaks(client: TestClient) -> None:
    from tests.factories import ADMIN, issuer_payload

    response = client.post("/api/v1/issuers", json=issuer_payload(defaultLanguage="tlh"), headers=ADMIN)
    assert response.status_code == 422 and "defaultLanguage" in response.text
    college, _ = make_issuer(client, defaultLanguage="SR-latn")
    assert college["defaultLanguage"] == "sr-Latn"


NAME = "Łukasz Ćwikła-Țăranu Ğül Őrs"


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("el", ["Πιστοποιητικό", "Ημερομηνία έκδοσης"]),
        ("hr", ["Potvrda", "Datum izdavanja", "Vrijedi od"]),
        ("fi", ["Todistus", "Myöntämispäivä"]),
        ("sl", ["Potrdilo", "Datum izdaje"]),
    ],
)
def test_the_certificate_prints_every_letter(
    client: TestClient, tmp_path: Path, language: str, labels: list[str]
) -> None:
    system_packages.poppler("pdftotext")
    system_packages.dejavu_fonts()  # without it the certificate falls back to Helvetica: black boxes for Ł, Ț, Ő
    _, headers = make_issuer(client)
    achievement = make_achievement(client, headers)["id"]
    issued = issue(client, headers, achievement, recipient={"name": NAME, "email": "lukasz@learner.example"})
    path = str(issued["verifyUrl"]).removeprefix("https://vetcred.test") + "/certificate.pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(client.get(path, params={"lang": language}).content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert NAME in " ".join(text.split())
    for label in labels:
        assert label in text
