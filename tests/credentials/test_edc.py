"""EDC builder and offline SHACL validation: the EU files behave as NOTES §1.5 says; every EDC we build conforms."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.config import SCHEMAS_DIR
from app.credentials.edc import achievement_id, build_edc, name_based_uuid
from app.credentials.edc_display import render_display_images
from app.credentials.edc_profiles import ACCREDITATION, GENERIC, MANDATED, SHAPE_FILES
from app.credentials.edc_shacl import validate_edc
from app.credentials.microcredential import Concept, IssuedMicroCredential, Sealer
from app.errors import Conflict, InvalidInput
from tests.microcredential_samples import NLD, SNB, sample_record

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "edc"
PART_IDS = ("urn:uuid:0c9e4d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6", "urn:uuid:7d8e9f00-1122-4334-8556-778899aabbcc")
ESP = Concept("http://publications.europa.eu/resource/authority/country/ESP", NLD.scheme, {"en": "Spain"})
QDR_ID = "http://data.europa.eu/snb/data-dev/accreditation/d2455324-332c-4f80-80b8-bd37312341d6"
MANDATE = "By applying its electronic seal, the signing organisation certifies the correctness of origin of each claim."
OWN_SEAL = Sealer("Noorderpoort College", "NTRNL-01234567", NLD, self_issued=False)
TEST_SEAL = Sealer("Noorderpoort College", "NL:VETCRED-TEST-ONLY-0b1d", NLD, self_issued=True)
SEALING_SERVICE = Sealer("Sello Seguro SA", "VATES-A00000000", ESP, self_issued=False, mandate=MANDATE)


def _official(name: str) -> dict[str, Any]:
    """A file from tests/vectors/edc; a sealed one is JAdES JSON whose ``payload`` string is the credential."""
    document: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return json.loads(document["payload"]) if "payload" in document else document


def _at(document: Any, path: str) -> Any:
    """The value at a JSON path written as in docs/annex-i-edc-mapping.md: ``a.b[0].c``."""
    for key, index in re.findall(r"\.?([^.\[\]]+)|\[(\d+)\]", path):
        document = document[int(index)] if index else document[key]
    return document


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def _listed(record: IssuedMicroCredential) -> IssuedMicroCredential:
    """``record`` whose quality assurance is listed in the Europass register (QDR)."""
    listed = dataclasses.replace(record.spec.quality_assurance[0], qdr_id=QDR_ID)
    return dataclasses.replace(record, spec=dataclasses.replace(record.spec, quality_assurance=(listed,)))


def _variant(name: str) -> IssuedMicroCredential:
    record = sample_record()
    if name == "sample":  # every Annex I element, two display languages (en, nl)
        return record
    if name == "sealed by the college's own seal":
        return dataclasses.replace(record, sealer=OWN_SEAL)
    if name == "sealed by a mandated third party":
        return dataclasses.replace(record, sealer=SEALING_SERVICE)
    if name == "accredited in the QDR":
        return _listed(dataclasses.replace(record, sealer=OWN_SEAL))
    if name == "accredited in the QDR, sealed by mandate":
        return _listed(dataclasses.replace(record, sealer=SEALING_SERVICE))
    if name == "no EQF, one language, no grade":
        record = sample_record(eqf_level=None, title={"en": "Heat Pump Installation"})
        return dataclasses.replace(record, assessment=dataclasses.replace(record.assessment, grade=None))
    if name == "only LO1 achieved":
        return sample_record(achieved=("LO1",))
    assert name == "stacked, with every optional element"
    record = sample_record(
        workload_hours=7.5,
        ects_credits=1.5,
        part_of=("https://vetcred.test/microcredentials/renewable-heating-technician",),
        pace={"en": "Part-time, one evening a week"},
        mode_of_delivery={"en": "Workshop days on campus, theory online"},
        target_group={"en": "Working installers"},
        further_information={"en": "Ask the heat-pump team."},
        learning_activity_type=Concept(
            f"{SNB}/learning-activity/bf2e3a7bae", f"{SNB}/learning-activity/25831c2", {"en": "e-learning coursework"}
        ),
        learning_outcomes=(
            dataclasses.replace(sample_record().spec.learning_outcomes[0], related_skills=(f"{SNB}/dcf/u69o196gu6",)),
            *sample_record().spec.learning_outcomes[1:],
        ),
    )
    learner = dataclasses.replace(
        record.learner,
        national_id="NL-123456782",
        national_id_country=NLD,
        identifiers=(("student number", "2026-0417"),),
    )
    return dataclasses.replace(record, learner=learner, parts=PART_IDS, valid_until=record.issued_at.replace(year=2031))


VARIANTS = (
    "sample",
    "no EQF, one language, no grade",
    "only LO1 achieved",
    "stacked, with every optional element",
    "sealed by the college's own seal",
    "sealed by a mandated third party",
    "accredited in the QDR",
    "accredited in the QDR, sealed by mandate",
)


@cache
def _built(name: str) -> dict[str, Any]:
    record = _variant(name)
    return build_edc(record, display_images=render_display_images(record))


def _claim(document: dict[str, Any]) -> dict[str, Any]:
    claim: dict[str, Any] = document["credentialSubject"]["hasClaim"][0]
    return claim


# --- the shipped standard files -------------------------------------------------------------------------------------


def test_shipped_edc_files_match_sources() -> None:
    rows = re.findall(
        r"^\| (edc/\S+) \| http://\S+ \| \S+ \| ([0-9a-f]{64}) \|$",
        (SCHEMAS_DIR / "SOURCES.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert {file for file, _ in rows} == {"edc/edc-ap-context.jsonld"} | {
        f"edc/shapes/{name}" for names in SHAPE_FILES.values() for name in names
    }
    for file, sha256 in rows:
        assert hashlib.sha256((SCHEMAS_DIR / file).read_bytes()).hexdigest() == sha256, file


# --- the official files (NOTES §1.5) --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Sample-MC-Annex1-signed.jsonld", "Sample-CertOfPart-signed.jsonld"])
def test_sealed_eu_samples_conform(name: str) -> None:
    assert validate_edc(_official(name)) == []


@pytest.mark.parametrize("name", ["Sample-MC-Annex1-unsigned.jsonld", "Sample-CertOfPart-unsigned.jsonld"])
def test_unsealed_eu_samples_lack_issued_and_eidas_identifier(name: str) -> None:
    messages = validate_edc(_official(name))
    assert any(" cred:issued: " in message for message in messages)
    assert any(" elm:eidasLegalIdentifier: " in message for message in messages)


def test_mynextid_sample_does_not_conform() -> None:
    messages = validate_edc(_official("mynextid-edc-mc-signed.jsonld"))
    assert any("urn:epass:mediaObject:2 elm:content: More than 1 values" in message for message in messages)
    assert any("does not have class elm:LearningAssessmentSpecification" in message for message in messages)
    assert any("esco/concept-scheme/skills" in message for message in messages)
    # JSON-LD silently drops a key its @context does not define; the validator says so.
    assert "(document) statusPurpose: not defined by the @context (dropped)" in messages


def test_a_credential_status_object_breaks_a_conforming_edc() -> None:
    document = _official("Sample-MC-Annex1-signed.jsonld")
    document["credentialStatus"] = {"id": "https://vetcred.test/status/1#7", "type": "BitstringStatusListEntry"}
    assert any(" cred:credentialStatus: " in message for message in validate_edc(document))


def _declaring(document: dict[str, Any], *profiles: Any) -> dict[str, Any]:
    """``document`` also declaring ``profiles`` (concept and schema), as EDCI's sealer writes a declaration."""
    declared = dict(document)
    declared["credentialProfiles"] = [document["credentialProfiles"]] + [
        {"id": p.concept.uri, "type": "Concept", "inScheme": {"id": p.concept.scheme, "type": "ConceptScheme"}}
        for p in profiles
    ]
    declared["credentialSchema"] = [document["credentialSchema"]] + [
        {"id": p.schema, "type": "ShaclValidator2017"} for p in profiles
    ]
    return declared


