"""What a credential says, in plain terms: one reading of OB 3.0 / VC credentials and sealed EDCs for every page.

The verification page, the PDF, the claim page and the claim e-mail all show the same facts; they read them here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CredentialFacts:
    issuer_name: str
    issuer_id: str
    issuer_url: str | None
    learner_name: str | None
    achievement_name: str | None
    achievement_description: str = ""
    achievement_type: str | None = None
    learning_outcomes: list[str] = field(default_factory=list)
    credits: str | None = None
    level: str | None = None
    awarded: datetime | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None


def is_sealed_edc(document: Any) -> bool:
    """A JAdES JWS JSON document (a sealed Europass EDC): the credential is in its ``payload``."""
    return isinstance(document, dict) and "payload" in document and "signatures" in document


def facts_of(document: dict[str, Any]) -> CredentialFacts:
    if is_sealed_edc(document):
        try:
            payload = json.loads(document["payload"])
        except (TypeError, ValueError):
            payload = {}
        return _edc_facts(payload if isinstance(payload, dict) else {})
    return _vc_facts(document)


def text(value: Any) -> str:
    """Text may be a plain string or a language map: the English, else the first value."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return str(value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _first(value: Any) -> dict[str, Any]:
    """JSON-LD properties may hold one object or a list of them: the first object, or an empty one."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _vc_facts(document: dict[str, Any]) -> CredentialFacts:
    stated_issuer = document.get("issuer")
    issuer = stated_issuer if isinstance(stated_issuer, dict) else {"id": stated_issuer}
    subject = _first(document.get("credentialSubject"))
    achievement = _first(subject.get("achievement"))
    url = issuer.get("url")
    credits = subject.get("creditsEarned", achievement.get("creditsAvailable"))
    return CredentialFacts(
        issuer_name=text(issuer.get("name")) or str(issuer.get("id") or "an unnamed issuer"),
        issuer_id=str(issuer.get("id") or ""),
        issuer_url=url if isinstance(url, str) else None,
        learner_name=text(subject.get("name")) or None,
        achievement_name=text(achievement.get("name") or document.get("name")) or None,
        achievement_description=text(achievement.get("description")),
        achievement_type=achievement.get("achievementType"),
        learning_outcomes=_outcomes(subject, achievement),
        credits=None if not isinstance(credits, int | float) else f"{credits:g} credits",
        level=_eqf_level(achievement),
        awarded=parse_date(document.get("awardedDate") or document.get("validFrom") or document.get("issuanceDate")),
        valid_from=parse_date(document.get("validFrom") or document.get("issuanceDate")),
        valid_until=parse_date(document.get("validUntil") or document.get("expirationDate")),
    )


def _outcomes(subject: dict[str, Any], achievement: dict[str, Any]) -> list[str]:
    """The results with their outcomes' names; with no results, the achievement's alignments."""
    names = {
        rd.get("id"): text(rd.get("name")) for rd in achievement.get("resultDescription", []) if isinstance(rd, dict)
    }
    outcomes = []
    for result in subject.get("result", []):
        if not isinstance(result, dict):
            continue
        name = names.get(result.get("resultDescription")) or "Result"
        value = result.get("value") or result.get("status")
        outcomes.append(f"{name}: {value}" if value else name)
    if not outcomes:
        outcomes = [
            text(a.get("targetName"))
            for a in achievement.get("alignment", [])
            if isinstance(a, dict) and a.get("targetName")
        ]
    return outcomes


def _eqf_level(achievement: dict[str, Any]) -> str | None:
    for alignment in achievement.get("alignment", []):
        framework = str(alignment.get("targetFramework", "")).upper() if isinstance(alignment, dict) else ""
        if framework.startswith("EQF") or "EUROPEAN QUALIFICATIONS FRAMEWORK" in framework:
            return text(alignment.get("targetName"))
    return None


def _edc_facts(payload: dict[str, Any]) -> CredentialFacts:
    """ELM 3: Person → hasClaim → LearningAchievement → specifiedBy (Qualification or specification)."""
    issuer = _first(payload.get("issuer"))
    person = _first(payload.get("credentialSubject"))
    claim = _first(person.get("hasClaim"))
    spec = _first(claim.get("specifiedBy"))
    points = [c.get("point") for c in spec.get("creditPoint", []) if isinstance(c, dict)]
    homepage = _first(issuer.get("homepage"))
    return CredentialFacts(
        issuer_name=text(issuer.get("legalName")) or "an unnamed issuer",
        issuer_id=str(issuer.get("id") or ""),
        issuer_url=homepage.get("contentURL"),
        learner_name=text(person.get("fullName")) or None,
        achievement_name=text(claim.get("title")) or None,
        achievement_description=text(spec.get("description")),
        achievement_type="Europass Digital Credential (micro-credential)",
        learning_outcomes=[text(o.get("title")) for o in spec.get("learningOutcome", []) if isinstance(o, dict)],
        credits=f"{points[0]} ECTS credits" if points and points[0] else None,
        level=text(_first(spec.get("eqfLevel")).get("prefLabel")) or None,
        awarded=parse_date(payload.get("issued") or payload.get("issuanceDate")),
        valid_from=parse_date(payload.get("validFrom")),
        valid_until=parse_date(payload.get("validUntil") or payload.get("expirationDate")),
    )
