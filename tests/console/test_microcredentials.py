"""The console's micro-credentials: the Annex I form (two languages, rows, errors in place), the same specification
as the API makes, the preview of what a learner would get, pathways, roles and colleges."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db.models import AuditEvent, MicroCredentialSpec
from tests.console.conftest import ConsoleClient
from tests.factories import make_microcredential

AUTHORITY = "http://publications.europa.eu/resource/authority"
SNB = "http://data.europa.eu/snb"
ESCO = "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"
NEW = "/console/microcredentials/new"

# What a college types into the form: an English and a Dutch version, two learning outcomes, codes picked from the
# form's lists (which carry the concepts' URIs)...
FORM: dict[str, Any] = {
    "languages": ["en", "nl"],
    "primaryLanguage": "en",
    "title.en": "Heat Pump Installation",
    "title.nl": "Installatie van warmtepompen",
    "description.en": "Installs and commissions domestic air-to-water heat pumps.",
    "description.nl": "Installeert en neemt lucht-waterwarmtepompen in bedrijf.",
    "issuerCountry": f"{AUTHORITY}/country/NLD",
    "awardingBodies.0.name": "Noorderpoort College",
    "awardingBodies.0.country": f"{AUTHORITY}/country/NLD",
    "awardingBodies.0.url": "https://noorderpoort.example",
    "awardingBodies.0.legalIdentifier": "",
    "learningOutcomes.0.title.en": "Sizes a heat pump for a dwelling",
    "learningOutcomes.0.title.nl": "Dimensioneert een warmtepomp",
    "learningOutcomes.0.escoSkills": ESCO,
    "learningOutcomes.0.id": "",
    "learningOutcomes.1.title.en": "Commissions and tests the installation",
    "learningOutcomes.1.title.nl": "Neemt de installatie in bedrijf",
    "learningOutcomes.1.escoSkills": "",
    "learningOutcomes.1.id": "",
    "ectsCredits": "3",
    "workloadHours": "84",
    "eqfLevel": f"{SNB}/eqf/4",
    "nqfLevel.uri": "",
    "nqfLevel.label": "",
    "assessmentType": f"{SNB}/assessment/6a4db9f11d",
    "participationForm": f"{SNB}/learning-assessment/e92d221e4d",
    "supervision": f"{SNB}/supervision-verification/70be69aaf9",
    "gradingScheme.en": "Pass or fail",
    "gradingScheme.nl": "",
    "policy.requireAllOutcomes": "on",
    "qualityAssurance.0.type": f"{SNB}/accreditation/820101cba6",
    "qualityAssurance.0.agent.name": "Inspectorate of Education",
    "qualityAssurance.0.agent.country": f"{AUTHORITY}/country/NLD",
    "qualityAssurance.0.decision": "",
    "qualityAssurance.0.reportUrl": "",
    "qualityAssurance.0.qdrAccreditation": "",
    "prerequisites.en": "A level-3 installation qualification.",
    "prerequisites.nl": "Een installatiediploma op niveau 3.",
    "iscedF": "0713",
    "stackability.en": "",
    "stackability.nl": "",
}
# ...and the same micro-credential as a client of the API sends it, with codes and labels instead of URIs.
API_BODY: dict[str, Any] = {
    "primaryLanguage": "en",
    "title": {"en": "Heat Pump Installation", "nl": "Installatie van warmtepompen"},
    "description": {
        "en": "Installs and commissions domestic air-to-water heat pumps.",
        "nl": "Installeert en neemt lucht-waterwarmtepompen in bedrijf.",
    },
    "issuerCountry": "NLD",
    "awardingBodies": [{"name": "Noorderpoort College", "country": "NL", "url": "https://noorderpoort.example"}],
    "learningOutcomes": [
        {
            "title": {"en": "Sizes a heat pump for a dwelling", "nl": "Dimensioneert een warmtepomp"},
            "escoSkills": [ESCO],
        },
        {"title": {"en": "Commissions and tests the installation", "nl": "Neemt de installatie in bedrijf"}},
    ],
    "ectsCredits": 3,
    "workloadHours": 84,
    "eqfLevel": 4,
    "assessmentType": "practical assessment",
    "participationForm": "blended",
    "supervision": "70be69aaf9",
    "gradingScheme": {"en": "Pass or fail"},
    "qualityAssurance": [{"type": "820101cba6", "agent": {"name": "Inspectorate of Education", "country": "NLD"}}],
    "prerequisites": {"en": "A level-3 installation qualification.", "nl": "Een installatiediploma op niveau 3."},
    "iscedF": ["0713"],
}


def _page(response: httpx.Response) -> Any:
    return lxml_html.fromstring(response.text)


def _text(page: Any, element_id: str) -> str:
    return " ".join(page.get_element_by_id(element_id).text_content().split())


def _created_id(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/console/microcredentials/") and location.endswith("?created=true")
    return location.removeprefix("/console/microcredentials/").removesuffix("?created=true")


def _comparable(spec: dict[str, Any]) -> dict[str, Any]:
    """The API's answer without what differs between two creations (id, its URI, the time)."""
    return {key: value for key, value in spec.items() if key not in ("id", "uri", "createdAt")}


