"""Turn a credential and its verification report into the CredentialView people see (page, PDF), in their language.

One message per page: the banner carries the verdict, who issued the credential as far as a trusted source
confirms it, and anything the reader must not miss (a test seal); the checks below only give the details, each in
plain words with the verifier's technical reason folded away.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.achievements.vocabularies import vocabulary
from app.credentials.facts import CredentialFacts, facts_of
from app.i18n.catalogues import N_
from app.i18n.localizer import Localizer, localizer
from app.i18n.vocabulary_labels import label_of
from app.issuers.branding import CollegeBranding
from app.trust.identity import SourceKind
from app.verification.report import STATUS, Outcome, Report, Verdict
from app.verification.sealed_edc import TEST_SEAL_NOTICE
from app.web.view import CheckView, CredentialView, IssuerView, outcome_label

# This service's own trust source on a page: a singular noun, so that "as %(sources)s confirms" agrees in every
# language (and Greek's "το %(sources)s" takes no second article).
THIS_SERVICE = N_("the register of colleges on this service (%(host)s)")

CHECK_LABELS = {
    "structure": N_("Well-formed credential"),
    "proof": N_("Digital signature"),
    "status": N_("Not revoked or suspended"),
    "validity_period": N_("Validity period"),
    "issuer": N_("Issuer identity"),
    "ob3_schema": N_("Open Badges 3.0 format (1EdTech schema)"),
    "seal": N_("Electronic seal (JAdES)"),
    "edc_format": N_("Europass Digital Credential format (EDC shapes)"),
}
# The parts of a report that may be reused (app/verification/cache.py), as the page names them.
REUSED_LABELS = CHECK_LABELS | {"status_list_proof": N_("Signature of the status list")}
HEADLINES = {
    Verdict.VERIFIED: N_("Verified"),
    Verdict.ISSUER_NOT_CONFIRMED: N_("Signature valid — issuer not confirmed"),
    Verdict.REVOKED: N_("Revoked"),
    Verdict.SUSPENDED: N_("Suspended"),
    Verdict.EXPIRED: N_("Expired"),
    Verdict.NOT_YET_VALID: N_("Not yet valid"),
    Verdict.NOT_VALID: N_("Not valid"),
    Verdict.COULD_NOT_CHECK: N_("Could not check"),
}
# What each check's outcome means, in words an employer reads; (check, outcome[, code]) -> msgid.
SUMMARIES = {
    ("structure", "passed"): N_("It is a complete, well-formed credential."),
    ("structure", "failed"): N_("It is not a well-formed credential."),
    ("proof", "passed"): N_("The digital signature is valid: nothing has been changed since it was signed."),
    ("proof", "failed"): N_(
        "The digital signature does not match: the credential was changed after it was signed, or the key it "
        "names did not sign it."
    ),
    ("proof", "could_not_check"): N_("The digital signature could not be checked."),
    ("status", "passed"): N_("The issuer has not revoked or suspended it."),
    ("status", "failed", "revoked"): N_("The issuer has revoked it."),
    ("status", "failed", "suspended"): N_("The issuer has suspended it."),
    ("status", "failed"): N_("The issuer has revoked or suspended it."),
    ("status", "could_not_check"): N_("Whether the issuer has revoked it could not be found out."),
    ("status", "not_applicable"): N_("The issuer publishes no revocation list for it."),
    ("validity_period", "passed"): N_("It is within its validity period."),
    ("validity_period", "failed", "expired"): N_("Its validity period has ended."),
    ("validity_period", "failed", "not_yet_valid"): N_("Its validity period has not started yet."),
    ("validity_period", "failed"): N_("It is outside its validity period."),
    ("issuer", "passed"): N_("The issuer is known: a college of this service or an issuer in a trusted registry."),
    ("issuer", "not_confirmed"): N_("No college of this service and no trusted registry confirms who signed it."),
    ("issuer", "failed"): N_("The issuer the credential names is not the one who signed it."),
    ("issuer", "could_not_check"): N_("Who signed it could not be checked."),
    ("ob3_schema", "passed"): N_("It follows the Open Badges 3.0 format."),
    ("ob3_schema", "failed"): N_("It does not follow the Open Badges 3.0 format."),
    ("seal", "passed"): N_("The electronic seal is valid: nothing has been changed since it was sealed."),
    ("seal", "failed"): N_("The electronic seal does not match: the credential was changed after it was sealed."),
    ("seal", "could_not_check"): N_("The electronic seal could not be checked."),
    ("edc_format", "passed"): N_("It follows the Europass Digital Credential format."),
    ("edc_format", "failed"): N_("It does not follow the Europass Digital Credential format."),
}
NOT_APPLICABLE = N_("This check does not apply to this credential.")
NOTICES = {
    TEST_SEAL_NOTICE: N_(
        "This EDC is sealed with a self-issued test certificate: the seal shows the document is unchanged, but it "
        "is not a qualified electronic seal, and the Europass viewer will not accept it."
    )
}
ACHIEVEMENT_TYPES = {
    "MicroCredential": N_("Micro-credential"),
    "Badge": N_("Badge"),
    "Certificate": N_("Certificate"),
    "Course": N_("Course"),
    "Diploma": N_("Diploma"),
    "License": N_("Licence"),
    "Europass Digital Credential (micro-credential)": N_("Micro-credential (Europass Digital Credential)"),
}


def human_date(moment: datetime | None, language: str = "en") -> str | None:
    """``22 November 2026`` in the reader's language."""
    return localizer(language).date(moment)


