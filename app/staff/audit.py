"""Staff actions in the college's audit trail, with who did them (``staff:<member id>:<e-mail>``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AuditEvent, utcnow


def record(
    session: Session,
    staff_actor: str,
    issuer_id: str,
    action: str,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> AuditEvent:
    """Adds one event: ``action`` like ``staff.invite`` or ``microcredential.create``, ``subject`` what it was about
    (``staff:<id>``, ``microcredential:<id>``...), ``detail`` its particulars (never a secret). Flushed with the
    caller's transaction, so the event exists exactly when the change does."""
    event = AuditEvent(
        issuer_id=issuer_id,
        actor=staff_actor,
        action=action,
        subject=subject,
        detail=detail,
        reason="",
        at=at or utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def college_events(session: Session, issuer_id: str, *, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    """The college's audit trail, newest first (credential status changes and staff actions alike)."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.issuer_id == issuer_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
