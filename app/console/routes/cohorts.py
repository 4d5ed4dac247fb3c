"""``/console/cohorts``: templates, a cohort uploaded (CSV or Excel) and previewed, then issued as a job followed
live, its result downloaded; the college's cohort jobs.

An upload is stored as a draft job (``app/jobs/records.py``), so the preview survives until someone issues or
discards it, without JavaScript and without uploading again; the preview and the job judge rows by the same rules.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.achievements.microcredentials import get_spec, list_specs
from app.api.deps import MAX_OFFSET, RuntimeDep, SessionDep
from app.api.v1.jobs import job_events, job_out
from app.assessments.cohort_files import XLSX_MEDIA_TYPE, read_cohort_file, template_csv, template_xlsx
from app.assessments.cohort_preview import preview_cohort
from app.console.deps import CONSOLE_ROUTER_DEPENDENCIES, ConsoleIssuer, ConsoleViewer, StaffContext
from app.console.outcomes import outcomes_of, page_language
from app.console.render import HEADERS, N_, console_page
from app.db.models import Job, MicroCredentialSpec
from app.errors import InvalidInput, NotFound
from app.i18n.localizer import localizer
from app.jobs.records import (
    DRAFT,
    DRAFT_TTL,
    FINAL_STATES,
    cancel_job,
    create_cohort_job,
    discard_draft,
    draft_rows,
    get_job,
    issue_draft,
    list_jobs,
    purge_drafts,
)
from app.jobs.results import result_csv, result_table
from app.runtime import Runtime
from app.staff.audit import record
from app.staff.roles import Role

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)

PAGE_SIZE = 50
SPECS_LISTED = 500
PREVIEW_SHOWN = 500  # rows of each list on the preview page; the counts are of all of them
REFRESH_SECONDS = 2  # the job page without JavaScript, while the job runs
# The job page's one script follows the job's events (same origin); every other console page runs no script.
JOB_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
TEMPLATE_NOTES = (
    N_("Mark each learning outcome a learner achieved with x in its column; leave the others empty."),
    N_("Dates as YYYY-MM-DD. The reference is your own, one per result: a row sent again issues nothing twice."),
)
STATE_LABELS = {
    DRAFT: N_("Previewed, not issued"),
    "queued": N_("Waiting to start"),
    "running": N_("Issuing"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "failed": N_("Failed"),
}


@router.get("/cohorts", response_class=HTMLResponse)
def cohorts(
    request: Request,
    staff: ConsoleViewer,
    session: SessionDep,
    runtime: RuntimeDep,
    page: Annotated[int, Query(ge=1, le=MAX_OFFSET // PAGE_SIZE)] = 1,
    spec: str = "",
) -> Response:
    return _cohorts_page(request, staff, session, runtime, page=page, chosen=spec)


def _cohorts_page(
    request: Request,
    staff: StaffContext,
    session: Session,
    runtime: Runtime,
    *,
    page: int = 1,
    chosen: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    jobs, total = list_jobs(session, staff.issuer, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, kind="cohort")
    specs = list_specs(session, staff.issuer, limit=SPECS_LISTED, offset=0)
    spec_ids = {job.microcredential_id for job in jobs}
    query = select(MicroCredentialSpec.id, MicroCredentialSpec.title).where(MicroCredentialSpec.id.in_(spec_ids))
    titles = {spec_id: title for spec_id, title in session.execute(query)}
    rows = [
        job_out(session, job, runtime.settings.public_url) | {"title": titles.get(job.microcredential_id or "")}
        for job in jobs
        if not _expired(job, runtime)
    ]
    context = {
        "jobs": rows,
        "specs": specs,
        "chosen": chosen,
        "errors": errors or {},
        "page_number": page,
        "more": total > page * PAGE_SIZE,
        "state_labels": STATE_LABELS,
        "can_issue": staff.role.admits(Role.ISSUER),
    }
    return console_page(request, "cohorts.html", context, staff, status_code)


@router.get("/cohorts/templates/{spec_id}.{extension}")
def template(
    request: Request, spec_id: str, extension: str, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """The cohort template of a specification: its learner columns, then one column per learning outcome."""
    spec = get_spec(session, staff.issuer, spec_id)
    language = page_language(request, staff)
    outcomes = outcomes_of(spec, language, runtime.settings.public_url)
    name = f"{_slug(spec.title)}-cohort"
    if extension == "csv":
        body, media_type = template_csv([o.id for o in outcomes]), "text/csv; charset=utf-8"
    elif extension == "xlsx":
        notes = [localizer(language).gettext(note) for note in TEMPLATE_NOTES]
        outcome_pairs = [(o.id, o.title) for o in outcomes]
        body, media_type = template_xlsx(outcome_pairs, title=spec.title, notes=notes), XLSX_MEDIA_TYPE
    else:
        raise NotFound("templates are .csv or .xlsx")
    return _download(body, media_type, f"{name}.{extension}")


@router.post("/cohorts/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    staff: ConsoleIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    spec_id: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Stores the upload as a draft and shows its preview; nothing is issued yet."""
    errors: dict[str, str] = {}
    spec = None
    gettext = localizer(page_language(request, staff)).gettext
    try:
        spec = get_spec(session, staff.issuer, spec_id)
    except NotFound:
        errors["spec_id"] = gettext(N_("Choose the micro-credential the results are for."))
    rows: list[dict[str, Any]] = []
    if file is None or not file.filename:
        errors["file"] = gettext(N_("Choose the CSV or Excel file of the cohort."))
    else:
        try:
            rows = read_cohort_file(file.filename, file.file.read())
        except InvalidInput as error:
            errors["file"] = error.detail
    if errors or spec is None:
        return _cohorts_page(request, staff, session, runtime, chosen=spec_id, errors=errors, status_code=422)
    now = runtime.clock()
    purge_drafts(session, now)
    job = create_cohort_job(
        session, staff.issuer, spec.id, rows, chunk_rows=runtime.settings.job_chunk_rows, now=now, draft=True
    )
    detail = {"microcredential": spec.id, "rows": len(rows), "file": file.filename if file else None}
    record(session, staff.actor, staff.issuer.id, "cohort.upload", f"job:{job.id}", detail, at=now)
    return RedirectResponse(f"/console/cohorts/{job.id}", status_code=303)


