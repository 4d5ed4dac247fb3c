"""Turn a credential and its verification report into the CredentialView people see (page, PDF)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.credentials.facts import facts_of
from app.issuers.seals import SELF_ISSUED_WARNING
from app.verification.report import Report
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


def human_date(moment: datetime | None) -> str | None:
    """``22 November 2026``."""
    return moment.strftime("%-d %B %Y") if moment else None


def credential_view(document: dict[str, Any], report: Report, *, links: dict[str, str]) -> CredentialView:
    """``links``: verify_url, json_url, report_url, qr_svg_url, pdf_url (empty strings for a pasted credential).

    ``document`` is an OB 3.0 / VC credential or a sealed EDC (JAdES JSON, the credential in its payload).
    """
    facts = facts_of(document)
    verdict = Verdict(report.verdict)
    valid_until = human_date(facts.valid_until)
    return CredentialView(
        verdict=verdict,
        headline=HEADLINES[verdict],
        explanation=_explanation(verdict, facts.issuer_name, valid_until),
        issuer_name=facts.issuer_name,
        issuer_id=facts.issuer_id,
        issuer_url=facts.issuer_url,
        learner_name=facts.learner_name or "(name not stated)",
        achievement_name=facts.achievement_name or "(unnamed achievement)",
        achievement_description=facts.achievement_description,
        achievement_type=facts.achievement_type,
        learning_outcomes=facts.learning_outcomes,
        credits=facts.credits,
        level=facts.level,
        issued_on=human_date(facts.awarded) or "unknown",
        valid_from=human_date(facts.valid_from) or "unknown",
        valid_until=valid_until,
        checks=[
            CheckView(name=c.name, label=CHECK_LABELS.get(c.name, c.name), outcome=c.outcome.value, reason=c.reason)
            for c in report.checks
        ],
        self_issued_warning=SELF_ISSUED_WARNING if any(c.code == "self_issued" for c in report.checks) else None,
        verify_url=links["verify_url"],
        json_url=links["json_url"],
        report_url=links["report_url"],
        qr_svg_url=links["qr_svg_url"],
        pdf_url=links["pdf_url"],
    )