def test_a_declared_profile_brings_its_shapes() -> None:
    """The EU micro-credential sample carries a Mandate evidence with a statement: it meets "issued by mandate",
    and fails it without the statement; it does not meet "accredited" (its evidence names no accreditation)."""
    sample = _official("Sample-MC-Annex1-signed.jsonld")
    assert validate_edc(_declaring(sample, MANDATED)) == []
    without_statement = copy.deepcopy(sample)
    del without_statement["evidence"]["evidenceStatement"]
    assert validate_edc(without_statement) == []  # generic-full alone does not ask for it
    assert any(" elm:evidenceStatement: " in m for m in validate_edc(_declaring(without_statement, MANDATED)))
    assert any(" elm:accreditation: " in m for m in validate_edc(_declaring(sample, ACCREDITATION)))


def test_a_declaration_is_checked_for_consistency() -> None:
    sample = _official("Sample-MC-Annex1-signed.jsonld")
    profile_only = _declaring(sample, MANDATED)
    profile_only["credentialSchema"] = sample["credentialSchema"]
    assert validate_edc(profile_only) == [
        "(document) credentialSchema: omits http://data.europa.eu/snb/model/ap/edc-issued-by-mandate, "
        "the schema of a profile in credentialProfiles"
    ]
    unknown = dict(sample, credentialSchema=[sample["credentialSchema"], {"id": "urn:x", "type": "ShaclValidator2017"}])
    assert validate_edc(unknown) == ["(document) credentialSchema: no shapes known for urn:x"]