@router.get("/cohorts/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep) -> Response:
    job = _cohort_job(session, staff, job_id, runtime)
    spec = session.get(MicroCredentialSpec, job.microcredential_id)
    assert spec is not None
    context: dict[str, Any] = {
        "job": job,
        "spec": spec,
        "state_labels": STATE_LABELS,
        "can_issue": staff.role.admits(Role.ISSUER),
    }
    if job.state == DRAFT:
        preview = preview_cohort(session, spec, draft_rows(session, job), public_url=runtime.settings.public_url)
        context |= {"preview": preview, "shown": PREVIEW_SHOWN, "expires_at": job.created_at + DRAFT_TTL}
        return console_page(request, "cohort_preview.html", context, staff)
    context |= {
        "progress": job_out(session, job, runtime.settings.public_url),
        "running": job.state not in FINAL_STATES,
        "refresh_seconds": REFRESH_SECONDS,
    }
    response = console_page(request, "cohort_job.html", context, staff)
    response.headers["Content-Security-Policy"] = JOB_PAGE_POLICY
    return response


@router.post("/cohorts/{job_id}/issue")
def issue(job_id: str, staff: ConsoleIssuer, session: SessionDep, runtime: RuntimeDep) -> Response:
    """Queues the draft's chunks; a second click (no draft any more) only shows the job."""
    job = _cohort_job(session, staff, job_id, runtime)
    now = runtime.clock()
    if issue_draft(session, job, now):
        for number in range(job.chunk_count):
            runtime.queue.defer(session, "cohort_chunk", job_id=job.id, number=number)
        detail = {"microcredential": job.microcredential_id, "rows": job.rows_total}
        record(session, staff.actor, staff.issuer.id, "cohort.issue", f"job:{job.id}", detail, at=now)
    return RedirectResponse(f"/console/cohorts/{job.id}", status_code=303)


@router.post("/cohorts/{job_id}/discard")
def discard(job_id: str, staff: ConsoleIssuer, session: SessionDep, runtime: RuntimeDep) -> Response:
    job = _cohort_job(session, staff, job_id, runtime)
    detail = {"microcredential": job.microcredential_id, "rows": job.rows_total}
    discard_draft(session, job)
    record(session, staff.actor, staff.issuer.id, "cohort.discard", f"job:{job_id}", detail, at=runtime.clock())
    return RedirectResponse("/console/cohorts", status_code=303)


@router.post("/cohorts/{job_id}/cancel")
def cancel(job_id: str, staff: ConsoleIssuer, session: SessionDep, runtime: RuntimeDep) -> Response:
    job = _cohort_job(session, staff, job_id, runtime)
    was = job.state
    now = runtime.clock()
    cancel_job(session, job, now)
    if was != job.state:
        record(session, staff.actor, staff.issuer.id, "cohort.cancel", f"job:{job.id}", {"state": was}, at=now)
    return RedirectResponse(f"/console/cohorts/{job.id}", status_code=303)


@router.get("/cohorts/{job_id}/events")
def events(
    request: Request, job_id: str, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep
) -> StreamingResponse:
    """The job's progress as Server-Sent Events (the API's stream), for the job page's script."""
    _cohort_job(session, staff, job_id, runtime)
    return StreamingResponse(job_events(request, runtime, job_id), media_type="text/event-stream", headers=HEADERS)


@router.get("/cohorts/{job_id}/result.{extension}")
def result(job_id: str, extension: str, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep) -> Response:
    """Row by row: the outcome, the credentials' links, the claim link and its state, or the errors."""
    job = _cohort_job(session, staff, job_id, runtime)
    if extension not in ("csv", "json"):
        raise NotFound("results are .csv or .json")
    report, lines = result_table(
        session, job, master_key=runtime.master_key, public_url=runtime.settings.public_url, now=runtime.clock()
    )
    name = f"cohort-{job.id[:8]}-result.{extension}"
    if extension == "csv":
        return _download(result_csv(lines).encode("utf-8"), "text/csv; charset=utf-8", name)
    body = {
        "job": job.id,
        "state": job.state,
        "received": report.received,
        "issued": report.issued,
        "notAwarded": report.not_awarded,
        "alreadyRecorded": report.already_recorded,
        "largerIssued": report.larger_issued,
        "errorCount": len(report.errors),
        "rows": lines,
    }
    return _download(json.dumps(jsonable_encoder(body), indent=1).encode("utf-8"), "application/json", name)


def _cohort_job(session: Session, staff: StaffContext, job_id: str, runtime: Runtime) -> Job:
    """The college's cohort job; another college's, another kind, or an expired draft is not found."""
    job = get_job(session, staff.issuer, job_id)
    if job.kind != "cohort" or _expired(job, runtime):
        raise NotFound(f"job {job_id} not found")
    return job


def _expired(job: Job, runtime: Runtime) -> bool:
    return job.state == DRAFT and job.created_at + DRAFT_TTL < runtime.clock()


def _download(body: bytes, media_type: str, filename: str) -> Response:
    headers = HEADERS | {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers=headers)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "microcredential"
