"""The POST /api/v1/microcredentials body: Annex I elements required and named, codes resolved, language maps."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from pydantic import ValidationError

from app.achievements.council import ANNEX_I_MANDATORY
from app.achievements.microcredential_input import MicroCredentialSpecInput
from app.credentials.microcredential import Concept
from tests.microcredential_samples import png_data_uri

SNB = "http://data.europa.eu/snb"
AUTHORITY = "http://publications.europa.eu/resource/authority"
URI = "https://vetcred.test/microcredentials/spec-1"


def full_body() -> dict[str, Any]:
    """Every Annex I element and every optional one: the example of the API docs."""
    return {
        "primaryLanguage": "en",
        "title": {"en": "Heat Pump Installation", "nl": "Installatie van warmtepompen"},
        "description": {"en": "Installs and commissions domestic air-to-water heat pumps."},
        "issuerCountry": "NLD",
        "issuerRegion": {"uri": f"{AUTHORITY}/atu/NLD_GR", "label": "Groningen"},
        "awardingBodies": [
            {
                "name": {"en": "Noorderpoort College", "nl": "Noorderpoort"},
                "country": "NL",
                "url": "https://noorderpoort.example",
                "legalIdentifier": "KVK-01234567",
                "vatIdentifier": "NL001234567B01",
                "logo": png_data_uri(),
            }
        ],
        "learningOutcomes": [
            {
                "id": "LO1",
                "title": {"en": "Sizes a heat pump for a dwelling", "nl": "Dimensioneert een warmtepomp"},
                "escoSkills": ["http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"],
                "reusabilityLevel": "occupation-specific",
            },
            {"id": "LO2", "title": "Commissions and tests the installation"},
            {"id": "LO3", "title": "Explains safe handling of refrigerants"},
        ],
        "ectsCredits": 3,
        "workloadHours": 84,
        "eqfLevel": 4,
        "nqfLevel": {"uri": f"{SNB}/qdr/c_c392e7a2", "label": "RQF Level 6"},
        "assessmentType": "practical assessment",
        "participationForm": "blended",
        "qualityAssurance": [
            {
                "type": "820101cba6",
                "agent": {"name": "Inspectorate of Education", "country": "NLD", "url": "https://inspectorate.example"},
                "decision": "Programme accredited 2025-2031",
                "reportUrl": "https://inspectorate.example/reports/noorderpoort",
                "qdrAccreditation": "http://data.europa.eu/snb/data-dev/accreditation/d2455324-332c-4f80-80b8-bd37312341d6",
            }
        ],
        "learningSetting": "non-formal",
        "learningActivityType": "workshop",
        "learningActivity": {
            "description": "Four workshop days on campus",
            "organiser": {"name": "Noorderpoort Installation Academy", "country": "NLD"},
            "mode": "presential",
            "volumeHours": 32,
            "startDate": "2026-09-01",
            "endDate": "2026-10-30",
        },
        "learningOpportunityType": "Programme module",
        "isPartialQualification": False,
        "maximumDuration": "P6M",
        "supervision": f"{SNB}/supervision-verification/70be69aaf9",
        "prerequisites": "A level-3 installation qualification.",
        "gradingScheme": "Pass / fail per learning outcome",
        "stackability": "Stackable towards the Renewable Heating Technician certificate",
        "partOf": ["https://vetcred.test/microcredentials/renewable-heating-technician"],
        "furtherInformation": "Schedule, locations and enrolment.",
        "furtherInformationUrl": "https://noorderpoort.example/heat-pumps",
        "duration": "P10W",
        "pace": "Part-time, one day a week",
        "modeOfDelivery": "Workshops on campus with online theory modules",
        "targetGroup": "Qualified installers moving into renewable heating",
        "occupationalStandards": ["https://noorderpoort.example/standards/heat-pump-installer"],
        "languages": ["en", "NLD"],
        "costs": [{"amount": "450.00", "currency": "EUR"}],
        "iscedF": ["0713"],
        "imageUrl": "https://noorderpoort.example/badges/heat-pump.png",
        "policy": {"requireAllOutcomes": True},
    }


def _errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        MicroCredentialSpecInput.model_validate(body)
    return [dict(e) for e in caught.value.errors()]


def test_a_full_body_becomes_the_typed_spec() -> None:
    spec = MicroCredentialSpecInput.model_validate(full_body()).to_spec("spec-1", URI)
    assert (spec.id, spec.uri, spec.primary_language) == ("spec-1", URI, "en")
    assert spec.title == {"en": "Heat Pump Installation", "nl": "Installatie van warmtepompen"}
    assert spec.issuer_country.uri == f"{AUTHORITY}/country/NLD"
    assert spec.issuer_region is not None and spec.issuer_region.label == {"en": "Groningen"}
    assert spec.awarding_bodies[0].country.uri == f"{AUTHORITY}/country/NLD"
    assert [o.id for o in spec.learning_outcomes] == ["LO1", "LO2", "LO3"]
    assert spec.learning_outcomes[1].title == {"en": "Commissions and tests the installation"}
    assert (spec.ects_credits, spec.workload_hours) == (3, 84)
    assert spec.eqf_level is not None and spec.eqf_level.uri == f"{SNB}/eqf/4"
    assert spec.nqf_level is not None and spec.nqf_level.scheme == f"{SNB}/qdr/25831c2"
    assert spec.assessment_type.uri == f"{SNB}/assessment/6a4db9f11d"
    assert spec.participation_form.uri == f"{SNB}/learning-assessment/e92d221e4d"
    assert spec.quality_assurance[0].type.uri == f"{SNB}/accreditation/820101cba6"
    assert spec.learning_setting is not None and spec.learning_setting.uri == f"{SNB}/learning-setting/e207a81fc7"
    assert spec.learning_activity_type is not None
    assert spec.learning_activity_type.uri == f"{SNB}/learning-activity/efff75e10a"
    assert spec.supervision is not None and spec.supervision.label == {"en": "Supervised with ID Verification"}
    assert [c.uri for c in spec.languages] == [f"{AUTHORITY}/language/ENG", f"{AUTHORITY}/language/NLD"]
    assert spec.costs[0].amount == "450.00" and spec.costs[0].currency.uri == f"{AUTHORITY}/currency/EUR"
    assert [c.uri for c in spec.thematic_areas] == [f"{SNB}/isced-f/0713"]
    assert spec.duration == "P10W" and spec.maximum_duration == "P6M"
    assert spec.learning_opportunity_type == Concept(
        f"{SNB}/learning-opportunity/0f7dac46ca", f"{SNB}/learning-opportunity/25831c2", {"en": "Programme module"}
    )
    assert spec.is_partial_qualification is False
    assert spec.learning_outcomes[0].reusability_level is not None
    assert spec.learning_outcomes[0].reusability_level.uri == f"{SNB}/skill-reuse-level/occupation-specific"
    assert spec.quality_assurance[0].qdr_id and spec.quality_assurance[0].qdr_id.endswith("bd37312341d6")
    assert spec.awarding_bodies[0].vat_identifier == "NL001234567B01"
    assert spec.awarding_bodies[0].logo and spec.awarding_bodies[0].logo.startswith("data:image/png;base64,")
    activity = spec.learning_activity
    assert activity is not None and activity.organiser is not None
    assert activity.organiser.name == {"en": "Noorderpoort Installation Academy"}
    assert activity.mode is not None and activity.mode.uri == f"{SNB}/learning-assessment/9191af2ed9"
    assert (activity.volume_hours, str(activity.start), str(activity.end)) == (32, "2026-09-01", "2026-10-30")
    assert spec.part_of == ("https://vetcred.test/microcredentials/renewable-heating-technician",)


def test_a_micro_credential_is_a_short_learning_programme_unless_said_otherwise() -> None:
    body = full_body()
    del body["learningOpportunityType"]
    spec = MicroCredentialSpecInput.model_validate(body).to_spec("spec-1", URI)
    assert spec.learning_opportunity_type is not None
    assert spec.learning_opportunity_type.uri == f"{SNB}/learning-opportunity/74a4a268e8"


def test_the_stored_definition_validates_again_to_the_same_spec() -> None:
    """A spec is stored as ``model_dump(mode="json")`` and read back: codes were normalised to URIs."""
    data = MicroCredentialSpecInput.model_validate(full_body())
    stored = data.model_dump(mode="json", exclude_none=True)
    assert MicroCredentialSpecInput.model_validate(stored).to_spec("spec-1", URI) == data.to_spec("spec-1", URI)


@pytest.mark.parametrize("field", [f for f in ANNEX_I_MANDATORY if f != "ectsCredits"])
def test_each_mandatory_element_is_required_and_named(field: str) -> None:
    body = full_body()
    del body[field]
    if field == "eqfLevel":  # the level is EQF and/or NQF: missing only when neither is given
        del body["nqfLevel"]
    errors = _errors(body)
    assert [(e["loc"], e["type"]) for e in errors] == [((field,), "missing")]
    assert errors[0]["msg"] == f"Annex I mandatory element missing: {ANNEX_I_MANDATORY[field]}"


def test_the_level_is_eqf_and_or_nqf() -> None:
    eqf_only = full_body()
    del eqf_only["nqfLevel"]
    assert MicroCredentialSpecInput.model_validate(eqf_only).to_spec("s", "urn:s").nqf_level is None
    nqf_only = full_body()
    del nqf_only["eqfLevel"]
    spec = MicroCredentialSpecInput.model_validate(nqf_only).to_spec("s", "urn:s")
    assert spec.eqf_level is None and spec.nqf_level is not None


def test_the_notional_workload_needs_ects_credits_or_hours() -> None:
    body = full_body()
    del body["ectsCredits"], body["workloadHours"]
    errors = _errors(body)
    assert [(e["loc"], e["type"]) for e in errors] == [(("ectsCredits",), "missing")]
    assert errors[0]["msg"] == "Annex I mandatory element missing: notional workload (ECTS credits or hours)"
    for kept in ("ectsCredits", "workloadHours"):
        body = full_body()
        body.pop("workloadHours" if kept == "ectsCredits" else "ectsCredits")
        MicroCredentialSpecInput.model_validate(body)


@pytest.mark.parametrize("field", ["awardingBodies", "learningOutcomes", "qualityAssurance"])
def test_an_empty_list_is_a_missing_element(field: str) -> None:
    body = full_body()
    body[field] = []
    assert [e["loc"] for e in _errors(body)] == [(field,)]


@pytest.mark.parametrize(
    ("field", "code", "uri"),
    [
        ("eqfLevel", 4, f"{SNB}/eqf/4"),
        ("eqfLevel", "4", f"{SNB}/eqf/4"),
        ("issuerCountry", "NLD", f"{AUTHORITY}/country/NLD"),
        ("issuerCountry", "NL", f"{AUTHORITY}/country/NLD"),
        ("assessmentType", "6a4db9f11d", f"{SNB}/assessment/6a4db9f11d"),
        ("participationForm", "blended", f"{SNB}/learning-assessment/e92d221e4d"),
        ("participationForm", "e92d221e4d", f"{SNB}/learning-assessment/e92d221e4d"),
        ("learningSetting", "formal", f"{SNB}/learning-setting/6fd4685715"),
        ("learningActivityType", "internship", f"{SNB}/learning-activity/bf5588ff84"),
        ("supervision", "c598449d64", f"{SNB}/supervision-verification/c598449d64"),
    ],
)
def test_codes_and_uris_both_resolve(field: str, code: str | int, uri: str) -> None:
    for value in (code, uri):
        body = full_body() | {field: value}
        assert getattr(MicroCredentialSpecInput.model_validate(body), field) == uri


@pytest.mark.parametrize(
    ("override", "loc"),
    [
        ({"eqfLevel": 9}, ("eqfLevel",)),
        ({"issuerCountry": "XXX"}, ("issuerCountry",)),
        ({"participationForm": "telepathy"}, ("participationForm",)),
        ({"assessmentType": f"{SNB}/assessment/c_7e7b4a48"}, ("assessmentType",)),
        ({"learningSetting": "informal"}, ("learningSetting",)),
        ({"iscedF": ["9876"]}, ("iscedF", 0)),
        ({"languages": ["xx"]}, ("languages", 0)),
        ({"costs": [{"amount": "1.00", "currency": "XYZ"}]}, ("costs", 0, "currency")),
        ({"qualityAssurance": [{"type": "ISO 9001", "agent": {"name": "x", "country": "NLD"}}]}, None),
        ({"learningOpportunityType": "micro-credential"}, ("learningOpportunityType",)),
        ({"learningActivity": {"mode": "telepathy"}}, ("learningActivity", "mode")),
        (
            {"learningOutcomes": [{"title": "x", "reusabilityLevel": "universal"}]},
            ("learningOutcomes", 0, "reusabilityLevel"),
        ),
    ],
)
def test_a_bad_code_is_refused_naming_the_field(override: dict[str, Any], loc: tuple[Any, ...] | None) -> None:
    errors = _errors(full_body() | override)
    assert [e["loc"] for e in errors] == [loc or ("qualityAssurance", 0, "type")]
    assert "not in" in errors[0]["msg"]


def test_plain_strings_are_primary_language_text_and_maps_keep_every_language() -> None:
    body = full_body() | {"primaryLanguage": "nl", "title": {"en": "Heat pumps", "nl": "Warmtepompen"}}
    body["description"] = "Installeert warmtepompen."  # the other language maps of full_body() have "nl" already
    spec = MicroCredentialSpecInput.model_validate(body).to_spec("spec-1", URI)
    assert list(spec.title) == ["nl", "en"]  # the primary language first
    assert spec.description == {"nl": "Installeert warmtepompen."}


def test_a_language_map_needs_the_primary_language() -> None:
    errors = _errors(full_body() | {"title": {"nl": "Installatie van warmtepompen"}})
    assert [e["loc"] for e in errors] == [("title",)]
    assert "primary language 'en'" in errors[0]["msg"]


def test_a_language_map_key_must_be_a_language_tag() -> None:
    errors = _errors(full_body() | {"title": {"en": "Heat pumps", "english": "Heat pumps"}})
    assert errors and all(e["loc"][0] == "title" for e in errors)


def test_learning_outcome_ids_default_and_must_be_unique() -> None:
    body = full_body()
    for outcome in body["learningOutcomes"]:
        del outcome["id"]
    spec = MicroCredentialSpecInput.model_validate(body).to_spec("spec-1", URI)
    assert [o.id for o in spec.learning_outcomes] == ["LO1", "LO2", "LO3"]
    body["learningOutcomes"][2]["id"] = "LO1"
    assert [e["loc"] for e in _errors(body)] == [("learningOutcomes", 2, "id")]


@pytest.mark.parametrize(
    ("override", "loc"),
    [
        ({"duration": "10 weeks"}, ("duration",)),
        ({"duration": "PT"}, ("duration",)),
        ({"issuerRegion": {"uri": f"{AUTHORITY}/country/NLD", "label": "x"}}, ("issuerRegion",)),
        ({"nqfLevel": {"uri": f"{SNB}/eqf/4", "label": "x"}}, ("nqfLevel",)),
        ({"ectsCredits": 0}, ("ectsCredits",)),
        ({"costs": [{"amount": "12.345", "currency": "EUR"}]}, ("costs", 0, "amount")),
        ({"primaryLanguage": "English"}, ("primaryLanguage",)),
        ({"unknownElement": 1}, ("unknownElement",)),
        ({"maximumDuration": "six months"}, ("maximumDuration",)),
        ({"learningActivity": {"startDate": "2026-09-01", "endDate": "2026-08-31"}}, ("learningActivity", "endDate")),
        ({"learningActivity": {"volumeHours": 0}}, ("learningActivity", "volumeHours")),
        ({"isPartialQualification": "sometimes"}, ("isPartialQualification",)),
        (
            {
                "qualityAssurance": [
                    {
                        "type": "820101cba6",
                        "agent": {"name": "x", "country": "NL"},
                        "qdrAccreditation": "https://qdr.example/1",
                    }
                ]
            },
            ("qualityAssurance", 0, "qdrAccreditation"),
        ),
    ],
)
def test_other_invalid_values_are_refused_naming_the_field(override: dict[str, Any], loc: tuple[Any, ...]) -> None:
    assert [e["loc"] for e in _errors(full_body() | override)] == [loc]


def test_the_policy_requires_every_outcome_by_default() -> None:
    body = full_body()
    del body["policy"]
    assert MicroCredentialSpecInput.model_validate(body).policy.requireAllOutcomes is True


@pytest.mark.parametrize(
    ("logo", "reason"),
    [
        ("https://noorderpoort.example/logo.png", "data URI"),
        ("data:image/svg+xml;base64,PHN2Zz4=", "data URI"),
        ("data:image/png;base64,not*base64", "data URI"),
        ("data:image/png;base64,QUJD", "not a PNG"),
        (png_data_uri((400, 400)).replace("image/png", "image/jpeg"), "not a JPEG"),
    ],
)
def test_a_logo_is_an_embedded_png_or_jpeg(logo: str, reason: str) -> None:
    body = full_body()
    body["awardingBodies"][0]["logo"] = logo
    [error] = _errors(body)
    assert error["loc"] == ("awardingBodies", 0, "logo") and reason in error["msg"]


def test_a_logo_is_at_most_100_kb() -> None:
    body = full_body()
    noise = base64.b64encode(b"\x89PNG\r\n\x1a\n" + os.urandom(100_001)).decode()
    body["awardingBodies"][0]["logo"] = f"data:image/png;base64,{noise}"
    [error] = _errors(body)
    assert error["loc"] == ("awardingBodies", 0, "logo") and "at most 100000" in error["msg"]


def test_a_missing_workload_and_level_are_named_beside_other_fields_errors() -> None:
    """One answer lists everything missing: the elements given by either of two fields too, not only once the
    other fields are valid."""
    body = full_body() | {"title": {"en": ""}}
    for name in ("ectsCredits", "workloadHours", "eqfLevel", "nqfLevel"):
        body.pop(name, None)
    with pytest.raises(ValidationError) as raised:
        MicroCredentialSpecInput.model_validate(body)
    found = {".".join(map(str, e["loc"])): e["msg"] for e in raised.value.errors()}
    assert found["ectsCredits"] == f"Annex I mandatory element missing: {ANNEX_I_MANDATORY['ectsCredits']}"
    assert found["eqfLevel"] == f"Annex I mandatory element missing: {ANNEX_I_MANDATORY['eqfLevel']}"
    assert any(loc.startswith("title") for loc in found)


def test_an_esco_skill_that_is_not_one_is_refused_in_words() -> None:
    body = full_body()
    body["learningOutcomes"][0]["escoSkills"] = ["http://data.europa.eu/esco/skill/NOT-A-UUID"]
    with pytest.raises(ValidationError) as raised:
        MicroCredentialSpecInput.model_validate(body)
    error = raised.value.errors()[0]
    assert error["loc"] == ("learningOutcomes", 0, "escoSkills", 0)
    assert "must be an ESCO skill URI: http://data.europa.eu/esco/skill/<uuid> (lower case)" in error["msg"]