def test_only_the_vc_1_1_and_edc_ap_contexts_are_served() -> None:
    document = _official("Sample-MC-Annex1-signed.jsonld")
    document["@context"] = ["https://www.w3.org/ns/credentials/v2", "http://data.europa.eu/snb/model/context/edc-ap"]
    [message] = validate_edc(document)
    assert message.startswith("(document): ") and "https://www.w3.org/ns/credentials/v2" in message


# --- what vetcred builds --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VARIANTS)
def test_built_edc_conforms_to_the_shapes_it_declares(name: str) -> None:
    assert validate_edc(_built(name)) == []


@pytest.mark.parametrize(
    ("name", "profiles", "evidence_types"),
    [
        ("sample", [GENERIC], []),
        ("sealed by the college's own seal", [GENERIC], []),
        ("sealed by a mandated third party", [GENERIC, MANDATED], ["c_18016257"]),
        ("accredited in the QDR", [GENERIC, ACCREDITATION], ["c_991b06c6"]),
        # "accredited" asks every evidence for an accreditation, which the Mandate evidence has not
        ("accredited in the QDR, sealed by mandate", [GENERIC, MANDATED], ["c_18016257", "c_991b06c6"]),
    ],
)
def test_profiles_are_declared_only_when_met(name: str, profiles: list[Any], evidence_types: list[str]) -> None:
    edc = _built(name)
    assert [p["id"] for p in edc["credentialProfiles"]] == [profile.concept.uri for profile in profiles]
    assert edc["credentialSchema"] == [{"id": profile.schema, "type": "ShaclValidator2017"} for profile in profiles]
    assert [e["dcType"]["id"].rsplit("/", 1)[1] for e in edc.get("evidence", [])] == evidence_types


def test_a_mandated_sealer_is_the_issuer_and_the_college_the_awarding_body() -> None:
    edc = _built("sealed by a mandated third party")
    assert edc["issuer"]["legalName"] == {"en": "Sello Seguro SA"}
    assert edc["issuer"]["eIDASIdentifier"]["notation"] == "VATES-A00000000"
    assert edc["issuer"]["eIDASIdentifier"]["spatial"]["id"] == ESP.uri
    assert _claim(edc)["awardedBy"]["awardingBody"][0]["legalName"]["en"] == "Noorderpoort College"
    [mandate] = edc["evidence"]
    assert mandate["evidenceStatement"] == MANDATE
    without = copy.deepcopy(edc)
    del without["evidence"]
    assert any(" cred:evidence: " in message for message in validate_edc(without))


def test_a_qdr_accreditation_is_the_evidence_and_the_specifications_accreditation() -> None:
    edc = _built("accredited in the QDR")
    [evidence] = edc["evidence"]
    assert evidence["accreditation"] == _claim(edc)["specifiedBy"]["accreditation"][0]
    assert evidence["accreditation"]["id"] == QDR_ID


