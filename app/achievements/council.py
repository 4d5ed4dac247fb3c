"""The Council Recommendation's Annex I check: the mandatory elements a micro-credential must carry to be issued."""

from __future__ import annotations

from app.achievements import vocabularies
from app.credentials.microcredential import Concept, IssuedMicroCredential, LangMap, MicroCredentialSpec
from app.errors import InvalidInput, MissingMandatoryElement

# Annex I mandatory elements of a specification, in Annex I order: input field -> the Recommendation's words.
# The two others, "identification of the learner" and "date of issuing", belong to each issued credential.
ANNEX_I_MANDATORY: dict[str, str] = {
    "title": "title of the micro-credential",
    "issuerCountry": "country(ies)/region(s) of the issuer",
    "awardingBodies": "awarding body(ies)",
    "learningOutcomes": "learning outcomes",
    "ectsCredits": "notional workload (ECTS credits or hours)",
    "eqfLevel": "level of the learning experience leading to the micro-credential (EQF and/or NQF level)",
    "assessmentType": "type of assessment",
    "participationForm": "form of participation in the learning activity",
    "qualityAssurance": "type of quality assurance used to underpin the micro-credential",
}
LEARNER_IDENTIFICATION = "identification of the learner"
QDR_SCHEME = "http://data.europa.eu/snb/qdr/25831c2"  # national qualifications framework levels (Europass QDR)


def missing_mandatory_elements(spec: MicroCredentialSpec) -> list[str]:
    """Input field names (keys of ``ANNEX_I_MANDATORY``) of the elements ``spec`` lacks; empty when complete.

    A coded element counts as missing when its concept is absent or from another scheme than the EU one Annex I
    is expressed in (a spec stored before a rule changed may hold one).
    """
    present = {
        "title": _has_text(spec.title),
        "issuerCountry": _in_scheme(spec.issuer_country, "country"),
        "awardingBodies": bool(spec.awarding_bodies) and all(_has_text(b.name) for b in spec.awarding_bodies),
        "learningOutcomes": bool(spec.learning_outcomes) and all(_has_text(o.title) for o in spec.learning_outcomes),
        "ectsCredits": (spec.ects_credits or 0) > 0 or (spec.workload_hours or 0) > 0,
        "eqfLevel": _in_scheme(spec.eqf_level, "eqf") or _is_nqf_level(spec.nqf_level),
        "assessmentType": _in_scheme(spec.assessment_type, "assessment"),
        "participationForm": _in_scheme(spec.participation_form, "learning-assessment"),
        "qualityAssurance": bool(spec.quality_assurance)
        and all(_in_scheme(qa.type, "accreditation") and _has_text(qa.agent.name) for qa in spec.quality_assurance),
    }
    return [field for field in ANNEX_I_MANDATORY if not present[field]]


def check_annex_i(spec: MicroCredentialSpec) -> None:
    """Raise ``MissingMandatoryElement`` for the first missing Annex I element (naming the others too)."""
    missing = missing_mandatory_elements(spec)
    if missing:
        detail = f"Annex I mandatory element missing: {ANNEX_I_MANDATORY[missing[0]]}"
        if len(missing) > 1:
            detail += "; also missing: " + "; ".join(ANNEX_I_MANDATORY[field] for field in missing[1:])
        raise MissingMandatoryElement(detail, field=missing[0])


def check_issuance(record: IssuedMicroCredential, *, require_all_outcomes: bool = True) -> None:
    """What issuing needs beyond the spec: an identified learner and an assessment that justifies the credential.

    ``require_all_outcomes`` is the spec's ``policy.requireAllOutcomes``: when false, a credential may state a
    subset of the outcomes (it never states more than the assessment says was achieved).
    """
    check_annex_i(record.spec)
    if not record.learner.given_name.strip() and not record.learner.family_name.strip():
        raise MissingMandatoryElement(f"Annex I mandatory element missing: {LEARNER_IDENTIFICATION}", field="learner")
    known = [outcome.id for outcome in record.spec.learning_outcomes]
    unknown = [o for o in record.assessment.achieved_outcomes if o not in known]
    if unknown:
        raise InvalidInput(
            f"achieved outcomes {unknown} are not learning outcomes of the specification ({known})",
            field="assessment.achievedOutcomes",
        )
    if not record.achieved_outcomes:
        raise InvalidInput("the assessment records no achieved learning outcome", field="assessment.achievedOutcomes")
    not_achieved = [o for o in known if o not in record.assessment.achieved_outcomes]
    if require_all_outcomes and not_achieved:
        raise InvalidInput(
            f"the specification requires every learning outcome (requireAllOutcomes); not achieved: {not_achieved}",
            field="assessment.achievedOutcomes",
        )


def _has_text(text: LangMap | None) -> bool:
    return text is not None and any(value.strip() for value in text.values())


def _is_nqf_level(concept: Concept | None) -> bool:
    return concept is not None and concept.scheme == QDR_SCHEME


def _in_scheme(concept: Concept | None, vocabulary: str) -> bool:
    return concept is not None and concept.scheme == vocabularies.vocabulary(vocabulary).scheme
