"""The OB 3.0 micro-credential: every Annex I element at its mapped JSON path, valid JSON-LD and official schema."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from app.credentials.microcredential import Concept, IssuedMicroCredential, Organisation
from app.credentials.ob3 import identity_hash
from app.credentials.ob3_microcredential import build_ob3_microcredential, grade_result_id, outcome_result_id
from app.credentials.validate import schema_errors
from app.proofs.canonical import canonize
from app.proofs.loader import default_loader
from tests.microcredential_samples import AUTHORITY, NLD, SNB, sample_record

PRACTICAL = Concept(f"{SNB}/assessment/6a4db9f11d", f"{SNB}/assessment/25831c2", {"en": "practical assessment"})
SALT = "0f1e2d3c4b5a6978"
STATUS = {
    "id": "https://vetcred.test/status/1#17",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "17",
    "statusListCredential": "https://vetcred.test/status/1",
}
DUMMY_PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-11-22T10:00:00Z",
    "verificationMethod": "did:web:vetcred.test:issuers:0b1d#key-1",
    "proofPurpose": "assertionMethod",
    "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKods5D2UDLvC1ZNQJR",
}
SHARED_AWARDER = Organisation(name={"en": "Noorderpoort Training Partners"}, country=NLD)


def full_record(achieved: tuple[str, ...] = ("LO1", "LO2", "LO3")) -> IssuedMicroCredential:
    """The sample record with a real assessment concept and every optional element set."""
    record = sample_record(
        achieved,
        assessment_type=PRACTICAL,
        issuer_region=Concept(f"{AUTHORITY}/atu/NLD_GR", f"{AUTHORITY}/atu", {"en": "Groningen"}),
        nqf_level=Concept(f"{SNB}/qdr/c_c392e7a2", f"{SNB}/qdr/25831c2", {"en": "RQF Level 6"}),
        learning_activity_type=Concept(
            f"{SNB}/learning-activity/efff75e10a", f"{SNB}/learning-activity/25831c2", {"en": "workshop"}
        ),
        part_of=("https://vetcred.test/microcredentials/renewable-heating-technician",),
        pace={"en": "Part-time, one day a week"},
        mode_of_delivery={"en": "Workshops on campus with online theory modules"},
        target_group={"en": "Qualified installers moving into renewable heating"},
        occupational_standards=("http://data.europa.eu/esco/occupation/0b5b6b5d-0000-4000-8000-000000000001",),
        further_information={"en": "Schedule, locations and enrolment."},
        image_url="https://noorderpoort.example/badges/heat-pump.png",
    )
    spec = dataclasses.replace(record.spec, awarding_bodies=(*record.spec.awarding_bodies, SHARED_AWARDER))
    learner = dataclasses.replace(
        record.learner, national_id="NL-123456782", identifiers=(("student number", "2026-0417"),)
    )
    return dataclasses.replace(record, spec=spec, learner=learner)


def build(record: IssuedMicroCredential | None = None, status: Any = STATUS) -> dict[str, Any]:
    return build_ob3_microcredential(record or full_record(), salt=SALT, credential_status=status)


def alignments(credential: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [a for a in credential["credentialSubject"]["achievement"]["alignment"] if a.get("targetType") == kind]


def one(credential: dict[str, Any], kind: str) -> dict[str, Any]:
    [alignment] = alignments(credential, kind)
    return alignment


def test_the_envelope() -> None:
    credential = build()
    assert credential["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == "urn:uuid:6f1c2b7e-9a0d-4e3b-8c5f-1d2e3f4a5b6c"
    assert credential["credentialStatus"] == STATUS
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"


def test_identification_of_the_learner() -> None:
    subject = build()["credentialSubject"]
    assert subject["name"] == "Zoë de Vries"
    assert {i["identityType"]: i["identityHash"] for i in subject["identifier"]} == {
        "emailAddress": identity_hash("zoe@learner.example", SALT),
        "nationalIdentityNumber": identity_hash("NL-123456782", SALT),
        "ext:StudentNumber": identity_hash("2026-0417", SALT),
    }


def test_a_learner_known_by_name_only_is_identified_by_the_hashed_name() -> None:
    record = full_record()
    learner = dataclasses.replace(record.learner, email=None, national_id=None, identifiers=())
    [identifier] = build(dataclasses.replace(record, learner=learner))["credentialSubject"]["identifier"]
    assert (identifier["identityType"], identifier["identityHash"]) == ("name", identity_hash("Zoë de Vries", SALT))


def test_title_description_and_language() -> None:
    credential = build()
    achievement = credential["credentialSubject"]["achievement"]
    assert credential["name"] == achievement["name"] == "Heat Pump Installation"
    assert achievement["id"] == full_record().spec.uri
    assert credential["description"] == achievement["description"]
    assert achievement["inLanguage"] == "en"


def test_country_and_region_of_the_issuer() -> None:
    credential = build()
    assert credential["issuer"]["id"] == "did:web:vetcred.test:issuers:0b1d"
    assert credential["issuer"]["address"] == {
        "type": ["Address"],
        "addressCountry": "Netherlands",
        "addressCountryCode": "NL",
        "addressRegion": "Groningen",
    }
    assert one(credential, "ext:IssuerCountry")["targetUrl"] == f"{AUTHORITY}/country/NLD"
    assert one(credential, "ext:IssuerRegion")["targetUrl"] == f"{AUTHORITY}/atu/NLD_GR"


def test_awarding_bodies() -> None:
    credential = build()
    creator = credential["credentialSubject"]["achievement"]["creator"]
    assert creator["id"] == credential["issuer"]["id"]  # the college awards and issues
    assert creator["name"] == "Noorderpoort College"
    assert creator["address"]["addressCountryCode"] == "NL"
    assert creator["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": "KVK-01234567", "identifierType": "ext:LegalIdentifier"}
    ]
    co_awarder = one(credential, "ext:AwardingBody")
    assert co_awarder["targetName"] == "Noorderpoort Training Partners"
    assert co_awarder["targetUrl"] == f"{full_record().spec.uri}#awarding-body-2"


def test_date_of_issuing() -> None:
    credential = build()
    assert credential["awardedDate"] == credential["validFrom"] == "2026-11-22T10:00:00Z"


def test_learning_outcomes_are_result_descriptions_with_their_skills() -> None:
    spec = full_record().spec
    descriptions = build()["credentialSubject"]["achievement"]["resultDescription"]
    outcomes = [d for d in descriptions if d["resultType"] == "Status"]
    assert [d["id"] for d in outcomes] == [outcome_result_id(spec.uri, o) for o in ("LO1", "LO2", "LO3")]
    assert outcomes[0]["name"] == "Sizes a heat pump for a dwelling"
    assert outcomes[0]["alignment"][0]["targetUrl"] == spec.learning_outcomes[0].esco_skills[0]
    assert outcomes[0]["alignment"][0]["targetType"] == "ceasn:Competency"


def test_only_achieved_outcomes_appear_as_results_criteria_and_skills() -> None:
    spec = full_record().spec
    credential = build(full_record(achieved=("LO2", "LO3")))
    subject = credential["credentialSubject"]
    statuses = [r for r in subject["result"] if "status" in r]
    assert [r["resultDescription"] for r in statuses] == [outcome_result_id(spec.uri, o) for o in ("LO2", "LO3")]
    assert {r["status"] for r in statuses} == {"Completed"}
    narrative = subject["achievement"]["criteria"]["narrative"]
    assert "Commissions and tests the installation" in narrative
    assert "Sizes a heat pump" not in narrative
    assert alignments(credential, "ceasn:Competency") == []  # LO1's skill was not shown
    assert "creditsEarned" not in subject  # not every outcome achieved
    assert build()["credentialSubject"]["creditsEarned"] == 3.0


def test_notional_workload() -> None:
    credential = build()
    assert credential["credentialSubject"]["achievement"]["creditsAvailable"] == 3.0
    assert one(credential, "ext:CreditSystem")["targetUrl"] == f"{SNB}/education-credit/6fcec5c5af"
    hours = one(credential, "ext:NotionalWorkload")
    assert (hours["targetName"], hours["targetCode"]) == ("84 hours", "PT84H")


def test_level() -> None:
    credential = build()
    eqf = one(credential, "ext:EQFLevel")
    assert eqf | {"targetDescription": ""} == {
        "type": ["Alignment"],
        "targetType": "ext:EQFLevel",
        "targetName": "Level 4",
        "targetUrl": f"{SNB}/eqf/4",
        "targetCode": "4",
        "targetFramework": "European Qualifications Framework",
        "targetDescription": "",
    }
    assert one(credential, "ext:NQFLevel")["targetUrl"] == f"{SNB}/qdr/c_c392e7a2"


@pytest.mark.parametrize(
    ("kind", "uri"),
    [
        ("ext:AssessmentType", f"{SNB}/assessment/6a4db9f11d"),
        ("ext:ParticipationForm", f"{SNB}/learning-assessment/e92d221e4d"),
        ("ext:QualityAssurance", f"{SNB}/accreditation/820101cba6"),
        ("ext:SupervisionAndIdVerification", f"{SNB}/supervision-verification/70be69aaf9"),
        ("ext:LearningSetting", f"{SNB}/learning-setting/e207a81fc7"),
        ("ext:LearningActivityType", f"{SNB}/learning-activity/efff75e10a"),
        ("ext:ISCEDF", f"{SNB}/isced-f/0713"),
        ("ext:LanguageOfInstruction", f"{AUTHORITY}/language/ENG"),
        ("ext:Cost", f"{AUTHORITY}/currency/EUR"),
    ],
)
def test_coded_elements_align_to_their_eu_concept(kind: str, uri: str) -> None:
    alignment = one(build(), kind)
    assert alignment["targetUrl"] == uri
    assert alignment["targetFramework"]
    assert alignment["targetCode"] == uri.rsplit("/", 1)[-1]


def test_type_of_assessment_and_grade() -> None:
    credential = build()
    spec_uri = full_record().spec.uri
    assert credential["evidence"][0]["genre"] == "practical assessment"
    assert credential["evidence"][0]["id"] == "https://noorderpoort.example/evidence/017"
    assert "2026-11-02" in credential["evidence"][0]["narrative"]
    grade = [r for r in credential["credentialSubject"]["result"] if "value" in r]
    assert grade == [{"type": ["Result"], "resultDescription": grade_result_id(spec_uri), "value": "Pass"}]


def test_quality_assurance_names_the_body_and_decision() -> None:
    qa = one(build(), "ext:QualityAssurance")
    assert "Inspectorate of Education" in qa["targetDescription"]
    assert "Programme accredited 2025-2031" in qa["targetDescription"]


def test_thematic_area() -> None:
    assert build()["credentialSubject"]["achievement"]["fieldOfStudy"] == "Electricity and energy"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("ext:Prerequisites", "A level-3 installation qualification."),
        ("ext:GradingScheme", "Pass / fail per learning outcome"),
        ("ext:Stackability", "Stackable towards the Renewable Heating Technician certificate"),
        ("ext:Pace", "Part-time, one day a week"),
        ("ext:ModeOfDelivery", "Workshops on campus with online theory modules"),
        ("ext:TargetGroup", "Qualified installers moving into renewable heating"),
        ("ext:FurtherInformation", "Schedule, locations and enrolment."),
    ],
)
def test_text_elements_carry_their_text(kind: str, text: str) -> None:
    assert one(build(), kind)["targetDescription"] == text


def test_stacking_duration_standards_and_image() -> None:
    credential = build()
    assert one(credential, "ceterms:Credential")["targetUrl"].endswith("/renewable-heating-technician")
    assert one(credential, "ext:Duration")["targetCode"] == "P10W"
    assert one(credential, "ext:OccupationalStandard")["targetFramework"].endswith("(ESCO)")
    assert one(credential, "ext:FurtherInformation")["targetUrl"] == "https://noorderpoort.example/heat-pumps"
    image = credential["credentialSubject"]["achievement"]["image"]
    assert image == {"id": "https://noorderpoort.example/badges/heat-pump.png", "type": "Image"}


def test_parts_of_a_stacked_credential_are_evidence() -> None:
    record = dataclasses.replace(full_record(), parts=("urn:uuid:0b2f0b8e-1111-4a43-9d6b-2f3f1c1f9a01",))
    assert build(record)["evidence"][1]["id"] == "urn:uuid:0b2f0b8e-1111-4a43-9d6b-2f3f1c1f9a01"


def test_the_builder_is_pure() -> None:
    assert build() == build()


def minimal_record() -> IssuedMicroCredential:
    """Only the Annex I mandatory elements; an assessment without grade or evidence URL."""
    record = sample_record(
        assessment_type=PRACTICAL,
        description=None,
        learning_setting=None,
        supervision=None,
        prerequisites=None,
        grading_scheme=None,
        stackability=None,
        further_information_url=None,
        duration=None,
        languages=(),
        costs=(),
        thematic_areas=(),
        ects_credits=None,
    )
    assessment = dataclasses.replace(record.assessment, grade=None, evidence_url=None, assessor=None)
    return dataclasses.replace(record, assessment=assessment)


@pytest.mark.parametrize("record", [full_record, minimal_record], ids=["full", "minimal"])
def test_canonicalizes_in_safe_mode(record: Any) -> None:
    canonize(build(record()), default_loader())


@pytest.mark.parametrize("record", [full_record, minimal_record], ids=["full", "minimal"])
def test_passes_the_official_schema(record: Any) -> None:
    credential = copy.deepcopy(build(record()))
    credential["proof"] = [DUMMY_PROOF]
    assert schema_errors(credential) == []


def test_without_status_there_is_no_credential_status() -> None:
    assert "credentialStatus" not in build(status=None)
