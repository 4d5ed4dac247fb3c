"""Create and read achievement definitions within one issuer's tenancy."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.achievements.inputs import AchievementInput
from app.db.models import Achievement, Issuer
from app.errors import NotFound


def achievement_uri(public_url: str, achievement_id: str) -> str:
    """The achievement's stable, public id (served as JSON at this URL)."""
    return f"{public_url}/achievements/{achievement_id}"


def create_achievement(session: Session, issuer: Issuer, data: AchievementInput, *, public_url: str) -> Achievement:
    achievement_id = str(uuid.uuid4())
    creator: dict[str, Any] = {key: issuer.profile[key] for key in ("id", "type", "name") if key in issuer.profile}
    achievement = Achievement(
        id=achievement_id,
        issuer_id=issuer.id,
        name=data.name,
        definition=data.to_ob3(achievement_uri(public_url, achievement_id), creator),
    )
    session.add(achievement)
    session.flush()
    return achievement


def get_achievement(session: Session, issuer: Issuer, achievement_id: str) -> Achievement:
    """The achievement if it belongs to ``issuer``; another issuer's is reported as not found."""
    achievement = session.get(Achievement, achievement_id)
    if achievement is None or achievement.issuer_id != issuer.id:
        raise NotFound(f"achievement {achievement_id} not found")
    return achievement


def list_achievements(session: Session, issuer: Issuer, *, limit: int, offset: int) -> list[Achievement]:
    query = (
        select(Achievement)
        .where(Achievement.issuer_id == issuer.id)
        .order_by(Achievement.created_at, Achievement.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def public_achievement(session: Session, achievement_id: str) -> Achievement:
    achievement = session.get(Achievement, achievement_id)
    if achievement is None:
        raise NotFound(f"achievement {achievement_id} not found")
    return achievement
