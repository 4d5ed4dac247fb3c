"""Cohorts: many assessments in one request (JSON or CSV); bad rows reported by row, good rows issued once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.factories import assessment_row, make_issuer, make_microcredential


@pytest.fixture
def spec(client: TestClient) -> tuple[dict[str, str], dict[str, Any]]:
    _, headers = make_issuer(client)
    return headers, make_microcredential(client, headers)


BAD = {  # row number -> (how the row is broken, the field the report must name)
    7: ({"email": "not-an-email"}, "email"),
    19: ({"achievedOutcomes": ["LO7"]}, "achievedOutcomes"),
    130: ({"assessedOn": "yesterday"}, "assessedOn"),
    256: ({"givenName": ""}, "givenName"),
    400: ({"reference": ""}, "reference"),
    512: ({"unexpected": "column"}, "unexpected"),
    640: ({"achievedOutcomes": ["LO1", "LO99"]}, "achievedOutcomes"),
    777: ({"dateOfBirth": "1999-02-30"}, "dateOfBirth"),
    901: ({"evidenceUrl": "ftp://nope"}, "evidenceUrl"),
    1000: ({"familyName": 42}, "familyName"),
}


def _cohort(size: int) -> list[dict[str, Any]]:
    rows = []
    for n in range(1, size + 1):
        row = assessment_row(n)
        if n in BAD:
            row |= BAD[n][0]
        rows.append(row)
    return rows


@pytest.fixture
def production_client(settings: Settings, empty_database: None) -> Iterator[TestClient]:
    """The production SHACL policy: each specification's first EDC validated, then a 5% sample."""
    with TestClient(create_app(settings.model_copy(update={"edc_shacl_sample_rate": 0.05}))) as client:
        yield client


def test_a_cohort_of_1000_with_10_bad_rows_issues_990_once(production_client: TestClient) -> None:
    client = production_client
    _, headers = make_issuer(client)
    mc = make_microcredential(client, headers)
    rows = _cohort(1000)
    response = client.post(f"/api/v1/microcredentials/{mc['id']}/cohort", json={"rows": rows}, headers=headers)
    assert response.status_code == 200, response.text[:2000]
    report = response.json()
    assert (report["received"], report["issued"], report["alreadyRecorded"]) == (1000, 990, 0)
    assert sorted({e["row"] for e in report["errors"]}) == sorted(BAD)
    for error in report["errors"]:
        assert error["field"] == BAD[error["row"]][1], error
    assert client.get("/api/v1/credentials?limit=1", headers=headers).json()["total"] == 990 * 2

    again = client.post(f"/api/v1/microcredentials/{mc['id']}/cohort", json={"rows": rows}, headers=headers).json()
    assert (again["issued"], again["alreadyRecorded"], len(again["errors"])) == (0, 990, 10)
    assert client.get("/api/v1/credentials?limit=1", headers=headers).json()["total"] == 990 * 2


def test_a_csv_cohort_with_a_bad_row(client: TestClient, spec) -> None:
    headers, mc = spec
    csv_text = (
        "givenName;familyName;email;reference;assessedOn;achievedOutcomes;grade\n"
        "Ada;Jansen;ada@learner.example;R-1;2026-11-02;LO1;LO2;Pass\n"
        "Ben;Smit;ben@learner.example;R-2;2026-11-02;LO1,LO2;Pass\n"
        "Cas;Bos;cas@learner.example;R-3;02-11-2026;LO1,LO2;Pass\n"
    )
    response = client.post(
        f"/api/v1/microcredentials/{mc['id']}/cohort",
        content=csv_text.encode(),
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    # Row 1 has one cell too many (a ";" inside the outcomes); row 3 has a date in the wrong form.
    assert report["issued"] == 1
    [issued_row] = [row for row in report["rows"] if row["outcome"] == "issued"]
    assert issued_row["claimUrl"].startswith("https://vetcred.test/claim/")
    assert {(e["row"], e["field"]) for e in report["errors"]} == {(1, "extraCells"), (3, "assessedOn")}


def test_a_cohort_that_is_not_a_list_of_rows_is_a_422(client: TestClient, spec) -> None:
    headers, mc = spec
    response = client.post(f"/api/v1/microcredentials/{mc['id']}/cohort", json={"rows": []}, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "rows"


def test_a_csv_cohort_gives_certificate_numbers_and_activity_dates(client: TestClient, spec) -> None:
    headers, mc = spec
    csv_text = (
        "givenName;familyName;email;reference;assessedOn;achievedOutcomes;certificateNumber;activityStartDate;"
        "activityEndDate\n"
        "Ada;Jansen;ada@learner.example;R-1;2026-11-02;LO1,LO2;NP-1;2026-09-01;2026-10-30\n"
        "Ben;Smit;ben@learner.example;R-2;2026-11-02;LO1,LO2;;;\n"
        "Cas;Bos;cas@learner.example;R-3;2026-11-02;LO1,LO2;NP-3;2026-10-30;2026-09-01\n"
    )
    response = client.post(
        f"/api/v1/microcredentials/{mc['id']}/cohort",
        content=csv_text.encode(),
        headers=headers | {"Content-Type": "text/csv"},
    )
    report = response.json()
    assert report["issued"] == 2 and [(e["row"], e["field"]) for e in report["errors"]] == [(3, "activityEndDate")]
    edcs = [
        client.get(f"/api/v1/credentials/{row['credentialIds'][1]}", headers=headers).json() for row in report["rows"]
    ]
    ada, ben = (edc["credential"] for edc in edcs)
    assert ada["identifier"][0]["notation"] == "NP-1"
    assert ada["credentialSubject"]["hasClaim"][0]["influencedBy"][0]["temporal"]["endDate"] == "2026-10-30T00:00:00Z"
    assert ben["identifier"][0]["notation"] == "R-2"  # no certificate number: the college's reference
    assert "temporal" not in ben["credentialSubject"]["hasClaim"][0]["influencedBy"][0]
