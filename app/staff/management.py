"""What owners do to their college's staff: change a role, deactivate, reactivate; a college always keeps an owner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.db.models import Issuer, StaffMember
from app.errors import Conflict
from app.issuers.service import lock_issuer
from app.staff.members import active_owner_count
from app.staff.roles import Role
from app.staff.sessions import end_sessions_of

LAST_OWNER = "the college must keep an active owner: make someone else owner first"


def change_role(session: Session, issuer: Issuer, member: StaffMember, role: Role) -> Role:
    """Sets ``member``'s role (it applies to their next page: roles are read on every request); returns the old one."""
    old = Role(member.role)
    if old == role:
        return old
    if member.deactivated_at is not None:
        raise Conflict("this account is deactivated: reactivate it first")
    _keep_an_owner(session, issuer, member, leaving=old == Role.OWNER)
    member.role = role.value
    session.flush()
    return old


def deactivate(session: Session, issuer: Issuer, member: StaffMember, now: datetime) -> bool:
    """Ends ``member``'s access and every session of theirs; False when it was deactivated already."""
    if member.deactivated_at is not None:
        return False
    _keep_an_owner(session, issuer, member, leaving=member.role == Role.OWNER.value)
    member.deactivated_at = now
    end_sessions_of(session, member.id)
    session.flush()
    return True


def reactivate(session: Session, member: StaffMember) -> bool:
    if member.deactivated_at is None:
        return False
    member.deactivated_at = None
    session.flush()
    return True


def _keep_an_owner(session: Session, issuer: Issuer, member: StaffMember, *, leaving: bool) -> None:
    if not leaving:
        return
    lock_issuer(session, issuer)  # two owners demoting each other at once must not leave none
    if active_owner_count(session, issuer.id) <= 1:
        raise Conflict(LAST_OWNER)
