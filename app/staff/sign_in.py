"""Password sign-in with lock-out: wrong passwords are counted per e-mail address, whether or not it has an
account, so neither the answer nor the lock-out tells anyone which addresses exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Issuer, SignInThrottle, StaffMember
from app.staff.members import member_by_email, normalise_email
from app.staff.passwords import check_password, hash_password, needs_rehash
from app.wallet.claims import hash_secret


@dataclass(frozen=True)
class LockoutPolicy:
    """``failures`` wrong attempts within ``window`` lock the address for ``lock``."""

    failures: int
    window: timedelta
    lock: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> LockoutPolicy:
        minutes = timedelta(minutes=settings.console_lockout_minutes)
        return cls(failures=settings.console_lockout_failures, window=minutes, lock=minutes)


@dataclass(frozen=True)
class SignInOutcome:
    """``member`` is set when the password was right; ``known`` is the account the attempt was for, if any (for
    the audit trail only: never shown); ``locked_until`` when the address is locked (now, or by this attempt)."""

    member: StaffMember | None
    known: StaffMember | None
    locked_until: datetime | None = None
    just_locked: bool = False


def locked_until(session: Session, email: str, now: datetime) -> datetime | None:
    row = session.get(SignInThrottle, _email_hash(email))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def sign_in_with_password(
    session: Session, email: str, password: str, *, now: datetime, policy: LockoutPolicy
) -> SignInOutcome:
    """Checks ``password`` for the account of ``email`` (one argon2 verification, account or not). A locked
    address is refused without looking at the password."""
    until = locked_until(session, email, now)
    if until is not None:
        return SignInOutcome(None, None, locked_until=until)
    member = member_by_email(session, email)
    usable = member is not None and member.deactivated_at is None and _college_active(session, member)
    stored = member.password_hash if member is not None and usable else None
    if check_password(stored, password):
        assert member is not None and stored is not None
        clear_failures(session, email)
        if needs_rehash(stored):
            member.password_hash = hash_password(password)
        session.flush()
        return SignInOutcome(member, member)
    return record_failure(session, email, now=now, policy=policy, known=member)


def record_failure(
    session: Session, email: str, *, now: datetime, policy: LockoutPolicy, known: StaffMember | None
) -> SignInOutcome:
    """Counts a wrong password (or second-factor code) for ``email``; the attempt that reaches the limit locks it."""
    key = _email_hash(email)
    row = session.get(SignInThrottle, key)
    if row is None:
        row = SignInThrottle(email_hash=key, failures=0, first_failure_at=now)
        session.add(row)
    elif now - row.first_failure_at > policy.window or (row.locked_until is not None and row.locked_until <= now):
        row.failures, row.first_failure_at, row.locked_until = 0, now, None
    row.failures += 1
    just_locked = row.failures >= policy.failures
    if just_locked:
        row.locked_until = now + policy.lock
        row.failures = 0
    session.flush()
    return SignInOutcome(None, known, locked_until=row.locked_until if just_locked else None, just_locked=just_locked)


def clear_failures(session: Session, email: str) -> None:
    row = session.get(SignInThrottle, _email_hash(email))
    if row is not None:
        session.delete(row)


def _email_hash(email: str) -> str:
    return hash_secret("staff-sign-in:" + normalise_email(email))


def _college_active(session: Session, member: StaffMember) -> bool:
    college = session.get(Issuer, member.issuer_id)
    return college is not None and college.deactivated_at is None
