"""What a stored credential says in plain words: learner, achievement, issuer and award date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CredentialSummary:
    learner: str
    achievement: str
    description: str
    issuer: str
    issuer_url: str | None
    awarded: datetime | None


def _text(value: Any) -> str:
    """OB 3.0 text may be a language map; take English or the first value."""
    if isinstance(value, dict):
        return str(value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def summarize(document: dict[str, Any]) -> CredentialSummary:
    issuer = document.get("issuer")
    profile: dict[str, Any] = issuer if isinstance(issuer, dict) else {"id": issuer}
    subjects = document.get("credentialSubject")
    first = subjects[0] if isinstance(subjects, list) and subjects else subjects
    subject: dict[str, Any] = first if isinstance(first, dict) else {}
    stated = subject.get("achievement")
    achievement: dict[str, Any] = stated if isinstance(stated, dict) else {}
    url = profile.get("url")
    return CredentialSummary(
        learner=_text(subject.get("name")) or "you",
        achievement=_text(achievement.get("name") or document.get("name")) or "a credential",
        description=_text(achievement.get("description")),
        issuer=_text(profile.get("name")) or str(profile.get("id") or "your college"),
        issuer_url=url if isinstance(url, str) else None,
        awarded=_date(document.get("awardedDate") or document.get("validFrom")),
    )
