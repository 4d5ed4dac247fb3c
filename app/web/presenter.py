"""Turn a credential and its verification report into the CredentialView people see (page, PDF)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app.issuers.seals import SELF_ISSUED_WARNING
from app.verification.report import Report
from app.verification.sealed_edc import is_sealed_edc
from app.web.view import CheckView, CredentialView, Verdict

CHECK_LABELS = {
    "structure": "Well-formed credential",
    "proof": "Digital signature of the issuer",
    "status": "Not revoked or suspended",
    "validity_period": "Validity period",
    "ob3_schema": "Open Badges 3.0 format (1EdTech schema)",
    "seal": "Electronic seal of the issuer (JAdES)",
    "edc_format": "Europass Digital Credential format (EDC shapes)",
    "seal_trust": "Qualified e-seal on the EU trusted list",
}
HEADLINES = {
    Verdict.VERIFIED: "Verified",
    Verdict.REVOKED: "Revoked",
    Verdict.SUSPENDED: "Suspended",
    Verdict.EXPIRED: "Expired",
    Verdict.NOT_VALID: "Not valid",
    Verdict.COULD_NOT_CHECK: "Could not check",
}


def _explanation(verdict: Verdict, issuer: str, valid_until: str | None) -> str:
    return {
        Verdict.VERIFIED: f"This credential was issued by {issuer}, has not been altered, and is not revoked, "
        "suspended or expired.",
        Verdict.REVOKED: f"{issuer} has revoked this credential. It is no longer valid.",
        Verdict.SUSPENDED: f"{issuer} has suspended this credential. Do not rely on it until the suspension is lifted.",
        Verdict.EXPIRED: f"This credential expired on {valid_until}." if valid_until else "This credential expired.",
        Verdict.NOT_VALID: "This credential failed verification: it may have been altered, or it was not signed by "
        "the issuer it names. Do not rely on it.",
        Verdict.COULD_NOT_CHECK: "Not every check could be completed (see below). Do not treat this credential as "
        "verified yet.",
    }[verdict]


def human_date(value: Any) -> str | None:
    """``2026-11-22T10:00:00Z`` → ``22 November 2026``; anything unparseable is shown as given."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%-d %B %Y")
    except ValueError:
        return value


