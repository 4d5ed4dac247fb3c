"""``/api/v1/issuers``: the admin registers and manages colleges and invites each one's first console owner; a
college reads its profile, rotates its signing key and manages its API keys."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.api.deps import MAX_OFFSET, AdminDep, CurrentIssuer, RuntimeDep, SessionDep
from app.db.models import ApiKey, Issuer
from app.issuers.api_keys import api_keys, new_api_key, revoke_api_key
from app.issuers.inputs import IssuerInput, NewApiKeyIn
from app.issuers.service import (
    current_key,
    get_issuer,
    list_issuers,
    register_issuer,
    rotate_signing_key,
    update_profile,
    verification_method,
)
from app.runtime import Runtime
from app.staff.inputs import FirstOwnerInput
from app.staff.invitations import invite_first_owner

router = APIRouter(prefix="/api/v1/issuers", tags=["issuers"])


class IssuerOut(BaseModel):
    id: str
    did: str
    verificationMethod: str = Field(description="The key the college signs with now")
    verificationMethods: list[str] = Field(description="Every key in its DID document, the current one first")
    didDocumentUrl: str
    profile: dict[str, Any]
    legalIdentifier: str | None
    vatIdentifier: str | None
    allowSuspension: bool
    defaultLanguage: str | None = Field(
        description="The language its credentials' pages, PDFs and e-mails fall back to (null: English)"
    )
    createdAt: datetime
    deactivatedAt: datetime | None


class RegisteredIssuerOut(IssuerOut):
    apiKey: str


class IssuerPage(BaseModel):
    items: list[IssuerOut]
    total: int
    limit: int
    offset: int


class ApiKeyOut(BaseModel):
    id: str
    label: str
    createdAt: datetime
    revokedAt: datetime | None


class NewApiKeyOut(ApiKeyOut):
    apiKey: str = Field(description="The key itself: shown only in this response, stored only as a hash")


class FirstOwnerOut(BaseModel):
    issuerId: str
    email: str
    role: str = Field(description="Always owner")
    expiresAt: datetime = Field(description="When the invitation link stops working")
    emailed: bool = Field(description="Whether the link was e-mailed (SMTP configured)")
    invitationUrl: str | None = Field(
        description="The link that makes the account, when it was not e-mailed: hand it to the owner; shown only "
        "in this response (it is stored only as a hash)"
    )


def issuer_out(issuer: Issuer, public_url: str) -> dict[str, Any]:
    return {
        "id": issuer.id,
        "did": issuer.did,
        "verificationMethod": verification_method(issuer, current_key(issuer)),
        "verificationMethods": [verification_method(issuer, key) for key in reversed(issuer.keys)],
        "didDocumentUrl": f"{public_url}/issuers/{issuer.id}/did.json",
        "profile": issuer.profile,
        "legalIdentifier": issuer.legal_identifier,
        "vatIdentifier": issuer.vat_identifier,
        "allowSuspension": issuer.allow_suspension,
        "defaultLanguage": issuer.default_language,
        "createdAt": issuer.created_at,
        "deactivatedAt": issuer.deactivated_at,
    }


def _api_key_out(row: ApiKey) -> dict[str, Any]:
    return {"id": row.id, "label": row.label, "createdAt": row.created_at, "revokedAt": row.revoked_at}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RegisteredIssuerOut,
    summary="Register a college (admin token). The API key in the response is shown only this once.",
)
def create_issuer(body: IssuerInput, _admin: AdminDep, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    public_url = runtime.settings.public_url
    registered = register_issuer(
        session, body, public_url=public_url, master_key=runtime.master_key, now=runtime.clock()
    )
    return issuer_out(registered.issuer, public_url) | {"apiKey": registered.api_key}


@router.get("", response_model=IssuerPage, summary="Every college of this service (admin token)")
def read_issuers(
    _admin: AdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    rows, total = list_issuers(session, limit=limit, offset=offset)
    items = [issuer_out(issuer, runtime.settings.public_url) for issuer in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/me", response_model=IssuerOut, summary="The college that owns the API key")
def read_me(issuer: CurrentIssuer, runtime: RuntimeDep) -> dict[str, Any]:
    return issuer_out(issuer, runtime.settings.public_url)


@router.post(
    "/me/keys/rotate",
    response_model=IssuerOut,
    summary="Rotate the college's signing key",
    description="A new Ed25519 key signs everything the college issues from now on (credentials and status lists). "
    "The DID document keeps the earlier keys, so credentials signed with them still verify.",
)
def rotate_key(issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    rotate_signing_key(session, issuer, runtime.master_key)
    return issuer_out(issuer, runtime.settings.public_url)


@router.get(
    "/me/api-keys", response_model=list[ApiKeyOut], summary="The college's API keys (never the keys themselves)"
)
def read_api_keys(issuer: CurrentIssuer, session: SessionDep) -> list[dict[str, Any]]:
    return [_api_key_out(row) for row in api_keys(session, issuer)]


@router.post(
    "/me/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=NewApiKeyOut,
    summary="Make another API key (to rotate: make a new one, switch to it, revoke the old one)",
)
def create_api_key(
    issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep, body: NewApiKeyIn | None = None
) -> dict[str, Any]:
    return _new_api_key_out(session, runtime, issuer, body, default_label="")


@router.delete(
    "/me/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke one of the college's API keys (not its last live one: 409)",
)
def delete_api_key(key_id: str, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> Response:
    revoke_api_key(session, issuer, key_id, now=runtime.clock())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{issuer_id}", response_model=IssuerOut, summary="One college (admin token)")
def read_issuer(issuer_id: str, _admin: AdminDep, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    return issuer_out(get_issuer(session, issuer_id), runtime.settings.public_url)


@router.put(
    "/{issuer_id}",
    response_model=IssuerOut,
    summary="Replace a college's public profile (admin token)",
    description="Credentials issued from now on carry the new profile; issued ones keep the one they were signed "
    "with. The DID and the keys do not change.",
)
def replace_issuer(
    issuer_id: str, body: IssuerInput, _admin: AdminDep, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    issuer = get_issuer(session, issuer_id)
    update_profile(issuer, body)
    session.flush()
    return issuer_out(issuer, runtime.settings.public_url)


@router.post(
    "/{issuer_id}/deactivate",
    response_model=IssuerOut,
    summary="Deactivate a college (admin token): its API keys stop working; what it issued stays verifiable",
)
def deactivate(issuer_id: str, _admin: AdminDep, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    issuer = get_issuer(session, issuer_id)
    issuer.deactivated_at = issuer.deactivated_at or runtime.clock()
    session.flush()
    return issuer_out(issuer, runtime.settings.public_url)


@router.post("/{issuer_id}/reactivate", response_model=IssuerOut, summary="Reactivate a college (admin token)")
def reactivate(issuer_id: str, _admin: AdminDep, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    issuer = get_issuer(session, issuer_id)
    issuer.deactivated_at = None
    session.flush()
    return issuer_out(issuer, runtime.settings.public_url)


@router.post(
    "/{issuer_id}/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=NewApiKeyOut,
    summary="Make an API key for a college that lost its keys (admin token)",
)
def admin_create_api_key(
    issuer_id: str, _admin: AdminDep, session: SessionDep, runtime: RuntimeDep, body: NewApiKeyIn | None = None
) -> dict[str, Any]:
    issuer = get_issuer(session, issuer_id)
    return _new_api_key_out(session, runtime, issuer, body, default_label="made by the operator")


@router.post(
    "/{issuer_id}/owner",
    status_code=status.HTTP_201_CREATED,
    response_model=FirstOwnerOut,
    summary="Invite a college's first console owner (admin token)",
    description="The admin token's only staff action: an invitation to the staff console (`/console`) as owner, for "
    "a college that has no owner yet (409 once it has one; a new call replaces an unaccepted invitation). With SMTP "
    "configured the link is e-mailed; without, it is in this response only. The owner then invites everyone else in "
    "the console. See docs/console.md.",
)
def invite_owner(
    issuer_id: str, body: FirstOwnerInput, _admin: AdminDep, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    issuer = get_issuer(session, issuer_id)
    settings = runtime.settings
    issued = invite_first_owner(
        session, issuer.id, body.email, now=runtime.clock(), ttl=timedelta(days=settings.console_invitation_days)
    )
    url = runtime.deliver_invitation(session, issued)
    return {
        "issuerId": issuer.id,
        "email": issued.row.email,
        "role": issued.row.role,
        "expiresAt": issued.row.expires_at,
        "emailed": url is None,
        "invitationUrl": url,
    }


def _new_api_key_out(
    session: Session, runtime: Runtime, issuer: Issuer, body: NewApiKeyIn | None, *, default_label: str
) -> dict[str, Any]:
    made = new_api_key(session, issuer.id, label=(body.label if body else None) or default_label, now=runtime.clock())
    return _api_key_out(made.row) | {"apiKey": made.secret}
