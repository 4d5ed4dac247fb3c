"""``/api/v1/issuers``: the admin registers colleges; a college reads its own profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel

from app.api.deps import AdminDep, CurrentIssuer, RuntimeDep, SessionDep
from app.db.models import Issuer
from app.issuers.inputs import IssuerInput
from app.issuers.service import current_key, register_issuer, verification_method

router = APIRouter(prefix="/api/v1/issuers", tags=["issuers"])


class IssuerOut(BaseModel):
    id: str
    did: str
    verificationMethod: str
    didDocumentUrl: str
    profile: dict[str, Any]
    legalIdentifier: str | None
    vatIdentifier: str | None
    allowSuspension: bool
    createdAt: datetime


class RegisteredIssuerOut(IssuerOut):
    apiKey: str


def issuer_out(issuer: Issuer, public_url: str) -> dict[str, Any]:
    return {
        "id": issuer.id,
        "did": issuer.did,
        "verificationMethod": verification_method(issuer, current_key(issuer)),
        "didDocumentUrl": f"{public_url}/issuers/{issuer.id}/did.json",
        "profile": issuer.profile,
        "legalIdentifier": issuer.legal_identifier,
        "vatIdentifier": issuer.vat_identifier,
        "allowSuspension": issuer.allow_suspension,
        "createdAt": issuer.created_at,
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RegisteredIssuerOut,
    summary="Register a college (admin token). The API key in the response is shown only this once.",
)
def create_issuer(body: IssuerInput, _admin: AdminDep, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    public_url = runtime.settings.public_url
    registered = register_issuer(session, body, public_url=public_url, master_key=runtime.master_key)
    return issuer_out(registered.issuer, public_url) | {"apiKey": registered.api_key}


@router.get("/me", response_model=IssuerOut, summary="The college that owns the API key")
def read_me(issuer: CurrentIssuer, runtime: RuntimeDep) -> dict[str, Any]:
    return issuer_out(issuer, runtime.settings.public_url)
