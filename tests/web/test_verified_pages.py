"""A verification page is served again only while nothing it was made from has changed: each change that alters a
verification (status, document, key, college, branding, the clock) shows on the very next view, against the real app
and database. That a page was served again is told from the outside: with the proof outcomes forgotten, a page made
afresh could not say it reused them, so a page that still says so is the kept one."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from app.config import Settings
from app.db.models import Credential, IssuerKey
from app.main import create_app
from app.proofs.keys import generate_signing_key, public_key_bytes
from app.proofs.multikey import encode_public_key
from app.verification.cache import VerificationCache
from app.web.verified_pages import VerifiedPages
from tests.factories import issue, issuer_payload, make_achievement, make_issuer
from tests.web.test_branding_pages import DISPLAY_NAME, _brand

HTML = {"Accept": "text/html"}


@pytest.fixture
def clocked(settings: Settings, empty_database: None) -> Iterator[tuple[TestClient, Callable[[timedelta], None]]]:
    """A client whose service clock the test moves forward, starting at the beginning of a minute."""
    moment = [datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)]

    def advance(by: timedelta) -> None:
        moment[0] += by

    with TestClient(create_app(settings, clock=lambda: moment[0])) as test_client:
        yield test_client, advance


@pytest.fixture
def college(clocked) -> tuple[TestClient, dict[str, Any], dict[str, str], str]:
    client, _ = clocked
    issuer, headers = make_issuer(client)
    return client, issuer, headers, make_achievement(client, headers)["id"]


def _path(body: dict[str, Any]) -> str:
    return "/v/" + body["verifyUrl"].rsplit("/v/", 1)[1]


def _forget_outcomes(client: TestClient) -> None:
    """What a fresh verification could reuse is gone: it would canonicalize, and its page would not say "reused"."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.verification_cache = VerificationCache(64 * 2**20)


def _kept_page(client: TestClient, body: dict[str, Any], **headers: str) -> str:
    """Views the page twice (the second view is served again, or made again from the first's outcomes)."""
    client.get(_path(body), headers=HTML | headers)
    page = client.get(_path(body), headers=HTML | headers)
    assert page.status_code == 200 and "verdict-verified" in page.text
    return page.text


def test_an_unchanged_page_is_served_again_byte_for_byte(clocked) -> None:
    client, advance = clocked
    _, headers = make_issuer(client)
    body = issue(client, headers, make_achievement(client, headers)["id"])
    client.get(_path(body), headers=HTML)
    advance(timedelta(minutes=1))  # the next minute's page is made again, from the outcomes of the first
    kept = client.get(_path(body), headers=HTML).text
    assert "Reused from an earlier check" in kept
    _forget_outcomes(client)
    advance(timedelta(seconds=30))
    again = client.get(_path(body), headers=HTML)
    assert again.text == kept
    assert again.headers["content-security-policy"] and again.headers["cache-control"] == "no-store"
    assert again.headers["content-language"] == "en"


def test_a_revocation_shows_on_the_next_view(college) -> None:
    client, _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _kept_page(client, body)
    assert client.post(f"/api/v1/credentials/{body['id']}/revoke", json={"reason": "x"}, headers=headers).is_success
    page = client.get(_path(body), headers=HTML).text
    assert "Revoked" in page and "Verified" not in page


def test_a_suspension_and_its_lifting_show_on_the_next_view(clocked) -> None:
    client, _ = clocked
    _, headers = make_issuer(client, allowSuspension=True)
    body = issue(client, headers, make_achievement(client, headers)["id"])
    _kept_page(client, body)
    assert client.post(f"/api/v1/credentials/{body['id']}/suspend", json={"reason": "x"}, headers=headers).is_success
    assert "Suspended" in client.get(_path(body), headers=HTML).text
    assert client.post(f"/api/v1/credentials/{body['id']}/unsuspend", json={"reason": "x"}, headers=headers).is_success
    assert "Suspended" not in client.get(_path(body), headers=HTML).text


def test_a_tampered_stored_document_shows_as_not_valid_on_the_next_view(college, engine: Engine) -> None:
    client, _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _kept_page(client, body)
    tampered = copy.deepcopy(body["credential"])
    tampered["credentialSubject"]["name"] = "Someone Else"
    with engine.begin() as connection:
        connection.execute(update(Credential).where(Credential.id == body["id"]).values(document=tampered))
    page = client.get(_path(body), headers=HTML).text
    assert "Not valid" in page and "Verified" not in page


