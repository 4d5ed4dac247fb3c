"""Re-sign a stored credential for the wallet that proved its key: same content, ``credentialSubject.id`` = its DID."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.credentials.validate import check_achievement_credential
from app.db.models import Credential, HolderCredential, Issuer
from app.proofs import data_integrity, eddsa_rdfc_2022
from app.proofs.loader import DocumentLoader
from app.proofs.signer import Signer
from app.wallet.oid4vci import ProtocolError


def _subject(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        raise ProtocolError("credential_request_denied", "this credential has no single subject to bind to a wallet")
    return subject


def check_bindable(credential: Credential, holder_did: str) -> None:
    """A credential already issued to a DID may only go to a wallet that proves that DID's key."""
    existing = _subject(credential.document).get("id")
    if existing is not None and existing != holder_did:
        raise ProtocolError(
            "invalid_proof", f"this credential was issued to {existing}: the proof must be made with that DID's key"
        )


def holder_bound_document(original: dict[str, Any], holder_did: str, credential_id: str) -> dict[str, Any]:
    """The unsigned copy: the original's content and status entry, a new ``id``, the holder DID as subject id."""
    document = data_integrity.unsecured_document(original)
    document["id"] = f"urn:uuid:{credential_id}"
    subject = _subject(document)
    # Keep the subject's properties in their order, with id first as the OB 3.0 examples write it.
    document["credentialSubject"] = {"id": holder_did, **{k: v for k, v in subject.items() if k != "id"}}
    return document


def bind_to_holder(
    session: Session,
    credential: Credential,
    issuer: Issuer,
    holder_did: str,
    *,
    signer: Signer,
    loader: DocumentLoader,
    now: datetime,
    claim_link_id: str | None,
) -> HolderCredential:
    """Signs and stores the holder-bound copy. Revoking (or suspending) the original changes its status too,
    because both carry the same ``credentialStatus`` entry."""
    check_bindable(credential, holder_did)
    holder_id = str(uuid.uuid4())
    unsigned = holder_bound_document(credential.document, holder_did, holder_id)
    signed = eddsa_rdfc_2022.sign(unsigned, signer, loader, now)
    check_achievement_credential(signed, status_array_allowed=issuer.allow_suspension)
    row = HolderCredential(
        id=holder_id,
        credential_id=credential.id,
        claim_link_id=claim_link_id,
        holder_did=holder_did,
        document=signed,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def holder_credentials(session: Session, credential_id: str) -> list[HolderCredential]:
    return list(
        session.scalars(
            select(HolderCredential)
            .where(HolderCredential.credential_id == credential_id)
            .order_by(HolderCredential.created_at, HolderCredential.id)
        )
    )