@pytest.mark.parametrize(
    ("sealer", "legal_identifier", "expected"),
    [
        (None, "KVK-01234567", "KVK-01234567"),
        (OWN_SEAL, "KVK-01234567", "NTRNL-01234567"),  # the seal certificate's organizationIdentifier first
        (OWN_SEAL, None, "NTRNL-01234567"),
        (TEST_SEAL, "KVK-01234567", "KVK-01234567"),  # a registered identifier beats the test seal's marked one
        (TEST_SEAL, None, "NL:VETCRED-TEST-ONLY-0b1d"),
    ],
)
def test_the_eidas_identifier_comes_from_the_seal_then_the_registration(
    sealer: Sealer | None, legal_identifier: str | None, expected: str
) -> None:
    record = sample_record()
    college = dataclasses.replace(record.issuer, legal_identifier=legal_identifier)
    record = dataclasses.replace(record, sealer=sealer, issuer=college)
    edc = build_edc(record, display_images={"en": b"png", "nl": b"png"})
    assert edc["issuer"]["eIDASIdentifier"]["notation"] == expected
    assert record.issuer_did not in json.dumps(edc)


def test_without_any_legal_identifier_there_is_no_edc() -> None:
    record = sample_record()
    record = dataclasses.replace(record, issuer=dataclasses.replace(record.issuer, legal_identifier=None))
    with pytest.raises(Conflict, match="eIDAS legal identifier"):
        build_edc(record, display_images={"en": b"png", "nl": b"png"})


