"""A cohort chunk in three steps: prepare in a short transaction, sign and seal outside any, store in a short one.

Per chunk rather than per row: the college is locked once, briefly (learners and status entries for every row at
once), never while documents are signed or stored, so workers on other processes or machines issue the same
college's rows in parallel. Each row stays idempotent on (specification, learner, reference): the store step looks
again, a row another worker stored first is reported as already recorded, and the unique constraint on assessments
settles two workers storing the same row at the same moment (the loser's chunk runs again).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app.achievements.council import check_annex_i
from app.achievements.microcredentials import get_spec
from app.assessments.inputs import ASSESSMENT_FACTS, AssessmentInput
from app.assessments.records import build_record, domain_spec
from app.assessments.rules import judge, read_row
from app.assessments.stacking import complete_pathways
from app.credentials.microcredential import MicroCredentialSpec
from app.credentials.microcredential_issuance import (
    IssuanceContext,
    IssuedPair,
    SealedDocuments,
    Sealing,
    alpha2,
    sealing_for,
    sign_and_seal,
    store_pair,
)
from app.db import models as db
from app.errors import InvalidInput, VetcredError
from app.issuers.service import lock_issuer, signer_for
from app.status.service import Publisher, StatusEntry, allocate_many

# Called in the store transaction for each newly issued OB 3.0 credential (the learner's claim link); what it
# returns is kept apart from the row's report (claim links are secrets).
AfterIssue = Callable[[Session, db.Credential, str], dict[str, Any]]
_LOOKUP_BATCH = 500  # keys per IN (...) query: well under any database's limit of bound parameters


@dataclass
class RowOutcome:
    """What became of one row: ``kind`` is issued, not_awarded, already_recorded or error."""

    number: int
    kind: str
    report: dict[str, Any] | None = None
    claim: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    larger: int = 0


@dataclass
class _Row:
    number: int
    data: AssessmentInput
    learner: db.Learner | None = None
    awarded: bool = False
    entries: list[StatusEntry] = field(default_factory=list)
    assessment_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    credential_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    documents: SealedDocuments | None = None


def process_chunk(
    rows: list[tuple[int, Any]],
    *,
    transaction: Callable[[], Any],
    issuer_id: str,
    spec_id: str,
    context: IssuanceContext,
    after_issue: AfterIssue | None = None,
    on_stored: Callable[[Session, list[RowOutcome]], None] | None = None,
) -> list[RowOutcome]:
    """Every row of the chunk validated, issued once, reported; ``on_stored`` runs in the store transaction (a job
    records the chunk as done there, so "done" and the rows commit together)."""
    outcomes: dict[int, RowOutcome] = {}
    valid: list[_Row] = []
    try:
        prepared = _prepare(
            rows, valid, outcomes, transaction=transaction, issuer_id=issuer_id, spec_id=spec_id, context=context
        )
    except VetcredError as error:  # the specification or the college cannot issue at all: every row says why
        for number, _ in rows:
            if number not in outcomes:
                outcomes[number] = RowOutcome(number, "error", errors=[(_field(error), error.detail)])
        prepared = None
    if prepared is not None:
        spec, issuer, signer, sealing = prepared
        for row in valid:
            if row.number in outcomes or not row.entries:  # an error, not awarded, or recorded before
                continue
            try:
                row.documents = _sign(row, spec, issuer, signer, sealing, context)
            except VetcredError as error:
                outcomes[row.number] = RowOutcome(row.number, "error", errors=[(_field(error), error.detail)])
    with transaction() as session:
        if prepared is not None:
            _store(session, valid, outcomes, prepared, context=context, after_issue=after_issue)
        result = [outcomes[number] for number, _ in rows]
        if on_stored is not None:
            on_stored(session, result)
    return result


def _field(error: VetcredError) -> str:
    return (error.field if isinstance(error, InvalidInput) else None) or "row"


def _prepare(
    rows: list[tuple[int, Any]],
    valid: list[_Row],
    outcomes: dict[int, RowOutcome],
    *,
    transaction: Callable[[], Any],
    issuer_id: str,
    spec_id: str,
    context: IssuanceContext,
) -> tuple[MicroCredentialSpec, db.Issuer, Any, Sealing | None]:
    """One short transaction: the rows read and judged against the specification (into ``valid`` or, as errors,
    ``outcomes``), learners found or recorded, rows already recorded set aside, status entries for every row to
    issue, the college's seal read (or made, on its first EDC)."""
    with transaction() as session:
        issuer = session.get(db.Issuer, issuer_id)
        assert issuer is not None
        spec_row = get_spec(session, issuer, spec_id)
        spec = domain_spec(spec_row, context.public_url)
        outcome_ids = [outcome.id for outcome in spec.learning_outcomes]
        for number, raw in rows:
            read = read_row(raw, outcome_ids)
            if read.data is None:
                outcomes[number] = RowOutcome(number, "error", errors=read.errors)
                continue
            verdict = judge(read.data, outcome_ids, require_all=spec_row.require_all_outcomes)
            if verdict.error is not None:
                outcomes[number] = RowOutcome(number, "error", errors=[verdict.error])
            else:
                valid.append(_Row(number, read.data, awarded=verdict.awarded))
        check_annex_i(spec)
        lock_issuer(session, issuer)
        learners = _learners(session, issuer, valid)
        existing = _existing(session, spec_id, [(learners[_email(r)].id, r.data.reference) for r in valid])
        to_issue: list[_Row] = []
        for row in valid:
            row.learner = learners[_email(row)]
            if row.awarded and (row.learner.id, row.data.reference) not in existing:
                to_issue.append(row)
        signer = signer_for(issuer, context.master_key)
        sealing = None
        if to_issue:
            publisher = Publisher(signer, context.loader, context.now, context.public_url)
            for row, entries in zip(to_issue, allocate_many(session, issuer, publisher, len(to_issue)), strict=True):
                row.entries = entries
            sealing = sealing_for(session, issuer, alpha2(issuer, spec), context)
        return spec, issuer, signer, sealing