def checked_note(report: Report, t: Localizer) -> str:
    """When the checks ran and what they reused, in words: a reader can tell a live check from a reused one."""
    if report.checked_at is None:
        return ""
    note = t.gettext("Checked %(moment)s.") % {"moment": t.moment(report.checked_at)}
    if report.reused:
        parts = "; ".join(
            t.gettext("%(part)s, checked %(moment)s")
            % {
                "part": t.gettext(REUSED_LABELS[r.part]) if r.part in REUSED_LABELS else r.part,
                "moment": t.moment(r.computed_at),
            }
            for r in report.reused
        )
        note += " " + t.gettext(
            "Reused from an earlier check of exactly the same signed data with the same keys: %(parts)s. "
            "Everything else was checked now."
        ) % {"parts": parts}
    return note


def issuer_view(facts: CredentialFacts, report: Report, t: Localizer | None = None) -> IssuerView:
    t = t or localizer("en")
    identity = report.identity
    confirmed = identity is not None and identity.confirmed
    sources = []
    if identity is not None and confirmed:
        for source in identity.listed_in:
            updated = t.date(source.updated)
            source_name = (
                t.gettext(THIS_SERVICE) % {"host": source.host}
                if source.kind is SourceKind.THIS_SERVICE and source.host
                else source.name
            )
            sources.append(
                t.gettext("%(registry)s (updated %(date)s)") % {"registry": source_name, "date": updated}
                if updated
                else source_name
            )
    name = identity.name if identity and confirmed else None
    shown = name or t.gettext("“%(name)s” (not confirmed)") % {"name": facts.issuer_name}
    return IssuerView(
        confirmed=confirmed,
        claimed_name=facts.issuer_name,
        stated_id=facts.issuer_id,
        name=name,
        url=identity.url if identity and confirmed else None,
        location=identity.location if identity and confirmed else None,
        confirmed_by=sources,
        signer=report.signer.id if report.signer else None,
        signed_with=report.signer.method if report.signer else None,
        display_name=shown,
    )