def test_annex_i_elements_sit_on_the_documented_paths() -> None:
    """One assertion per row of docs/annex-i-edc-mapping.md (the sample record carries every mandatory element)."""
    edc, spec_record = _built("sample"), sample_record().spec
    claim = "credentialSubject.hasClaim[0]"
    spec = f"{claim}.specifiedBy"
    assessment = f"{claim}.provenBy[0]"
    expected = {
        "credentialSubject.fullName.en": "Zoë de Vries",
        "credentialSubject.dateOfBirth": "2001-04-17T00:00:00Z",
        "credentialSubject.contactPoint[0].emailAddress[0].id": "mailto:zoe@learner.example",
        f"{claim}.title.nl": "Installatie van warmtepompen",
        f"{spec}.title.en": "Heat Pump Installation",
        "displayParameter.title.en": "Heat Pump Installation",
        "issuer.location[0].address.countryCode.id": NLD.uri,
        "issuer.eIDASIdentifier.notation": "KVK-01234567",
        f"{claim}.awardedBy.awardingBody[0].legalName.en": "Noorderpoort College",
        "issued": "2026-11-22T10:00:00Z",
        f"{claim}.awardedBy.awardingDate": "2026-11-22T10:00:00Z",
        f"{spec}.learningOutcome[0].title.en": "Sizes a heat pump for a dwelling",
        f"{spec}.learningOutcome[0].relatedESCOSkill[0].inScheme.id": "http://data.europa.eu/esco/concept-scheme/skills",
        f"{spec}.creditPoint[0].framework.id": "http://data.europa.eu/snb/education-credit/6fcec5c5af",
        f"{spec}.creditPoint[0].point": "3",
        f"{spec}.volumeOfLearning": "PT84H",
        f"{spec}.type": "Qualification",
        f"{spec}.eqfLevel.id": f"{SNB}/eqf/4",
        f"{assessment}.specifiedBy.dcType.id": spec_record.assessment_type.uri,
        f"{spec}.mode[0].id": f"{SNB}/learning-assessment/e92d221e4d",
        f"{assessment}.specifiedBy.mode[0].id": f"{SNB}/learning-assessment/e92d221e4d",
        f"{spec}.accreditation[0].dcType.id": spec_record.quality_assurance[0].type.uri,
        f"{spec}.accreditation[0].accreditingAgent.legalName.en": "Inspectorate of Education",
        f"{spec}.accreditation[0].description.en": "Programme accredited 2025-2031",
        # optional elements
        f"{spec}.entryRequirement.noteLiteral.en": "A level-3 installation qualification.",
        f"{assessment}.idVerification.id": spec_record.supervision and spec_record.supervision.uri,
        f"{assessment}.grade.noteLiteral.en": "Pass",
        f"{assessment}.specifiedBy.gradingScheme.title.en": "Pass / fail per learning outcome",
        f"{spec}.additionalNote[0].noteLiteral.en": "Stackable towards the Renewable Heating Technician certificate",
        f"{spec}.homepage[0].contentURL": "https://noorderpoort.example/heat-pumps",
        f"{spec}.learningSetting.id": f"{SNB}/learning-setting/e207a81fc7",
        f"{spec}.thematicArea[0].id": f"{SNB}/isced-f/0713",
        f"{spec}.language[0].id": "http://publications.europa.eu/resource/authority/language/ENG",
        f"{spec}.maximumDuration": "P6M",
        f"{claim}.learningOpportunity.duration": "P70D",
        f"{claim}.learningOpportunity.priceDetail[0].amount[0].value": "450.00",
        f"{claim}.learningOpportunity.priceDetail[0].amount[0].unit.id": (
            "http://publications.europa.eu/resource/authority/currency/EUR"
        ),
        f"{assessment}.supplementaryDocument[0].contentURL": "https://noorderpoort.example/evidence/017",
        f"{assessment}.assessedBy[0].prefLabel.en": "J. Bakker",
        f"{assessment}.dateIssued": "2026-11-02T00:00:00Z",
        # what the Commission's micro-credential sample carries besides
        "identifier[0].schemeName": "Certificate number",
        "identifier[0].notation": "NP-2026-0017",
        "displayParameter.description.en": "Installs and commissions domestic air-to-water heat pumps.",
        "displayParameter.primaryLanguage.notation": "language",
        f"{claim}.influencedBy[0].title.en": "Heat Pump Installation",
        f"{claim}.influencedBy[0].temporal.startDate": "2026-09-01T00:00:00Z",
        f"{claim}.influencedBy[0].temporal.endDate": "2026-10-30T00:00:00Z",
        f"{claim}.influencedBy[0].directedBy[0].legalName.en": "Noorderpoort Installation Academy",
        f"{claim}.influencedBy[0].specifiedBy.mode[0].id": f"{SNB}/learning-assessment/e92d221e4d",
        f"{claim}.influencedBy[0].specifiedBy.volumeOfLearning": "PT84H",
        f"{spec}.dcType[0].id": f"{SNB}/learning-opportunity/74a4a268e8",
        f"{spec}.isPartialQualification": False,
        f"{spec}.learningOutcome[0].reusabilityLevel.id": f"{SNB}/skill-reuse-level/occupation-specific",
        "issuer.registration.notation": "KVK-01234567",
        "issuer.vatIdentifier[0].notation": "NL001234567B01",
        "issuer.vatIdentifier[0].spatial.notation": "country",
        "issuer.logo.contentType.id": "http://publications.europa.eu/resource/authority/file-type/PNG",
        "issuer.logo.contentType.notation": "file-type",
        "issuer.location[0].address.countryCode.notation": "country",
    }
    assert {path: _at(edc, path) for path in expected} == expected
    assert edc["issuer"]["logo"]["content"] == sample_record().issuer.logo.split(",", 1)[1]  # type: ignore[union-attr]
    assert [_at(edc, f"{spec}.learningOutcome[{i}].title.en")[:5] for i in range(3)] == ["Sizes", "Commi", "Expla"]


