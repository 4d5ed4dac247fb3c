"""Cohorts: many assessments in one request (JSON or CSV); bad rows reported by row, good rows issued once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.factories import assessment_row, make_issuer, make_microcredential, wait_for_job


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
    """The production SHACL policy (each EDC shape validated once, then a 5% sample); chunks of 10 rows."""
    update = {"edc_shacl_sample_rate": 0.05, "job_chunk_rows": 10}
    with TestClient(create_app(settings.model_copy(update=update))) as client:
        yield client


def test_a_cohort_of_120_with_bad_rows_is_a_job_that_issues_each_good_row_once(production_client: TestClient) -> None:
    client = production_client
    _, headers = make_issuer(client)
    mc = make_microcredential(client, headers)
    rows = _cohort(120)
    bad = {n: fault for n, fault in BAD.items() if n <= 120}
    response = client.post(f"/api/v1/microcredentials/{mc['id']}/cohort", json={"rows": rows}, headers=headers)
    assert response.status_code == 202, response.text[:2000]
    job = response.json()
    assert response.headers["location"] == job["links"]["self"] and job["rowsTotal"] == 120
    done = wait_for_job(client, headers, job["id"])
    assert (done["state"], done["rowsDone"], done["issued"], done["alreadyRecorded"]) == ("completed", 120, 118, 0)
    assert {e["row"]: e["field"] for e in done["errors"]} == {n: fault[1] for n, fault in bad.items()}
    assert client.get("/api/v1/credentials?limit=1", headers=headers).json()["total"] == 118 * 2

    result = client.get(f"/api/v1/jobs/{job['id']}/result", headers=headers).json()
    assert (result["received"], result["issued"], len(result["rows"])) == (120, 118, 118)
    assert all(row["claimUrl"].startswith("https://vetcred.test/claim/") for row in result["rows"])
    assert client.get(result["rows"][0]["claimUrl"].removeprefix("https://vetcred.test")).status_code == 200
    as_csv = client.get(f"/api/v1/jobs/{job['id']}/result?format=csv", headers=headers)
    lines = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert as_csv.headers["content-type"].startswith("text/csv") and len(lines) == 120
    assert {line["claimUrl"] for line in lines if line["outcome"] == "issued"} == {
        r["claimUrl"] for r in result["rows"]
    }

    again = client.post(f"/api/v1/microcredentials/{mc['id']}/cohort", json={"rows": rows}, headers=headers).json()
    again = wait_for_job(client, headers, again["id"])
    assert (again["issued"], again["alreadyRecorded"], again["errorCount"]) == (0, 118, 2)
    assert client.get("/api/v1/credentials?limit=1", headers=headers).json()["total"] == 118 * 2
    listed = client.get("/api/v1/jobs", headers=headers).json()
    assert listed["total"] == 2 and listed["items"][0]["id"] == again["id"]


def test_a_college_sees_and_cancels_only_its_own_jobs(client: TestClient, spec) -> None:
    headers, mc = spec
    job = client.post(f"/api/v1/microcredentials/{mc['id']}/cohort", json={"rows": _cohort(2)}, headers=headers).json()
    _, other = make_issuer(client)
    for method, path in [("GET", ""), ("POST", "/cancel"), ("GET", "/result"), ("GET", "/events")]:
        response = client.request(method, f"/api/v1/jobs/{job['id']}{path}", headers=other)
        assert response.status_code == 404 and response.json()["error"] == "not_found", (path, response.text)
    assert client.get("/api/v1/jobs", headers=other).json() == {"items": [], "total": 0}
    wait_for_job(client, headers, job["id"])


def test_a_cancelled_job_stops_before_its_next_chunk_and_keeps_what_it_did(
    settings: Settings, empty_database: None
) -> None:
    app_settings = settings.model_copy(update={"job_chunk_rows": 1})
    with TestClient(create_app(app_settings)) as client:
        _, headers = make_issuer(client)
        mc = make_microcredential(client, headers)
        url = f"/api/v1/microcredentials/{mc['id']}/cohort"
        job = client.post(url, json={"rows": [assessment_row(n) for n in range(1, 31)]}, headers=headers).json()
        cancelled = client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    # The server stopped, after the chunk running when the job was cancelled finished; a new one starts.
    with TestClient(create_app(app_settings)) as client:
        done = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).json()
        assert done["state"] == "cancelled" and done["rowsDone"] < 30
        issued = client.get("/api/v1/credentials?limit=1", headers=headers).json()["total"]
        assert issued == 2 * done["issued"]
        assert client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=headers).json()["state"] == "cancelled"
        rest = client.post(url, json={"rows": [assessment_row(n) for n in range(1, 31)]}, headers=headers).json()
        rest = wait_for_job(client, headers, rest["id"])
        assert (rest["issued"], rest["alreadyRecorded"]) == (30 - done["issued"], done["issued"])
        refused = client.post(f"/api/v1/jobs/{rest['id']}/cancel", headers=headers)
        assert refused.status_code == 409 and refused.json()["error"] == "conflict"


def test_progress_is_streamed_as_server_sent_events(client: TestClient, spec) -> None:
    headers, mc = spec
    job = client.post(f"/api/v1/microcredentials/{mc['id']}/cohort", json={"rows": _cohort(3)}, headers=headers).json()
    with client.stream("GET", f"/api/v1/jobs/{job['id']}/events", headers=headers) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = [line for line in stream.iter_lines() if line.startswith(("event:", "data:"))]
    names = [line.removeprefix("event: ") for line in events if line.startswith("event:")]
    assert names[0] == "progress" and names[-1] == "end"
    last = json.loads(events[-1].removeprefix("data: "))
    assert (last["state"], last["rowsDone"], last["issued"]) == ("completed", 3, 3)
    assert client.get(f"/api/v1/jobs/{job['id']}/events").status_code == 401


def test_wait_issues_a_small_cohort_in_the_request_and_refuses_a_large_one(client: TestClient, spec) -> None:
    headers, mc = spec
    url = f"/api/v1/microcredentials/{mc['id']}/cohort?wait=true"
    report = client.post(url, json={"rows": _cohort(3)}, headers=headers)
    assert report.status_code == 200 and report.json()["issued"] == 3
    assert all(row["claimUrl"] for row in report.json()["rows"])
    refused = client.post(url, json={"rows": _cohort(201)}, headers=headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "wait"


def test_a_csv_cohort_with_a_bad_row(client: TestClient, spec) -> None:
    headers, mc = spec
    csv_text = (
        "givenName;familyName;email;reference;assessedOn;achievedOutcomes;grade\n"
        "Ada;Jansen;ada@learner.example;R-1;2026-11-02;LO1;LO2;Pass\n"
        "Ben;Smit;ben@learner.example;R-2;2026-11-02;LO1,LO2;Pass\n"
        "Cas;Bos;cas@learner.example;R-3;02-11-2026;LO1,LO2;Pass\n"
    )
    response = client.post(
        f"/api/v1/microcredentials/{mc['id']}/cohort?wait=true",
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


def test_a_csv_cohort_may_mark_each_learning_outcome_in_its_own_column(client: TestClient, spec) -> None:
    """The console's template format: a column per outcome id, x when achieved; its result links every credential."""
    headers, mc = spec
    csv_text = (
        "givenName,familyName,email,reference,assessedOn,LO1,LO2\n"
        "Ada,Jansen,ada@learner.example,R-1,2026-11-02,x,yes\n"
        "Ben,Smit,ben@learner.example,R-2,2026-11-02,x,\n"
        "Cas,Bos,cas@learner.example,R-3,2026-11-02,x,maybe\n"
    )
    url = f"/api/v1/microcredentials/{mc['id']}/cohort"
    job = client.post(url, content=csv_text.encode(), headers=headers | {"Content-Type": "text/csv"}).json()
    done = wait_for_job(client, headers, job["id"])
    assert (done["issued"], done["notAwarded"], [(e["row"], e["field"]) for e in done["errors"]]) == (
        1,
        1,
        [(3, "LO2")],
    )
    lines = list(
        csv.DictReader(io.StringIO(client.get(f"/api/v1/jobs/{job['id']}/result?format=csv", headers=headers).text))
    )
    assert [line["outcome"] for line in lines] == ["issued", "not_awarded", "error"]
    assert lines[0]["verifyUrl"].startswith("https://vetcred.test/v/") and lines[0]["claimState"] == "open"
    assert lines[0]["pdfUrl"] == lines[0]["verifyUrl"] + "/certificate.pdf" and lines[0]["edcVerifyUrl"]


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
        f"/api/v1/microcredentials/{mc['id']}/cohort?wait=true",
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
