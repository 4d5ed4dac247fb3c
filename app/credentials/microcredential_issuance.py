"""Issue one micro-credential in both formats from one record: OB 3.0 (signed, status) and EDC (SHACL, sealed).

In three steps that a cohort runs apart (``app/assessments/batch.py``): status entries and the seal in a short
transaction, the documents signed and sealed outside it (``sign_and_seal``), the rows stored (``store_pair``).
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from app.achievements.council import check_annex_i
from app.achievements.vocabularies import vocabulary
from app.credentials import batch_signing
from app.credentials.edc import build_edc
from app.credentials.edc_display import render_display_images
from app.credentials.microcredential import IssuedMicroCredential, MicroCredentialSpec, Sealer
from app.credentials.ob3_microcredential import build_ob3_microcredential
from app.credentials.shacl_policy import check_edc
from app.credentials.validate import check_achievement_credential
from app.db import models as db
from app.issuers.sealer import sealer_of
from app.issuers.seals import seal_for
from app.issuers.service import signer_for
from app.proofs import jades
from app.proofs.eseal import SealMaterial as Material
from app.proofs.keys import MasterKey
from app.proofs.loader import DocumentLoader
from app.proofs.signer import Signer
from app.proofs.tsa_client import Stamper
from app.status.service import Publisher, StatusEntry, allocate_entries, credential_status


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


@dataclass(frozen=True)
class SealedDocuments:
    """A micro-credential's documents, made without the database: the signed OB 3.0, the EDC and its seal."""

    ob3: dict[str, Any]
    edc: dict[str, Any]
    sealed: str


@dataclass(frozen=True)
class Sealing:
    """What sealing a college's EDCs needs, read once for many: the key and chain, and who the sealer is."""

    material: Material
    sealer: Sealer
    self_issued: bool


def sealing_for(session: Session, issuer: db.Issuer, spec_country: str, context: IssuanceContext) -> Sealing:
    """The college's seal (made on first use) and the sealer its EDCs name."""
    material, self_issued = seal_for(session, issuer, context.master_key, country=spec_country, now=context.now)
    return Sealing(material, sealer_of(session, issuer, material, self_issued=self_issued), self_issued)


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
    sealing = sealing_for(session, issuer, alpha2(issuer, record.spec), context)
    documents = sign_and_seal(record, entries=entries, signer=signer, sealing=sealing, context=context)
    pair = store_pair(
        session,
        issuer,
        record,
        documents,
        entries,
        sealing=sealing,
        context=context,
        assessment_id=assessment_id,
        parts=parts,
    )
    session.flush()
    return pair


def sign_and_seal(
    record: IssuedMicroCredential,
    *,
    entries: list[StatusEntry],
    signer: Signer,
    sealing: Sealing,
    context: IssuanceContext,
) -> SealedDocuments:
    """The CPU work of one micro-credential, outside any transaction: OB 3.0 built, signed and checked against its
    schema; EDC built with its page images, SHACL-checked (``shacl_policy``) and sealed."""
    unsigned = build_ob3_microcredential(
        record, salt=secrets.token_hex(16), credential_status=credential_status(entries, context.public_url)
    )
    signed = batch_signing.sign(unsigned, signer, context.loader, context.now)
    check_achievement_credential(signed, status_array_allowed=len(entries) > 1)
    # The EDC names who seals it (its issuer's eIDAS identifier, a mandate): the seal is known before it is built.
    record = dataclasses.replace(record, sealer=sealing.sealer)
    edc = build_edc(record, display_images=render_display_images(record))
    check_edc(record.spec.id, edc, context.shacl_sample_rate)
    payload = orjson.dumps(edc).decode()  # compact UTF-8 JSON, as json.dumps(ensure_ascii=False) but 15 times faster
    sealed = jades.seal(
        payload,
        private_key=sealing.material.private_key,
        chain=sealing.material.chain,
        now=context.now,
        stamper=context.stamper,
        revocation=context.revocation,
    )
    return SealedDocuments(ob3=signed, edc=edc, sealed=orjson.dumps(sealed).decode())


def store_pair(
    session: Session,
    issuer: db.Issuer,
    record: IssuedMicroCredential,
    documents: SealedDocuments,
    entries: list[StatusEntry],
    *,
    sealing: Sealing,
    context: IssuanceContext,
    assessment_id: str,
    parts: list[str] | None = None,
) -> IssuedPair:
    """The two credential rows of ``documents``, in the caller's transaction; the caller flushes them (a cohort chunk
    flushes all its rows' at once)."""
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
        "valid_until": record.valid_until,
        "part_ids": parts or None,
        **status_columns,
    }
    ob3 = db.Credential(
        id=record.credential_id.removeprefix("urn:uuid:"),
        format="ob3",
        document=documents.ob3,
        public_token=secrets.token_urlsafe(32),
        **common,
    )
    edc_row = db.Credential.sealed_edc(
        documents.edc, documents.sealed, id=str(uuid.uuid4()), public_token=secrets.token_urlsafe(32), **common
    )
    session.add_all([ob3, edc_row])
    return IssuedPair(ob3=ob3, edc=edc_row, self_issued_seal=sealing.self_issued)


def alpha2(issuer: db.Issuer, spec: MicroCredentialSpec) -> str:
    """The two-letter country an X.509 certificate needs (a self-issued seal): the college's, else the spec's."""
    stated = (issuer.profile.get("address") or {}).get("addressCountryCode")
    if stated:
        return str(stated)
    alternatives = vocabulary("country").alt_codes.get(spec.issuer_country.uri, ())
    return next((code for code in alternatives if len(code) == 2), "EU")
