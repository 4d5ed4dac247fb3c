"""Micro-credentials end to end: Annex I specifications, assessments, both formats, idempotency, catalogue."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.credentials.edc_shacl import validate_edc
from app.credentials.validate import schema_errors
from tests.factories import assessment_row, make_issuer, make_microcredential, microcredential_payload
from tests.microcredential_samples import png_data_uri

MANDATORY = [
    "title",
    "issuerCountry",
    "awardingBodies",
    "learningOutcomes",
    "eqfLevel",
    "assessmentType",
    "participationForm",
    "qualityAssurance",
]


@pytest.fixture
def college(client: TestClient) -> tuple[dict[str, Any], dict[str, str]]:
    return make_issuer(client)


@pytest.mark.parametrize("element", MANDATORY)
def test_a_specification_without_a_mandatory_annex_i_element_is_refused(client: TestClient, college, element) -> None:
    _, headers = college
    payload = microcredential_payload()
    del payload[element]
    response = client.post("/api/v1/microcredentials", json=payload, headers=headers)
    assert response.status_code == 422
    assert element in [e["field"] for e in response.json()["errors"]]


def test_workload_needs_ects_or_hours(client: TestClient, college) -> None:
    _, headers = college
    payload = microcredential_payload()
    del payload["ectsCredits"], payload["workloadHours"]
    response = client.post("/api/v1/microcredentials", json=payload, headers=headers)
    assert response.status_code == 422 and "workload" in response.text.lower()


def test_a_bad_code_is_refused_naming_the_field(client: TestClient, college) -> None:
    _, headers = college
    response = client.post("/api/v1/microcredentials", json=microcredential_payload(eqfLevel=9), headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "eqfLevel"


def _assess(client: TestClient, headers: dict[str, str], spec_id: str, **over: Any) -> Any:
    return client.post(f"/api/v1/microcredentials/{spec_id}/assessments", json=assessment_row(**over), headers=headers)


def _verify(client: TestClient, document: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=document)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_assessment_issues_both_formats_that_verify(client: TestClient, college) -> None:
    issuer, headers = college
    spec = make_microcredential(client, headers)
    response = _assess(client, headers, spec["id"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["outcome"] == "issued" and body["new"] is True
    assert [c["format"] for c in body["credentials"]] == ["ob3", "edc"]
    assert body["sealNotice"] and "not a qualified e-seal" in body["sealNotice"]
    # No SMTP in tests: the learner's claim link comes back to the college to hand over.
    assert body["claimUrl"].startswith("https://vetcred.test/claim/")
    assert client.get(body["claimUrl"].removeprefix("https://vetcred.test")).status_code == 200

    ob3 = client.get(f"/api/v1/credentials/{body['credentials'][0]['id']}", headers=headers).json()["credential"]
    assert schema_errors(ob3) == []
    # The Dutch title travels too: OB 3.0 carries one language, and each other one as a Related achievement.
    [dutch] = ob3["credentialSubject"]["achievement"]["related"]
    assert dutch == {"id": spec["uri"] + "?lang=nl", "type": ["Related"], "inLanguage": "nl"}
    dutch_page = client.get(dutch["id"].removeprefix("https://vetcred.test"))
    assert "Installatie van warmtepompen" in dutch_page.text and '<html lang="nl">' in dutch_page.text
    assert ob3["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    report = _verify(client, ob3)
    assert report["verdict"] == "verified", report

    edc_row = client.get(f"/api/v1/credentials/{body['credentials'][1]['id']}", headers=headers).json()
    sealed, edc = edc_row["sealed"], edc_row["credential"]
    assert json.loads(sealed["payload"]) == edc
    assert "credentialStatus" not in edc
    assert validate_edc(edc) == []
    report = _verify(client, sealed)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["verdict"] == "verified", report
    assert checks["seal"]["outcome"] == "passed" and checks["edc_format"]["outcome"] == "passed"
    assert checks["issuer"]["outcome"] == "passed"  # the test seal is this college's own
    assert ["self-issued test certificate" in notice for notice in report["notices"]] == [True]
    assert issuer["profile"]["name"] in sealed["payload"]


def test_the_same_assessment_twice_issues_nothing_twice(client: TestClient, college) -> None:
    _, headers = college
    spec = make_microcredential(client, headers)
    first = _assess(client, headers, spec["id"])
    again = _assess(client, headers, spec["id"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["new"] is False
    assert [c["id"] for c in again.json()["credentials"]] == [c["id"] for c in first.json()["credentials"]]
    assert client.get("/api/v1/credentials", headers=headers).json()["total"] == 2


def test_only_achieved_outcomes_are_stated_and_policy_decides(client: TestClient, college) -> None:
    _, headers = college
    strict = make_microcredential(client, headers)
    partial = _assess(client, headers, strict["id"], achievedOutcomes=["LO1"])
    assert partial.json()["outcome"] == "not_awarded" and partial.json()["credentials"] == []

    lenient = make_microcredential(client, headers, policy={"requireAllOutcomes": False})
    body = _assess(client, headers, lenient["id"], achievedOutcomes=["LO1"]).json()
    ob3 = client.get(f"/api/v1/credentials/{body['credentials'][0]['id']}", headers=headers).json()["credential"]
    achievement = ob3["credentialSubject"]["achievement"]
    names = {rd["id"]: rd["name"] for rd in achievement["resultDescription"]}
    stated = [names.get(r.get("resultDescription")) for r in ob3["credentialSubject"]["result"]]
    assert "Sizes a heat pump for a dwelling" in stated
    assert "Commissions and tests the installation" not in stated
    edc = client.get(f"/api/v1/credentials/{body['credentials'][1]['id']}", headers=headers).json()["credential"]
    assert "Sizes a heat pump" in json.dumps(edc) and "Commissions and tests" not in json.dumps(edc)


def test_unknown_outcome_ids_are_refused(client: TestClient, college) -> None:
    _, headers = college
    spec = make_microcredential(client, headers)
    response = _assess(client, headers, spec["id"], achievedOutcomes=["LO1", "LO9"])
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "achievedOutcomes"


def test_revoking_the_ob3_credential_revokes_its_edc_twin(client: TestClient, college) -> None:
    _, headers = college
    spec = make_microcredential(client, headers)
    ob3_id, edc_id = (c["id"] for c in _assess(client, headers, spec["id"]).json()["credentials"])
    client.post(f"/api/v1/credentials/{ob3_id}/revoke", json={"reason": "fraud"}, headers=headers).raise_for_status()
    edc_row = client.get(f"/api/v1/credentials/{edc_id}", headers=headers).json()
    assert edc_row["status"] == "revoked"
    assert _verify(client, edc_row["sealed"])["verdict"] == "revoked"


def test_a_tampered_sealed_edc_is_not_valid(client: TestClient, college) -> None:
    _, headers = college
    spec = make_microcredential(client, headers)
    edc_id = _assess(client, headers, spec["id"]).json()["credentials"][1]["id"]
    sealed = copy.deepcopy(client.get(f"/api/v1/credentials/{edc_id}", headers=headers).json()["sealed"])
    sealed["payload"] = sealed["payload"].replace("Heat Pump", "Heat Pimp", 1)
    report = _verify(client, sealed)
    assert report["verdict"] == "not_valid"
    assert next(c for c in report["checks"] if c["name"] == "seal")["outcome"] == "failed"


def test_another_college_cannot_use_the_specification(client: TestClient, college) -> None:
    _, headers = college
    spec = make_microcredential(client, headers)
    _, other = make_issuer(client, name="Other College")
    assert client.get(f"/api/v1/microcredentials/{spec['id']}", headers=other).status_code == 404
    assert _assess(client, other, spec["id"]).status_code == 404


def test_the_catalogue_lists_and_searches_published_microcredentials(client: TestClient, college) -> None:
    _, headers = college
    make_microcredential(client, headers)
    make_microcredential(client, headers, title="Welding Safety", eqfLevel=3, iscedF=["0715"])
    everything = client.get("/api/v1/catalogue").json()
    assert everything["total"] == 2
    assert everything["items"][0]["specification"]["issuerCountry"]
    assert [i["title"] for i in client.get("/api/v1/catalogue?q=heat").json()["items"]] == ["Heat Pump Installation"]
    assert [i["title"] for i in client.get("/api/v1/catalogue?eqfLevel=3").json()["items"]] == ["Welding Safety"]
    assert client.get("/api/v1/catalogue?field=071").json()["total"] == 2
    assert client.get("/api/v1/catalogue?field=0713").json()["total"] == 1
    assert [i["title"] for i in client.get("/api/v1/catalogue?language=nl").json()["items"]] == [
        "Heat Pump Installation"
    ]
    page = client.get("/catalogue?q=weld")
    assert page.status_code == 200 and "Welding Safety" in page.text and "Heat Pump" not in page.text
    for fact in (
        "EQF level 3",
        "Programme quality assurance",
        "Practical assessment",
        "Blended (online and in person)",
        "Netherlands",
        "Supervised, identity verified",
        "3 ECTS credits, 84 hours",
        "450.00 EUR",
    ):
        assert fact in page.text
    spec = everything["items"][0]
    path = spec["uri"].removeprefix("https://vetcred.test")
    assert client.get(path, headers={"Accept": "application/json"}).json()["title"] == spec["title"]
    assert client.get(path + ".json").json()["title"] == spec["title"]
    # The page at the id has the sections the OB 3.0 credentials' alignments point at (<spec uri>#<anchor>).
    page = client.get(path).text
    for anchor in ("workload", "prerequisites", "awarding-body-1", "outcome-LO1", "grade"):
        assert f'id="{anchor}"' in page


def test_every_section_a_credential_points_at_exists_on_the_specification_page(client: TestClient, college) -> None:
    _, headers = college
    spec = make_microcredential(
        client,
        headers,
        gradingScheme="Pass / fail",
        stackability="Stacks into the technician certificate",
        pace="One day a week",
        modeOfDelivery="Workshops",
        targetGroup="Installers",
        awardingBodies=[{"name": "Noorderpoort College", "country": "NLD"}, {"name": "Partner", "country": "NLD"}],
    )
    body = _assess(client, headers, spec["id"]).json()
    ob3 = client.get(f"/api/v1/credentials/{body['credentials'][0]['id']}", headers=headers).json()["credential"]
    prefix = spec["uri"] + "#"
    cited = {
        url.removeprefix(prefix)
        for url in [a["targetUrl"] for a in ob3["credentialSubject"]["achievement"]["alignment"]]
        + [rd["id"] for rd in ob3["credentialSubject"]["achievement"]["resultDescription"]]
        if url.startswith(prefix)
    }
    assert {"grading-scheme", "stackability", "pace", "mode-of-delivery", "target-group"} <= cited
    page = client.get(spec["uri"].removeprefix("https://vetcred.test")).text
    assert [anchor for anchor in sorted(cited) if f'id="{anchor}"' not in page] == []


def test_a_national_level_alone_is_enough_and_both_formats_carry_it(client: TestClient, college) -> None:
    _, headers = college
    payload = microcredential_payload(nqfLevel={"uri": "http://data.europa.eu/snb/qdr/c_c392e7a2", "label": "RQF 6"})
    del payload["eqfLevel"]
    spec = client.post("/api/v1/microcredentials", json=payload, headers=headers)
    assert spec.status_code == 201, spec.text
    body = _assess(client, headers, spec.json()["id"]).json()
    ob3_id, edc_id = (c["id"] for c in body["credentials"])
    ob3 = client.get(f"/api/v1/credentials/{ob3_id}", headers=headers).json()["credential"]
    assert "qdr/c_c392e7a2" in json.dumps(ob3) and _verify(client, ob3)["verdict"] == "verified"
    edc_row = client.get(f"/api/v1/credentials/{edc_id}", headers=headers).json()
    assert "qdr/c_c392e7a2" in json.dumps(edc_row["credential"]) and validate_edc(edc_row["credential"]) == []


def test_the_edc_carries_what_the_commissions_sample_carries(client: TestClient) -> None:
    """Certificate number, the learning activity taken, the Qualification's type, the college's registration, VAT
    number and logo, reusability levels, and, for an accreditation listed in the QDR, evidence and its profile."""
    _, headers = make_issuer(
        client, legalIdentifier="NTRNL-01234567", vatIdentifier="NL001234567B01", image=png_data_uri()
    )
    qdr_id = "http://data.europa.eu/snb/data-dev/accreditation/d2455324-332c-4f80-80b8-bd37312341d6"
    payload = microcredential_payload(
        learningActivityType="workshop",
        learningActivity={"organiser": {"name": "Noorderpoort Academy", "country": "NLD"}, "startDate": "2026-09-01"},
        isPartialQualification=False,
        maximumDuration="P6M",
        qualityAssurance=[
            {"type": "820101cba6", "agent": {"name": "Inspectorate", "country": "NLD"}, "qdrAccreditation": qdr_id}
        ],
    )
    payload["learningOutcomes"][0]["reusabilityLevel"] = "occupation-specific"
    spec = client.post("/api/v1/microcredentials", json=payload, headers=headers).json()
    row = assessment_row(certificateNumber="NP-0042", activityStartDate="2026-09-08", activityEndDate="2026-10-27")
    issued = _assess(client, headers, spec["id"], **row)
    assert issued.status_code == 201, issued.text
    edc = client.get(f"/api/v1/credentials/{issued.json()['credentials'][1]['id']}", headers=headers).json()
    edc = edc["credential"]
    claim = edc["credentialSubject"]["hasClaim"][0]
    assert edc["identifier"][0] | {"id": None} == {
        "id": None,
        "type": "Identifier",
        "schemeName": "Certificate number",
        "notation": "NP-0042",
    }
    [activity] = claim["influencedBy"]
    assert activity["temporal"]["startDate"] == "2026-09-08T00:00:00Z"  # the learner's dates, not the course's
    assert activity["directedBy"][0]["legalName"] == {"en": "Noorderpoort Academy"}
    assert activity["specifiedBy"]["dcType"][0]["id"].endswith("/learning-activity/efff75e10a")
    assert claim["specifiedBy"]["dcType"][0]["id"] == "http://data.europa.eu/snb/learning-opportunity/74a4a268e8"
    assert claim["specifiedBy"]["isPartialQualification"] is False and claim["specifiedBy"]["maximumDuration"] == "P6M"
    assert claim["specifiedBy"]["learningOutcome"][0]["reusabilityLevel"]["id"].endswith("/occupation-specific")
    issuer = edc["issuer"]
    assert issuer["registration"]["notation"] == "NTRNL-01234567"
    assert issuer["vatIdentifier"][0]["notation"] == "NL001234567B01"
    assert issuer["logo"]["contentType"]["id"].endswith("/file-type/PNG")
    # The self-issued test seal has a marked test identifier; the college's registered one comes first.
    assert issuer["eIDASIdentifier"]["notation"] == "NTRNL-01234567"
    assert [e["accreditation"]["id"] for e in edc["evidence"]] == [qdr_id]
    assert edc["credentialSchema"][1]["id"] == "http://data.europa.eu/snb/model/ap/edc-accredited"
    assert validate_edc(edc) == []


def test_bad_activity_dates_and_certificate_numbers_are_refused_naming_the_field(client: TestClient, college) -> None:
    _, headers = college
    spec = make_microcredential(client, headers)
    late = _assess(client, headers, spec["id"], activityStartDate="2026-10-01", activityEndDate="2026-09-01")
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "activityEndDate"
    empty = _assess(client, headers, spec["id"], certificateNumber=" ")
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "certificateNumber"
    bad = microcredential_payload(learningActivity={"startDate": "2026-10-01", "endDate": "2026-09-01"})
    refused = client.post("/api/v1/microcredentials", json=bad, headers=headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "learningActivity.endDate"