def _explanation(verdict: Verdict, issuer: IssuerView, report: Report, facts: CredentialFacts, t: Localizer) -> str:
    unconfirmed = (
        ""
        if issuer.confirmed
        else " "
        + t.gettext("Nothing confirms who signed it: the credential's own issuer name, “%(name)s”, is only a claim.")
        % {"name": issuer.claimed_name}
    )
    named = issuer.confirmed and issuer.name
    if verdict is Verdict.VERIFIED:
        return t.gettext(
            "Issued by %(issuer)s, as %(sources)s confirms. It has not been altered since it was signed, and it is "
            "not revoked, suspended or expired."
        ) % {"issuer": issuer.name, "sources": "; ".join(issuer.confirmed_by)}
    if verdict is Verdict.ISSUER_NOT_CONFIRMED:
        return t.gettext(
            "The credential has not been altered since it was signed, but nothing confirms who signed it: the signer "
            "is not a college of this service and is not in any trust registry this service uses. The credential "
            "says it was issued by “%(name)s”; that is the signer's own claim. Check with the issuer before relying "
            "on it."
        ) % {"name": issuer.claimed_name}
    if verdict is Verdict.REVOKED:
        sentence = (
            t.gettext("%(issuer)s has revoked this credential. It is no longer valid.") % {"issuer": issuer.name}
            if named
            else t.gettext("Its signer has revoked this credential. It is no longer valid.")
        )
        return sentence + unconfirmed
    if verdict is Verdict.SUSPENDED:
        sentence = (
            t.gettext("%(issuer)s has suspended this credential. Do not rely on it until the suspension is lifted.")
            % {"issuer": issuer.name}
            if named
            else t.gettext(
                "Its signer has suspended this credential. Do not rely on it until the suspension is lifted."
            )
        )
        return sentence + unconfirmed
    if verdict is Verdict.EXPIRED:
        until = t.date(facts.valid_until)
        sentence = (
            t.gettext("This credential is genuine but expired on %(date)s.") % {"date": until}
            if until
            else t.gettext("This credential is genuine but expired.")
        )
        return sentence + unconfirmed
    if verdict is Verdict.NOT_YET_VALID:
        start = t.date(facts.valid_from)
        sentence = (
            t.gettext("This credential is genuine but not valid before %(date)s.") % {"date": start}
            if start
            else t.gettext("This credential is genuine but not valid yet.")
        )
        return sentence + unconfirmed
    if verdict is Verdict.NOT_VALID:
        return t.gettext(
            "This credential failed verification: it was altered after signing, its signature does not match, or it "
            "is not a well-formed credential. Do not rely on it."
        )
    only_status = all(c.outcome is not Outcome.COULD_NOT_CHECK or c.name == STATUS for c in report.checks if c.required)
    if only_status:
        return t.gettext(
            "The signature is valid, but whether the issuer has revoked the credential could not be found out (see "
            "below). Do not treat it as verified yet."
        )
    return t.gettext(
        "Its signature could not be checked (see below), so nothing is known about this credential yet: neither that "
        "it is genuine nor that it is forged, nor its status or who issued it."
    )


def _summary(name: str, outcome: str, code: str | None, t: Localizer) -> str:
    found = SUMMARIES.get((name, outcome, code or "")) or SUMMARIES.get((name, outcome))
    if found:
        return t.gettext(found)
    return t.gettext(NOT_APPLICABLE) if outcome == "not_applicable" else t.gettext(outcome_label(outcome))


def _credits(facts: CredentialFacts, t: Localizer) -> str | None:
    points = facts.credit_points
    if points is None:
        return None
    # Plural forms need a whole number; 2.5 credits take the form of 3 ("many"), as the CLDR rules for fractions do.
    count = int(points) if points == int(points) else int(points) + 1
    if facts.ects:
        return t.ngettext("%(count)s ECTS credit", "%(count)s ECTS credits", count) % {"count": t.number(points)}
    return t.ngettext("%(count)s credit", "%(count)s credits", count) % {"count": t.number(points)}


def _national_level(facts: CredentialFacts, t: Localizer) -> str | None:
    if not facts.nqf_level:
        return None
    country = _country_name(facts.issuer_country, t)
    if country:
        return t.gettext("%(level)s (national qualifications framework, %(country)s)") % {
            "level": facts.nqf_level,
            "country": country,
        }
    return t.gettext("%(level)s (national qualifications framework)") % {"level": facts.nqf_level}


