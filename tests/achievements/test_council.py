"""The Annex I check issuance calls: each mandatory element found missing, named in the Recommendation's words."""

from __future__ import annotations

import dataclasses

import pytest

from app.achievements.council import (
    ANNEX_I_MANDATORY,
    check_annex_i,
    check_issuance,
    missing_mandatory_elements,
)
from app.credentials.microcredential import Concept, LearningOutcome, MicroCredentialSpec, Organisation
from app.errors import InvalidInput, MissingMandatoryElement
from tests.microcredential_samples import SNB, sample_record, sample_spec

PRACTICAL = Concept(f"{SNB}/assessment/6a4db9f11d", f"{SNB}/assessment/25831c2", {"en": "practical assessment"})


def complete_spec(**over: object) -> MicroCredentialSpec:
    return sample_spec(**({"assessment_type": PRACTICAL} | over))


# Each Annex I element of a spec, and a way of leaving it out of a stored spec.
MISSING: dict[str, dict[str, object]] = {
    "title": {"title": {"en": "  "}},
    "issuerCountry": {"issuer_country": Concept("http://example.org/country/NL", "http://example.org/country", {})},
    "awardingBodies": {"awarding_bodies": ()},
    "learningOutcomes": {"learning_outcomes": ()},
    "ectsCredits": {"ects_credits": None, "workload_hours": None},
    "eqfLevel": {"eqf_level": None, "nqf_level": None},
    "assessmentType": {"assessment_type": Concept("urn:x:exam", "urn:x:scheme", {"en": "exam"})},
    "participationForm": {"participation_form": PRACTICAL},  # a concept of another scheme
    "qualityAssurance": {"quality_assurance": ()},
}


def test_a_complete_spec_has_nothing_missing() -> None:
    assert missing_mandatory_elements(complete_spec()) == []
    check_annex_i(complete_spec())


def test_every_mandatory_element_is_checked() -> None:
    assert set(MISSING) == set(ANNEX_I_MANDATORY)


@pytest.mark.parametrize("field", list(MISSING))
def test_a_missing_element_is_named(field: str) -> None:
    spec = complete_spec(**MISSING[field])
    assert missing_mandatory_elements(spec) == [field]
    with pytest.raises(MissingMandatoryElement) as caught:
        check_annex_i(spec)
    assert caught.value.field == field
    assert caught.value.detail == f"Annex I mandatory element missing: {ANNEX_I_MANDATORY[field]}"
    assert caught.value.code == "missing_mandatory_element"
    assert isinstance(caught.value, InvalidInput)


def test_the_workload_message_is_the_recommendations_wording() -> None:
    with pytest.raises(MissingMandatoryElement, match=r"notional workload \(ECTS credits or hours\)"):
        check_annex_i(complete_spec(ects_credits=None, workload_hours=0.0))


def test_several_missing_elements_are_all_named() -> None:
    spec = complete_spec(ects_credits=None, workload_hours=None, quality_assurance=())
    assert missing_mandatory_elements(spec) == ["ectsCredits", "qualityAssurance"]
    with pytest.raises(MissingMandatoryElement) as caught:
        check_annex_i(spec)
    assert caught.value.field == "ectsCredits"
    assert "also missing: type of quality assurance" in caught.value.detail


def test_hours_alone_or_an_nqf_level_alone_are_enough() -> None:
    nqf = Concept(f"{SNB}/qdr/c_c392e7a2", f"{SNB}/qdr/25831c2", {"en": "RQF Level 6"})
    assert missing_mandatory_elements(complete_spec(ects_credits=None, workload_hours=84.0)) == []
    assert missing_mandatory_elements(complete_spec(eqf_level=None, nqf_level=nqf)) == []


def test_an_awarding_body_or_outcome_without_a_name_counts_as_missing() -> None:
    nameless = Organisation(name={"en": ""}, country=complete_spec().issuer_country)
    assert missing_mandatory_elements(complete_spec(awarding_bodies=(nameless,))) == ["awardingBodies"]
    blank = LearningOutcome("LO1", {"en": " "})
    assert missing_mandatory_elements(complete_spec(learning_outcomes=(blank,))) == ["learningOutcomes"]


def test_issuance_needs_an_identified_learner_and_achieved_outcomes() -> None:
    record = sample_record(assessment_type=PRACTICAL)
    check_issuance(record)
    anonymous = dataclasses.replace(record, learner=dataclasses.replace(record.learner, given_name="", family_name=""))
    with pytest.raises(MissingMandatoryElement, match="identification of the learner"):
        check_issuance(anonymous)


def test_issuance_refuses_unknown_or_no_achieved_outcomes() -> None:
    record = sample_record(assessment_type=PRACTICAL)
    for achieved, message in [(("LO1", "LO9"), "LO9"), ((), "no achieved learning outcome")]:
        assessment = dataclasses.replace(record.assessment, achieved_outcomes=achieved)
        with pytest.raises(InvalidInput, match=message) as caught:
            check_issuance(dataclasses.replace(record, assessment=assessment))
        assert caught.value.field == "assessment.achievedOutcomes"


def test_the_policy_decides_whether_every_outcome_must_be_achieved() -> None:
    partial = sample_record(achieved=("LO1", "LO2"), assessment_type=PRACTICAL)
    with pytest.raises(InvalidInput, match=r"not achieved: \['LO3'\]"):
        check_issuance(partial)
    check_issuance(partial, require_all_outcomes=False)


def test_issuance_checks_the_spec_too() -> None:
    with pytest.raises(MissingMandatoryElement):
        check_issuance(sample_record(assessment_type=PRACTICAL, quality_assurance=()))
