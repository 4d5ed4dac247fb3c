"""Revocation and suspension through Bitstring Status Lists, seen by the verifier and in the published list."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.proofs import eddsa_rdfc_2022
from app.proofs.loader import default_loader
from app.status.bitstring import Bitstring
from tests.factories import issue, make_achievement, make_issuer


def _verify(client: TestClient, document: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=document)
    assert response.status_code == 200, response.text
    return response.json()


def _status_check(report: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["name"] == "status")


@pytest.fixture
def college(client: TestClient) -> tuple[dict[str, Any], dict[str, str], str]:
    issuer, headers = make_issuer(client)
    return issuer, headers, make_achievement(client, headers)["id"]


def test_a_credential_carries_one_revocation_entry_by_default(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    status = issue(client, headers, achievement_id)["credential"]["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"].startswith("https://vetcred.test/status/")
    assert status["id"] == f"{status['statusListCredential']}#{status['statusListIndex']}"
    assert 0 <= int(status["statusListIndex"]) < 131_072


def test_the_published_list_is_a_signed_bitstring_status_list_credential(client: TestClient, college) -> None:
    issuer, headers, achievement_id = college
    status = issue(client, headers, achievement_id)["credential"]["credentialStatus"]
    response = client.get(status["statusListCredential"].removeprefix("https://vetcred.test"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+ld+json")
    assert "max-age=60" in response.headers["cache-control"]
    assert client.get(response.url, headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    document = response.json()
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == issuer["did"]
    assert document["credentialSubject"]["statusPurpose"] == "revocation"
    bits = Bitstring.decode(document["credentialSubject"]["encodedList"])
    assert bits.length == 131_072 and bits.get(int(status["statusListIndex"])) == 0


def test_indexes_are_random_and_never_reused(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    indexes = [
        int(issue(client, headers, achievement_id)["credential"]["credentialStatus"]["statusListIndex"])
        for _ in range(12)
    ]
    assert len(set(indexes)) == 12
    assert indexes != sorted(indexes)  # probability of sorted random draws: 1/12!


def test_revoke_shows_in_the_list_and_the_verifier_says_revoked(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    assert _verify(client, body["credential"])["verdict"] == "verified"
    response = client.post(
        f"/api/v1/credentials/{body['id']}/revoke", json={"reason": "assessment fraud"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "revoked" and response.json()["changed"] is True
    [event] = response.json()["auditTrail"]
    assert event["action"] == "revoke" and event["reason"] == "assessment fraud"
    assert event["actor"].startswith("issuer:") and event["at"]

    report = _verify(client, body["credential"])
    assert report["verified"] is False and report["verdict"] == "revoked"
    assert _status_check(report)["outcome"] == "failed"
    status = body["credential"]["credentialStatus"]
    published = client.get(status["statusListCredential"].removeprefix("https://vetcred.test")).json()
    assert Bitstring.decode(published["credentialSubject"]["encodedList"]).get(int(status["statusListIndex"])) == 1
    assert "fraud" not in str(published)
    eddsa_rdfc_2022.verify(published, _resolver_for(client), default_loader())

    again = client.post(f"/api/v1/credentials/{body['id']}/revoke", json={"reason": "retry"}, headers=headers)
    assert again.status_code == 200 and again.json()["changed"] is False
    refused = client.post(f"/api/v1/credentials/{body['id']}/unsuspend", json={"reason": "x"}, headers=headers)
    assert refused.status_code == 409


def _resolver_for(client: TestClient):
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    session = runtime.session_factory()
    return runtime.resolver(session)


def test_suspension_is_refused_without_a_suspension_entry(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    response = client.post(f"/api/v1/credentials/{body['id']}/suspend", json={"reason": "inquiry"}, headers=headers)
    assert response.status_code == 409
    assert "no suspension entry" in response.json()["detail"]


def test_suspend_and_unsuspend_for_an_issuer_that_opted_in(client: TestClient) -> None:
    _, headers = make_issuer(client, allowSuspension=True)
    body = issue(client, headers, make_achievement(client, headers)["id"])
    entries = body["credential"]["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]

    suspended = client.post(
        f"/api/v1/credentials/{body['id']}/suspend", json={"reason": "under review"}, headers=headers
    )
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    report = _verify(client, body["credential"])
    assert report["verdict"] == "suspended" and report["verified"] is False

    lifted = client.post(f"/api/v1/credentials/{body['id']}/unsuspend", json={"reason": "cleared"}, headers=headers)
    assert lifted.json()["status"] == "active"
    assert [e["action"] for e in lifted.json()["auditTrail"]] == ["suspend", "unsuspend"]
    report = _verify(client, body["credential"])
    assert report["verdict"] == "verified" and report["verified"] is True
    # Two entries: valid VC 2.0, but the strict 1EdTech schema allows one; the report says so without failing.
    schema = next(c for c in report["checks"] if c["name"] == "ob3_schema")
    assert schema["outcome"] == "failed" and schema["required"] is False


def test_another_college_cannot_revoke(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    _, other = make_issuer(client, name="Other College")
    response = client.post(f"/api/v1/credentials/{body['id']}/revoke", json={"reason": "x"}, headers=other)
    assert response.status_code == 404
    assert client.get(f"/api/v1/credentials/{body['id']}", headers=headers).json()["status"] == "active"


def test_a_status_change_needs_a_reason(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    body = issue(client, headers, achievement_id)
    response = client.post(f"/api/v1/credentials/{body['id']}/revoke", json={"reason": "  "}, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"


def test_an_expired_credential_is_reported_expired(client: TestClient, college) -> None:
    _, headers, achievement_id = college
    body = issue(client, headers, achievement_id, validFrom="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z")
    report = _verify(client, body["credential"])
    assert report["verdict"] == "expired" and report["verified"] is False
