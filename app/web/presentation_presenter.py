"""Turn a presentation's verification report into the PresentationView people see, in their language: the verdict
on the holder first, then each credential as the credential page shows it, with whether it was issued to the holder.
"""

from __future__ import annotations

from typing import Any

from app.i18n.catalogues import N_
from app.i18n.localizer import Localizer, localizer
from app.verification.presentations import CHALLENGE, PresentationReport, PresentedCredential
from app.verification.report import Check, Outcome, Verdict
from app.web.presenter import HEADLINES, checked_note, credential_view
from app.web.view import CheckView, HolderView, PresentationView, PresentedCredentialView, outcome_label

NO_LINKS = dict.fromkeys(("verify_url", "json_url", "report_url", "qr_svg_url", "pdf_url"), "")
HOLDER_HEADLINES = {
    Verdict.VERIFIED: N_("Holder verified"),
    Verdict.NOT_VALID: N_("Presentation not valid"),
    Verdict.COULD_NOT_CHECK: N_("Holder could not be checked"),
}
HOLDER_CHECK_LABELS = {
    "structure": N_("Well-formed presentation"),
    "proof": N_("Holder's signature"),
    "challenge": N_("Challenge"),
    "domain": N_("Domain"),
    "validity_period": N_("Time of the presentation"),
    "holder_binding": N_("Issued to the holder"),
}
# (check, outcome) -> what it means, in words a verifier reads.
HOLDER_SUMMARIES = {
    ("structure", "passed"): N_("It is a well-formed presentation."),
    ("structure", "failed"): N_("It is not a well-formed presentation."),
    ("proof", "passed"): N_("The holder's signature is valid: nothing has been changed since they signed."),
    ("proof", "failed"): N_(
        "The holder's signature does not match: the presentation was changed after it was signed, or another key "
        "than the holder's signed it."
    ),
    ("proof", "could_not_check"): N_("The holder's signature could not be checked."),
    ("challenge", "passed"): N_("It was made for this request: its challenge is the one given."),
    ("challenge", "failed"): N_("It was not made for this request: its challenge is not the one given."),
    ("challenge", "not_applicable"): N_("No challenge was given, so it may be a copy of an earlier presentation."),
    ("domain", "passed"): N_("It was made for this verifier: its domain is the one given."),
    ("domain", "failed"): N_("It was made for another verifier: its domain is not the one given."),
    ("domain", "not_applicable"): N_("No domain was given to check."),
    ("validity_period", "passed"): N_("It was made at a plausible time and has not expired."),
    ("validity_period", "failed"): N_("It has expired, or it says it was made in the future."),
    ("holder_binding", "passed"): N_("It was issued to the holder who presented it."),
    ("holder_binding", "failed"): N_("It was issued to someone else than the holder who presented it."),
    ("holder_binding", "could_not_check"): N_("Whether it was issued to the holder could not be checked."),
}


def presentation_view(report: PresentationReport, language: str = "en") -> PresentationView:
    """The page's view of ``report``; credentials are shown without their colleges' branding (a presentation may
    carry several colleges' credentials, and the page is the verifier's, not a college's)."""
    t = localizer(language)
    holder = report.holder
    verdict = holder.verdict
    return PresentationView(
        holder=HolderView(
            verdict=verdict,
            headline=t.gettext(HOLDER_HEADLINES.get(verdict, HEADLINES[verdict])),
            explanation=_explanation(report, t),
            holder=report.holder_id,
            signed_with=holder.signer.method if holder.signer else None,
            checks=[_check_view(c, t) for c in holder.checks],
            checked=checked_note(holder, t),
        ),
        credentials=[_presented(item, t) for item in report.credentials],
        language=t.language,
    )


def _presented(item: PresentedCredential, t: Localizer) -> PresentedCredentialView:
    shown: Any = item.credential if isinstance(item.credential, dict) else {}
    view = credential_view(shown, item.report, links=NO_LINKS, language=t.language)
    return PresentedCredentialView(credential=view, binding=_check_view(item.binding, t))


def _explanation(report: PresentationReport, t: Localizer) -> str:
    verdict = report.holder.verdict
    if verdict is Verdict.VERIFIED:
        sentence = t.gettext(
            "The presentation is signed by its holder, %(holder)s, and nothing in it was changed after signing."
        ) % {"holder": report.holder_id}
        challenged = any(c.name == CHALLENGE and c.outcome is Outcome.PASSED for c in report.holder.checks)
        return (
            sentence
            + " "
            + (
                t.gettext("It was made for your request: its challenge is the one you gave.")
                if challenged
                else t.gettext("No challenge was given, so it may be a copy of an earlier presentation.")
            )
        )
    if verdict is Verdict.NOT_VALID:
        return t.gettext(
            "The presentation failed its own checks (see below): do not take it that whoever sent it holds these "
            "credentials. Each credential is judged on its own below."
        )
    return t.gettext(
        "The holder's signature could not be checked (see below), so who presented these credentials is not known. "
        "Each credential is judged on its own below."
    )


def _check_view(check: Check, t: Localizer) -> CheckView:
    outcome = check.outcome.value
    summary = HOLDER_SUMMARIES.get((check.name, outcome))
    label = HOLDER_CHECK_LABELS.get(check.name)
    return CheckView(
        name=check.name,
        label=t.gettext(label) if label else check.name,
        outcome=outcome,
        reason=check.reason,
        summary=t.gettext(summary) if summary else t.gettext(outcome_label(outcome)),
        outcome_label=t.gettext(outcome_label(outcome)),
    )