def test_a_specification_made_with_the_form_in_two_languages_is_the_one_the_api_makes(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    issuer = console_as("issuer")
    form = issuer.get(NEW)
    assert form.status_code == 200
    assert "Annex I, mandatory: the title of the micro-credential" in form.text
    assert "Annex I, optional: supervision and identity verification during the assessment." in form.text
    # A Dutch version is added with a button (no JavaScript): the page comes back with Dutch inputs beside English.
    added = issuer.post_form(
        NEW, {"languages": ["en"], "primaryLanguage": "en", "add_language": "nl", "action": "add-language"}
    )
    assert added.status_code == 200
    page = _page(added)
    assert page.get_element_by_id("field-title-nl").get("lang") == "nl"
    assert page.get_element_by_id("field-learningOutcomes-0-title-nl") is not None

    spec_id = _created_id(issuer.post_form(NEW, FORM | {"action": "create"}))

    from_console = client.get(f"/api/v1/microcredentials/{spec_id}", headers=issuer.api_headers)
    assert from_console.status_code == 200
    made = client.post("/api/v1/microcredentials", json=API_BODY, headers=issuer.api_headers)
    assert made.status_code == 201, made.text
    from_api = client.get(f"/api/v1/microcredentials/{made.json()['id']}", headers=issuer.api_headers)
    assert _comparable(from_console.json()) == _comparable(from_api.json())
    assert from_console.json()["specification"]["title"] == {
        "en": "Heat Pump Installation",
        "nl": "Installatie van warmtepompen",
    }
    # Created means published, as through the API.
    assert client.get(f"/microcredentials/{spec_id}.json").status_code == 200

    view = issuer.get(f"/console/microcredentials/{spec_id}?created=true")
    assert view.status_code == 200
    assert "Created and published in the public catalogue." in view.text
    assert "Installatie van warmtepompen" in view.text and "Neemt de installatie in bedrijf" in view.text
    assert "cannot be changed once it is created" in view.text
    with Session(engine) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "microcredential.create")).one()
    assert event.actor == f"staff:{issuer.member_id}:{issuer.email}" and event.subject == f"microcredential:{spec_id}"
    assert event.issuer_id == issuer.issuer_id and event.detail["languages"] == ["en", "nl"]


