"""Stacking: when a learner holds valid credentials for a pathway's parts, issue the larger credential, once."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments.records import domain_spec, issue_for_assessment
from app.credentials.microcredential_issuance import IssuanceContext
from app.db import models as db

PATHWAY_REFERENCE = "pathway:{spec_id}"  # the synthetic assessment that records the completion, once per learner


def complete_pathways(
    session: Session, issuer: db.Issuer, learner: db.Learner, context: IssuanceContext
) -> list[db.Credential]:
    """Issues every larger credential the learner's active OB 3.0 credentials now complete; returns them."""
    held: dict[str, str] = {}  # spec id -> the learner's active OB 3.0 credential for it
    rows = session.execute(
        select(db.Credential.microcredential_id, db.Credential.id)
        .join(db.Assessment, db.Assessment.id == db.Credential.assessment_id)
        .where(db.Assessment.learner_id == learner.id, db.Credential.format == "ob3", db.Credential.status == "active")
    )
    for spec_id, credential_id in rows:
        if spec_id:
            held.setdefault(spec_id, credential_id)
    issued: list[db.Credential] = []
    pathways = session.scalars(
        select(db.MicroCredentialSpec).where(
            db.MicroCredentialSpec.issuer_id == issuer.id, db.MicroCredentialSpec.pathway_part_ids.is_not(None)
        )
    )
    for target in list(pathways):
        parts = [held[part] for part in target.pathway_part_ids or [] if part in held]
        required = target.pathway_required or len(target.pathway_part_ids or [])
        if len(parts) < required or _already_completed(session, target.id, learner.id):
            continue
        issued.append(_issue_larger(session, issuer, learner, target, parts, context))
    return issued


def _already_completed(session: Session, spec_id: str, learner_id: str) -> bool:
    reference = PATHWAY_REFERENCE.format(spec_id=spec_id)
    return (
        session.scalar(
            select(db.Assessment.id).where(
                db.Assessment.microcredential_id == spec_id,
                db.Assessment.learner_id == learner_id,
                db.Assessment.reference == reference,
            )
        )
        is not None
    )


def _issue_larger(
    session: Session,
    issuer: db.Issuer,
    learner: db.Learner,
    target: db.MicroCredentialSpec,
    parts: list[str],
    context: IssuanceContext,
) -> db.Credential:
    spec = domain_spec(target, context.public_url)
    assessment = db.Assessment(
        id=str(uuid.uuid4()),
        issuer_id=issuer.id,
        microcredential_id=target.id,
        learner_id=learner.id,
        reference=PATHWAY_REFERENCE.format(spec_id=target.id),
        outcome="issued",
        facts={
            "assessedOn": context.now.date().isoformat(),
            "achievedOutcomes": [o.id for o in spec.learning_outcomes],
            "grade": None,
            "evidenceDescription": "Awarded for completing the pathway's parts",
            "parts": parts,
        },
    )
    session.add(assessment)
    session.flush()
    return issue_for_assessment(
        session, issuer=issuer, spec=spec, learner=learner, assessment=assessment, context=context, parts=parts
    ).ob3


def larger_credentials_containing(session: Session, issuer: db.Issuer, credential_id: str) -> list[db.Credential]:
    """The stacked credentials that list ``credential_id`` among their parts (to tell the issuer on revocation)."""
    candidates = session.scalars(
        select(db.Credential).where(db.Credential.issuer_id == issuer.id, db.Credential.part_ids.is_not(None))
    )
    return [c for c in candidates if credential_id in (c.part_ids or [])]
