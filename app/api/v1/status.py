"""Revoke, suspend and reinstate credentials (``/api/v1/credentials/{id}/...``) and publish the status lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.api.deps import CurrentIssuer, RuntimeDep, SessionDep
from app.api.responses import VcJsonResponse, json_errors
from app.assessments.stacking import larger_credentials_containing
from app.credentials.issuance import get_credential
from app.db.models import Issuer
from app.runtime import Runtime
from app.status.inputs import StatusChange
from app.status.service import Action, audit_trail, change_status, published_list

router = APIRouter(tags=["status"])

# Lists change when a credential is revoked or suspended; verifiers may cache them this long.
LIST_MAX_AGE_SECONDS = 60


class AuditEventOut(BaseModel):
    action: str
    reason: str
    actor: str
    at: datetime


class StatusOut(BaseModel):
    id: str
    status: str
    changed: bool
    auditTrail: list[AuditEventOut]
    # Larger (stacked) credentials built on this one: they stay valid until the college decides (revoke them too?).
    affectedLargerCredentials: list[str] = []
    notice: str | None = None


def _change(
    action: Action, credential_id: str, body: StatusChange, issuer: Issuer, session: Session, runtime: Runtime
) -> dict[str, Any]:
    credential = get_credential(session, issuer, credential_id)
    changed = change_status(
        session,
        issuer,
        credential,
        action,
        reason=body.reason,
        actor=f"issuer:{issuer.id}",
        publisher=runtime.publisher(issuer),
    )
    events = [
        {"action": e.action, "reason": e.reason, "actor": e.actor, "at": e.at} for e in audit_trail(session, credential)
    ]
    larger = (
        [c.id for c in larger_credentials_containing(session, issuer, credential.id)] if action != "unsuspend" else []
    )
    notice = (
        f"{len(larger)} larger credential(s) were issued on the strength of this one and are still valid: "
        "review them and revoke them if they no longer stand"
        if larger
        else None
    )
    return {
        "id": credential.id,
        "status": credential.status,
        "changed": changed,
        "auditTrail": events,
        "affectedLargerCredentials": larger,
        "notice": notice,
    }


@router.post(
    "/api/v1/credentials/{credential_id}/revoke",
    response_model=StatusOut,
    summary="Revoke a credential (final)",
    description="Sets the credential's bit in the issuer's revocation list and re-signs the list, in one "
    "transaction. The reason is kept in the private audit trail, never published. Repeating it changes nothing.",
)
def revoke(
    credential_id: str, body: StatusChange, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    return _change("revoke", credential_id, body, issuer, session, runtime)


@router.post(
    "/api/v1/credentials/{credential_id}/suspend",
    response_model=StatusOut,
    summary="Suspend a credential (reversible)",
    description="Only for credentials that carry a suspension entry (issuers registered with allowSuspension; "
    "their credentials carry two credentialStatus entries, which the strict 1EdTech OB 3.0 JSON Schema does not "
    "accept). Otherwise 409.",
)
def suspend(
    credential_id: str, body: StatusChange, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    return _change("suspend", credential_id, body, issuer, session, runtime)


@router.post("/api/v1/credentials/{credential_id}/unsuspend", response_model=StatusOut, summary="Lift a suspension")
def unsuspend(
    credential_id: str, body: StatusChange, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    return _change("unsuspend", credential_id, body, issuer, session, runtime)


@router.get(
    "/status/{list_id}",
    response_class=VcJsonResponse,
    summary="A signed BitstringStatusListCredential (public)",
    responses=json_errors(404, 422, 429, 503) | {304: {"description": "Not modified (If-None-Match matched the ETag)"}},
)
def status_list(list_id: str, request: Request, session: SessionDep) -> Response:
    status_list = published_list(session, list_id)
    etag = f'"{status_list.id}-{int(status_list.updated_at.timestamp() * 1000)}"'
    headers = {"Cache-Control": f"public, max-age={LIST_MAX_AGE_SECONDS}", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return VcJsonResponse(status_list.document, headers=headers)