def test_bad_input_is_shown_at_each_field_with_the_api_s_message_and_the_values_kept(
    client: TestClient, console_as: Callable[..., ConsoleClient]
) -> None:
    issuer = console_as("issuer")
    bad = FORM | {
        "title.en": "",
        "title.nl": "",
        "ectsCredits": "-2",
        "learningOutcomes.0.escoSkills": f"{ESCO}\nhttp://data.europa.eu/esco/skill/not-a-skill",
        "action": "create",
    }
    response = issuer.post_form(NEW, bad)
    assert response.status_code == 422
    page = _page(response)
    assert _text(page, "field-title-en-error-1") == (
        "Error: Annex I mandatory element missing: title of the micro-credential"
    )
    assert _text(page, "field-ectsCredits-error-1") == "Error: Input should be greater than 0"
    assert _text(page, "field-learningOutcomes-0-escoSkills-error-1") == (
        "Error: http://data.europa.eu/esco/skill/not-a-skill: must be an ESCO skill URI: "
        "http://data.europa.eu/esco/skill/<uuid> (lower case)"
    )
    # Each input names its message (aria-describedby) and says it is invalid.
    ects = page.get_element_by_id("field-ectsCredits")
    assert ects.get("aria-invalid") == "true" and "field-ectsCredits-error-1" in ects.get("aria-describedby")
    # The summary at the top links to each field, in the form's words.
    links = {a.get("href"): " ".join(a.text_content().split()) for a in page.xpath('//*[@id="error-summary"]//a')}
    assert links["#field-ectsCredits"] == "ECTS credits: Input should be greater than 0"
    assert links["#field-title-en"].startswith("Title (English): Annex I mandatory element missing")
    assert links["#field-learningOutcomes-0-escoSkills"].startswith("Learning outcome 1: ESCO skills: ")
    # What was typed is still there.
    assert page.get_element_by_id("field-ectsCredits").get("value") == "-2"
    assert "not-a-skill" in page.get_element_by_id("field-learningOutcomes-0-escoSkills").text_content()
    assert page.get_element_by_id("field-title-nl").get("value") == ""
    assert page.get_element_by_id("field-description-nl").text_content() == FORM["description.nl"]
    # Nothing was created.
    assert client.get("/api/v1/microcredentials", headers=issuer.api_headers).json() == []


def test_a_language_version_without_its_title_and_a_missing_workload_are_named_in_place(
    console_as: Callable[..., ConsoleClient],
) -> None:
    issuer = console_as("issuer")
    response = issuer.post_form(
        NEW, FORM | {"title.nl": " ", "ectsCredits": "", "workloadHours": "", "action": "preview"}
    )
    assert response.status_code == 422
    page = _page(response)
    assert _text(page, "field-title-nl-error-1") == "Error: String should have at least 1 character"
    assert _text(page, "field-ectsCredits-error-1") == (
        "Error: Annex I mandatory element missing: notional workload (ECTS credits or hours)"
    )


def test_rows_and_languages_are_added_and_removed_with_buttons(console_as: Callable[..., ConsoleClient]) -> None:
    issuer = console_as("issuer")
    added = _page(issuer.post_form(NEW, FORM | {"action": "add-outcome"}))
    new_row = added.get_element_by_id("field-learningOutcomes-2-title-en")
    assert new_row.text_content() == "" and new_row.get("autofocus") is not None
    assert (
        added.get_element_by_id("field-learningOutcomes-1-title-nl").text_content()
        == FORM["learningOutcomes.1.title.nl"]
    )

    removed = _page(issuer.post_form(NEW, FORM | {"action": "remove-outcome:0"}))
    assert (
        removed.get_element_by_id("field-learningOutcomes-0-title-en").text_content()
        == FORM["learningOutcomes.1.title.en"]
    )
    assert not removed.xpath('//*[@id="field-learningOutcomes-1-title-en"]')

    english_only = _page(issuer.post_form(NEW, FORM | {"action": "remove-language:nl"}))
    assert not english_only.xpath('//*[@id="field-title-nl"]')
    assert english_only.get_element_by_id("field-title-en").get("value") == FORM["title.en"]

    body = _page(issuer.post_form(NEW, FORM | {"action": "add-body"}))
    assert body.get_element_by_id("field-awardingBodies-1-name").get("value") == ""


