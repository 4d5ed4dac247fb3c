"""``/api/v1/achievements``: a college's Open Badges 3.0 Achievement definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from app.achievements.inputs import AchievementInput
from app.achievements.service import create_achievement, get_achievement, list_achievements
from app.api.deps import MAX_OFFSET, CurrentIssuer, RuntimeDep, SessionDep
from app.db.models import Achievement

router = APIRouter(prefix="/api/v1/achievements", tags=["achievements"])


class AchievementOut(BaseModel):
    id: str
    achievement: dict[str, Any]
    createdAt: datetime


def achievement_out(achievement: Achievement) -> dict[str, Any]:
    return {"id": achievement.id, "achievement": achievement.definition, "createdAt": achievement.created_at}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AchievementOut)
def create(body: AchievementInput, issuer: CurrentIssuer, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    return achievement_out(create_achievement(session, issuer, body, public_url=runtime.settings.public_url))


@router.get("", response_model=list[AchievementOut])
def list_all(
    issuer: CurrentIssuer,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[dict[str, Any]]:
    return [achievement_out(a) for a in list_achievements(session, issuer, limit=limit, offset=offset)]


@router.get("/{achievement_id}", response_model=AchievementOut)
def read(achievement_id: str, issuer: CurrentIssuer, session: SessionDep) -> dict[str, Any]:
    return achievement_out(get_achievement(session, issuer, achievement_id))
