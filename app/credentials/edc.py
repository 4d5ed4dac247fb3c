"""Pure builder of an unsigned Europass Digital Credential (EDC, ELM 3.1 / AP 1.1.0) from a micro-credential record.

Shaped like the Commission's samples (``Sample-MC-Annex1-*.jsonld``): VC 1.1 + edc-ap context, every coded value a
full ``Concept`` with ``inScheme``, one ``urn:epass:<class>:<uuid>`` id per distinct node (UUIDv5 under the credential's
UUID, so the same record always gives the same document). A node met twice (the issuer that is also the awarding
body, the awarding process of both achievement and assessment) is written in full each time with the same id and
content, as the samples do. docs/annex-i-edc-mapping.md says where each Annex I element lands.
"""

from __future__ import annotations

import base64
import copy
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from app.credentials.microcredential import (
    Concept,
    IssuedMicroCredential,
    LangMap,
    LearningOutcome,
    Organisation,
    QualityAssurance,
)
from app.errors import InvalidInput
from app.proofs.data_integrity import xsd_datetime

CONTEXTS = ("https://www.w3.org/2018/credentials/v1", "http://data.europa.eu/snb/model/context/edc-ap")
TYPES = ("VerifiableCredential", "EuropeanDigitalCredential")
CREDENTIAL_SCHEMA = {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full", "type": "ShaclValidator2017"}

SNB = "http://data.europa.eu/snb"
AUTHORITY = "http://publications.europa.eu/resource/authority"
ESCO_SKILLS = "http://data.europa.eu/esco/concept-scheme/skills"
# Concepts as the Commission's samples carry them (shared/standards/edc/NOTES.md §1.3, §4).
GENERIC_PROFILE = Concept(f"{SNB}/credential/e34929035b", f"{SNB}/credential/25831c2", {"en": "Generic"})
BASE64 = Concept(f"{SNB}/encoding/6146cde7dd", f"{SNB}/encoding/25831c2", {"en": "base64"})
PNG = Concept(f"{AUTHORITY}/file-type/PNG", f"{AUTHORITY}/file-type", {"en": "PNG"})
ECTS = Concept(
    f"{SNB}/education-credit/6fcec5c5af", f"{SNB}/education-credit/25831c2", {"en": "European Credit Transfer System"}
)
# Display languages are the spec's title languages (ISO 639-1): the EU's 24 official languages, as codes of the
# Publications Office language authority table (ISO 639-2/T) with their English names.
_EU_LANGUAGES = """
    bg BUL Bulgarian    cs CES Czech        da DAN Danish       de DEU German       el ELL Greek        en ENG English
    es SPA Spanish      et EST Estonian     fi FIN Finnish      fr FRA French       ga GLE Irish        hr HRV Croatian
    hu HUN Hungarian    it ITA Italian      lt LIT Lithuanian   lv LAV Latvian      mt MLT Maltese      nl NLD Dutch
    pl POL Polish       pt POR Portuguese   ro RON Romanian     sk SLK Slovak       sl SLV Slovenian    sv SWE Swedish
"""
EU_LANGUAGES = {code: (authority, name) for code, authority, name in re.findall(r"(\w+) (\w+) (\w+)", _EU_LANGUAGES)}
_WEEKS = re.compile(r"^P(\d+)W$")

Node = dict[str, Any]


def build_edc(record: IssuedMicroCredential, *, display_images: Mapping[str, bytes]) -> dict[str, Any]:
    """The unsigned EDC of ``record``; ``display_images`` holds one PNG page per display language (title language).

    Raises ``InvalidInput`` for a display language without an image or outside the EU official languages, and for
    a related skill whose concept scheme cannot be told from its URI.
    """
    document = _Builder(record).credential(display_images)
    # Shared nodes are the same Python objects in several places: hand out a tree without aliases.
    return copy.deepcopy(document)


def achievement_id(credential_id: str) -> str:
    """The id of the LearningAchievement in the EDC of ``credential_id``: what a stacked credential's ``hasPart``
    names, so the parts resolve across documents."""
    return f"urn:epass:learningAchievement:{uuid.uuid5(uuid.UUID(credential_id), 'learningAchievement/')}"


def concept(value: Concept) -> Node:
    return {
        "id": value.uri,
        "type": "Concept",
        "inScheme": {"id": value.scheme, "type": "ConceptScheme"},
        "prefLabel": dict(value.label),
    }


_ABSENT: tuple[Any, ...] = (None, "", [], {})


def _node(id_: str, type_: str | list[str], **properties: Any) -> Node:
    """A node with the properties that have a value: ELM leaves out what is not known (no nulls, no empty lists)."""
    return {"id": id_, "type": type_} | {key: value for key, value in properties.items() if value not in _ABSENT}


def _concepts(values: Iterable[Concept | None]) -> list[Node]:
    return [concept(value) for value in values if value is not None]


def _text(value: LangMap | None) -> LangMap | None:
    return dict(value) if value else None


class _Builder:
    def __init__(self, record: IssuedMicroCredential) -> None:
        self.record = record
        self.spec = record.spec
        self.lang = record.spec.primary_language
        self.uuid = uuid.UUID(record.credential_id)
        self.organisations: dict[str, Node] = {}

    def id(self, kind: str, key: str = "") -> str:
        """``urn:epass:<kind>:<uuid>``: the same (kind, key) is the same node; any other pair is another node."""
        return f"urn:epass:{kind}:{uuid.uuid5(self.uuid, f'{kind}/{key}')}"

    def credential(self, display_images: Mapping[str, bytes]) -> Node:
        issued = xsd_datetime(self.record.issued_at)
        valid_until = self.record.valid_until
        return {"@context": list(CONTEXTS)} | _node(
            f"urn:credential:{self.uuid}",
            list(TYPES),
            credentialSchema=dict(CREDENTIAL_SCHEMA),
            credentialProfiles=[concept(GENERIC_PROFILE)],
            displayParameter=self.display(display_images),
            issuer=self.issuer(),
            issued=issued,
            issuanceDate=issued,
            validFrom=issued,
            validUntil=xsd_datetime(valid_until) if valid_until else None,
            credentialSubject=self.person(self.achievement(issued)),
        )

    def display(self, images: Mapping[str, bytes]) -> Node:
        languages = list(self.spec.title)
        missing = [code for code in languages if code not in images]
        if missing:
            raise InvalidInput(f"no display image for the title language(s) {', '.join(missing)}", field="spec.title")
        return _node(
            self.id("displayParameter"),
            "DisplayParameter",
            title=dict(self.spec.title),
            language=[self.language(code) for code in languages],
            primaryLanguage=self.language(self.lang),
            individualDisplay=[self.individual_display(code, images[code]) for code in languages],
        )

    def individual_display(self, code: str, image: bytes) -> Node:
        media = _node(
            self.id("mediaObject", f"display/{code}"),
            "MediaObject",
            content=base64.b64encode(image).decode("ascii"),
            contentEncoding=concept(BASE64),
            contentType=concept(PNG),
        )
        detail = _node(self.id("displayDetail", code), "DisplayDetail", image=media, page=1)
        return _node(
            self.id("individualDisplay", code),
            "IndividualDisplay",
            language=self.language(code),
            displayDetail=[detail],
        )

    def language(self, code: str) -> Node:
        entry = EU_LANGUAGES.get(code.lower().split("-")[0])
        if entry is None:
            raise InvalidInput(f"{code!r} is not an official EU language; no EDC display for it", field="spec.title")
        uri = f"{AUTHORITY}/language/{entry[0]}"
        known = next((c for c in self.spec.languages if c.uri == uri), None)
        return concept(known or Concept(uri, f"{AUTHORITY}/language", {"en": entry[1]}))

    def issuer(self) -> Node:
        """The issuer carries the ``eIDASIdentifier`` the shapes require: its legal identifier, else its DID."""
        issuer = self.record.issuer
        node = self.organisation(issuer, eidas=issuer.legal_identifier or self.record.issuer_did)
        if issuer.region is None and self.spec.issuer_region is not None:
            node["location"][0]["spatialCode"] = [concept(self.spec.issuer_region)]
        if self.spec.issuer_country.uri != issuer.country.uri:
            node["location"].append(self.location("issuer-country", self.spec.issuer_country, None))
        return node

    def organisation(self, org: Organisation, *, eidas: str | None = None) -> Node:
        key = repr(org)
        if key not in self.organisations:
            registration = org.legal_identifier if eidas is None else None
            self.organisations[key] = _node(
                self.id("org", key),
                "Organisation",
                legalName=dict(org.name),
                location=[self.location(key, org.country, org.region)],
                eIDASIdentifier=eidas and self.legal_identifier(f"eidas/{key}", eidas, org.country),
                registration=registration and self.legal_identifier(f"registration/{key}", registration, org.country),
                homepage=[self.web_resource(f"homepage/{key}", org.url)] if org.url else None,
            )
        return self.organisations[key]

    def location(self, key: str, country: Concept, region: Concept | None) -> Node:
        address = _node(self.id("address", key), "Address", countryCode=concept(country))
        return _node(self.id("location", key), "Location", address=address, spatialCode=_concepts([region]))

    def legal_identifier(self, key: str, notation: str, country: Concept) -> Node:
        return _node(self.id("legalIdentifier", key), "LegalIdentifier", notation=notation, spatial=concept(country))

    def web_resource(self, key: str, url: str, title: LangMap | None = None) -> Node:
        return _node(self.id("webResource", key), "WebResource", contentURL=url, title=_text(title))

    def note(self, key: str, text: LangMap | None) -> Node | None:
        return _node(self.id("note", key), "Note", noteLiteral=dict(text)) if text else None

    def person(self, claim: Node) -> Node:
        learner = self.record.learner
        national_id = None
        if learner.national_id and learner.national_id_country:
            national_id = self.legal_identifier("national", learner.national_id, learner.national_id_country)
        elif learner.national_id:  # a LegalIdentifier needs its country (spatial): without one, a plain Identifier
            national_id = _node(self.id("identifier", "national"), "Identifier", notation=learner.national_id)
        contact = None
        if learner.email:
            mailbox = {"id": f"mailto:{learner.email}", "type": "Mailbox"}
            contact = [_node(self.id("contactPoint", "learner"), "ContactPoint", emailAddress=[mailbox])]
        identifiers = [
            _node(self.id("identifier", f"{scheme}/{value}"), "Identifier", schemeName=scheme, notation=value)
            for scheme, value in learner.identifiers
        ]
        return _node(
            self.id("person"),
            "Person",
            fullName={self.lang: learner.full_name},
            givenName={self.lang: learner.given_name},
            familyName={self.lang: learner.family_name},
            dateOfBirth=_midnight(learner.date_of_birth) if learner.date_of_birth else None,
            nationalID=national_id,
            identifier=identifiers,
            contactPoint=contact,
            hasClaim=[claim],
        )

    def achievement(self, issued: str) -> Node:
        spec, assessment = self.spec, self.record.assessment
        bodies = [self.organisation(org) for org in spec.awarding_bodies]
        awarding = _node(self.id("awardingProcess"), "AwardingProcess", awardingBody=bodies, awardingDate=issued)
        specification = self.specification()
        evidence = None
        if assessment.evidence_url:
            caption = {self.lang: assessment.evidence_description} if assessment.evidence_description else None
            evidence = [self.web_resource("evidence", assessment.evidence_url, caption)]
        graded = assessment.grade is not None
        if not graded:  # ELM requires a grade on a LearningAssessment: without one, only how it is assessed is stated
            specification["provenBy"] = [self.assessment_specification()]
        activity = spec.learning_activity_type
        return _node(
            achievement_id(self.record.credential_id),
            "LearningAchievement",
            title=dict(spec.title),
            awardedBy=awarding,
            provenBy=[self.assessment(awarding, evidence)] if graded else None,
            supplementaryDocument=None if graded else evidence,
            influencedBy=[self.activity(awarding, activity)] if activity else None,
            specifiedBy=specification,
            learningOpportunity=self.opportunity(specification, bodies),
            hasPart=[self.part(credential_id, awarding) for credential_id in self.record.parts],
        )

    def assessment(self, awarding: Node, evidence: list[Node] | None) -> Node:
        assessment, spec = self.record.assessment, self.spec
        supervision = assessment.supervision or spec.supervision
        assessor = None
        if assessment.assessor:
            assessor = [_node(self.id("agent", "assessor"), "Agent", prefLabel={self.lang: assessment.assessor})]
        return _node(
            self.id("learningAssessment"),
            "LearningAssessment",
            title=dict(spec.assessment_type.label),
            grade=self.note("grade", {self.lang: str(assessment.grade)}),
            awardedBy=awarding,
            dateIssued=_midnight(assessment.assessed_on),
            idVerification=concept(supervision) if supervision else None,
            assessedBy=assessor,
            supplementaryDocument=evidence,
            specifiedBy=self.assessment_specification(),
        )

    def assessment_specification(self) -> Node:
        spec = self.spec
        grading = None
        if spec.grading_scheme:
            grading = _node(self.id("gradingScheme"), "GradingScheme", title=dict(spec.grading_scheme))
        return _node(
            self.id("learningAssessmentSpec"),
            "LearningAssessmentSpecification",
            title=dict(spec.assessment_type.label),
            dcType=concept(spec.assessment_type),
            mode=[concept(spec.participation_form)],
            gradingScheme=grading,
        )

    def activity(self, awarding: Node, activity_type: Concept) -> Node:
        specification = _node(
            self.id("learningActivitySpec"),
            "LearningActivitySpecification",
            title=dict(self.spec.title),
            dcType=[concept(activity_type)],
            mode=[concept(self.spec.participation_form)],
        )
        return _node(
            self.id("learningActivity"),
            "LearningActivity",
            title=dict(self.spec.title),
            awardedBy=awarding,
            specifiedBy=specification,
        )

    def specification(self) -> Node:
        """A ``Qualification`` when a level is given (only it has ``eqfLevel``/``nqfLevel``), else a
        ``LearningAchievementSpecification``."""
        spec = self.spec
        kind = "Qualification" if spec.eqf_level or spec.nqf_level else "LearningAchievementSpecification"
        credit = None
        if spec.ects_credits is not None:
            point = _decimal(spec.ects_credits)
            credit = [_node(self.id("creditPoint", "ects"), "CreditPoint", framework=concept(ECTS), point=point)]
        further = None
        if spec.further_information_url:
            further = [self.web_resource("furtherInformation", spec.further_information_url)]
        notes = [
            self.note("furtherInformation", spec.further_information),
            self.note("stackability", spec.stackability),
            self.note("targetGroup", spec.target_group),
        ]
        return _node(
            self.id(kind[0].lower() + kind[1:]),
            kind,
            title=dict(spec.title),
            description=_text(spec.description),
            learningOutcome=[self.outcome(outcome) for outcome in self.record.achieved_outcomes],
            creditPoint=credit,
            volumeOfLearning=_hours(spec.workload_hours) if spec.workload_hours is not None else None,
            eqfLevel=concept(spec.eqf_level) if spec.eqf_level else None,
            nqfLevel=_concepts([spec.nqf_level]),
            mode=[concept(spec.participation_form)],
            learningSetting=concept(spec.learning_setting) if spec.learning_setting else None,
            thematicArea=_concepts(spec.thematic_areas),
            entryRequirement=self.note("entryRequirement", spec.prerequisites),
            language=_concepts(spec.languages),
            maximumDuration=_xsd_duration(spec.duration) if spec.duration else None,
            accreditation=[self.accreditation(qa) for qa in spec.quality_assurance],
            # The shapes require a typed, titled node; the record knows only the larger specification's URI.
            isPartOf=[_node(uri, kind, title={self.lang: uri}) for uri in spec.part_of],
            homepage=further,
            additionalNote=_present(notes),
        )

    def outcome(self, outcome: LearningOutcome) -> Node:
        # The record holds ESCO skill URIs only: there are no labels to give.
        esco = {"type": "Concept", "inScheme": {"id": ESCO_SKILLS, "type": "ConceptScheme"}}
        return _node(
            self.id("learningOutcome", outcome.id),
            "LearningOutcome",
            title=dict(outcome.title),
            relatedESCOSkill=[{"id": uri} | esco for uri in outcome.esco_skills],
            relatedSkill=[_snb_concept(uri) for uri in outcome.related_skills],
        )

    def accreditation(self, qa: QualityAssurance) -> Node:
        """ELM's ``decision`` is a Concept; the record's decision is text, so it is the ``description``."""
        key = repr(qa)
        return _node(
            self.id("accreditation", key),
            "Accreditation",
            title=dict(qa.type.label),
            dcType=concept(qa.type),
            accreditingAgent=self.organisation(qa.agent),
            description=_text(qa.decision),
            report=self.web_resource(f"report/{key}", qa.report_url) if qa.report_url else None,
        )

    def opportunity(self, specification: Node, bodies: list[Node]) -> Node | None:
        """Costs (``priceDetail``), pace (``scheduleInformation``) and mode of delivery live on the opportunity."""
        spec = self.spec
        if not (spec.costs or spec.pace or spec.mode_of_delivery):
            return None
        prices = [
            _node(
                self.id("priceDetail", repr(cost)),
                "PriceDetail",
                amount=[_node(self.id("amount", repr(cost)), "Amount", value=cost.amount, unit=concept(cost.currency))],
            )
            for cost in spec.costs
        ]
        return _node(
            self.id("learningOpportunity"),
            "LearningOpportunity",
            title=dict(spec.title),
            providedBy=bodies,
            learningAchievementSpecification=specification,
            priceDetail=prices,
            scheduleInformation=self.note("pace", spec.pace),
            additionalNote=_present([self.note("modeOfDelivery", spec.mode_of_delivery)]),
        )

    def part(self, credential_id: str, awarding: Node) -> Node:
        """A part's achievement, under the id its own EDC gives it; titled with its credential id (all we know)."""
        title = {self.lang: f"urn:credential:{uuid.UUID(credential_id)}"}
        return _node(achievement_id(credential_id), "LearningAchievement", title=title, awardedBy=awarding)


def _present(nodes: list[Node | None]) -> list[Node]:
    return [node for node in nodes if node is not None]


def _midnight(day: date) -> str:
    """A date as the samples write it: an xsd:dateTime in UTC."""
    return f"{day.isoformat()}T00:00:00Z"


def _decimal(value: float) -> str:
    """3.0 -> "3", 1.5 -> "1.5" (``creditPoint.point`` is a string)."""
    return format(Decimal(str(value)).normalize(), "f")


def _hours(hours: float) -> str:
    """xsd:duration allows a fraction only on seconds: 7.5 hours is PT7H30M."""
    whole, minutes = divmod(round(hours * 60), 60)
    return f"PT{whole}H{minutes}M" if minutes else f"PT{whole}H"


def _xsd_duration(duration: str) -> str:
    """ISO 8601 weeks (P10W) are not an xsd:duration: write them as days."""
    weeks = _WEEKS.match(duration)
    return f"P{int(weeks.group(1)) * 7}D" if weeks else duration


def _snb_concept(uri: str) -> Node:
    """A concept of an EU (snb) list, whose scheme is ``<list>/25831c2``; other skill URIs carry no scheme here."""
    if not uri.startswith(f"{SNB}/"):
        raise InvalidInput(f"the concept scheme of the related skill {uri!r} is unknown", field="learning_outcomes")
    scheme = uri.rsplit("/", 1)[0] + "/25831c2"
    return {"id": uri, "type": "Concept", "inScheme": {"id": scheme, "type": "ConceptScheme"}}
