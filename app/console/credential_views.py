"""What the console's credential pages show, gathered from the domain: a search result row, a credential's page
(its public links and QR code, its claim link, its history), and which status changes it allows."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from app.assessments.stacking import larger_credentials_containing
from app.console.deps import StaffContext
from app.credentials.search import ShownStatus, shown_status, spec_names
from app.db.models import AuditEvent, ClaimLink, Credential, HolderCredential
from app.staff.roles import Role
from app.status.service import credential_history
from app.wallet.binding import holder_credentials
from app.wallet.claims import ClaimState, claim_state, current_link
from app.web.qr import qr_png

StatusAction = Literal["revoke", "suspend", "unsuspend"]


@dataclass(frozen=True)
class Links:
    """A credential's public addresses: the verification page (behind its QR code), the signed document, the PDF."""

    verify: str
    json: str
    pdf: str
    qr_png: str
    qr_svg: str


def links_of(credential: Credential, public_url: str) -> Links:
    verify = f"{public_url}/v/{credential.public_token}"
    return Links(verify, f"{verify}.json", f"{verify}/certificate.pdf", f"{verify}/qr.png", f"{verify}/qr.svg")


@dataclass(frozen=True)
class Row:
    """One credential in the search results."""

    id: str
    learner: str
    spec: str
    format: str
    issued_at: datetime
    status: ShownStatus


def rows_of(session: Session, credentials: list[Credential], now: datetime) -> list[Row]:
    names = spec_names(session, credentials)
    return [
        Row(
            id=c.id,
            learner=c.recipient_name,
            spec=names.get(c.achievement_id or c.microcredential_id or "", ""),
            format=c.format,
            issued_at=c.created_at,
            status=shown_status(c, now),
        )
        for c in credentials
    ]


@dataclass(frozen=True)
class ClaimView:
    """The learner's claim link as the college follows it: sent, opened, taken into a wallet."""

    state: ClaimState
    email: str | None
    created_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    opened_at: datetime | None
    used_at: datetime | None
    wallets: list[HolderCredential]


def claim_of(session: Session, credential: Credential, now: datetime) -> ClaimView | None:
    link: ClaimLink | None = current_link(session, credential.id)
    if link is None:
        return None
    return ClaimView(
        state=claim_state(link, now),
        email=link.email,
        created_at=link.created_at,
        expires_at=link.expires_at,
        sent_at=link.sent_at,
        opened_at=link.opened_at,
        used_at=link.used_at,
        wallets=holder_credentials(session, credential.id),
    )


def allowed_actions(credential: Credential, staff: StaffContext) -> list[StatusAction]:
    """The status changes this member may make to the credential now (revocation is final; suspension needs the
    credential's suspension entry)."""
    if not staff.role.admits(Role.ISSUER) or credential.status == "revoked":
        return []
    actions: list[StatusAction] = ["revoke"]
    if credential.suspension_list_id is not None:
        actions.append("suspend" if credential.status == "active" else "unsuspend")
    return actions


@dataclass(frozen=True)
class CredentialPage:
    credential: Credential
    spec: str
    status: ShownStatus
    links: Links
    qr_data_uri: str
    claim: ClaimView | None
    history: list[AuditEvent]
    larger: list[Credential]
    actions: list[StatusAction]
    can_manage_claim: bool


def credential_page(
    session: Session, credential: Credential, staff: StaffContext, *, public_url: str, now: datetime
) -> CredentialPage:
    links = links_of(credential, public_url)
    png = base64.b64encode(qr_png(links.verify, box_size=4)).decode("ascii")
    return CredentialPage(
        credential=credential,
        spec=spec_names(session, [credential]).get(
            credential.achievement_id or credential.microcredential_id or "", ""
        ),
        status=shown_status(credential, now),
        links=links,
        qr_data_uri=f"data:image/png;base64,{png}",
        claim=claim_of(session, credential, now),
        history=credential_history(session, credential),
        larger=larger_credentials_containing(session, staff.issuer, credential.id),
        actions=allowed_actions(credential, staff),
        can_manage_claim=staff.role.admits(Role.ISSUER) and credential.format == "ob3",
    )
