"""What a credential says, in plain terms: one reading of OB 3.0 / VC credentials and sealed EDCs for every page.

The verification page, the PDF, the claim page and the claim e-mail all show the same facts; they read them here.
Text is read in the reader's language where the credential carries it (EDC language maps), else in the
credential's own language, which ``content_language`` then names so a page can mark it up.
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
    # The language of the name, description and outcomes as read (None when not stated).
    content_language: str | None = None
    credit_points: float | None = None
    ects: bool = False  # the credit points are ECTS credits
    eqf_level: int | None = None
    nqf_level: str | None = None
    issuer_country: str | None = None  # ISO 3166-1 alpha-3 or alpha-2 code, as the credential gives it
    assessment_type: str | None = None  # concept URI (OB 3.0) or the assessment's title (EDC)
    supervision: str | None = None  # concept URI
    # Other language versions the credential points at: language code -> URL (OB 3.0 ``related`` achievements).
    translations: dict[str, str] = field(default_factory=dict)


def is_sealed_edc(document: Any) -> bool:
    """A JAdES JWS JSON document (a sealed Europass EDC): the credential is in its ``payload``."""
    return isinstance(document, dict) and "payload" in document and "signatures" in document


def facts_of(document: dict[str, Any], language: str = "en") -> CredentialFacts:
    """The facts, with text in ``language`` where the credential has it."""
    if is_sealed_edc(document):
        try:
            payload = json.loads(document["payload"])
        except (TypeError, ValueError):
            payload = {}
        return _edc_facts(payload if isinstance(payload, dict) else {}, language)
    return _vc_facts(document)


def text_in(value: Any, language: str = "en") -> tuple[str, str | None]:
    """Text and its language: a plain string (language unknown), or from a language map the ``language`` entry,
    else the English, else the first one. Language-map keys match case-insensitively (``sr-latn``)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        keys = {str(key).casefold(): key for key in value}
        for wanted in (language, language.split("-")[0], "en"):
            key = keys.get(wanted.casefold())
            if key is not None and value[key]:
                return text(value[key]), str(key)
        for key, item in value.items():
            return text(item), str(key)
        return "", None
    return ("" if value is None else str(value)), None


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
    aligned = _alignments(achievement)
    stated_language = achievement.get("inLanguage")
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
        content_language=stated_language if isinstance(stated_language, str) else None,
        credit_points=float(credits) if isinstance(credits, int | float) and not isinstance(credits, bool) else None,
        ects="ext:CreditSystem" in aligned and "/education-credit/6fcec5c5af" in aligned["ext:CreditSystem"][0],
        eqf_level=_level_number(aligned.get("ext:EQFLevel", ("", ""))[0]) or _level_number(_eqf_level(achievement)),
        nqf_level=aligned.get("ext:NQFLevel", ("", ""))[1] or None,
        issuer_country=_country_code(aligned.get("ext:IssuerCountry", ("", ""))[0]),
        assessment_type=aligned.get("ext:AssessmentType", ("", ""))[0] or None,
        supervision=aligned.get("ext:SupervisionAndIdVerification", ("", ""))[0] or None,
        translations=_related_languages(achievement),
    )


def _alignments(achievement: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The first alignment of each ``targetType``: (targetUrl, targetName)."""
    found: dict[str, tuple[str, str]] = {}
    for alignment in achievement.get("alignment", []):
        if isinstance(alignment, dict) and isinstance(alignment.get("targetType"), str):
            entry = (str(alignment.get("targetUrl") or ""), text(alignment.get("targetName")))
            found.setdefault(alignment["targetType"], entry)
    return found


def _related_languages(achievement: dict[str, Any]) -> dict[str, str]:
    related = achievement.get("related")
    items = related if isinstance(related, list) else [related]
    return {
        str(item["inLanguage"]): str(item["id"])
        for item in items
        if isinstance(item, dict) and isinstance(item.get("inLanguage"), str) and isinstance(item.get("id"), str)
    }


def _level_number(value: str | None) -> int | None:
    """4 from ``http://data.europa.eu/snb/eqf/4``, ``Level 4`` or ``EQF 4``."""
    digits = (value or "").rstrip("/").rsplit("/", 1)[-1].split()[-1:] or [""]
    return int(digits[0]) if digits[0].isdigit() and 1 <= int(digits[0]) <= 8 else None


def _country_code(uri: str) -> str | None:
    return uri.rstrip("/").rsplit("/", 1)[-1] or None if uri else None


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


def _edc_facts(payload: dict[str, Any], language: str = "en") -> CredentialFacts:
    """ELM 3: Person → hasClaim → LearningAchievement → specifiedBy (Qualification or specification)."""
    issuer = _first(payload.get("issuer"))
    person = _first(payload.get("credentialSubject"))
    claim = _first(person.get("hasClaim"))
    spec = _first(claim.get("specifiedBy"))
    points = [c.get("point") for c in spec.get("creditPoint", []) if isinstance(c, dict)]
    homepage = _first(issuer.get("homepage"))
    title, title_language = text_in(claim.get("title"), language)
    outcomes = [o.get("title") for o in spec.get("learningOutcome", []) if isinstance(o, dict)]
    eqf = _first(spec.get("eqfLevel"))
    nqf = _first(spec.get("nqfLevel"))
    proof = _first(claim.get("provenBy"))
    try:
        point = float(points[0]) if points and points[0] else None
    except (TypeError, ValueError):
        point = None
    return CredentialFacts(
        issuer_name=text(issuer.get("legalName")) or "an unnamed issuer",
        issuer_id=str(issuer.get("id") or ""),
        issuer_url=homepage.get("contentURL"),
        learner_name=text(person.get("fullName")) or None,
        achievement_name=title or None,
        achievement_description=text_in(spec.get("description"), language)[0],
        achievement_type="Europass Digital Credential (micro-credential)",
        learning_outcomes=[text_in(o, language)[0] for o in outcomes],
        credits=f"{points[0]} ECTS credits" if points and points[0] else None,
        level=text(_first(spec.get("eqfLevel")).get("prefLabel")) or None,
        awarded=parse_date(payload.get("issued") or payload.get("issuanceDate")),
        valid_from=parse_date(payload.get("validFrom")),
        valid_until=parse_date(payload.get("validUntil") or payload.get("expirationDate")),
        content_language=title_language,
        credit_points=point,
        ects=point is not None,
        eqf_level=_level_number(str(eqf.get("id") or "")) or _level_number(text(eqf.get("prefLabel"))),
        nqf_level=text_in(nqf.get("prefLabel"), language)[0] or None,
        assessment_type=text(proof.get("title")) or None,
    )