def _email(row: _Row) -> str:
    return str(row.data.email).lower()


def _learners(session: Session, issuer: db.Issuer, rows: list[_Row]) -> dict[str, db.Learner]:
    emails = sorted({_email(row) for row in rows})
    found = {
        learner.email: learner
        for learner in session.scalars(
            select(db.Learner).where(db.Learner.issuer_id == issuer.id, db.Learner.email.in_(emails))
        )
    }
    for row in rows:
        email = _email(row)
        if email not in found:
            data = row.data
            found[email] = db.Learner(
                id=str(uuid.uuid4()),
                issuer_id=issuer.id,
                given_name=data.givenName,
                family_name=data.familyName,
                email=email,
                date_of_birth=data.dateOfBirth,
                national_id=data.nationalId,
                identifiers=[["student number", data.studentNumber]] if data.studentNumber else None,
            )
            session.add(found[email])
    session.flush()
    return found


def _existing(session: Session, spec_id: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], db.Assessment]:
    if not keys:
        return {}
    rows = session.scalars(
        select(db.Assessment).where(
            db.Assessment.microcredential_id == spec_id,
            tuple_(db.Assessment.learner_id, db.Assessment.reference).in_(keys),
        )
    )
    return {(row.learner_id, row.reference): row for row in rows}


