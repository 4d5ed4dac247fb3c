"""Invitations to a college's staff: a single-use, expiring link (only its token's SHA-256 is kept), accepted by
setting a name and a password. The operator invites a college's first owner; owners invite everyone else."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.models import StaffInvitation, StaffMember
from app.errors import Conflict, NotFound
from app.staff.members import active_owner_count, member_by_email, normalise_email
from app.staff.passwords import check_new_password, hash_password
from app.staff.roles import Role
from app.wallet.claims import hash_secret, new_secret

ADMIN_ACTOR = "admin"


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its token in clear: sent or shown once."""

    row: StaffInvitation
    token: str


def invitation_url(public_url: str, token: str) -> str:
    return f"{public_url}/console/invitations/{token}"


def invite(
    session: Session, issuer_id: str, email: str, role: Role, *, invited_by: str, now: datetime, ttl: timedelta
) -> IssuedInvitation:
    """A new invitation; earlier open invitations of the same address to this college stop working. Conflict when
    the address already has an account (one account per address on this service)."""
    email = normalise_email(email)
    if member_by_email(session, email) is not None:
        raise Conflict(f"{email} already has a staff account on this service")
    _withdraw_open(session, issuer_id, email, now)
    token = new_secret()
    row = StaffInvitation(
        id=str(uuid.uuid4()),
        issuer_id=issuer_id,
        email=email,
        role=role.value,
        token_hash=hash_secret(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    session.flush()
    return IssuedInvitation(row, token)


def invite_first_owner(
    session: Session, issuer_id: str, email: str, *, now: datetime, ttl: timedelta
) -> IssuedInvitation:
    """The operator's one staff action: an owner for a college that has none (Conflict once it has one)."""
    if active_owner_count(session, issuer_id):
        raise Conflict("this college has an owner already: its owners invite everyone else in the console")
    return invite(session, issuer_id, email, Role.OWNER, invited_by=ADMIN_ACTOR, now=now, ttl=ttl)


def reissue(session: Session, invitation: StaffInvitation, *, now: datetime, ttl: timedelta) -> IssuedInvitation:
    """The same invitation with a new link (for re-sending: only the old link's hash is known)."""
    return invite(
        session,
        invitation.issuer_id,
        invitation.email,
        Role(invitation.role),
        invited_by=invitation.invited_by,
        now=now,
        ttl=ttl,
    )


def new_link(session: Session, invitation: StaffInvitation) -> str:
    """A fresh token for ``invitation`` (the one e-mailed: only hashes are kept, so a job cannot read the old one)."""
    token = new_secret()
    invitation.token_hash = hash_secret(token)
    session.flush()
    return token


def is_open(invitation: StaffInvitation, now: datetime) -> bool:
    return not (invitation.accepted_at or invitation.revoked_at) and invitation.expires_at > now


def withdraw(session: Session, invitation: StaffInvitation, now: datetime) -> None:
    invitation.revoked_at = invitation.revoked_at or now
    session.flush()


def open_invitations(session: Session, issuer_id: str, now: datetime) -> list[StaffInvitation]:
    """Invitations not accepted, withdrawn or replaced (expired ones too: they can be re-sent), newest first."""
    return list(
        session.scalars(
            select(StaffInvitation)
            .where(
                StaffInvitation.issuer_id == issuer_id,
                StaffInvitation.accepted_at.is_(None),
                StaffInvitation.revoked_at.is_(None),
            )
            .order_by(StaffInvitation.created_at.desc())
        )
    )


def get_invitation(session: Session, issuer_id: str, invitation_id: str) -> StaffInvitation:
    row = session.get(StaffInvitation, invitation_id)
    if row is None or row.issuer_id != issuer_id:
        raise NotFound(f"invitation {invitation_id} not found")
    return row


def usable_invitation(session: Session, token: str, now: datetime) -> StaffInvitation:
    """The invitation a link opens; NotFound when it is unknown, used, withdrawn or expired (one answer for all:
    the link tells nobody more than that it does not work)."""
    row = session.scalars(select(StaffInvitation).where(StaffInvitation.token_hash == hash_secret(token))).first()
    if row is None or not is_open(row, now):
        raise NotFound("this invitation link does not work: it was used, replaced or withdrawn, or it expired")
    return row


def accept(
    session: Session, token: str, *, name: str, password: str, password_confirmation: str, now: datetime
) -> StaffMember:
    """Makes the account the invitation offers (InvalidInput for a bad password, Conflict when the address has an
    account meanwhile)."""
    invitation = usable_invitation(session, token, now)
    check_new_password(password, password_confirmation, email=invitation.email)
    if member_by_email(session, invitation.email) is not None:
        raise Conflict(f"{invitation.email} already has a staff account on this service")
    member = StaffMember(
        id=str(uuid.uuid4()),
        issuer_id=invitation.issuer_id,
        email=invitation.email,
        name=name,
        role=invitation.role,
        password_hash=hash_password(password),
        created_at=now,
    )
    session.add(member)
    invitation.accepted_at = now
    session.flush()
    return member


def _withdraw_open(session: Session, issuer_id: str, email: str, now: datetime) -> None:
    session.execute(
        update(StaffInvitation)
        .where(
            StaffInvitation.issuer_id == issuer_id,
            StaffInvitation.email == email,
            StaffInvitation.accepted_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
