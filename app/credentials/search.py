"""Find a college's credentials: by learner (name or e-mail), specification, issue dates and status, a page at a time.

A credential's status as the college sees it has four values that never overlap: revoked (final, whatever else
holds), expired (its ``validUntil`` has passed), suspended, active.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.db.models import Achievement, Assessment, ClaimLink, Credential, Issuer, Learner, MicroCredentialSpec
from app.errors import NotFound


class ShownStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class CredentialQuery:
    """What to look for; None matches everything. ``learner`` is part of a name or an e-mail address (any case);
    ``issued_from`` and ``issued_to`` are whole days (UTC), both included."""

    learner: str | None = None
    spec_id: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    status: ShownStatus | None = None


@dataclass(frozen=True)
class SpecChoice:
    """An achievement or a micro-credential specification credentials can be searched by."""

    id: str
    name: str
    kind: str  # achievement | microcredential


def shown_status(credential: Credential, now: datetime) -> ShownStatus:
    if credential.status == "revoked":
        return ShownStatus.REVOKED
    if credential.valid_until is not None and credential.valid_until <= now:
        return ShownStatus.EXPIRED
    return ShownStatus(credential.status)


def _expired(now: datetime) -> ColumnElement[bool]:
    return and_(Credential.valid_until.is_not(None), Credential.valid_until <= now)


def _status_filter(status: ShownStatus, now: datetime) -> ColumnElement[bool]:
    if status == ShownStatus.REVOKED:
        return Credential.status == "revoked"
    if status == ShownStatus.EXPIRED:
        return and_(Credential.status != "revoked", _expired(now))
    return and_(Credential.status == status.value, ~_expired(now))


def _learner_filter(text: str) -> ColumnElement[bool]:
    """Part of the recipient's name, or of an address the credential's claim links or its learner record have."""
    needle = text.strip().lower()
    by_link = select(ClaimLink.credential_id).where(func.lower(ClaimLink.email).contains(needle, autoescape=True))
    by_learner = (
        select(Assessment.id)
        .join(Learner, Learner.id == Assessment.learner_id)
        .where(func.lower(Learner.email).contains(needle, autoescape=True))
    )
    return or_(
        func.lower(Credential.recipient_name).contains(needle, autoescape=True),
        Credential.id.in_(by_link),
        Credential.assessment_id.in_(by_learner),
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _conditions(issuer: Issuer, query: CredentialQuery, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Credential.issuer_id == issuer.id]
    if query.learner and query.learner.strip():
        where.append(_learner_filter(query.learner))
    if query.spec_id:
        where.append(or_(Credential.achievement_id == query.spec_id, Credential.microcredential_id == query.spec_id))
    if query.issued_from:
        where.append(Credential.created_at >= _start_of(query.issued_from))
    if query.issued_to:
        where.append(Credential.created_at < _start_of(query.issued_to + timedelta(days=1)))
    if query.status:
        where.append(_status_filter(query.status, now))
    return where


def search_credentials(
    session: Session, issuer: Issuer, query: CredentialQuery, *, now: datetime, limit: int, offset: int
) -> tuple[list[Credential], int]:
    """``issuer``'s credentials matching ``query``, newest first, and how many match in all."""
    where = _conditions(issuer, query, now)
    total = session.scalar(select(func.count()).select_from(Credential).where(*where)) or 0
    rows = session.scalars(
        select(Credential)
        .where(*where)
        .order_by(Credential.created_at.desc(), Credential.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def selected_credentials(session: Session, issuer: Issuer, ids: list[str]) -> list[Credential]:
    """The credentials ``ids`` (each once, in the order given); NotFound when one is not ``issuer``'s."""
    wanted = list(dict.fromkeys(ids))
    found = {
        credential.id: credential
        for credential in session.scalars(
            select(Credential).where(Credential.issuer_id == issuer.id, Credential.id.in_(wanted))
        )
    }
    missing = [credential_id for credential_id in wanted if credential_id not in found]
    if missing:
        raise NotFound(f"credential {missing[0]} not found")
    return [found[credential_id] for credential_id in wanted]


def spec_choices(session: Session, issuer: Issuer) -> list[SpecChoice]:
    """What ``issuer``'s credentials can be searched by: its micro-credentials, then its achievements, by name."""
    specs = session.execute(
        select(MicroCredentialSpec.id, MicroCredentialSpec.title)
        .where(MicroCredentialSpec.issuer_id == issuer.id)
        .order_by(MicroCredentialSpec.title, MicroCredentialSpec.id)
    ).all()
    achievements = session.execute(
        select(Achievement.id, Achievement.name)
        .where(Achievement.issuer_id == issuer.id)
        .order_by(Achievement.name, Achievement.id)
    ).all()
    return [SpecChoice(row.id, row.title, "microcredential") for row in specs] + [
        SpecChoice(row.id, row.name, "achievement") for row in achievements
    ]


def spec_names(session: Session, credentials: list[Credential]) -> dict[str, str]:
    """The names of the achievements and specifications ``credentials`` were issued for, by id (one query each)."""
    achievement_ids = {c.achievement_id for c in credentials if c.achievement_id}
    spec_ids = {c.microcredential_id for c in credentials if c.microcredential_id}
    names: dict[str, str] = {}
    if achievement_ids:
        names |= dict(
            session.execute(select(Achievement.id, Achievement.name).where(Achievement.id.in_(achievement_ids))).all()
        )
    if spec_ids:
        names |= dict(
            session.execute(
                select(MicroCredentialSpec.id, MicroCredentialSpec.title).where(MicroCredentialSpec.id.in_(spec_ids))
            ).all()
        )
    return names
