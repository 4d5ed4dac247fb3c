"""Console: one learner's result recorded through the API's input model and domain function, then the credentials it
issued with their links and the claim link's state; errors shown next to their fields."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db.models import AuditEvent
from tests.console.conftest import ConsoleClient
from tests.factories import make_microcredential

ConsoleAs = Callable[..., ConsoleClient]


@pytest.fixture
def issuer(console_as: ConsoleAs) -> ConsoleClient:
    return console_as("issuer")


@pytest.fixture
def spec(client: TestClient, issuer: ConsoleClient) -> dict[str, Any]:
    return make_microcredential(client, issuer.api_headers)


def result_form(spec_id: str, **over: Any) -> dict[str, Any]:
    return {
        "spec_id": spec_id,
        "givenName": "Sanne",
        "familyName": "de Vries",
        "email": "sanne@learner.example",
        "reference": "2026-HP-0001",
        "assessedOn": "2026-11-02",
        "achievedOutcomes": ["LO1", "LO2"],
        "grade": "Pass",
        "dateOfBirth": "",
        "evidenceUrl": "",
    } | over


def test_a_recorded_result_shows_its_credentials_links_and_claim_link(
    client: TestClient, issuer: ConsoleClient, spec: dict[str, Any], engine: Engine
) -> None:
    chooser = issuer.get("/console/assessments/new")
    assert chooser.status_code == 200 and spec["id"] in chooser.text
    form = issuer.get(f"/console/assessments/new?spec={spec['id']}")
    assert form.status_code == 200
    assert 'name="achievedOutcomes" value="LO1"' in form.text and "Sizes a heat pump for a dwelling" in form.text

    answer = issuer.post_form("/console/assessments/new", result_form(spec["id"]))
    assert answer.status_code == 200, answer.text
    page = html.unescape(answer.text)
    assert "Result recorded" in page
    verify_urls = re.findall(r'href="https://vetcred\.test(/v/[^"/.]+)"', answer.text)
    assert len(verify_urls) == 2  # Open Badges 3.0 and Europass
    for url in verify_urls:
        assert client.get(url).status_code == 200
        assert client.get(f"{url}.json").status_code == 200
    assert f'href="https://vetcred.test{verify_urls[0]}/certificate.pdf"' in answer.text
    claim_url = re.search(
        r"<span class=\"secret\" data-claim-url>(https://vetcred\.test/claim/[^<]+)</span>", answer.text
    )
    assert claim_url and client.get(claim_url.group(1).removeprefix("https://vetcred.test")).status_code == 200
    assert 'data-claim-state="open"' in answer.text
    listed = client.get("/api/v1/credentials", headers=issuer.api_headers).json()
    assert listed["total"] == 2

    again = issuer.post_form("/console/assessments/new", result_form(spec["id"]))
    assert again.status_code == 200 and "Recorded before" in again.text and "data-claim-url" not in again.text
    assert 'data-claim-state="open"' in again.text
    assert client.get("/api/v1/credentials", headers=issuer.api_headers).json()["total"] == 2
    with Session(engine) as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment.record")))
        assert len(events) == 1 and events[0].actor == f"staff:{issuer.member_id}:{issuer.email}"
        assert events[0].detail["reference"] == "2026-HP-0001" and len(events[0].detail["credentials"]) == 2


def test_a_result_that_does_not_justify_the_credential_is_recorded_and_says_why(
    client: TestClient, issuer: ConsoleClient, spec: dict[str, Any]
) -> None:
    answer = issuer.post_form("/console/assessments/new", result_form(spec["id"], achievedOutcomes=["LO1"]))
    assert answer.status_code == 200
    page = html.unescape(answer.text)
    assert "No credential was issued." in page and "not achieved: ['LO2']" in page
    assert client.get("/api/v1/credentials", headers=issuer.api_headers).json()["total"] == 0


def test_what_is_wrong_with_a_result_is_shown_next_to_its_field(
    client: TestClient, issuer: ConsoleClient, spec: dict[str, Any]
) -> None:
    answer = issuer.post_form(
        "/console/assessments/new",
        result_form(spec["id"], givenName="", email="not-an-email", assessedOn="2026-02-30", evidenceUrl="ftp://x"),
    )
    assert answer.status_code == 422
    for name in ("givenName", "email", "assessedOn", "evidenceUrl"):
        assert f'id="field-{name}-error"' in answer.text, name
        assert f'aria-describedby="field-{name}-error"' in answer.text or f"field-{name}-error" in answer.text
    assert 'href="#field-email"' in answer.text  # the summary at the top links to the field
    assert 'value="de Vries"' in answer.text and "checked" in answer.text  # what was typed stays
    tampered = issuer.post_form("/console/assessments/new", result_form(spec["id"], achievedOutcomes=["LO9"]))
    assert tampered.status_code == 422 and 'id="field-achievedOutcomes-error"' in tampered.text
    assert "not learning outcomes of this micro-credential" in html.unescape(tampered.text)
    assert client.get("/api/v1/credentials", headers=issuer.api_headers).json()["total"] == 0


def test_only_issuers_record_results_and_only_for_their_college(
    issuer: ConsoleClient, spec: dict[str, Any], console_as: ConsoleAs
) -> None:
    viewer = console_as("viewer")
    assert viewer.get(f"/console/assessments/new?spec={spec['id']}").status_code == 403
    assert viewer.post_form("/console/assessments/new", result_form(spec["id"])).status_code == 403
    other = console_as("issuer", college="b")
    assert other.get(f"/console/assessments/new?spec={spec['id']}").status_code == 404
    assert other.post_form("/console/assessments/new", result_form(spec["id"])).status_code == 404
    assert spec["id"] not in other.get("/console/assessments/new").text
    without_token = issuer.post("/console/assessments/new", data=result_form(spec["id"]), follow_redirects=False)
    assert without_token.status_code == 403
