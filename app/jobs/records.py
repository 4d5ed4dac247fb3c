"""Jobs as the college sees them: create, find (its own only), list, cancel, progress, result; chunks as workers
take and finish them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from app.assessments.batch import RowOutcome
from app.assessments.cohort import CohortReport, RowError, chunks
from app.db.models import Issuer, Job, JobChunk
from app.errors import Conflict, NotFound
from app.proofs.keys import MasterKey

FINAL_STATES = ("completed", "cancelled", "failed")
DRAFT = "draft"  # a cohort uploaded and previewed in the console, not issued yet: no task is queued for it
DRAFT_TTL = timedelta(hours=24)  # then its rows (personal data) are deleted, unless it was issued
ERRORS_SHOWN = 100  # in the job resource; the result has them all


@dataclass
class Progress:
    rows_done: int = 0
    issued: int = 0
    not_awarded: int = 0
    already_recorded: int = 0
    larger_issued: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    estimated_finish: datetime | None = None


def create_cohort_job(
    session: Session,
    issuer: Issuer,
    spec_id: str,
    rows: list[dict[str, Any]],
    *,
    chunk_rows: int,
    now: datetime,
    draft: bool = False,
) -> Job:
    """The job with its rows in chunks; queued (the caller defers a task per chunk), or a ``draft`` to preview
    first and issue later (``issue_draft``)."""
    job = Job(
        id=str(uuid.uuid4()),
        issuer_id=issuer.id,
        kind="cohort",
        state=DRAFT if draft else "queued",
        microcredential_id=spec_id,
        rows_total=len(rows),
        created_at=now,
    )
    slices = chunks(rows, chunk_rows)
    job.chunk_count = len(slices)
    session.add(job)
    session.flush()
    session.add_all(
        JobChunk(job_id=job.id, number=n, first_row=part[0][0], row_count=len(part), rows=[row for _, row in part])
        for n, part in enumerate(slices)
    )
    session.flush()
    return job


def draft_rows(session: Session, job: Job) -> list[tuple[int, Any]]:
    """A draft's rows, numbered as its chunks will number them."""
    rows: list[tuple[int, Any]] = []
    for chunk in session.scalars(select(JobChunk).where(JobChunk.job_id == job.id).order_by(JobChunk.number)):
        rows += list(enumerate(chunk.rows or [], start=chunk.first_row))
    return rows


def issue_draft(session: Session, job: Job, now: datetime) -> bool:
    """Queues a draft (the caller defers its chunks); False when it is no draft any more (a second click) or it
    expired (its rows are deleted)."""
    if job.state == DRAFT and job.created_at < now - DRAFT_TTL:
        raise Conflict("this upload has expired and its rows are deleted: upload the cohort again")
    queued = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == DRAFT)
        .values(state="queued")
        .execution_options(synchronize_session=False)
    )
    session.refresh(job)
    return cast(CursorResult[Any], queued).rowcount == 1


def discard_draft(session: Session, job: Job) -> None:
    """Deletes a draft and its rows; a job that was issued meanwhile is not a draft and stays."""
    if job.state != DRAFT:
        raise Conflict(f"the cohort is {job.state}, no longer a draft: cancel it instead")
    session.execute(delete(JobChunk).where(JobChunk.job_id == job.id))
    session.delete(job)
    session.flush()


def purge_drafts(session: Session, now: datetime) -> None:
    """Deletes every draft older than ``DRAFT_TTL``, of any college: uploads nobody issued keep no personal data."""
    expired = select(Job.id).where(Job.state == DRAFT, Job.created_at < now - DRAFT_TTL)
    session.execute(delete(JobChunk).where(JobChunk.job_id.in_(expired)))
    session.execute(delete(Job).where(Job.id.in_(expired)))


def create_delivery_job(session: Session, issuer: Issuer, credential_id: str, *, now: datetime) -> Job:
    job = Job(
        id=str(uuid.uuid4()),
        issuer_id=issuer.id,
        kind="europass",
        state="queued",
        credential_id=credential_id,
        rows_total=1,
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, issuer: Issuer, job_id: str) -> Job:
    """The job if it is ``issuer``'s; another college's is not found."""
    job = session.get(Job, job_id)
    if job is None or job.issuer_id != issuer.id:
        raise NotFound(f"job {job_id} not found")
    return job


def list_jobs(
    session: Session, issuer: Issuer, *, limit: int, offset: int, kind: str | None = None
) -> tuple[list[Job], int]:
    """The college's jobs (of one ``kind`` when given), newest first, and how many there are."""
    mine = Job.issuer_id == issuer.id
    if kind is not None:
        mine = mine & (Job.kind == kind)
    total = session.scalar(select(func.count()).select_from(Job).where(mine)) or 0
    rows = session.scalars(select(Job).where(mine).order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset))
    return list(rows), total


def cancel_job(session: Session, job: Job, now: datetime) -> Job:
    """Stops the job before its next chunk; rows done stay done. Cancelling a cancelled job changes nothing."""
    session.refresh(job, with_for_update=True)
    if job.state == "cancelled":
        return job
    if job.state == DRAFT:
        raise Conflict("the cohort was previewed, never issued: there is nothing to cancel (discard it instead)")
    if job.state in FINAL_STATES:
        raise Conflict(f"the job has {job.state}: there is nothing left to cancel")
    job.state = "cancelled"
    job.finished_at = now
    session.flush()
    return job


