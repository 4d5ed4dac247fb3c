"""The tasks jobs run, by name, with their retry policy: each calls the domain functions the API calls.

The engine (``app/jobs/queue.py``) only runs them: procrastinate workers on PostgreSQL, this process on SQLite.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from app.assessments.batch import RowOutcome, process_chunk
from app.db.models import Assessment, ClaimLink, Credential, Issuer, Learner, StaffInvitation
from app.errors import Conflict, FetchError
from app.issuers.branding import branding_by_id
from app.issuers.service import college_language
from app.jobs.records import FINAL_STATES, begin_job, end_job, finish_chunk, start_chunk
from app.staff.invitations import invitation_url, is_open, new_link
from app.wallet.claims import resend
from app.wallet.delivery import send_claim_mail
from app.wallet.europass import deliver_to_europass
from app.wallet.mail import Mailer, staff_invitation_message

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger("vetcred.jobs")
ISSUING = "issuing"  # CPU-bound: one at a time per worker process
DELIVERY = "delivery"  # waits on other servers: several at a time, never in the way of issuing


@dataclass(frozen=True)
class Attempt:
    number: int  # 1 for the first run
    final: bool  # no retry follows if this one fails


@dataclass(frozen=True)
class Task:
    run: Callable[..., None]  # run(runtime, attempt, **arguments)
    queue: str
    retries: int
    backoff: int  # seconds: retry n waits backoff ** n (procrastinate's exponential_wait)


def cohort_chunk(runtime: Runtime, attempt: Attempt, *, job_id: str, number: int) -> None:
    """Issues one chunk of a cohort job; a cancelled job's chunks, and chunks done already, are skipped."""
    with runtime.transaction() as session:
        started = start_chunk(session, job_id, number, runtime.clock())
        if started is None:
            return
        job, chunk = started
        rows = list(enumerate(chunk.rows or [], start=chunk.first_row))
        issuer_id, spec_id = job.issuer_id, job.microcredential_id
    assert spec_id is not None

    def stored(session: Any, outcomes: list[RowOutcome]) -> None:
        finish_chunk(session, job_id, number, outcomes, master_key=runtime.master_key, now=runtime.clock())

    try:
        process_chunk(
            rows,
            transaction=runtime.transaction,
            issuer_id=issuer_id,
            spec_id=spec_id,
            context=runtime.issuance_context(),
            after_issue=runtime.new_claim_link,
            on_stored=stored,
        )
    except Exception:
        if not attempt.final:
            raise
        log.exception("chunk %s of job %s failed on its last attempt; its rows are reported as errors", number, job_id)
        failed = [
            RowOutcome(n, "error", errors=[("row", "not issued: an internal error; send it again")]) for n, _ in rows
        ]
        with runtime.transaction() as session:
            stored(session, failed)


def claim_email(runtime: Runtime, attempt: Attempt, *, link_id: str) -> None:
    """E-mails a claim link (fresh secrets: only hashes are stored) and marks it sent."""
    mailer = Mailer.from_settings(runtime.settings)
    with runtime.transaction() as session:
        link = session.get(ClaimLink, link_id)
        if mailer is None or link is None or link.sent_at or link.replaced_at or not link.email:
            return
        credential = session.get(Credential, link.credential_id)
        assert credential is not None
        try:
            issued = resend(session, link.credential_id, now=runtime.clock())
        except Conflict:  # expired meanwhile
            return
        document = credential.document
        language = college_language(session, credential.issuer_id)
        branding = branding_by_id(session, credential.issuer_id, runtime.settings.public_url)
    try:
        send_claim_mail(
            issued,
            document,
            mailer=mailer,
            public_url=runtime.settings.public_url,
            college_language=language,
            branding=branding,
        )
    except (smtplib.SMTPException, OSError) as error:
        log.warning(
            "could not e-mail the claim link of credential %s (attempt %d): %s",
            link.credential_id,
            attempt.number,
            error,
        )
        if attempt.final:
            return  # the college sees sentAt empty, and can re-send
        raise
    with runtime.transaction() as session:
        session.execute(update(ClaimLink).where(ClaimLink.id == link_id).values(sent_at=runtime.clock()))


def staff_invitation_email(runtime: Runtime, attempt: Attempt, *, invitation_id: str) -> None:
    """E-mails an invitation to a college's console with a fresh link (only hashes are stored) and marks it sent."""
    mailer = Mailer.from_settings(runtime.settings)
    public_url = runtime.settings.public_url
    with runtime.transaction() as session:
        invitation = session.get(StaffInvitation, invitation_id)
        if mailer is None or invitation is None or invitation.sent_at or not is_open(invitation, runtime.clock()):
            return
        college = session.get(Issuer, invitation.issuer_id)
        assert college is not None
        message = staff_invitation_message(
            to=invitation.email,
            college=college.name,
            role=invitation.role,
            url=invitation_url(public_url, new_link(session, invitation)),
            expires_at=invitation.expires_at,
            language=college.default_language or "en",
            branding=branding_by_id(session, college.id, public_url),
        )
    try:
        mailer.send(message)
    except (smtplib.SMTPException, OSError) as error:
        log.warning("could not e-mail invitation %s (attempt %d): %s", invitation_id, attempt.number, error)
        if attempt.final:
            return  # the owner sees it not sent, and can re-send
        raise
    with runtime.transaction() as session:
        session.execute(
            update(StaffInvitation).where(StaffInvitation.id == invitation_id).values(sent_at=runtime.clock())
        )


def europass_delivery(runtime: Runtime, attempt: Attempt, *, job_id: str) -> None:
    """Sends a sealed EDC to the learner's Europass wallet; the job ends completed (the wallet's answer) or failed."""
    base_url = runtime.settings.europass_wallet_url
    with runtime.transaction() as session:
        job = begin_job(session, job_id, runtime.clock())
        if job is None or job.state in FINAL_STATES or job.credential_id is None:
            return
        credential = session.get(Credential, job.credential_id)
        assessment = (
            session.get(Assessment, credential.assessment_id) if credential and credential.assessment_id else None
        )
        learner = session.get(Learner, assessment.learner_id) if assessment else None
        sealed = credential.sealed if credential else None
        email = learner.email if learner else None
    try:
        if not base_url or not sealed or not email:
            raise FetchError("nothing to deliver: no Europass wallet URL, sealed EDC or learner e-mail address")
        delivery = deliver_to_europass(base_url, email, sealed)
    except FetchError as error:
        log.warning("Europass delivery of job %s failed (attempt %d): %s", job_id, attempt.number, error.detail)
        if not attempt.final:
            raise
        _end(runtime, job_id, "failed", error=error.detail)
        return
    _end(runtime, job_id, "completed", outcome={"walletStatus": delivery.status_code, "walletResponse": delivery.body})


def _end(
    runtime: Runtime, job_id: str, state: str, *, outcome: dict[str, Any] | None = None, error: str | None = None
) -> None:
    with runtime.transaction() as session:
        end_job(session, job_id, state, runtime.clock(), outcome=outcome, error=error)


TASKS: dict[str, Task] = {
    "cohort_chunk": Task(cohort_chunk, ISSUING, retries=3, backoff=2),
    "claim_email": Task(claim_email, DELIVERY, retries=6, backoff=3),
    "europass_delivery": Task(europass_delivery, DELIVERY, retries=5, backoff=3),
    "staff_invitation_email": Task(staff_invitation_email, DELIVERY, retries=6, backoff=3),
}
