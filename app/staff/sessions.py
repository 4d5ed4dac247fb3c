"""Console sessions: a random token in the browser's cookie, its SHA-256 in the database, bound to one college;
they end at sign-out, after a fixed lifetime, after a time unused, and when the account or college is deactivated."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Issuer, StaffMember, StaffSession
from app.wallet.claims import hash_secret, new_secret

# last_seen_at is written at most this often (a write per page view would be a write per page view).
TOUCH_EVERY = timedelta(minutes=5)
# A password accepted waits this long for its second factor.
SECOND_FACTOR_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class SessionPolicy:
    lifetime: timedelta
    idle: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(
            lifetime=timedelta(hours=settings.console_session_hours),
            idle=timedelta(minutes=settings.console_idle_minutes),
        )


@dataclass(frozen=True)
class NewSession:
    """A session with its token in clear: it goes into the cookie, and is never seen again."""

    row: StaffSession
    token: str


@dataclass(frozen=True)
class LiveSession:
    row: StaffSession
    member: StaffMember
    issuer: Issuer

    def needs_touch(self, now: datetime) -> bool:
        return now - self.row.last_seen_at >= TOUCH_EVERY


def start_session(
    session: Session,
    member: StaffMember,
    *,
    now: datetime,
    policy: SessionPolicy,
    method: str = "password",
    pending_second_factor: bool = False,
) -> NewSession:
    token = new_secret()
    row = StaffSession(
        id=str(uuid.uuid4()),
        token_hash=hash_secret(token),
        member_id=member.id,
        issuer_id=member.issuer_id,
        csrf_token=secrets.token_urlsafe(32),
        pending_second_factor=pending_second_factor,
        method=method,
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.lifetime,
    )
    session.add(row)
    session.flush()
    return NewSession(row, token)


def find_session(session: Session, token: str, *, now: datetime, policy: SessionPolicy) -> LiveSession | None:
    """The live session of a cookie's token, with its member and college; None when there is none, it is over, or
    its account or college is deactivated."""
    found = session.execute(
        select(StaffSession, StaffMember, Issuer)
        .join(StaffMember, StaffMember.id == StaffSession.member_id)
        .join(Issuer, Issuer.id == StaffSession.issuer_id)
        .where(StaffSession.token_hash == hash_secret(token))
    ).first()
    if found is None:
        return None
    row, member, issuer = found
    if (
        row.expires_at <= now
        or now - row.last_seen_at > policy.idle
        or (row.pending_second_factor and now - row.created_at > SECOND_FACTOR_WINDOW)
        or member.deactivated_at is not None
        or issuer.deactivated_at is not None
        or member.issuer_id != row.issuer_id
    ):
        return None
    return LiveSession(row, member, issuer)


def touch(session: Session, session_id: str, now: datetime) -> None:
    session.execute(update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now))


def complete_second_factor(session: Session, row: StaffSession, now: datetime) -> None:
    row.pending_second_factor = False
    row.last_seen_at = now
    session.flush()


def end_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == hash_secret(token)))


def end_sessions_of(session: Session, member_id: str) -> None:
    """Signs a member out everywhere (deactivated, password changed)."""
    session.execute(delete(StaffSession).where(StaffSession.member_id == member_id))


def end_other_sessions(session: Session, member_id: str, token: str) -> None:
    """Signs a member out everywhere but in this browser (after a password change)."""
    session.execute(
        delete(StaffSession).where(StaffSession.member_id == member_id, StaffSession.token_hash != hash_secret(token))
    )


def prune(session: Session, now: datetime) -> int:
    """Removes sessions past their lifetime; returns how many."""
    result = session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