def progress(session: Session, job: Job) -> Progress:
    found = Progress()
    if job.kind != "cohort":
        found.rows_done = 1 if job.state in ("completed", "failed") else 0
        return found
    done = session.execute(
        select(
            func.coalesce(func.sum(JobChunk.issued), 0),
            func.coalesce(func.sum(JobChunk.not_awarded), 0),
            func.coalesce(func.sum(JobChunk.already_recorded), 0),
            func.coalesce(func.sum(JobChunk.larger_issued), 0),
            func.coalesce(func.sum(JobChunk.row_count), 0),
        ).where(JobChunk.job_id == job.id, JobChunk.done_at.is_not(None))
    ).one()
    found.issued, found.not_awarded, found.already_recorded, found.larger_issued, found.rows_done = (
        int(n) for n in done
    )
    for (errors,) in session.execute(
        select(JobChunk.errors)
        .where(JobChunk.job_id == job.id, JobChunk.done_at.is_not(None))
        .order_by(JobChunk.number)
    ):
        found.error_count += len(errors or [])
        found.errors += [RowError(*error) for error in errors or []][: ERRORS_SHOWN - len(found.errors)]
    if job.started_at and 0 < found.rows_done < job.rows_total and job.state == "running":
        elapsed = (_latest_chunk_time(session, job) or job.started_at) - job.started_at
        found.estimated_finish = job.started_at + elapsed * (job.rows_total / found.rows_done)
    return found


def _latest_chunk_time(session: Session, job: Job) -> datetime | None:
    return session.scalar(select(func.max(JobChunk.done_at)).where(JobChunk.job_id == job.id))


def start_chunk(session: Session, job_id: str, number: int, now: datetime) -> tuple[Job, JobChunk] | None:
    """The chunk to work on, or None when its job was cancelled (or is gone) or another worker finished it."""
    job = begin_job(session, job_id, now)
    chunk = session.get(JobChunk, (job_id, number))
    if job is None or chunk is None or job.state == "cancelled" or chunk.done_at is not None:
        return None
    return job, chunk


def begin_job(session: Session, job_id: str, now: datetime) -> Job | None:
    """The job, marked running if it was queued. States only move forward, each by a compare-and-set: a worker that
    read "queued" just before the college cancelled must not write "running" over "cancelled"."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "queued")
        .values(state="running", started_at=now)
        .execution_options(synchronize_session=False)
    )
    return session.get(Job, job_id, populate_existing=True)


def finish_chunk(
    session: Session, job_id: str, number: int, outcomes: list[RowOutcome], *, master_key: MasterKey, now: datetime
) -> None:
    """Records the chunk's results in the transaction that stored its rows (so a retry finds it done); the claim
    links go in encrypted. A chunk a duplicate run finished first keeps that run's results."""
    chunk = session.scalars(
        select(JobChunk).where(JobChunk.job_id == job_id, JobChunk.number == number).with_for_update()
    ).one()
    if chunk.done_at is not None:
        return
    report = CohortReport()
    report.add(outcomes, with_claims=False)
    claims = {str(o.number): o.claim for o in outcomes if any(o.claim.values())}
    chunk.results = report.rows
    chunk.errors = [[e.row, e.field, e.message] for e in report.errors]
    chunk.secrets = master_key.encrypt(json.dumps(claims).encode(), aad=_aad(job_id, number)) if claims else None
    chunk.issued, chunk.not_awarded = report.issued, report.not_awarded
    chunk.already_recorded, chunk.larger_issued = report.already_recorded, report.larger_issued
    chunk.rows = None  # the input (personal data) is not kept once the rows are issued
    chunk.done_at = now
    session.flush()
    left = session.scalar(
        select(func.count()).select_from(JobChunk).where(JobChunk.job_id == job_id, JobChunk.done_at.is_(None))
    )
    if not left:
        end_job(session, job_id, "completed", now)


def end_job(session: Session, job_id: str, state: str, now: datetime, **fields: Any) -> None:
    """Ends a job that has not ended yet (compare-and-set, so a cancellation committed meanwhile stays)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state.not_in(FINAL_STATES))
        .values(state=state, finished_at=now, **fields)
        .execution_options(synchronize_session=False)
    )


def _aad(job_id: str, number: int) -> bytes:
    return f"vetcred:job-claims:{job_id}:{number}".encode()


def result(session: Session, job: Job, master_key: MasterKey) -> CohortReport:
    """What the job's done chunks issued, each row with its claim link (for the college only)."""
    report = CohortReport(received=0)
    for chunk in session.scalars(
        select(JobChunk).where(JobChunk.job_id == job.id, JobChunk.done_at.is_not(None)).order_by(JobChunk.number)
    ):
        claims: dict[str, dict[str, Any]] = {}
        if chunk.secrets:
            claims = json.loads(master_key.decrypt(chunk.secrets, aad=_aad(job.id, chunk.number)))
        report.rows += [row | claims.get(str(row["row"]), {}) for row in chunk.results or []]
        report.errors += [RowError(*error) for error in chunk.errors or []]
        report.issued += chunk.issued
        report.not_awarded += chunk.not_awarded
        report.already_recorded += chunk.already_recorded
        report.larger_issued += chunk.larger_issued
        report.received += chunk.row_count
    return report


def pending_chunks(session: Session) -> list[tuple[str, int]]:
    """Chunks of unfinished jobs not done yet: what an in-process worker takes up again after a restart."""
    return [
        (job_id, number)
        for job_id, number in session.execute(
            select(JobChunk.job_id, JobChunk.number)
            .join(Job, Job.id == JobChunk.job_id)
            .where(Job.state.in_(("queued", "running")), JobChunk.done_at.is_(None))
            .order_by(Job.created_at, JobChunk.number)
        )
    ]


def pending_deliveries(session: Session) -> list[str]:
    return list(session.scalars(select(Job.id).where(Job.kind == "europass", Job.state.in_(("queued", "running")))))
