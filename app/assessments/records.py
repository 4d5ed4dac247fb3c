"""From stored rows (specification, learner, assessment, issuer) to the typed record, and to issued credentials."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.achievements.microcredential_input import MicroCredentialSpecInput
from app.credentials.microcredential import (
    Assessment,
    IssuedMicroCredential,
    Learner,
    MicroCredentialSpec,
    Organisation,
)
from app.credentials.microcredential_issuance import IssuanceContext, IssuedPair, issue_microcredential
from app.db import models as db
from app.fields import EMBEDDED_IMAGE


def spec_uri(public_url: str, spec_id: str) -> str:
    """The public id of a specification (its catalogue entry, as JSON)."""
    return f"{public_url}/microcredentials/{spec_id}"


def domain_spec(row: db.MicroCredentialSpec, public_url: str) -> MicroCredentialSpec:
    return MicroCredentialSpecInput.model_validate(row.definition).to_spec(row.id, spec_uri(public_url, row.id))


def domain_learner(row: db.Learner) -> Learner:
    identifiers = tuple((str(scheme), str(value)) for scheme, value in (row.identifiers or []))
    return Learner(
        id=row.id,
        given_name=row.given_name,
        family_name=row.family_name,
        email=row.email,
        date_of_birth=row.date_of_birth,
        national_id=row.national_id,
        identifiers=identifiers,
    )


def domain_assessment(row: db.Assessment, spec: MicroCredentialSpec) -> Assessment:
    """The assessed result as the builders see it. Its certificate number is the one given, else the college's
    reference; a pathway's completion (which has parts, and a reference vetcred made up) has none."""
    facts: dict[str, Any] = row.facts
    return Assessment(
        id=row.id,
        reference=row.reference,
        assessed_on=date.fromisoformat(facts["assessedOn"]),
        achieved_outcomes=tuple(facts["achievedOutcomes"]),
        grade=facts.get("grade"),
        assessor=facts.get("assessor"),
        supervision=spec.supervision,
        evidence_url=facts.get("evidenceUrl"),
        evidence_description=facts.get("evidenceDescription"),
        certificate_number=facts.get("certificateNumber") or (None if "parts" in facts else row.reference),
        activity_start=_day(facts.get("activityStartDate")),
        activity_end=_day(facts.get("activityEndDate")),
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def issuer_organisation(issuer: db.Issuer, spec: MicroCredentialSpec) -> Organisation:
    """The college as ELM sees it; its country is the specification's (Annex I: country of the issuer). Its image
    is its logo when it is an embedded PNG or JPEG (an EDC carries no links to images)."""
    image = (issuer.profile.get("image") or {}).get("id")
    return Organisation(
        name={spec.primary_language: issuer.name},
        country=spec.issuer_country,
        url=issuer.profile.get("url"),
        region=spec.issuer_region,
        legal_identifier=issuer.legal_identifier,
        vat_identifier=issuer.vat_identifier,
        logo=image if isinstance(image, str) and EMBEDDED_IMAGE.match(image) else None,
    )


def build_record(
    *,
    credential_id: str,
    issuer: db.Issuer,
    spec: MicroCredentialSpec,
    learner: db.Learner,
    assessment: db.Assessment,
    issued_at: datetime,
    parts: tuple[str, ...] = (),
) -> IssuedMicroCredential:
    return IssuedMicroCredential(
        credential_id=credential_id,
        spec=spec,
        learner=domain_learner(learner),
        assessment=domain_assessment(assessment, spec),
        issuer=issuer_organisation(issuer, spec),
        issuer_did=issuer.did,
        issuer_profile=issuer.profile,
        issued_at=issued_at,
        parts=parts,
    )


def issue_for_assessment(
    session: Session,
    *,
    issuer: db.Issuer,
    spec: MicroCredentialSpec,
    learner: db.Learner,
    assessment: db.Assessment,
    context: IssuanceContext,
    parts: list[str] | None = None,
) -> IssuedPair:
    """Issue the micro-credential (both formats) that a recorded assessment justifies, under a new id."""
    record = build_record(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=issuer,
        spec=spec,
        learner=learner,
        assessment=assessment,
        issued_at=context.now,
        parts=tuple(f"urn:uuid:{part}" for part in parts or ()),
    )
    return issue_microcredential(session, issuer, record, context=context, assessment_id=assessment.id, parts=parts)