def _text(value: Any) -> str:
    """OB 3.0 text may be a plain string or a language map; show the English or first value."""
    if isinstance(value, dict):
        return str(value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _outcomes(subject: dict[str, Any], achievement: dict[str, Any]) -> list[str]:
    """The achieved learning outcomes: each result with its outcome's name; else the achievement's alignments."""
    names = {rd.get("id"): _text(rd.get("name")) for rd in achievement.get("resultDescription", [])}
    outcomes = []
    for result in subject.get("result", []):
        name = names.get(result.get("resultDescription")) or "Result"
        value = result.get("value") or result.get("status")
        outcomes.append(f"{name}: {value}" if value else name)
    if not outcomes:
        outcomes = [_text(a.get("targetName")) for a in achievement.get("alignment", []) if a.get("targetName")]
    return outcomes


def _credits(subject: dict[str, Any], achievement: dict[str, Any]) -> str | None:
    credits = subject.get("creditsEarned", achievement.get("creditsAvailable"))
    return None if credits is None else f"{credits:g} credits"


def _level(achievement: dict[str, Any]) -> str | None:
    for alignment in achievement.get("alignment", []):
        framework = str(alignment.get("targetFramework", "")).upper()
        if framework.startswith("EQF") or "EUROPEAN QUALIFICATIONS FRAMEWORK" in framework:
            return _text(alignment.get("targetName"))
    return None


def _ob3_facts(document: dict[str, Any]) -> dict[str, Any]:
    stated_issuer = document.get("issuer")
    issuer: dict[str, Any] = stated_issuer if isinstance(stated_issuer, dict) else {"id": stated_issuer}
    subjects = document.get("credentialSubject") or {}
    first = subjects[0] if isinstance(subjects, list) and subjects else subjects
    subject: dict[str, Any] = first if isinstance(first, dict) else {}
    achievement = subject.get("achievement") or {}
    return {
        "issuer_name": _text(issuer.get("name")) or str(issuer.get("id", "an unnamed issuer")),
        "issuer_id": str(issuer.get("id", "")),
        "issuer_url": issuer.get("url"),
        "learner_name": _text(subject.get("name")) or "(name not stated)",
        "achievement_name": _text(achievement.get("name") or document.get("name")) or "(unnamed achievement)",
        "achievement_description": _text(achievement.get("description")),
        "achievement_type": achievement.get("achievementType"),
        "learning_outcomes": _outcomes(subject, achievement),
        "credits": _credits(subject, achievement),
        "level": _level(achievement),
        "issued_on": human_date(
            document.get("awardedDate") or document.get("validFrom") or document.get("issuanceDate")
        )
        or "unknown",
        "valid_from": human_date(document.get("validFrom") or document.get("issuanceDate")) or "unknown",
        "valid_until": human_date(document.get("validUntil") or document.get("expirationDate")),
    }


def _first(value: Any) -> dict[str, Any]:
    """ELM properties may be one object or a list of them: the first object, or an empty one."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _edc_facts(payload: dict[str, Any]) -> dict[str, Any]:
    """The same facts from a Europass EDC (ELM 3): Person → hasClaim → LearningAchievement → specifiedBy."""
    issuer = _first(payload.get("issuer"))
    person = _first(payload.get("credentialSubject"))
    claim = _first(person.get("hasClaim"))
    spec = _first(claim.get("specifiedBy"))
    credits = [c.get("point") for c in spec.get("creditPoint", []) if isinstance(c, dict)]
    eqf = _first(spec.get("eqfLevel"))
    homepage = _first(issuer.get("homepage"))
    return {
        "issuer_name": _text(issuer.get("legalName")) or "an unnamed issuer",
        "issuer_id": str(issuer.get("id", "")),
        "issuer_url": homepage.get("contentURL"),
        "learner_name": _text(person.get("fullName")) or "(name not stated)",
        "achievement_name": _text(claim.get("title")) or "(unnamed achievement)",
        "achievement_description": _text(spec.get("description")),
        "achievement_type": "Europass Digital Credential (micro-credential)",
        "learning_outcomes": [_text(o.get("title")) for o in spec.get("learningOutcome", []) if isinstance(o, dict)],
        "credits": f"{credits[0]} ECTS credits" if credits and credits[0] else None,
        "level": _text(eqf.get("prefLabel")) or None,
        "issued_on": human_date(payload.get("issued") or payload.get("issuanceDate")) or "unknown",
        "valid_from": human_date(payload.get("validFrom")) or "unknown",
        "valid_until": human_date(payload.get("validUntil") or payload.get("expirationDate")),
    }


def credential_view(document: dict[str, Any], report: Report, *, links: dict[str, str]) -> CredentialView:
    """``links``: verify_url, json_url, report_url, qr_svg_url, pdf_url (empty strings for a pasted credential).

    ``document`` is an OB 3.0 / VC credential or a sealed EDC (JAdES JSON, the credential in its payload).
    """
    facts: dict[str, Any]
    if is_sealed_edc(document):
        try:
            payload = json.loads(document["payload"])
        except (TypeError, ValueError):
            payload = {}
        facts = _edc_facts(payload if isinstance(payload, dict) else {})
    else:
        facts = _ob3_facts(document)
    verdict = Verdict(report.verdict)
    self_issued = any(c.code == "self_issued" for c in report.checks)
    return CredentialView(
        verdict=verdict,
        headline=HEADLINES[verdict],
        explanation=_explanation(verdict, facts["issuer_name"], facts["valid_until"]),
        checks=[
            CheckView(name=c.name, label=CHECK_LABELS.get(c.name, c.name), outcome=c.outcome.value, reason=c.reason)
            for c in report.checks
        ],
        self_issued_warning=SELF_ISSUED_WARNING if self_issued else None,
        verify_url=links["verify_url"],
        json_url=links["json_url"],
        report_url=links["report_url"],
        qr_svg_url=links["qr_svg_url"],
        pdf_url=links["pdf_url"],
        **facts,
    )