def test_the_envelope_is_the_samples() -> None:
    edc = _built("sample")
    assert edc["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "http://data.europa.eu/snb/model/context/edc-ap",
    ]
    assert edc["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert edc["id"] == "urn:credential:6f1c2b7e-9a0d-4e3b-8c5f-1d2e3f4a5b6c"
    assert edc["credentialSchema"] == [
        {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full", "type": "ShaclValidator2017"}
    ]
    assert edc["credentialProfiles"][0]["id"] == "http://data.europa.eu/snb/credential/e34929035b"
    assert edc["issuanceDate"] == edc["validFrom"] == edc["issued"]


def test_without_an_eqf_level_the_spec_is_a_learning_achievement_specification() -> None:
    edc = _built("no EQF, one language, no grade")
    spec = _claim(edc)["specifiedBy"]
    assert spec["type"] == "LearningAchievementSpecification"
    assert "eqfLevel" not in spec
    # Without a grade ELM allows no LearningAssessment: the assessment's specification hangs off the spec.
    assert "provenBy" not in _claim(edc)
    assert spec["provenBy"][0]["dcType"]["id"] == sample_record().spec.assessment_type.uri
    assert [display["language"]["id"][-3:] for display in edc["displayParameter"]["individualDisplay"]] == ["ENG"]


def test_only_the_achieved_outcomes_are_stated() -> None:
    outcomes = _claim(_built("only LO1 achieved"))["specifiedBy"]["learningOutcome"]
    assert [outcome["title"]["en"] for outcome in outcomes] == ["Sizes a heat pump for a dwelling"]


def test_two_languages_give_two_displays_with_their_own_images() -> None:
    displays = _built("sample")["displayParameter"]["individualDisplay"]
    assert [display["language"]["id"][-3:] for display in displays] == ["ENG", "NLD"]
    images = [display["displayDetail"][0]["image"] for display in displays]
    assert images[0]["id"] != images[1]["id"] and images[0]["content"] != images[1]["content"]
    assert images[0]["contentType"]["id"] == "http://publications.europa.eu/resource/authority/file-type/PNG"


def test_a_stacked_credential_points_at_its_parts_achievements() -> None:
    edc = _built("stacked, with every optional element")
    claim = _claim(edc)
    assert [part["id"] for part in claim["hasPart"]] == [achievement_id(part) for part in PART_IDS]
    part = dataclasses.replace(sample_record(), credential_id=PART_IDS[0])
    part_edc = build_edc(part, display_images={"en": b"png", "nl": b"png"})
    assert _claim(part_edc)["id"] == claim["hasPart"][0]["id"]
    spec = claim["specifiedBy"]
    assert spec["volumeOfLearning"] == "PT7H30M" and spec["creditPoint"][0]["point"] == "1.5"
    assert spec["isPartOf"][0]["id"] == "https://vetcred.test/microcredentials/renewable-heating-technician"
    assert claim["learningOpportunity"]["scheduleInformation"]["noteLiteral"]["en"].startswith("Part-time")
    assert edc["validUntil"] == "2031-11-22T10:00:00Z"
    assert edc["credentialSubject"]["nationalID"]["spatial"]["id"] == NLD.uri


@pytest.mark.parametrize("name", VARIANTS)
def test_node_invariants(name: str) -> None:
    """No credentialStatus (the shapes reject it); every Concept in its scheme; one id, one node (MyNextID's bug)."""
    edc = _built(name)
    nodes = list(_nodes(edc))
    assert not [node for node in nodes if "credentialStatus" in node]
    assert all("inScheme" in node for node in nodes if node.get("type") == "Concept")
    by_id: dict[str, dict[str, Any]] = {}
    for node in nodes:
        if str(node.get("id", "")).startswith("urn:epass:"):
            assert by_id.setdefault(node["id"], node) == node, f"{node['id']} names two different nodes"
    assert len(by_id) > 20


def test_display_languages_need_an_image_and_an_eu_language() -> None:
    with pytest.raises(InvalidInput, match="no display image for the title language"):
        build_edc(sample_record(), display_images={"en": b"png"})
    with pytest.raises(InvalidInput, match="not an official EU language"):
        build_edc(sample_record(title={"en": "Heat pumps", "no": "Varmepumper"}), display_images={"en": b"", "no": b""})


def test_the_builder_is_deterministic() -> None:
    record = sample_record()
    images = {"en": b"en", "nl": b"nl"}
    assert build_edc(record, display_images=images) == build_edc(record, display_images=images)


def test_display_images_are_small_a4_pngs() -> None:
    images = render_display_images(sample_record())
    assert list(images) == ["en", "nl"]
    for png in images.values():
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.size == (1240, 877)
        assert len(png) < 60_000


@pytest.mark.parametrize("name", ["", "learningAchievement/", "organisation/Noorderpoort", "concept/Zoë ß 学", "x" * 9])
def test_node_ids_are_rfc_4122_name_based_uuids(name: str) -> None:
    namespace = uuid.UUID("6f1c2b7e-9a0d-4e3b-8c5f-1d2e3f4a5b6c")
    assert name_based_uuid(namespace.bytes, name) == str(uuid.uuid5(namespace, name))
