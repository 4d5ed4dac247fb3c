"""Turn a credential and its verification report into the CredentialView people see (page, PDF).

One message per page: the banner carries the verdict, who issued the credential as far as a trusted source
confirms it, and anything the reader must not miss (a test seal); the checks below only give the details.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.credentials.facts import CredentialFacts, facts_of
from app.issuers.branding import CollegeBranding
from app.verification.report import STATUS, Outcome, Report, Verdict
from app.web.view import CheckView, CredentialView, IssuerView

CHECK_LABELS = {
    "structure": "Well-formed credential",
    "proof": "Digital signature",
    "status": "Not revoked or suspended",
    "validity_period": "Validity period",
    "issuer": "Issuer identity",
    "ob3_schema": "Open Badges 3.0 format (1EdTech schema)",
    "seal": "Electronic seal (JAdES)",
    "edc_format": "Europass Digital Credential format (EDC shapes)",
}
HEADLINES = {
    Verdict.VERIFIED: "Verified",
    Verdict.ISSUER_NOT_CONFIRMED: "Signature valid — issuer not confirmed",
    Verdict.REVOKED: "Revoked",
    Verdict.SUSPENDED: "Suspended",
    Verdict.EXPIRED: "Expired",
    Verdict.NOT_YET_VALID: "Not yet valid",
    Verdict.NOT_VALID: "Not valid",
    Verdict.COULD_NOT_CHECK: "Could not check",
}


def human_date(moment: datetime | None) -> str | None:
    """``22 November 2026``."""
    return moment.strftime("%-d %B %Y") if moment else None


def issuer_view(facts: CredentialFacts, report: Report) -> IssuerView:
    identity = report.identity
    confirmed = identity is not None and identity.confirmed
    sources = []
    if identity is not None and confirmed:
        for source in identity.listed_in:
            updated = human_date(source.updated)
            sources.append(f"{source.name} (updated {updated})" if updated else source.name)
    return IssuerView(
        confirmed=confirmed,
        claimed_name=facts.issuer_name,
        stated_id=facts.issuer_id,
        name=identity.name if identity and confirmed else None,
        url=identity.url if identity and confirmed else None,
        location=identity.location if identity and confirmed else None,
        confirmed_by=sources,
        signer=report.signer.id if report.signer else None,
        signed_with=report.signer.method if report.signer else None,
    )


def _explanation(verdict: Verdict, issuer: IssuerView, report: Report, facts: CredentialFacts) -> str:
    who = issuer.name if issuer.confirmed and issuer.name else "Its signer"
    unconfirmed = (
        ""
        if issuer.confirmed
        else f" Nothing confirms who signed it: the credential's own issuer name, “{issuer.claimed_name}”, is only "
        "a claim."
    )
    if verdict is Verdict.VERIFIED:
        return (
            f"Issued by {issuer.name}, as {'; '.join(issuer.confirmed_by)} confirms. It has not been altered since "
            "it was signed, and it is not revoked, suspended or expired."
        )
    if verdict is Verdict.ISSUER_NOT_CONFIRMED:
        return (
            "The credential has not been altered since it was signed, but nothing confirms who signed it: the "
            f"signer is not a college of this service and is not in any trust registry this service uses. The "
            f"credential says it was issued by “{issuer.claimed_name}”; that is the signer's own claim. Check with "
            "the issuer before relying on it."
        )
    if verdict is Verdict.REVOKED:
        return f"{who} has revoked this credential. It is no longer valid.{unconfirmed}"
    if verdict is Verdict.SUSPENDED:
        return f"{who} has suspended this credential. Do not rely on it until the suspension is lifted.{unconfirmed}"
    if verdict is Verdict.EXPIRED:
        until = human_date(facts.valid_until)
        return f"This credential is genuine but expired{f' on {until}' if until else ''}.{unconfirmed}"
    if verdict is Verdict.NOT_YET_VALID:
        start = human_date(facts.valid_from)
        return f"This credential is genuine but not valid before {start or 'its start date'}.{unconfirmed}"
    if verdict is Verdict.NOT_VALID:
        return (
            "This credential failed verification: it was altered after signing, its signature does not match, or it "
            "is not a well-formed credential. Do not rely on it."
        )
    only_status = all(c.outcome is not Outcome.COULD_NOT_CHECK or c.name == STATUS for c in report.checks if c.required)
    if only_status:
        return (
            "The signature is valid, but whether the issuer has revoked the credential could not be found out (see "
            "below). Do not treat it as verified yet."
        )
    return (
        "Its signature could not be checked (see below), so nothing is known about this credential yet: neither "
        "that it is genuine nor that it is forged, nor its status or who issued it."
    )


def credential_view(
    document: dict[str, Any], report: Report, *, links: dict[str, str], college: CollegeBranding | None = None
) -> CredentialView:
    """``links``: verify_url, json_url, report_url, qr_svg_url, pdf_url (empty strings for a pasted credential);
    ``college``: the branding of the college this service confirms as the signer (never of a claimed issuer).

    ``document`` is an OB 3.0 / VC credential or a sealed EDC (JAdES JSON, the credential in its payload).
    """
    facts = facts_of(document)
    verdict = report.verdict
    issuer = issuer_view(facts, report)
    return CredentialView(
        verdict=verdict,
        headline=HEADLINES[verdict],
        explanation=_explanation(verdict, issuer, report, facts),
        issuer=issuer,
        learner_name=facts.learner_name or "(name not stated)",
        achievement_name=facts.achievement_name or "(unnamed achievement)",
        achievement_description=facts.achievement_description,
        achievement_type=facts.achievement_type,
        learning_outcomes=facts.learning_outcomes,
        credits=facts.credits,
        level=facts.level,
        issued_on=human_date(facts.awarded) or "unknown",
        valid_from=human_date(facts.valid_from) or "unknown",
        valid_until=human_date(facts.valid_until),
        checks=[
            CheckView(name=c.name, label=CHECK_LABELS.get(c.name, c.name), outcome=c.outcome.value, reason=c.reason)
            for c in report.checks
        ],
        notices=list(report.notices),
        verify_url=links["verify_url"],
        json_url=links["json_url"],
        report_url=links["report_url"],
        qr_svg_url=links["qr_svg_url"],
        pdf_url=links["pdf_url"],
        college=college if issuer.confirmed else None,
    )
