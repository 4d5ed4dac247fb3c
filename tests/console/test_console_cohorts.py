"""Console cohorts: a template per specification, an upload (CSV or Excel) previewed by the job's own rules, issued
as a job followed on its page, its result downloaded with every row's links; roles and colleges kept apart."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import AuditEvent, Job
from tests.console.conftest import ConsoleClient
from tests.factories import make_microcredential, wait_for_job

ConsoleAs = Callable[..., ConsoleClient]
TEMPLATE_HEADER = [
    "givenName",
    "familyName",
    "email",
    "dateOfBirth",
    "studentNumber",
    "reference",
    "assessedOn",
    "grade",
    "assessor",
    "LO1",
    "LO2",
]
# Row number -> (what is wrong with it, the column the preview and the result must name, words of the message).
BAD = {
    17: ({"LO2": "maybe"}, "LO2", "mark the learning outcome achieved with x or yes"),
    88: ({"email": "not-an-email"}, "email", "email"),
    150: ({"givenName": ""}, "givenName", "at least 1 character"),
}
NOT_AWARDED = {40: {"LO2": ""}, 120: {"LO1": "", "LO2": "no"}}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The production SHACL policy (each EDC shape validated once, then a small sample): a cohort issues fast;
    chunks of 10 rows, so a job runs long enough to be followed and cancelled."""
    return settings.model_copy(update={"edc_shacl_sample_rate": 0.01, "job_chunk_rows": 10})


@pytest.fixture
def issuer(console_as: ConsoleAs) -> ConsoleClient:
    return console_as("issuer")


@pytest.fixture
def spec(client: TestClient, issuer: ConsoleClient) -> dict[str, Any]:
    return make_microcredential(client, issuer.api_headers)


