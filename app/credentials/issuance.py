"""The issuance flow: allocate status entries, build the OB 3.0 credential, sign it, check the schema, store it."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select
from sqlalchemy.orm import Session

from app.achievements.service import get_achievement
from app.credentials.inputs import CredentialRequest
from app.credentials.ob3 import build_ob3_credential
from app.credentials.validate import check_achievement_credential
from app.db.models import Credential, Issuer
from app.errors import IdempotencyKeyReused, InvalidInput, NotFound
from app.issuers.service import lock_issuer
from app.proofs import eddsa_rdfc_2022
from app.proofs.loader import DocumentLoader
from app.proofs.signer import Signer
from app.status.service import Publisher, StatusEntry, allocate_entries, credential_status

Clock = Callable[[], datetime]


def issue_ob3(
    session: Session,
    issuer: Issuer,
    request: CredentialRequest,
    *,
    signer: Signer,
    loader: DocumentLoader,
    clock: Clock,
    public_url: str,
    idempotency_key: str | None = None,
) -> tuple[Credential, bool]:
    """Issue one credential; returns it and whether it is new (False: an earlier request with this key made it).

    The college is locked first, so a request racing another with the same ``idempotency_key`` waits, then finds and
    returns the other's credential, having allocated nothing; the same key with a different request is refused.
    """
    lock_issuer(session, issuer)
    fingerprint = request_fingerprint(request)
    if idempotency_key is not None:
        existing = session.scalar(
            select(Credential).where(Credential.issuer_id == issuer.id, Credential.idempotency_key == idempotency_key)
        )
        if existing is not None:
            if existing.idempotency_fingerprint not in (None, fingerprint):
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was used for a different request; a new credential needs a new key",
                    field="Idempotency-Key",
                )
            return existing, False
    try:
        achievement = get_achievement(session, issuer, request.achievementId)
    except NotFound as error:
        raise InvalidInput(error.detail, field="achievementId") from error

    credential_id = str(uuid.uuid4())
    now = clock()
    entries = allocate_entries(session, issuer, Publisher(signer, loader, now, public_url))
    unsigned = build_ob3_credential(
        request,
        credential_id=f"urn:uuid:{credential_id}",
        issuer_profile=issuer.profile,
        achievement=achievement.definition,
        issued_at=now,
        salt=secrets.token_hex(16),
        credential_status=credential_status(entries, public_url),
    )
    signed = eddsa_rdfc_2022.sign(unsigned, signer, loader, now)
    check_achievement_credential(signed, status_array_allowed=issuer.allow_suspension)
    credential = Credential(
        id=credential_id,
        issuer_id=issuer.id,
        achievement_id=achievement.id,
        format="ob3",
        recipient_name=request.recipient.name,
        document=signed,
        valid_until=request.validUntil,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=fingerprint if idempotency_key is not None else None,
        public_token=secrets.token_urlsafe(32),
        created_at=now,
        **_status_columns(entries),
    )
    session.add(credential)
    session.flush()
    return credential, True


def request_fingerprint(request: CredentialRequest) -> str:
    """SHA-256 of the request as validated (key order and whitespace do not matter)."""
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _status_columns(entries: list[StatusEntry]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for entry in entries:
        columns[f"{entry.purpose}_list_id"] = entry.list_id
        columns[f"{entry.purpose}_index"] = entry.index
    return columns


def get_credential(session: Session, issuer: Issuer, credential_id: str) -> Credential:
    """The credential if ``issuer`` issued it; another issuer's is reported as not found."""
    credential = session.get(Credential, credential_id)
    if credential is None or credential.issuer_id != issuer.id:
        raise NotFound(f"credential {credential_id} not found")
    return credential


def list_credentials(
    session: Session, issuer: Issuer, *, limit: int, offset: int, achievement_id: str | None = None
) -> tuple[list[Credential], int]:
    where = [Credential.issuer_id == issuer.id]
    if achievement_id:
        where.append(Credential.achievement_id == achievement_id)
    total = session.scalar(select(func.count()).select_from(Credential).where(*where)) or 0
    rows = session.scalars(
        select(Credential)
        .where(*where)
        .order_by(Credential.created_at.desc(), Credential.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


@dataclass(frozen=True)
class PublicCredential:
    """What the public pages of a credential use: its id and token, and the stored JSON text of what a verifier gets
    (the sealed JAdES document for an EDC, the signed credential otherwise)."""

    id: str
    public_token: str
    text: str
    college_language: str | None  # the issuing college's default language for its pages

    @cached_property
    def verifiable(self) -> dict[str, Any]:
        """The document, parsed once (a page verifies it, and may check it again at the end of its span)."""
        document: dict[str, Any] = json.loads(self.text)
        return document


# Read on every view of a verification page: built once, from the table (the ORM's execution path costs as much
# again), the document as its stored text (what the verification cache names it by).
_CREDENTIALS = Credential.__table__.c
_ISSUERS = Issuer.__table__.c
_BY_PUBLIC_TOKEN = (
    select(
        _CREDENTIALS.id,
        _CREDENTIALS.public_token,
        cast(_CREDENTIALS.document, Text).label("text"),
        _CREDENTIALS.sealed,
        _ISSUERS.default_language,
    )
    .join_from(Credential.__table__, Issuer.__table__, _ISSUERS.id == _CREDENTIALS.issuer_id)
    .where(_CREDENTIALS.public_token == bindparam("token"))
)


def get_by_public_token(session: Session, token: str) -> PublicCredential:
    row = session.execute(_BY_PUBLIC_TOKEN, {"token": token}).first()
    if row is None:
        raise NotFound("no credential at this verification link")
    return PublicCredential(row.id, row.public_token, row.sealed or row.text, row.default_language)