def _country_name(code: str | None, t: Localizer) -> str | None:
    """A country's name in the reader's language from an alpha-2 or alpha-3 code (EU authority table)."""
    if not code:
        return None
    if len(code) == 2:
        return t.country(code)
    concept = vocabulary("country").find(code)
    alpha2 = (
        next((c for c in vocabulary("country").alt_codes.get(concept.uri, ()) if len(c) == 2), None)
        if concept
        else None
    )
    return t.country(alpha2) if alpha2 else None


def _concept_words(value: str | None, t: Localizer) -> str | None:
    """A vocabulary concept (URI, or the English label an EDC carries) in the reader's words."""
    if not value:
        return None
    msgid = label_of(value)
    if msgid is None:
        for name in ("assessment", "supervision-verification"):
            concept = vocabulary(name).find(value)
            if concept is not None:
                msgid = label_of(concept.uri)
                break
    return t.gettext(msgid) if msgid else value


def _achievement_type(value: Any, t: Localizer) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    msgid = ACHIEVEMENT_TYPES.get(value.removeprefix("ext:"))
    return t.gettext(msgid) if msgid else value


def credential_view(
    document: dict[str, Any],
    report: Report,
    *,
    links: dict[str, str],
    language: str = "en",
    college: CollegeBranding | None = None,
) -> CredentialView:
    """``links``: verify_url, json_url, report_url, qr_svg_url, pdf_url (empty strings for a pasted credential);
    ``college``: the branding of the college this service confirms as the signer (never of a claimed issuer).

    ``document`` is an OB 3.0 / VC credential or a sealed EDC (JAdES JSON, the credential in its payload).
    """
    t = localizer(language)
    facts = facts_of(document, t.language)
    verdict = report.verdict
    issuer = issuer_view(facts, report, t)
    content = facts.content_language
    same_language = content is not None and content.split("-")[0].casefold() == t.language.split("-")[0].casefold()
    return CredentialView(
        verdict=verdict,
        headline=t.gettext(HEADLINES[verdict]),
        explanation=_explanation(verdict, issuer, report, facts, t),
        issuer=issuer,
        learner_name=facts.learner_name or t.gettext("(name not stated)"),
        achievement_name=facts.achievement_name or t.gettext("(unnamed achievement)"),
        achievement_description=facts.achievement_description,
        achievement_type=_achievement_type(facts.achievement_type, t),
        learning_outcomes=facts.learning_outcomes,
        credits=_credits(facts, t),
        level=t.gettext("EQF level %(level)s") % {"level": facts.eqf_level} if facts.eqf_level else facts.level,
        national_level=_national_level(facts, t),
        assessment=_concept_words(facts.assessment_type, t),
        supervision=_concept_words(facts.supervision, t),
        issued_on=t.date(facts.awarded) or t.gettext("unknown"),
        valid_from=t.date(facts.valid_from) or t.gettext("unknown"),
        valid_until=t.date(facts.valid_until),
        checks=[
            CheckView(
                name=c.name,
                label=t.gettext(CHECK_LABELS[c.name]) if c.name in CHECK_LABELS else c.name,
                outcome=c.outcome.value,
                reason=c.reason,
                summary=_summary(c.name, c.outcome.value, c.code, t),
                outcome_label=t.gettext(outcome_label(c.outcome)),
            )
            for c in report.checks
        ],
        notices=[t.gettext(NOTICES[n]) if n in NOTICES else n for n in report.notices],
        checked=checked_note(report, t),
        verify_url=links["verify_url"],
        json_url=links["json_url"],
        report_url=links["report_url"],
        qr_svg_url=links["qr_svg_url"],
        pdf_url=links["pdf_url"],
        language=t.language,
        content_language=None if same_language or content is None else content,
        other_language_url=None if same_language else _other_language(facts, t.language),
        college=college if issuer.confirmed else None,
    )


def _other_language(facts: CredentialFacts, language: str) -> str | None:
    for code, url in facts.translations.items():
        if code.split("-")[0].casefold() == language.split("-")[0].casefold():
            return url
    return None
