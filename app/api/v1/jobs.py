"""``/api/v1/jobs``: a college's long work (cohorts, Europass deliveries): state, progress, cancel, result, events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.api.deps import MAX_OFFSET, CurrentIssuer, RuntimeDep, SessionDep
from app.assessments.cohort import CohortReport
from app.db.models import Job
from app.jobs.records import FINAL_STATES, cancel_job, get_job, list_jobs, progress, result
from app.jobs.results import result_csv, result_table
from app.runtime import Runtime

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])
EVENT_POLL_SECONDS = 0.5


class RowErrorOut(BaseModel):
    row: int
    field: str
    message: str


class JobLinks(BaseModel):
    self: str
    events: str
    result: str


class JobOut(BaseModel):
    id: str
    kind: Literal["cohort", "europass"]
    state: Literal["draft", "queued", "running", "completed", "cancelled", "failed"] = Field(
        description="draft: uploaded in the console and previewed, not issued yet"
    )
    microcredentialId: str | None
    credentialId: str | None
    rowsTotal: int
    rowsDone: int
    issued: int
    notAwarded: int
    alreadyRecorded: int
    largerIssued: int
    errorCount: int
    errors: list[RowErrorOut] = Field(description="the first 100 row errors so far; the result has them all")
    outcome: dict[str, Any] | None = Field(description="a Europass delivery: the wallet's answer")
    error: str | None = Field(description="why a job failed for good")
    createdAt: datetime
    startedAt: datetime | None
    finishedAt: datetime | None
    estimatedFinishAt: datetime | None
    links: JobLinks


class JobListOut(BaseModel):
    items: list[JobOut]
    total: int


class CohortOut(BaseModel):
    received: int
    issued: int
    notAwarded: int
    alreadyRecorded: int
    largerIssued: int
    errors: list[RowErrorOut]
    rows: list[dict[str, Any]] = Field(
        description="each recorded row; claimUrl and claimTxCode when the link was not e-mailed (secrets: hand them "
        "to the learner, the PIN by another channel)"
    )


def job_out(session: Session, job: Job, public_url: str) -> dict[str, Any]:
    found = progress(session, job)
    base = f"{public_url}/api/v1/jobs/{job.id}"
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "microcredentialId": job.microcredential_id,
        "credentialId": job.credential_id,
        "rowsTotal": job.rows_total,
        "rowsDone": found.rows_done,
        "issued": found.issued,
        "notAwarded": found.not_awarded,
        "alreadyRecorded": found.already_recorded,
        "largerIssued": found.larger_issued,
        "errorCount": found.error_count,
        "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in found.errors],
        "outcome": job.outcome,
        "error": job.error,
        "createdAt": job.created_at,
        "startedAt": job.started_at,
        "finishedAt": job.finished_at,
        "estimatedFinishAt": found.estimated_finish,
        "links": {"self": base, "events": f"{base}/events", "result": f"{base}/result"},
    }


def cohort_out(report: CohortReport) -> dict[str, Any]:
    return {
        "received": report.received,
        "issued": report.issued,
        "notAwarded": report.not_awarded,
        "alreadyRecorded": report.already_recorded,
        "largerIssued": report.larger_issued,
        "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in report.errors],
        "rows": report.rows,
    }


@router.get("", response_model=JobListOut, summary="The college's jobs, newest first")
def list_all(
    issuer: CurrentIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    jobs, total = list_jobs(session, issuer, limit=limit, offset=offset)
    return {"items": [job_out(session, job, runtime.settings.public_url) for job in jobs], "total": total}


@router.get("/{job_id}", response_model=JobOut, summary="A job: state, rows done of total, counts, errors, estimate")
def read(job_id: str, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> Any:
    return job_out(session, get_job(session, issuer, job_id), runtime.settings.public_url)


@router.post(
    "/{job_id}/cancel",
    response_model=JobOut,
    summary="Cancel a job: it stops before its next chunk; rows done stay done",
    description="409 when the job has already completed or failed; cancelling a cancelled job changes nothing.",
)
def cancel(job_id: str, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> Any:
    job = cancel_job(session, get_job(session, issuer, job_id), runtime.clock())
    return job_out(session, job, runtime.settings.public_url)


@router.get(
    "/{job_id}/result",
    response_model=CohortOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    summary="What a cohort job issued so far, row by row, with the claim links (JSON, or CSV with format=csv)",
    description="The claim links are secrets: they open the learners' credentials. They are shown to the college "
    "only, here, and never logged. The CSV also gives each row's links (verification page, JSON, PDF, the EDC's "
    "page) and its claim link's state now (open, used, locked, expired) and when it was e-mailed.",
)
def read_result(
    job_id: str,
    issuer: CurrentIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    format: Annotated[Literal["json", "csv"], Query(description="json (the default) or csv")] = "json",
) -> Any:
    job = get_job(session, issuer, job_id)
    if format == "json":
        return cohort_out(result(session, job, runtime.master_key))
    _, lines = result_table(
        session, job, master_key=runtime.master_key, public_url=runtime.settings.public_url, now=runtime.clock()
    )
    return Response(result_csv(lines), media_type="text/csv; charset=utf-8")


@router.get(
    "/{job_id}/events",
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
    response_class=StreamingResponse,
    summary="The job's progress as Server-Sent Events: an event 'progress' (the job) on each change, 'end' at the end",
)
def events(job_id: str, request: Request, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> Any:
    get_job(session, issuer, job_id)  # tenancy: 404 before streaming anything
    return StreamingResponse(job_events(request, runtime, job_id), media_type="text/event-stream")


async def job_events(request: Request, runtime: Runtime, job_id: str) -> AsyncIterator[str]:
    """The job's progress as Server-Sent Events until it ends or the client goes (the console streams it too)."""
    last = None
    while not await request.is_disconnected():
        current = await asyncio.to_thread(_snapshot, runtime, job_id)
        if current is None:
            return
        text = json.dumps(jsonable_encoder(current), separators=(",", ":"))
        if text != last:
            yield f"event: progress\ndata: {text}\n\n"
            last = text
        if current["state"] in FINAL_STATES:
            yield f"event: end\ndata: {text}\n\n"
            return
        await asyncio.sleep(EVENT_POLL_SECONDS)


def _snapshot(runtime: Runtime, job_id: str) -> dict[str, Any] | None:
    with runtime.transaction(writes=False) as session:
        job = session.get(Job, job_id)
        return None if job is None else job_out(session, job, runtime.settings.public_url)
