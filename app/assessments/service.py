"""Record an assessment and issue exactly the micro-credentials it justifies (once, whatever the retries)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments.inputs import ASSESSMENT_FACTS, AssessmentInput
from app.assessments.records import domain_spec, issue_for_assessment
from app.assessments.rules import judge
from app.assessments.stacking import complete_pathways
from app.credentials.microcredential_issuance import IssuanceContext
from app.db import models as db
from app.errors import InvalidInput
from app.issuers.service import lock_issuer


@dataclass
class AssessmentResult:
    assessment: db.Assessment
    created: bool  # False: this (specification, learner, reference) was recorded before; nothing new was issued
    credentials: list[db.Credential] = field(default_factory=list)
    larger: list[db.Credential] = field(default_factory=list)  # stacked credentials this result completed
    self_issued_seal: bool = False
    not_awarded: str | None = None  # why a new result was recorded without a credential


def _learner(session: Session, issuer: db.Issuer, data: AssessmentInput) -> db.Learner:
    email = str(data.email).lower()
    learner = session.scalar(select(db.Learner).where(db.Learner.issuer_id == issuer.id, db.Learner.email == email))
    if learner is None:
        learner = db.Learner(
            id=str(uuid.uuid4()),
            issuer_id=issuer.id,
            given_name=data.givenName,
            family_name=data.familyName,
            email=email,
            date_of_birth=data.dateOfBirth,
            national_id=data.nationalId,
            identifiers=[["student number", data.studentNumber]] if data.studentNumber else None,
        )
        session.add(learner)
        session.flush()
    return learner


def record_assessment(
    session: Session,
    issuer: db.Issuer,
    spec_row: db.MicroCredentialSpec,
    data: AssessmentInput,
    context: IssuanceContext,
) -> AssessmentResult:
    spec = domain_spec(spec_row, context.public_url)
    verdict = judge(data, [outcome.id for outcome in spec.learning_outcomes], require_all=spec_row.require_all_outcomes)
    if verdict.error is not None:
        where, message = verdict.error
        raise InvalidInput(message, field=where)
    lock_issuer(session, issuer)  # concurrent results for one new learner: one learner row, one assessment, one seal
    learner = _learner(session, issuer, data)
    existing = _existing(session, spec_row.id, learner.id, data.reference)
    if existing is not None:
        return AssessmentResult(existing, created=False, credentials=_credentials_of(session, existing))
    facts = data.model_dump(mode="json", include=ASSESSMENT_FACTS)
    assessment = db.Assessment(
        id=str(uuid.uuid4()),
        issuer_id=issuer.id,
        microcredential_id=spec_row.id,
        learner_id=learner.id,
        reference=data.reference,
        facts=facts,
        outcome="issued" if verdict.awarded else "not_awarded",
    )
    session.add(assessment)
    session.flush()
    result = AssessmentResult(assessment, created=True, not_awarded=verdict.not_awarded)
    if not verdict.awarded:
        return result
    pair = issue_for_assessment(
        session, issuer=issuer, spec=spec, learner=learner, assessment=assessment, context=context
    )
    result.credentials = [pair.ob3, pair.edc]
    result.self_issued_seal = pair.self_issued_seal
    result.larger = complete_pathways(session, issuer, learner, context)
    return result


def _existing(session: Session, spec_id: str, learner_id: str, reference: str) -> db.Assessment | None:
    return session.scalar(
        select(db.Assessment).where(
            db.Assessment.microcredential_id == spec_id,
            db.Assessment.learner_id == learner_id,
            db.Assessment.reference == reference,
        )
    )


def _credentials_of(session: Session, assessment: db.Assessment) -> list[db.Credential]:
    return list(
        session.scalars(
            select(db.Credential)
            .where(db.Credential.assessment_id == assessment.id)
            .order_by(db.Credential.format.desc())
        )
    )
