"""Staff accounts of a college: look-ups within the college (another college's member is "not found")."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Issuer, StaffMember
from app.errors import NotFound
from app.staff.roles import Role


def normalise_email(email: str) -> str:
    """The form an address is stored and compared in: one account per address, whatever its case."""
    return email.strip().lower()


def staff_actor(member: StaffMember) -> str:
    """How the audit trail names a staff member."""
    return f"staff:{member.id}:{member.email}"


def member_by_email(session: Session, email: str) -> StaffMember | None:
    return session.scalars(select(StaffMember).where(StaffMember.email == normalise_email(email))).first()


def get_member(session: Session, issuer: Issuer, member_id: str) -> StaffMember:
    member = session.get(StaffMember, member_id)
    if member is None or member.issuer_id != issuer.id:
        raise NotFound(f"staff member {member_id} not found")
    return member


def members_of(session: Session, issuer: Issuer) -> list[StaffMember]:
    """Everyone on the college's staff, active first, then by name."""
    return list(
        session.scalars(
            select(StaffMember)
            .where(StaffMember.issuer_id == issuer.id)
            .order_by(StaffMember.deactivated_at.is_not(None), StaffMember.name, StaffMember.email)
        )
    )


def active_owner_count(session: Session, issuer_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(StaffMember)
            .where(
                StaffMember.issuer_id == issuer_id,
                StaffMember.role == Role.OWNER.value,
                StaffMember.deactivated_at.is_(None),
            )
        )
        or 0
    )
