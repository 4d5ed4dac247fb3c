"""A micro-credential as a learner would get it, before anything is issued: built for a sample learner by the same
builders issuance uses, but nothing is signed, sealed, stored or given a status entry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.assessments.records import issuer_organisation
from app.credentials.edc import build_edc
from app.credentials.edc_display import render_display_images
from app.credentials.microcredential import Assessment, IssuedMicroCredential, Learner, MicroCredentialSpec
from app.credentials.microcredential_issuance import alpha2
from app.credentials.ob3_microcredential import build_ob3_microcredential
from app.db import models as db
from app.issuers.seals import expected_sealer

SAMPLE_LEARNER = Learner(id="preview", given_name="Alex", family_name="Sample", email="alex.sample@example.org")
SAMPLE_REFERENCE = "PREVIEW"
# The learner's e-mail is hashed with a salt in the credential: a fixed one, so a preview is the same every time.
SAMPLE_SALT = "preview"


@dataclass(frozen=True)
class Preview:
    """The OB 3.0 credential (unsigned, without status), the EDC (unsealed) and its page images, per language."""

    ob3: dict[str, Any]
    edc: dict[str, Any]
    pages: dict[str, bytes]  # display language -> PNG, the spec's title languages (primary first)
    self_issued_seal: bool  # the EDC would be sealed with vetcred's self-issued test seal


def preview(session: Session, issuer: db.Issuer, spec: MicroCredentialSpec, *, now: datetime) -> Preview:
    """What the sample learner would receive for achieving every learning outcome of ``spec`` at ``now``.

    The builders' own errors (an EDC display language that is not an official EU language, a college without an
    eIDAS identifier) are raised as they would be at issuance: that is what a preview is for.
    """
    sealer = expected_sealer(session, issuer, country=alpha2(issuer, spec))
    record = IssuedMicroCredential(
        credential_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, spec.uri)}",
        spec=spec,
        learner=SAMPLE_LEARNER,
        assessment=Assessment(
            id="preview",
            reference=SAMPLE_REFERENCE,
            assessed_on=now.date(),
            achieved_outcomes=tuple(outcome.id for outcome in spec.learning_outcomes),
            supervision=spec.supervision,
            certificate_number=SAMPLE_REFERENCE,
        ),
        issuer=issuer_organisation(issuer, spec),
        issuer_did=issuer.did,
        issuer_profile=issuer.profile,
        issued_at=now,
        sealer=sealer,
    )
    pages = render_display_images(record)
    return Preview(
        ob3=build_ob3_microcredential(record, salt=SAMPLE_SALT, credential_status=None),
        edc=build_edc(record, display_images=pages),
        pages=pages,
        self_issued_seal=sealer.self_issued,
    )
