"""``/api/v1/credentials``: issue signed Open Badges 3.0 credentials and read back one's own."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import BaseModel, StringConstraints

from app.api.deps import MAX_OFFSET, CurrentIssuer, RuntimeDep, SessionDep
from app.credentials.inputs import CredentialRequest
from app.credentials.issuance import get_credential, issue_ob3, list_credentials
from app.db.models import Credential
from app.issuers.service import signer_for

router = APIRouter(prefix="/api/v1/credentials", tags=["credentials"])

IdempotencyKey = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class CredentialOut(BaseModel):
    id: str
    format: str
    achievementId: str | None
    microcredentialId: str | None = None
    assessmentId: str | None = None
    recipientName: str
    status: str
    createdAt: datetime
    verifyUrl: str
    qrPngUrl: str
    qrSvgUrl: str
    certificatePdfUrl: str
    credential: dict[str, Any]
    # EDC only: the JAdES-sealed document (JWS JSON serialization) a Europass wallet or viewer takes.
    sealed: dict[str, Any] | None = None
    # A larger (stacked) credential: the ids of the credentials it was built from.
    partIds: list[str] | None = None
    # Set only in the issue response, and only when the learner's claim link could not be e-mailed (docs/wallet.md).
    claimUrl: str | None = None
    claimTxCode: str | None = None


class CredentialPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CredentialOut]


def credential_out(credential: Credential, public_url: str) -> dict[str, Any]:
    verify_url = f"{public_url}/v/{credential.public_token}"
    return {
        "id": credential.id,
        "format": credential.format,
        "achievementId": credential.achievement_id,
        "microcredentialId": credential.microcredential_id,
        "assessmentId": credential.assessment_id,
        "sealed": json.loads(credential.sealed) if credential.sealed else None,
        "partIds": credential.part_ids,
        "recipientName": credential.recipient_name,
        "status": credential.status,
        "createdAt": credential.created_at,
        "verifyUrl": verify_url,
        "qrPngUrl": f"{verify_url}/qr.png",
        "qrSvgUrl": f"{verify_url}/qr.svg",
        "certificatePdfUrl": f"{verify_url}/certificate.pdf",
        "credential": credential.document,
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CredentialOut,
    responses={
        200: {"model": CredentialOut, "description": "An earlier request with this Idempotency-Key made it: that one"}
    },
    summary="Issue an OpenBadgeCredential signed with eddsa-rdfc-2022",
    description="Send an `Idempotency-Key` header to make retries safe: a repeated key returns the credential "
    "issued the first time (status 200) instead of issuing another.",
)
def issue(
    body: CredentialRequest,
    issuer: CurrentIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: Annotated[IdempotencyKey | None, Header()] = None,
) -> dict[str, Any]:
    # Plain `def`: signing and canonicalization are CPU work, run in the thread pool, not on the event loop.
    signer = signer_for(issuer, runtime.master_key)
    credential, created = issue_ob3(
        session,
        issuer,
        body,
        signer=signer,
        loader=runtime.loader,
        clock=runtime.clock,
        public_url=runtime.settings.public_url,
        idempotency_key=idempotency_key,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
        return credential_out(credential, runtime.settings.public_url)
    email = str(body.recipient.email) if body.recipient.email else None
    claim = runtime.new_claim_link(session, credential, email)
    return credential_out(credential, runtime.settings.public_url) | claim


@router.get("", response_model=CredentialPage)
def list_all(
    issuer: CurrentIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    achievementId: Annotated[str | None, Query(max_length=36)] = None,
) -> dict[str, Any]:
    rows, total = list_credentials(session, issuer, limit=limit, offset=offset, achievement_id=achievementId)
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [credential_out(c, runtime.settings.public_url) for c in rows],
    }


@router.get("/{credential_id}", response_model=CredentialOut)
def read(credential_id: str, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    return credential_out(get_credential(session, issuer, credential_id), runtime.settings.public_url)
