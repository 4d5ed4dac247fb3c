"""How a portfolio page arranges its credentials: grouped by EQF level, each with its skills, stacked ones with
their parts under them. Pure: credential documents in, positions out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.credentials.facts import facts_of, is_sealed_edc, text, text_in


@dataclass(frozen=True)
class Skill:
    """A skill a credential is aligned to (ESCO or another framework): its name as the credential gives it."""

    name: str
    url: str


@dataclass
class Member:
    """One credential of the page by its position in the portfolio, with its skills and its parts."""

    index: int
    skills: list[Skill]
    parts: list[Member] = field(default_factory=list)


@dataclass(frozen=True)
class LevelGroup:
    eqf_level: int | None  # None: the credentials that state no EQF level
    members: list[Member]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _first(value: Any) -> Any:
    return next(iter(_list(value)), {})


def _edc_claim(document: dict[str, Any]) -> dict[str, Any]:
    try:
        payload = json.loads(document["payload"])
    except (TypeError, ValueError):
        return {}
    subject = _first(payload.get("credentialSubject") if isinstance(payload, dict) else None)
    claim = _first(subject.get("hasClaim") if isinstance(subject, dict) else None)
    return claim if isinstance(claim, dict) else {}


def _achievement(document: dict[str, Any]) -> dict[str, Any]:
    subject = _first(document.get("credentialSubject"))
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return achievement if isinstance(achievement, dict) else {}


def stack_ids(document: dict[str, Any]) -> tuple[str | None, list[str]]:
    """What a stacked credential's parts name this credential by, and what it names its own parts by.

    OB 3.0: the credential's ``id``, and its evidence's ids; a sealed EDC: its learning achievement's id, and that
    achievement's ``hasPart`` ids (app/credentials/edc.py makes them resolve across documents).
    """
    if is_sealed_edc(document):
        claim = _edc_claim(document)
        parts = [str(p["id"]) for p in _list(claim.get("hasPart")) if isinstance(p, dict) and p.get("id")]
        return (str(claim["id"]) if claim.get("id") else None), parts
    parts = [str(e["id"]) for e in _list(document.get("evidence")) if isinstance(e, dict) and e.get("id")]
    return (str(document["id"]) if isinstance(document.get("id"), str) else None), parts


def skills_of(document: dict[str, Any], language: str = "en") -> list[Skill]:
    """The skills the credential is aligned to, once each: OB 3.0 competency alignments (ESCO and others), an EDC's
    ESCO skills of its learning outcomes (named by the outcome, as an EDC carries no skill labels)."""
    found: dict[str, Skill] = {}
    if is_sealed_edc(document):
        spec = _first(_edc_claim(document).get("specifiedBy"))
        for outcome in _list(spec.get("learningOutcome") if isinstance(spec, dict) else None):
            if not isinstance(outcome, dict):
                continue
            name = text_in(outcome.get("title"), language)[0]
            for skill in _list(outcome.get("relatedESCOSkill")):
                if isinstance(skill, dict) and isinstance(skill.get("id"), str):
                    found.setdefault(skill["id"], Skill(name or skill["id"], skill["id"]))
        return list(found.values())
    for alignment in _list(_achievement(document).get("alignment")):
        if not isinstance(alignment, dict) or not isinstance(alignment.get("targetUrl"), str):
            continue
        framework = str(alignment.get("targetFramework") or "")
        if alignment.get("targetType") == "ceasn:Competency" or (
            "ESCO" in framework and "/skill/" in alignment["targetUrl"]
        ):
            url = alignment["targetUrl"]
            found.setdefault(url, Skill(text(alignment.get("targetName")) or url, url))
    return list(found.values())


def arrange(documents: list[dict[str, Any]], language: str = "en") -> list[LevelGroup]:
    """The credentials (as verified: a VC-JWT's credential, not its envelope) grouped by EQF level, highest first,
    those without a level last; a credential that is a part of another one in the portfolio is shown under it
    (one level deep), not on its own."""
    ids = [stack_ids(document) for document in documents]
    by_own_id = {own: index for index, (own, _) in enumerate(ids) if own}
    members = [Member(index, skills_of(document, language)) for index, document in enumerate(documents)]
    nested: set[int] = set()
    for index, (_, parts) in enumerate(ids):
        for part in parts:
            found = by_own_id.get(part)
            if found is not None and found != index and found not in nested and index not in nested:
                members[index].parts.append(members[found])
                nested.add(found)
    levels: dict[int | None, list[Member]] = {}
    for member in members:
        if member.index not in nested:
            levels.setdefault(facts_of(documents[member.index], language).eqf_level, []).append(member)
    order = sorted((level for level in levels if level is not None), reverse=True)
    return [LevelGroup(level, levels[level]) for level in [*order, None] if level in levels]
