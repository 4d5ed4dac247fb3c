"""The learner's claim link, for the issuing college: see it, re-send it, re-issue it (``.../{id}/claim``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.api.deps import CurrentIssuer, RuntimeDep, SessionDep
from app.credentials.issuance import get_credential
from app.db.models import ClaimLink
from app.errors import NotFound
from app.runtime import Runtime
from app.wallet.binding import holder_credentials
from app.wallet.claims import claim_state, current_link
from app.wallet.delivery import Delivery, reissue_link, resend_link
from app.wallet.inputs import ReissueRequest

router = APIRouter(prefix="/api/v1/credentials", tags=["claim links"])


class HolderCredentialOut(BaseModel):
    id: str
    holderDid: str
    createdAt: datetime
    credential: dict[str, Any]


class ClaimOut(BaseModel):
    credentialId: str
    state: str
    expiresAt: datetime
    usedAt: datetime | None
    sentAt: datetime | None
    openedAt: datetime | None = Field(description="When the learner first opened the claim page")
    emailed: bool
    claimUrl: str | None
    claimTxCode: str | None
    holderCredentials: list[HolderCredentialOut]


def _claim_out(session: Session, runtime: Runtime, link: ClaimLink, delivery: Delivery | None = None) -> dict[str, Any]:
    bound = holder_credentials(session, link.credential_id)
    return {
        "credentialId": link.credential_id,
        "state": claim_state(link, runtime.clock()).value,
        "expiresAt": link.expires_at,
        "usedAt": link.used_at,
        "sentAt": link.sent_at,
        "openedAt": link.opened_at,
        "emailed": bool(delivery and delivery.emailed),
        "claimUrl": delivery.claim_url if delivery else None,
        "claimTxCode": delivery.tx_code if delivery else None,
        "holderCredentials": [
            {"id": b.id, "holderDid": b.holder_did, "createdAt": b.created_at, "credential": b.document} for b in bound
        ],
    }


@router.get(
    "/{credential_id}/claim",
    response_model=ClaimOut,
    summary="The learner's claim link: its state, and the credentials taken into wallets",
)
def read_claim(credential_id: str, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    credential = get_credential(session, issuer, credential_id)
    link = current_link(session, credential.id)
    if link is None:
        raise NotFound("this credential has no claim link")
    return _claim_out(session, runtime, link)


@router.post(
    "/{credential_id}/claim/resend",
    response_model=ClaimOut,
    summary="Send the claim link to the learner again",
    description="Same link state and expiry (if a wallet already took the credential, the link still only offers "
    "downloads and sharing). Only hashes of links are stored, so the message carries a fresh token and the previous "
    "one stops working; a new PIN, if PINs are on, also unlocks a link locked by wrong PINs. Without SMTP (or "
    "without the learner's address) the link is returned as `claimUrl`. 409 when the link has expired.",
)
def resend_claim(credential_id: str, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    credential = get_credential(session, issuer, credential_id)
    issued, delivery = resend_link(session, credential, settings=runtime.settings, now=runtime.clock())
    return _claim_out(session, runtime, issued.link, delivery)


@router.post(
    "/{credential_id}/claim/reissue",
    response_model=ClaimOut,
    status_code=status.HTTP_201_CREATED,
    summary="Replace the claim link by a new one",
    description="The old link stops working at once; the new one is unused (a wallet can take the credential "
    "again, e.g. after the learner lost a phone) and runs for the full claim period. Optionally give a new "
    "`email` for the learner; otherwise the previous address is used.",
)
def reissue_claim(
    credential_id: str,
    issuer: CurrentIssuer,
    session: SessionDep,
    runtime: RuntimeDep,
    body: Annotated[ReissueRequest | None, Body()] = None,
) -> dict[str, Any]:
    credential = get_credential(session, issuer, credential_id)
    email = str(body.email) if body and body.email else None
    issued, delivery = reissue_link(session, credential, email=email, settings=runtime.settings, now=runtime.clock())
    return _claim_out(session, runtime, issued.link, delivery)
