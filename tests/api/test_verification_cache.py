"""Verification reuses proof outcomes, but a changed document, key, status list or college is never answered from
the cache: each case against the real app and database, through the public report and page."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from app.config import Settings
from app.db.models import Credential, IssuerKey
from app.main import create_app
from app.proofs.keys import generate_signing_key, public_key_bytes
from app.proofs.multikey import encode_public_key
from app.verification.cache import MustCompute
from tests.factories import issue, issuer_payload, make_achievement, make_issuer

SAMPLES = Path(__file__).resolve().parent.parent / "vectors" / "edc"
PARTS = {"structure", "proof", "status_list_proof", "ob3_schema"}


@pytest.fixture
def college(client: TestClient) -> tuple[dict[str, Any], dict[str, str], str]:
    issuer, headers = make_issuer(client)
    return issuer, headers, make_achievement(client, headers)["id"]


def _path(body: dict[str, Any]) -> str:
    return "/v/" + body["verifyUrl"].rsplit("/v/", 1)[1]


def _report(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.get(_path(body) + "/report.json")
    assert response.status_code == 200, response.text
    return response.json()


def _reused(report: dict[str, Any]) -> set[str]:
    return {part["part"] for part in report["reused"]}


def test_a_second_view_reuses_the_proofs_and_says_so(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    first = _report(client, body)
    assert first["verdict"] == "verified" and first["reused"] == [] and first["checkedAt"]
    second = _report(client, body)
    assert second["verdict"] == "verified" and _reused(second) == PARTS
    assert {part["computedAt"] for part in second["reused"]} == {first["checkedAt"]}
    assert [c for c in second["checks"]] == [c for c in first["checks"]]
    [status_list] = [part for part in second["reused"] if part["part"] == "status_list_proof"]
    assert status_list["subject"] == body["credential"]["credentialStatus"]["statusListCredential"]
    # The API takes the same cache: the credential as presented is the same bytes.
    api = client.post("/api/v1/verify", json=body["credential"]).json()
    assert api["verdict"] == "verified" and _reused(api) == PARTS


def test_a_re_signed_status_list_is_checked_again_and_a_revocation_shows_at_once(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    body, other = issue(client, headers, achievement_id), issue(client, headers, achievement_id)
    _report(client, body)
    assert _reused(_report(client, body)) == PARTS
    # Revoking another credential of the same list re-signs the list: its proof is checked again, the bit is read.
    assert client.post(f"/api/v1/credentials/{other['id']}/revoke", json={"reason": "x"}, headers=headers).is_success
    after = _report(client, body)
    assert after["verdict"] == "verified" and _reused(after) == PARTS - {"status_list_proof"}
    assert client.post(f"/api/v1/credentials/{body['id']}/revoke", json={"reason": "x"}, headers=headers).is_success
    revoked = _report(client, body)
    assert revoked["verdict"] == "revoked" and "status_list_proof" not in _reused(revoked)
    assert "Revoked" in client.get(_path(body), headers={"Accept": "text/html"}).text


def test_a_tampered_stored_document_is_never_served_from_the_cache(client: TestClient, college, engine: Engine) -> None:
    _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _report(client, body)
    assert _report(client, body)["verdict"] == "verified"
    tampered = copy.deepcopy(body["credential"])
    tampered["credentialSubject"]["name"] = "Someone Else"
    with engine.begin() as connection:
        connection.execute(update(Credential).where(Credential.id == body["id"]).values(document=tampered))
    report = _report(client, body)
    assert report["verdict"] == "not_valid" and "proof" not in _reused(report)
    page = client.get(_path(body), headers={"Accept": "text/html"}).text
    assert "Not valid" in page and "Verified" not in page


def test_a_rotated_signing_key_means_the_proof_is_checked_again(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _report(client, body)
    assert client.post("/api/v1/issuers/me/keys/rotate", headers=headers).is_success
    report = _report(client, body)
    assert report["verdict"] == "verified" and _reused(report) == {"structure", "ob3_schema"}
    assert _reused(_report(client, body)) == PARTS


def test_a_changed_key_row_is_never_served_from_the_cache(client: TestClient, college, engine: Engine) -> None:
    issuer, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _report(client, body)
    assert _report(client, body)["verdict"] == "verified"
    stranger = encode_public_key(public_key_bytes(generate_signing_key()))
    with engine.begin() as connection:
        connection.execute(
            update(IssuerKey).where(IssuerKey.issuer_id == issuer["id"]).values(public_key_multibase=stranger)
        )
    report = _report(client, body)
    assert report["verdict"] == "not_valid" and "proof" not in _reused(report)


def test_who_the_college_is_stays_live(client: TestClient, college, admin_headers: dict[str, str]) -> None:
    issuer, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _report(client, body)
    renamed = issuer_payload(name="Renamed College")
    assert client.put(f"/api/v1/issuers/{issuer['id']}", json=renamed, headers=admin_headers).is_success
    report = _report(client, body)
    assert report["issuerIdentity"]["name"] == "Renamed College" and _reused(report) == PARTS


@pytest.fixture
def clocked(settings: Settings, empty_database: None) -> Iterator[tuple[TestClient, Callable[[timedelta], None]]]:
    """A client whose service clock the test moves forward."""
    moment = [datetime.now(UTC)]

    def advance(by: timedelta) -> None:
        moment[0] += by

    with TestClient(create_app(settings, clock=lambda: moment[0])) as test_client:
        yield test_client, advance


def test_the_validity_period_is_checked_against_the_clock_every_time(clocked) -> None:
    client, advance = clocked
    _, headers = make_issuer(client)
    achievement_id = make_achievement(client, headers)["id"]
    until = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    body = issue(client, headers, achievement_id, validUntil=until)
    assert _report(client, body)["verdict"] == "verified"
    advance(timedelta(days=2))
    report = _report(client, body)
    assert report["verdict"] == "expired" and "proof" in _reused(report)


def test_the_page_says_when_it_checked_and_what_it_reused(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    body, other = issue(client, headers, achievement_id), issue(client, headers, achievement_id)
    first = client.get(_path(body), headers={"Accept": "text/html"}).text
    assert "Checked" in first and "reused" not in first.lower()
    # Another credential of the list revoked: the page is made again, with the credential's own proof reused.
    assert client.post(f"/api/v1/credentials/{other['id']}/revoke", json={"reason": "x"}, headers=headers).is_success
    second = client.get(_path(body), headers={"Accept": "text/html"}).text
    assert "Verified" in second and "reused" in second.lower()


def test_the_cache_is_per_app_and_starts_empty(settings: Settings, empty_database: None) -> None:
    with TestClient(create_app(settings)) as client:
        _, headers = make_issuer(client)
        body = issue(client, headers, make_achievement(client, headers)["id"])
        _report(client, body)
    with TestClient(create_app(settings)) as fresh:
        assert _report(fresh, body)["reused"] == []


def test_without_computing_a_verification_only_reuses(client: TestClient, college) -> None:
    """What the page runs on the event loop: nothing slow, or MustCompute."""
    _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.transaction(writes=False) as session, pytest.raises(MustCompute):
        runtime.verify(body["credential"], session, compute=False)
    _report(client, body)
    with runtime.transaction(writes=False) as session:
        report = runtime.verify(body["credential"], session, compute=False)
    assert report.verified and {r.part for r in report.reused} == PARTS


def test_a_sealed_edc_reuses_its_seal_and_shapes_but_never_for_a_changed_payload(client: TestClient) -> None:
    sealed = json.loads((SAMPLES / "Sample-MC-Annex1-signed.jsonld").read_text(encoding="utf-8"))
    first = client.post("/api/v1/verify", json=sealed).json()
    assert first["reused"] == []
    second = client.post("/api/v1/verify", json=sealed).json()
    assert _reused(second) == {"seal", "edc_format"} and second["checks"] == first["checks"]
    tampered = dict(sealed)
    tampered["payload"] = sealed["payload"].replace('"validFrom":"20', '"validFrom":"21', 1)
    assert tampered["payload"] != sealed["payload"]
    report = client.post("/api/v1/verify", json=tampered).json()
    assert report["verdict"] == "not_valid" and "seal" not in _reused(report)