def cohort_rows(
    size: int,
    bad: dict[int, tuple[dict[str, str], str, str]] | None = None,
    not_awarded: dict[int, dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for n in range(1, size + 1):
        row: dict[str, Any] = {
            "givenName": "Zoë",
            "familyName": f"Learner {n}",
            "email": f"learner{n}@learner.example",
            "dateOfBirth": "",
            "studentNumber": f"S{n:05d}",
            "reference": f"2026-HP-{n:04d}",
            "assessedOn": "2026-11-02",
            "grade": "Pass",
            "assessor": "J. Bakker",
            "LO1": "x",
            "LO2": "x",
        }
        row |= (NOT_AWARDED if not_awarded is None else not_awarded).get(n, {})
        if bad and n in bad:
            row |= bad[n][0]
        rows.append(row)
    return rows


def as_csv(header: list[str], rows: list[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def as_xlsx(header: list[str], rows: list[dict[str, Any]]) -> bytes:
    """As Excel keeps them: dates as date cells, an all-digit cell as a number."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        cells: list[Any] = []
        for column in header:
            value = row[column]
            if column == "assessedOn":
                value = date.fromisoformat(value)
            cells.append(value if value != "" else None)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(console: ConsoleClient, spec_id: str, name: str, content: bytes) -> Any:
    return console.post(
        "/console/cohorts/upload",
        data={"csrf_token": console.csrf, "spec_id": spec_id},
        files={"file": (name, content)},
        follow_redirects=False,
    )


def _cells(row_html: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row_html)
    ]


def table_rows(page: str, kind: str) -> list[list[str]]:
    """The cells of the preview's rows of one kind (error, not-awarded, recorded-before)."""
    return [_cells(row) for row in re.findall(rf'<tr class="preview-{kind}">(.*?)</tr>', page, re.S)]


def figure(page: str, label: str) -> int:
    found = re.search(rf"<dt>{label}</dt><dd[^>]*>(\d+)</dd>", page)
    assert found, f"no figure {label!r} on the page"
    return int(found.group(1))


def test_a_template_has_the_learner_columns_and_the_specification_s_outcome_ids(
    issuer: ConsoleClient, spec: dict[str, Any]
) -> None:
    as_text = issuer.get(f"/console/cohorts/templates/{spec['id']}.csv")
    assert as_text.status_code == 200 and as_text.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_text.headers["content-disposition"]
    assert next(csv.reader(io.StringIO(as_text.content.decode("utf-8-sig")))) == TEMPLATE_HEADER
    workbook = issuer.get(f"/console/cohorts/templates/{spec['id']}.xlsx")
    assert workbook.status_code == 200 and "spreadsheetml" in workbook.headers["content-type"]
    book = load_workbook(io.BytesIO(workbook.content))
    assert [cell.value for cell in book.worksheets[0][1]] == TEMPLATE_HEADER
    legend = [row for row in book.worksheets[1].iter_rows(values_only=True)]
    assert ("LO1", "Sizes a heat pump for a dwelling") in legend
    assert issuer.get(f"/console/cohorts/templates/{spec['id']}.pdf").status_code == 404


def test_a_cohort_of_200_is_previewed_then_issued_and_its_result_links_every_credential(
    client: TestClient, issuer: ConsoleClient, spec: dict[str, Any], engine: Engine
) -> None:
    header = next(
        csv.reader(io.StringIO(issuer.get(f"/console/cohorts/templates/{spec['id']}.csv").text.lstrip("\ufeff")))
    )
    uploaded = upload(issuer, spec["id"], "cohort.csv", as_csv(header, cohort_rows(200, BAD)))
    assert uploaded.status_code == 303, uploaded.text
    job_url = uploaded.headers["location"]

    preview = issuer.get(job_url)
    assert preview.status_code == 200 and "Nothing has been issued yet" in preview.text
    errors = table_rows(preview.text, "error")
    assert [(int(row), column) for row, column, _ in errors] == [(n, bad[1]) for n, bad in BAD.items()]
    for (_, _, message), bad in zip(errors, BAD.values(), strict=True):
        assert bad[2] in message, message
    not_awarded = table_rows(preview.text, "not-awarded")
    assert [int(row[0]) for row in not_awarded] == list(NOT_AWARDED)
    assert "not achieved: ['LO2']" in not_awarded[0][3] and "no learning outcome" in not_awarded[1][3]
    assert (figure(preview.text, "Will be issued"), figure(preview.text, "Rows with errors")) == (195, 3)
    assert not table_rows(preview.text, "recorded-before")

    issued = issuer.post_form(f"{job_url}/issue")
    assert issued.status_code == 303 and issued.headers["location"] == job_url
    page = issuer.get(job_url)
    assert page.status_code == 200 and "<progress" in page.text
    job_id = job_url.rsplit("/", 1)[1]
    done = wait_for_job(client, issuer.api_headers, job_id)
    assert (done["state"], done["issued"], done["notAwarded"], done["errorCount"]) == ("completed", 195, 2, 3)
    assert issuer.post_form(f"{job_url}/issue").status_code == 303  # a second click issues nothing again
    assert wait_for_job(client, issuer.api_headers, job_id)["issued"] == 195

    finished = issuer.get(job_url)
    assert "Completed" in finished.text and 'http-equiv="refresh"' not in finished.text
    result = issuer.get(f"{job_url}/result.csv")
    assert result.status_code == 200 and result.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(result.text)))
    by_outcome: dict[str, list[dict[str, str]]] = {}
    for line in lines:
        by_outcome.setdefault(line["outcome"], []).append(line)
    assert {k: len(v) for k, v in by_outcome.items()} == {"issued": 195, "not_awarded": 2, "error": 3}
    # The preview's errors are the job's, word for word.
    assert [(int(e["row"]), e["field"], e["message"]) for e in by_outcome["error"]] == [
        (int(row), column, message) for row, column, message in errors
    ]
    first = by_outcome["issued"][0]
    assert first["verifyUrl"].startswith("https://vetcred.test/v/") and first["claimState"] == "open"
    assert first["jsonUrl"] == first["verifyUrl"] + ".json" and first["pdfUrl"].endswith("/certificate.pdf")
    assert first["edcVerifyUrl"].startswith("https://vetcred.test/v/") and first["claimUrl"]
    assert all(line["verifyUrl"] and line["claimUrl"] for line in by_outcome["issued"])
    assert client.get(first["verifyUrl"].removeprefix("https://vetcred.test")).status_code == 200
    assert client.get(first["jsonUrl"].removeprefix("https://vetcred.test")).status_code == 200
    as_json = issuer.get(f"{job_url}/result.json").json()
    assert (as_json["issued"], as_json["notAwarded"], as_json["errorCount"], len(as_json["rows"])) == (195, 2, 3, 200)

    listed = issuer.get("/console/cohorts")
    assert job_url in listed.text and "Heat Pump Installation" in listed.text
    with Session(engine) as session:
        mine = AuditEvent.actor == f"staff:{issuer.member_id}:{issuer.email}"
        actions = session.scalars(select(AuditEvent.action).where(mine, AuditEvent.action.like("cohort.%")))
        assert sorted(actions) == ["cohort.issue", "cohort.upload"]


def test_an_excel_cohort_is_previewed_and_issued_as_its_csv_is(
    client: TestClient, issuer: ConsoleClient, spec: dict[str, Any]
) -> None:
    rows = cohort_rows(12, {3: BAD[17], 5: BAD[88], 9: BAD[150]}, {7: {"LO2": ""}})
    for row in rows:
        row["studentNumber"] = str(1000 + int(row["reference"][-4:]))  # all digits: a number cell in Excel
    from_excel = upload(issuer, spec["id"], "cohort.xlsx", as_xlsx(TEMPLATE_HEADER, rows))
    from_csv = upload(issuer, spec["id"], "cohort.csv", as_csv(TEMPLATE_HEADER, rows))
    assert from_excel.status_code == from_csv.status_code == 303, from_excel.text
    excel_url, csv_url = from_excel.headers["location"], from_csv.headers["location"]
    excel_page, csv_page = issuer.get(excel_url).text, issuer.get(csv_url).text
    for kind in ("error", "not-awarded"):
        assert table_rows(excel_page, kind) == table_rows(csv_page, kind)
    assert [(int(row[0]), row[1]) for row in table_rows(excel_page, "error")] == [
        (3, "LO2"),
        (5, "email"),
        (9, "givenName"),
    ]
    assert [int(row[0]) for row in table_rows(excel_page, "not-awarded")] == [7]
    assert figure(excel_page, "Will be issued") == figure(csv_page, "Will be issued") == 8

    assert issuer.post_form(f"{excel_url}/issue").status_code == 303
    done = wait_for_job(client, issuer.api_headers, excel_url.rsplit("/", 1)[1])
    assert (done["state"], done["issued"], done["notAwarded"], done["errorCount"]) == ("completed", 8, 1, 3)
    lines = list(csv.DictReader(io.StringIO(issuer.get(f"{excel_url}/result.csv").text)))
    issued = [line for line in lines if line["outcome"] == "issued"]
    assert len(issued) == 8 and all(line["verifyUrl"] for line in issued)
    # The CSV draft, previewed again, now finds every good row recorded: issuing it would issue nothing twice.
    again = issuer.get(csv_url).text
    assert len(table_rows(again, "recorded-before")) == 9 and figure(again, "Will be issued") == 0


def test_a_cohort_with_achieved_outcomes_in_one_column_is_judged_by_the_same_rules(
    issuer: ConsoleClient, spec: dict[str, Any]
) -> None:
    header = ["givenName", "familyName", "email", "reference", "assessedOn", "achievedOutcomes"]
    rows = [
        {
            "givenName": "Ada",
            "familyName": "One",
            "email": "ada@learner.example",
            "reference": "R1",
            "assessedOn": "2026-11-02",
            "achievedOutcomes": "LO1;LO2",
        },
        {
            "givenName": "Bo",
            "familyName": "Two",
            "email": "bo@learner.example",
            "reference": "R2",
            "assessedOn": "2026-11-02",
            "achievedOutcomes": "LO1;LO9",
        },
        {
            "givenName": "Cy",
            "familyName": "Three",
            "email": "cy@learner.example",
            "reference": "R2",
            "assessedOn": "02/11/2026",
            "achievedOutcomes": "LO1",
        },
        {
            "givenName": "Ada",
            "familyName": "One",
            "email": "ADA@learner.example",
            "reference": "R1",
            "assessedOn": "2026-11-02",
            "achievedOutcomes": "LO1;LO2",
        },
    ]
    uploaded = upload(issuer, spec["id"], "cohort.csv", as_csv(header, rows))
    page = issuer.get(uploaded.headers["location"]).text
    errors = table_rows(page, "error")
    assert [(row, column) for row, column, _ in errors] == [("2", "achievedOutcomes"), ("3", "assessedOn")]
    assert "not learning outcomes of this micro-credential: ['LO9']" in errors[0][2]
    assert table_rows(page, "recorded-before") == [["4", "Ada One", "R1", "the same learner and reference as row 1"]]
    assert figure(page, "Will be issued") == 1


def test_an_upload_that_cannot_be_read_is_refused_in_place(issuer: ConsoleClient, spec: dict[str, Any]) -> None:
    for name, content, words in [
        ("cohort.csv", b"givenName;familyName\n", "a header row and no rows"),
        ("cohort.csv", "givenName,email\nZo\xeb,z@x.example\n".encode("latin-1"), "UTF-8"),
        ("cohort.xlsx", b"PK\x03\x04 not really a workbook", "not an Excel workbook"),
        ("cohort.csv", b"", "the file is empty"),
    ]:
        answer = upload(issuer, spec["id"], name, content)
        assert answer.status_code == 422, (name, answer.text[:300])
        assert 'id="field-file-error"' in answer.text and words in html.unescape(answer.text), words
    no_spec = upload(
        issuer, "00000000-0000-0000-0000-000000000000", "cohort.csv", as_csv(TEMPLATE_HEADER, cohort_rows(1))
    )
    assert no_spec.status_code == 422 and 'id="field-spec_id-error"' in no_spec.text
    no_file = issuer.post_form("/console/cohorts/upload", {"spec_id": spec["id"]})
    assert no_file.status_code == 422 and 'id="field-file-error"' in no_file.text


def test_a_cohort_job_can_be_cancelled_and_a_draft_discarded(
    client: TestClient, issuer: ConsoleClient, spec: dict[str, Any], settings: Settings, engine: Engine
) -> None:
    draft = upload(issuer, spec["id"], "cohort.csv", as_csv(TEMPLATE_HEADER, cohort_rows(3))).headers["location"]
    assert issuer.post_form(f"{draft}/cancel").status_code == 409  # a draft is not running: it is discarded
    assert issuer.post_form(f"{draft}/discard").status_code == 303
    assert issuer.get(draft).status_code == 404

    old = upload(issuer, spec["id"], "cohort.csv", as_csv(TEMPLATE_HEADER, cohort_rows(3))).headers["location"]
    with Session(engine) as session, session.begin():
        a_day_ago = datetime.now(UTC) - timedelta(hours=25)
        session.execute(update(Job).where(Job.id == old.rsplit("/", 1)[1]).values(created_at=a_day_ago))
    assert issuer.get(old).status_code == 404  # an upload nobody issued expires
    upload(issuer, spec["id"], "cohort.csv", as_csv(TEMPLATE_HEADER, cohort_rows(1)))  # and is deleted then
    with Session(engine) as session:
        assert session.get(Job, old.rsplit("/", 1)[1]) is None


def test_a_running_cohort_is_followed_and_cancelled_from_its_page(
    client: TestClient, issuer: ConsoleClient, spec: dict[str, Any], engine: Engine
) -> None:
    job_url = upload(issuer, spec["id"], "cohort.csv", as_csv(TEMPLATE_HEADER, cohort_rows(60))).headers["location"]
    issuer.post_form(f"{job_url}/issue")
    running = issuer.get(job_url)
    assert '<noscript><meta http-equiv="refresh"' in running.text  # without JavaScript the page refreshes itself
    assert f'data-job-events="{job_url}/events"' in running.text and "/console/static/job-progress.js" in running.text
    assert "script-src 'self'" in running.headers["content-security-policy"]
    assert re.search(r'<progress id="job-progress-bar" max="60" value="\d+">', running.text)
    cancelled = issuer.post_form(f"{job_url}/cancel")
    assert cancelled.status_code == 303
    done = wait_for_job(client, issuer.api_headers, job_url.rsplit("/", 1)[1])
    assert done["state"] == "cancelled" and done["rowsDone"] < 60
    stream = issuer.get(f"{job_url}/events")
    assert stream.headers["content-type"].startswith("text/event-stream") and "event: end" in stream.text
    assert '"state":"cancelled"' in stream.text
    page = issuer.get(job_url)
    assert "Cancelled" in page.text and 'http-equiv="refresh"' not in page.text and f"{job_url}/cancel" not in page.text
    assert issuer.get("/console/static/job-progress.js").status_code == 200
    with Session(engine) as session:
        cancel = session.scalars(select(AuditEvent).where(AuditEvent.action == "cohort.cancel")).one()
        assert cancel.actor == f"staff:{issuer.member_id}:{issuer.email}" and cancel.subject == job_url.replace(
            "/console/cohorts/", "job:"
        )


def test_a_viewer_reads_cohorts_but_cannot_upload_issue_or_cancel(
    client: TestClient, issuer: ConsoleClient, spec: dict[str, Any], console_as: ConsoleAs
) -> None:
    viewer = console_as("viewer")
    draft = upload(issuer, spec["id"], "cohort.csv", as_csv(TEMPLATE_HEADER, cohort_rows(2))).headers["location"]
    listed = viewer.get("/console/cohorts")
    assert listed.status_code == 200 and draft in listed.text and 'action="/console/cohorts/upload"' not in listed.text
    assert viewer.get(f"/console/cohorts/templates/{spec['id']}.csv").status_code == 200
    preview = viewer.get(draft)
    assert preview.status_code == 200 and f'action="{draft}/issue"' not in preview.text
    refused = upload(viewer, spec["id"], "cohort.csv", as_csv(TEMPLATE_HEADER, cohort_rows(2)))
    assert refused.status_code == 403
    for action in ("issue", "discard", "cancel"):
        assert viewer.post_form(f"{draft}/{action}").status_code == 403, action
    assert viewer.get("/console/assessments/new").status_code == 403
    assert issuer.post_form(f"{draft}/issue").status_code == 303
    wait_for_job(client, issuer.api_headers, draft.rsplit("/", 1)[1])
    assert viewer.get(draft).status_code == 200
    assert viewer.get(f"{draft}/result.csv").status_code == 200


def test_another_college_finds_none_of_it(
    client: TestClient, issuer: ConsoleClient, spec: dict[str, Any], console_as: ConsoleAs
) -> None:
    draft = upload(issuer, spec["id"], "cohort.csv", as_csv(TEMPLATE_HEADER, cohort_rows(2))).headers["location"]
    other = console_as("owner", college="b")
    for path in ("", "/result.csv", "/result.json", "/events"):
        assert other.get(f"{draft}{path}").status_code == 404, path
    for action in ("issue", "discard", "cancel"):
        assert other.post_form(f"{draft}/{action}").status_code == 404, action
    assert other.get(f"/console/cohorts/templates/{spec['id']}.csv").status_code == 404
    assert draft not in other.get("/console/cohorts").text
    assert upload(other, spec["id"], "cohort.csv", as_csv(TEMPLATE_HEADER, cohort_rows(1))).status_code == 422
    assert other.get(f"/console/assessments/new?spec={spec['id']}").status_code == 404