def test_the_form_previews_before_anything_is_created(
    client: TestClient, console_as: Callable[..., ConsoleClient]
) -> None:
    issuer = console_as("issuer")
    response = issuer.post_form(NEW, FORM | {"action": "preview"})
    assert response.status_code == 200, response.text
    page = _page(response)
    ob3 = json.loads(page.xpath('//section[@class="preview"]//pre/code')[0].text_content())
    assert ob3["credentialSubject"]["achievement"]["name"] == "Heat Pump Installation"
    assert "proof" not in ob3
    assert [
        img.get("src")[:22] for img in page.xpath('//section[@class="preview"]//figure[@class="edc-page"]/img')
    ] == ["data:image/png;base64,"] * 2
    # The form is still filled in, to create it from there.
    assert page.get_element_by_id("field-title-nl").get("value") == FORM["title.nl"]
    assert client.get("/api/v1/microcredentials", headers=issuer.api_headers).json() == []


def test_a_viewer_sees_the_list_the_specification_and_its_preview(
    client: TestClient, console_as: Callable[..., ConsoleClient]
) -> None:
    viewer = console_as("viewer")
    spec = make_microcredential(
        client, viewer.api_headers, title={"en": "Heat Pump Installation", "nl": "Warmtepompen"}
    )

    listing = viewer.get("/console/microcredentials")
    assert listing.status_code == 200
    assert f'href="/console/microcredentials/{spec["id"]}"' in listing.text
    assert "New micro-credential" not in listing.text  # a viewer cannot create

    view = viewer.get(f"/console/microcredentials/{spec['id']}")
    assert view.status_code == 200 and "Warmtepompen" in view.text
    assert "Save the pathway" not in view.text

    shown = viewer.get(f"/console/microcredentials/{spec['id']}/preview")
    assert shown.status_code == 200
    page = _page(shown)
    codes = page.xpath("//pre/code")
    ob3, edc = (json.loads(code.text_content()) for code in codes)
    assert ob3["credentialSubject"]["name"] == "Alex Sample"
    assert ob3["credentialSubject"]["achievement"]["id"] == spec["uri"]
    assert "proof" not in ob3 and "credentialStatus" not in ob3
    assert edc["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert edc["credentialSubject"]["hasClaim"][0]["title"] == {"en": "Heat Pump Installation", "nl": "Warmtepompen"}
    captions = [" ".join(c.text_content().split()) for c in page.xpath('//figure[@class="edc-page"]/figcaption')]
    assert captions == ["English", "Dutch"]
    assert "self-issued test seal" in html.unescape(shown.text)
    # A preview issues nothing.
    assert client.get("/api/v1/credentials", headers=viewer.api_headers).json()["total"] == 0


def test_a_viewer_cannot_create_or_change_anything(
    client: TestClient, console_as: Callable[..., ConsoleClient]
) -> None:
    viewer = console_as("viewer")
    spec = make_microcredential(client, viewer.api_headers)
    other = make_microcredential(client, viewer.api_headers)
    assert viewer.get(NEW).status_code == 403
    assert viewer.post_form(NEW, FORM | {"action": "create"}).status_code == 403
    assert viewer.post_form(NEW, FORM | {"action": "preview"}).status_code == 403
    assert (
        viewer.post_form(f"/console/microcredentials/{spec['id']}/pathway", {"parts": [other["id"]]}).status_code == 403
    )
    assert client.get(f"/api/v1/microcredentials/{spec['id']}", headers=viewer.api_headers).json()["pathway"] is None


def test_another_college_s_micro_credential_is_not_found(
    client: TestClient, console_as: Callable[..., ConsoleClient]
) -> None:
    owner_a = console_as("owner", "a")
    spec = make_microcredential(client, owner_a.api_headers)
    owner_b = console_as("owner", "b")
    own = make_microcredential(client, owner_b.api_headers)
    for path in ("", "/preview"):
        assert owner_b.get(f"/console/microcredentials/{spec['id']}{path}").status_code == 404
    assert owner_b.get(f"{NEW}?from={spec['id']}").status_code == 404
    assert (
        owner_b.post_form(f"/console/microcredentials/{spec['id']}/pathway", {"parts": [own["id"]]}).status_code == 404
    )
    assert spec["id"] not in owner_b.get("/console/microcredentials").text
    # Nor can another college's specification be made a part (the form is sent as if it had been offered).
    response = owner_b.post_form(f"/console/microcredentials/{own['id']}/pathway", {"parts": [spec["id"]]})
    assert response.status_code == 422
    assert f"micro-credential {spec['id']} not found" in _text(_page(response), "field-parts-error-1")


def test_parts_are_picked_when_creating_and_the_pathway_changed_later(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    issuer = console_as("issuer")
    first = make_microcredential(client, issuer.api_headers, title="Part one")
    second = make_microcredential(client, issuer.api_headers, title="Part two")
    form = _page(issuer.get(NEW))
    assert {box.get("value") for box in form.xpath('//input[@name="parts"]')} == {first["id"], second["id"]}

    too_many = issuer.post_form(NEW, FORM | {"parts": [first["id"], second["id"]], "required": "3", "action": "create"})
    assert too_many.status_code == 422
    assert _text(_page(too_many), "field-required-error-1") == (
        "Error: required must be between 1 and the number of parts (2)"
    )
    assert len(client.get("/api/v1/microcredentials", headers=issuer.api_headers).json()) == 2  # rolled back

    larger = _created_id(issuer.post_form(NEW, FORM | {"parts": [first["id"], second["id"]], "action": "create"}))
    api = client.get(f"/api/v1/microcredentials/{larger}", headers=issuer.api_headers).json()
    assert api["pathway"] == {"parts": [first["id"], second["id"]], "required": 2}

    changed = issuer.post_form(
        f"/console/microcredentials/{larger}/pathway", {"parts": [first["id"], second["id"]], "required": "1"}
    )
    assert changed.status_code == 303
    api = client.get(f"/api/v1/microcredentials/{larger}", headers=issuer.api_headers).json()
    assert api["pathway"] == {"parts": [first["id"], second["id"]], "required": 1}
    # A pathway cannot be taken away, in the console as in the API.
    emptied = issuer.post_form(f"/console/microcredentials/{larger}/pathway", {})
    assert emptied.status_code == 422
    assert (
        _text(_page(emptied), "field-parts-error-1")
        == "Error: List should have at least 1 item after validation, not 0"
    )
    with Session(engine) as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject == f"microcredential:{larger}").order_by(AuditEvent.id)
        ).all()
    assert actions == ["microcredential.create", "microcredential.pathway"]