def test_a_changed_key_shows_on_the_next_view(college, engine: Engine) -> None:
    client, issuer, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _kept_page(client, body)
    stranger = encode_public_key(public_key_bytes(generate_signing_key()))
    with engine.begin() as connection:
        connection.execute(
            update(IssuerKey).where(IssuerKey.issuer_id == issuer["id"]).values(public_key_multibase=stranger)
        )
    page = client.get(_path(body), headers=HTML).text
    assert "Not valid" in page and "Verified" not in page


def test_the_college_and_its_branding_show_as_they_are_now(college, admin_headers: dict[str, str]) -> None:
    client, issuer, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _kept_page(client, body)
    renamed = issuer_payload(name="Renamed Vocational College")
    assert client.put(f"/api/v1/issuers/{issuer['id']}", json=renamed, headers=admin_headers).is_success
    assert "Renamed Vocational College" in client.get(_path(body), headers=HTML).text
    _kept_page(client, body)
    _brand(client, headers)
    assert DISPLAY_NAME in client.get(_path(body), headers=HTML).text


def test_a_page_is_kept_until_its_validity_ends_within_the_minute(clocked) -> None:
    client, advance = clocked
    _, headers = make_issuer(client)
    achievement_id = make_achievement(client, headers)["id"]
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    until = runtime.clock() + timedelta(seconds=20)
    body = issue(client, headers, achievement_id, validUntil=until.isoformat().replace("+00:00", "Z"))
    kept = _kept_page(client, body)
    advance(timedelta(seconds=19))
    _forget_outcomes(client)
    assert client.get(_path(body), headers=HTML).text == kept  # still inside its span: served again
    advance(timedelta(seconds=2))
    page = client.get(_path(body), headers=HTML).text
    assert "Expired" in page and "Verified" not in page


def test_a_page_names_the_minute_it_was_checked_in(clocked) -> None:
    client, advance = clocked
    _, headers = make_issuer(client)
    body = issue(client, headers, make_achievement(client, headers)["id"])
    kept = _kept_page(client, body)
    advance(timedelta(seconds=59))
    assert client.get(_path(body), headers=HTML).text == kept
    advance(timedelta(seconds=1))
    later = client.get(_path(body), headers=HTML).text
    assert later != kept and "Verified" in later


def test_each_language_and_form_is_its_own_page(college) -> None:
    client, _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    english = _kept_page(client, body)
    finnish = _kept_page(client, body, **{"Accept-Language": "fi"})
    assert finnish != english and 'lang="fi"' in finnish
    assert client.get(_path(body), headers=HTML | {"Accept-Language": "fi"}).text == finnish
    assert client.get(_path(body) + "?lang=de", headers=HTML).headers["content-language"] == "de"
    client.cookies.set("vetcred_lang", "nl")
    assert client.get(_path(body), headers=HTML).headers["content-language"] == "nl"
    client.cookies.clear()
    assert client.get(_path(body), headers=HTML).text == english
    signed = client.get(_path(body), headers={"Accept": "application/json"})
    assert signed.json()["id"] == body["credential"]["id"]


def test_an_unknown_token_is_never_kept(college) -> None:
    client, *_ = college
    for _ in range(2):
        assert client.get("/v/no-such-token", headers=HTML).status_code == 404


def test_the_kept_pages_are_bounded_by_their_bytes(settings: Settings, empty_database: None) -> None:
    """Pages of many credentials: the least recently viewed make room, and each is still correct when viewed again."""
    app = create_app(settings)
    with TestClient(app) as setup:
        _, headers = make_issuer(setup)
        achievement_id = make_achievement(setup, headers)["id"]
        bodies = [issue(setup, headers, achievement_id) for _ in range(4)]
        runtime = setup.app.state.runtime  # type: ignore[attr-defined]
        one_page = len(_kept_page(setup, bodies[0]).encode())
        pages = VerifiedPages(app, runtime=runtime, max_bytes=int(2.5 * (one_page + 2048)))
        with TestClient(pages) as client:
            for body in bodies:
                _kept_page(client, body)
            assert len(pages) == 2
            assert "verdict-verified" in client.get(_path(bodies[0]), headers=HTML).text


def test_many_views_at_once_right_after_a_change_all_see_it(college) -> None:
    """The first view after a change makes the page while the others wait for it: none gets the page from before."""
    client, _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _kept_page(client, body)
    assert client.post(f"/api/v1/credentials/{body['id']}/revoke", json={"reason": "x"}, headers=headers).is_success
    with ThreadPoolExecutor(max_workers=12) as pool:
        pages = list(pool.map(lambda _: client.get(_path(body), headers=HTML).text, range(24)))
    assert all("Revoked" in page and "verdict-verified" not in page for page in pages)
    assert len(set(pages)) == 1
