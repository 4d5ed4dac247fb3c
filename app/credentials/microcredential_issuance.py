"""Issue one micro-credential in both formats from one record: OB 3.0 (signed, status) and EDC (SHACL, sealed)."""

from __future__ import annotations

import dataclasses
import json
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.achievements.council import check_annex_i
from app.achievements.vocabularies import vocabulary
from app.credentials.edc import build_edc
from app.credentials.edc_display import render_display_images
from app.credentials.edc_shacl import validate_edc
from app.credentials.microcredential import IssuedMicroCredential
from app.credentials.ob3_microcredential import build_ob3_microcredential
from app.credentials.validate import check_achievement_credential
from app.db import models as db
from app.errors import CredentialSchemaError
from app.issuers.sealer import sealer_of
from app.issuers.seals import seal_for
from app.issuers.service import signer_for
from app.proofs import eddsa_rdfc_2022, jades
from app.proofs.keys import MasterKey
from app.proofs.loader import DocumentLoader
from app.proofs.tsa_client import Stamper
from app.status.service import Publisher, allocate_entries, credential_status


@dataclass(frozen=True)
class IssuanceContext:
    """What issuing needs besides the database: keys, the loader, the clock reading, URLs and the SHACL policy."""

    master_key: MasterKey
    loader: DocumentLoader
    now: datetime
    public_url: str
    shacl_sample_rate: float  # EDCs after a specification's first are SHACL-validated with this probability
    stamper: Stamper | None = None  # the college's TSA (VETCRED_TSA_URL): seals become JAdES B-T
    revocation: jades.RevocationSource | None = None  # CRLs for B-LT


@dataclass(frozen=True)
class IssuedPair:
    ob3: db.Credential
    edc: db.Credential
    self_issued_seal: bool


def issue_microcredential(
    session: Session,
    issuer: db.Issuer,
    record: IssuedMicroCredential,
    *,
    context: IssuanceContext,
    assessment_id: str,
    parts: list[str] | None = None,
) -> IssuedPair:
    """Both formats in the caller's transaction; the EDC twin shares the OB 3.0 credential's status entry."""
    check_annex_i(record.spec)
    signer = signer_for(issuer, context.master_key)
    entries = allocate_entries(session, issuer, Publisher(signer, context.loader, context.now, context.public_url))
    unsigned = build_ob3_microcredential(
        record, salt=secrets.token_hex(16), credential_status=credential_status(entries, context.public_url)
    )
    signed = eddsa_rdfc_2022.sign(unsigned, signer, context.loader, context.now)
    check_achievement_credential(signed, status_array_allowed=issuer.allow_suspension)
    status_columns: dict[str, Any] = {}
    for entry in entries:
        status_columns[f"{entry.purpose}_list_id"] = entry.list_id
        status_columns[f"{entry.purpose}_index"] = entry.index
    common = {
        "issuer_id": issuer.id,
        "microcredential_id": record.spec.id,
        "assessment_id": assessment_id,
        "recipient_name": record.learner.full_name,
        "created_at": context.now,
        "part_ids": parts or None,
        **status_columns,
    }
    ob3 = db.Credential(
        id=record.credential_id.removeprefix("urn:uuid:"),
        format="ob3",
        document=signed,
        public_token=secrets.token_urlsafe(32),
        **common,
    )

    material, self_issued = seal_for(
        session, issuer, context.master_key, country=_alpha2(issuer, record), now=context.now
    )
    # The EDC names who seals it (its issuer's eIDAS identifier, a mandate): the seal is known before it is built.
    record = dataclasses.replace(record, sealer=sealer_of(session, issuer, material, self_issued=self_issued))
    edc = build_edc(record, display_images=render_display_images(record))
    if _should_validate(session, record.spec.id, context.shacl_sample_rate):
        errors = validate_edc(edc)
        if errors:
            raise CredentialSchemaError("the EDC fails the SHACL shapes it declares: " + "; ".join(errors[:5]))
    payload = json.dumps(edc, ensure_ascii=False, separators=(",", ":"))
    sealed = jades.seal(
        payload,
        private_key=material.private_key,
        chain=material.chain,
        now=context.now,
        stamper=context.stamper,
        revocation=context.revocation,
    )
    edc_row = db.Credential(
        id=str(uuid.uuid4()),
        format="edc",
        document=edc,
        public_token=secrets.token_urlsafe(32),
        sealed=json.dumps(sealed, ensure_ascii=False),
        **common,
    )
    session.add_all([ob3, edc_row])
    session.flush()
    return IssuedPair(ob3=ob3, edc=edc_row, self_issued_seal=self_issued)


def _alpha2(issuer: db.Issuer, record: IssuedMicroCredential) -> str:
    """The two-letter country an X.509 certificate needs (a self-issued seal): the college's, else the spec's."""
    stated = (issuer.profile.get("address") or {}).get("addressCountryCode")
    if stated:
        return str(stated)
    alternatives = vocabulary("country").alt_codes.get(record.spec.issuer_country.uri, ())
    return next((code for code in alternatives if len(code) == 2), "EU")


def _should_validate(session: Session, spec_id: str, rate: float) -> bool:
    """SHACL costs ~0.1 s: always for a specification's first EDC, then for a random sample."""
    issued = session.scalar(
        select(func.count())
        .select_from(db.Credential)
        .where(db.Credential.microcredential_id == spec_id, db.Credential.format == "edc")
    )
    return not issued or random.random() < rate