def test_a_new_micro_credential_starts_from_another(
    client: TestClient, console_as: Callable[..., ConsoleClient]
) -> None:
    issuer = console_as("issuer")
    spec = make_microcredential(client, issuer.api_headers)
    page = _page(issuer.get(f"{NEW}?from={spec['id']}"))
    assert page.get_element_by_id("field-title-nl").get("value") == "Installatie van warmtepompen"
    assert page.get_element_by_id("field-learningOutcomes-0-escoSkills").text_content() == ESCO
    assert page.get_element_by_id("field-ectsCredits").get("value") == "3"


def test_a_preview_says_why_a_specification_could_not_be_issued(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    issuer = console_as("issuer")
    # The API takes a Serbian title, but a Europass credential shows pages only in the EU's official languages.
    serbian = make_microcredential(client, issuer.api_headers, title={"en": "Heat Pumps", "sr": "Toplotne pumpe"})
    shown = issuer.get(f"/console/microcredentials/{serbian['id']}/preview")
    assert shown.status_code == 200
    assert "'sr' is not an official EU language; no EDC display for it" in html.unescape(shown.text)
    # A specification stored before a rule it now breaks is explained too, not answered with an error.
    stale = make_microcredential(client, issuer.api_headers)
    with Session(engine) as session, session.begin():
        row = session.get(MicroCredentialSpec, stale["id"])
        assert row is not None
        row.definition = row.definition | {"eqfLevel": 9}
    shown = issuer.get(f"/console/microcredentials/{stale['id']}/preview")
    assert shown.status_code == 200
    assert "eqfLevel: " in shown.text and "is not in" in html.unescape(shown.text)