def recorded_keys(session: Session, issuer_id: str, spec_id: str, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (learner e-mail in lower case, reference) results of the specification the college recorded before:
    the rows a cohort would report as already recorded (a preview asks before anything is recorded)."""
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), _LOOKUP_BATCH):
        batch = keys[start : start + _LOOKUP_BATCH]
        query = (
            select(db.Learner.email, db.Assessment.reference)
            .join(db.Assessment, db.Assessment.learner_id == db.Learner.id)
            .where(
                db.Learner.issuer_id == issuer_id,
                db.Assessment.microcredential_id == spec_id,
                tuple_(db.Learner.email, db.Assessment.reference).in_(batch),
            )
        )
        found.update((email, reference) for email, reference in session.execute(query))
    return found


def _assessment(row: _Row, issuer_id: str, spec_id: str) -> db.Assessment:
    assert row.learner is not None
    return db.Assessment(
        id=row.assessment_id,
        issuer_id=issuer_id,
        microcredential_id=spec_id,
        learner_id=row.learner.id,
        reference=row.data.reference,
        facts=row.data.model_dump(mode="json", include=ASSESSMENT_FACTS),
        outcome="issued" if row.awarded else "not_awarded",
    )


def _sign(
    row: _Row,
    spec: MicroCredentialSpec,
    issuer: db.Issuer,
    signer: Any,
    sealing: Sealing | None,
    context: IssuanceContext,
) -> SealedDocuments:
    """The CPU work of one row, outside any transaction."""
    assert row.learner is not None and sealing is not None
    record = build_record(
        credential_id=f"urn:uuid:{row.credential_id}",
        issuer=issuer,
        spec=spec,
        learner=row.learner,
        assessment=_assessment(row, issuer.id, spec.id),
        issued_at=context.now,
    )
    return sign_and_seal(record, entries=row.entries, signer=signer, sealing=sealing, context=context)


def _store(
    session: Session,
    valid: list[_Row],
    outcomes: dict[int, RowOutcome],
    prepared: tuple[MicroCredentialSpec, db.Issuer, Any, Sealing | None],
    *,
    context: IssuanceContext,
    after_issue: AfterIssue | None,
) -> None:
    """One short transaction: each row stored unless it was meanwhile (a retry, another worker, an earlier row of
    this chunk).

    Table by table, not row by row: the chunk's assessments, then its credentials, then its claim links, each
    inserted in one flush (no savepoint or flush per row: any failure rolls the whole chunk back, to run again).
    Not under the college's lock (a chunk's tens of megabytes of documents would keep every other worker of the
    college waiting): the unique (specification, learner, reference) of assessments is what keeps a row issued
    once. Two workers storing the same row at once (a stalled chunk taken up while its first worker still runs)
    collide on it before any credential is written, and the loser's chunk runs again and reports the row as
    recorded. The lock is taken only when a row may complete a larger credential (its status entries).
    """
    spec, detached_issuer, _signer, sealing = prepared
    issuer = session.get(db.Issuer, detached_issuer.id)
    assert issuer is not None
    stacks = _is_a_pathway_part(session, issuer.id, spec.id)
    if stacks:  # a row may complete a larger credential, whose status entries are per-college state
        lock_issuer(session, issuer)
    rows = [row for row in valid if row.number not in outcomes and row.learner is not None]
    existing = _existing(session, spec.id, [(row.learner.id, row.data.reference) for row in rows if row.learner])
    new: list[tuple[_Row, db.Assessment]] = []
    repeated: list[_Row] = []
    for row in rows:
        assert row.learner is not None
        key = (row.learner.id, row.data.reference)
        if key in existing:
            repeated.append(row)
        elif row.awarded and row.documents is None:  # cannot happen: a row to issue is signed or has an error
            outcomes[row.number] = RowOutcome(row.number, "error", errors=[("row", "not issued; send it again")])
        else:
            existing[key] = _assessment(row, issuer.id, spec.id)
            new.append((row, existing[key]))
    session.add_all([assessment for _, assessment in new])
    session.flush()
    pairs: dict[int, IssuedPair] = {}
    for row, assessment in new:
        if row.awarded and row.documents is not None and sealing is not None:
            assert row.learner is not None
            record = build_record(
                credential_id=f"urn:uuid:{row.credential_id}",
                issuer=issuer,
                spec=spec,
                learner=row.learner,
                assessment=assessment,
                issued_at=context.now,
            )
            pairs[row.number] = store_pair(
                session,
                issuer,
                record,
                row.documents,
                row.entries,
                sealing=sealing,
                context=context,
                assessment_id=assessment.id,
            )
    session.flush()
    for row, assessment in new:
        assert row.learner is not None
        pair = pairs.get(row.number)
        claim: dict[str, Any] = {}
        larger: list[db.Credential] = []
        if pair is not None and after_issue is not None:
            claim = after_issue(session, pair.ob3, str(row.data.email))
        if pair is not None and stacks:
            learner = session.get(db.Learner, row.learner.id)
            assert learner is not None
            larger = complete_pathways(session, issuer, learner, context)
        outcomes[row.number] = RowOutcome(
            row.number,
            "issued" if row.awarded else "not_awarded",
            report=_report(row, assessment, [pair.ob3.id, pair.edc.id] if pair else [], new=True),
            claim=claim,
            larger=len(larger),
        )
    for row in repeated:
        assert row.learner is not None
        recorded = existing[(row.learner.id, row.data.reference)]
        outcomes[row.number] = RowOutcome(
            row.number,
            "already_recorded",
            report=_report(row, recorded, _credential_ids(session, recorded), new=False),
        )


def _report(row: _Row, assessment: db.Assessment, credential_ids: list[str], *, new: bool) -> dict[str, Any]:
    return {
        "row": row.number,
        "reference": row.data.reference,
        "email": str(row.data.email),
        "assessmentId": assessment.id,
        "outcome": assessment.outcome,
        "new": new,
        "credentialIds": credential_ids,
    }


def _credential_ids(session: Session, assessment: db.Assessment) -> list[str]:
    return list(
        session.scalars(
            select(db.Credential.id)
            .where(db.Credential.assessment_id == assessment.id)
            .order_by(db.Credential.format.desc())
        )
    )


def _is_a_pathway_part(session: Session, issuer_id: str, spec_id: str) -> bool:
    """Whether any larger credential of the college stacks this specification (else no row can complete one)."""
    parts = session.scalars(
        select(db.MicroCredentialSpec.pathway_part_ids).where(
            db.MicroCredentialSpec.issuer_id == issuer_id, db.MicroCredentialSpec.pathway_part_ids.is_not(None)
        )
    )
    return any(spec_id in (ids or []) for ids in parts)
