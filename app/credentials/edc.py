"""Pure builder of an unsigned Europass Digital Credential (EDC, ELM 3.1 / AP 1.1.0) from a micro-credential record.

Shaped like the Commission's samples (``Sample-MC-Annex1-*.jsonld``): VC 1.1 + edc-ap context, every coded value a
full ``Concept`` with ``inScheme``, one ``urn:epass:<class>:<uuid>`` id per distinct node (UUIDv5 under the credential's
UUID, so the same record always gives the same document). A node met twice (the issuer that is also the awarding
body, the awarding process of both achievement and assessment) is written in full each time with the same id and
content, as the samples do. docs/annex-i-edc-mapping.md says where each Annex I element lands.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

from app.credentials import edc_issuer
from app.credentials.edc_nodes import (
    AUTHORITY,
    ECTS,
    ESCO_SKILLS,
    EU_LANGUAGES,
    PNG,
    Node,
    concept,
    concepts,
    decimal,
    hours,
    image_from_data_uri,
    media_object,
    midnight,
    node,
    present,
    snb_concept,
    text,
    xsd_duration,
)
from app.credentials.microcredential import (
    Concept,
    IssuedMicroCredential,
    LangMap,
    LearningActivity,
    LearningOutcome,
    Organisation,
    QualityAssurance,
)
from app.errors import InvalidInput
from app.proofs.data_integrity import xsd_datetime

CONTEXTS = ("https://www.w3.org/2018/credentials/v1", "http://data.europa.eu/snb/model/context/edc-ap")
TYPES = ("VerifiableCredential", "EuropeanDigitalCredential")


def build_edc(record: IssuedMicroCredential, *, display_images: Mapping[str, bytes]) -> dict[str, Any]:
    """The unsigned EDC of ``record``, to read or serialize; ``display_images`` holds one PNG page per display
    language (title language).

    Raises ``InvalidInput`` for a display language without an image or outside the EU official languages, and for
    a related skill whose concept scheme cannot be told from its URI.
    """
    # A node named in several roles (an organisation that awards and issues) is the same Python object in each place:
    # the tree is for reading and serializing, as every caller does (pyld copies what it processes), and copying
    # it cost a third as much again as building it.
    return _Builder(record).credential(display_images)


def achievement_id(credential_id: str) -> str:
    """The id of the LearningAchievement in the EDC of ``credential_id``: what a stacked credential's ``hasPart``
    names, so the parts resolve across documents."""
    return f"urn:epass:learningAchievement:{name_based_uuid(uuid.UUID(credential_id).bytes, 'learningAchievement/')}"


def name_based_uuid(namespace: bytes, name: str) -> str:
    """``str(uuid.uuid5(UUID(bytes=namespace), name))`` without the two UUID objects: an EDC names some 50 nodes."""
    digest = bytearray(hashlib.sha1(namespace + name.encode(), usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class _Builder:
    def __init__(self, record: IssuedMicroCredential) -> None:
        self.record = record
        self.spec = record.spec
        self.lang = record.spec.primary_language
        self.uuid = uuid.UUID(record.credential_id)
        self.namespace = self.uuid.bytes
        self.organisations: dict[str, Node] = {}

    def id(self, kind: str, key: str = "") -> str:
        """``urn:epass:<kind>:<uuid>``: the same (kind, key) is the same node; any other pair is another node."""
        return f"urn:epass:{kind}:{name_based_uuid(self.namespace, f'{kind}/{key}')}"

    def credential(self, display_images: Mapping[str, bytes]) -> Node:
        issued = xsd_datetime(self.record.issued_at)
        valid_until = self.record.valid_until
        profiles = edc_issuer.profiles(self.record)
        return {"@context": list(CONTEXTS)} | node(
            f"urn:credential:{self.uuid}",
            list(TYPES),
            identifier=self.certificate_number(),
            credentialSchema=[{"id": profile.schema, "type": "ShaclValidator2017"} for profile in profiles],
            credentialProfiles=[concept(profile.concept) for profile in profiles],
            displayParameter=self.display(display_images),
            issuer=self.issuer(),
            issued=issued,
            issuanceDate=issued,
            validFrom=issued,
            validUntil=xsd_datetime(valid_until) if valid_until else None,
            credentialSubject=self.person(self.achievement(issued)),
            evidence=edc_issuer.evidence(
                self.id,
                self.record,
                [(str(qa.qdr_id), self.accreditation(qa)) for qa in edc_issuer.listed_accreditations(self.record)],
            ),
        )

    def certificate_number(self) -> list[Node]:
        number = self.record.assessment.certificate_number
        if number is None:
            return []
        return [
            node(self.id("identifier", "certificate"), "Identifier", schemeName="Certificate number", notation=number)
        ]

    def display(self, images: Mapping[str, bytes]) -> Node:
        languages = list(self.spec.title)
        missing = [code for code in languages if code not in images]
        if missing:
            raise InvalidInput(f"no display image for the title language(s) {', '.join(missing)}", field="spec.title")
        return node(
            self.id("displayParameter"),
            "DisplayParameter",
            title=dict(self.spec.title),
            description=text(self.spec.description),
            language=[self.language(code) for code in languages],
            primaryLanguage=self.language(self.lang),
            individualDisplay=[self.individual_display(code, images[code]) for code in languages],
        )

    def individual_display(self, code: str, image: bytes) -> Node:
        media = media_object(self.id("mediaObject", f"display/{code}"), base64.b64encode(image).decode("ascii"), PNG)
        detail = node(self.id("displayDetail", code), "DisplayDetail", image=media, page=1)
        return node(
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
        """The college with its eIDAS identifier (``edc_issuer``), or the third party that seals on its behalf."""
        sealer = edc_issuer.mandated(self.record)
        if sealer is not None:
            return edc_issuer.mandated_sealer(self.id, sealer, self.lang)
        issuer = self.record.issuer
        issuer_node = self.organisation(issuer, eidas=edc_issuer.eidas_identifier(self.record))
        if issuer.region is None and self.spec.issuer_region is not None:
            issuer_node["location"][0]["spatialCode"] = [concept(self.spec.issuer_region)]
        if self.spec.issuer_country.uri != issuer.country.uri:
            issuer_node["location"].append(self.location("issuer-country", self.spec.issuer_country, None))
        return issuer_node

    def organisation(self, org: Organisation, *, eidas: tuple[str, Concept] | None = None) -> Node:
        # The key names its nodes (uuid5): a logo of 100 kB is keyed by its digest, not hashed into every id.
        key = repr(
            org if org.logo is None else dataclasses.replace(org, logo=hashlib.sha256(org.logo.encode()).hexdigest())
        )
        if key not in self.organisations:
            eidas_node = None
            if eidas is not None:
                eidas_node = self.legal_identifier(f"eidas/{key}", *eidas)
            registration = None
            if org.legal_identifier:
                registration = self.legal_identifier(f"registration/{key}", org.legal_identifier, org.country)
            vat = [self.legal_identifier(f"vat/{key}", org.vat_identifier, org.country)] if org.vat_identifier else []
            self.organisations[key] = node(
                self.id("org", key),
                "Organisation",
                legalName=dict(org.name),
                location=[self.location(key, org.country, org.region)],
                eIDASIdentifier=eidas_node,
                registration=registration,
                vatIdentifier=vat,
                logo=image_from_data_uri(self.id("mediaObject", f"logo/{key}"), org.logo) if org.logo else None,
                homepage=[self.web_resource(f"homepage/{key}", org.url)] if org.url else None,
            )
        return self.organisations[key]

    def location(self, key: str, country: Concept, region: Concept | None) -> Node:
        address = node(self.id("address", key), "Address", countryCode=concept(country))
        return node(self.id("location", key), "Location", address=address, spatialCode=concepts([region]))

    def legal_identifier(self, key: str, notation: str, country: Concept) -> Node:
        return node(self.id("legalIdentifier", key), "LegalIdentifier", notation=notation, spatial=concept(country))

    def web_resource(self, key: str, url: str, title: LangMap | None = None) -> Node:
        return node(self.id("webResource", key), "WebResource", contentURL=url, title=text(title))

    def note(self, key: str, value: LangMap | None) -> Node | None:
        return node(self.id("note", key), "Note", noteLiteral=dict(value)) if value else None

    def person(self, claim: Node) -> Node:
        learner = self.record.learner
        national_id = None
        if learner.national_id and learner.national_id_country:
            national_id = self.legal_identifier("national", learner.national_id, learner.national_id_country)
        elif learner.national_id:  # a LegalIdentifier needs its country (spatial): without one, a plain Identifier
            national_id = node(self.id("identifier", "national"), "Identifier", notation=learner.national_id)
        contact = None
        if learner.email:
            mailbox = {"id": f"mailto:{learner.email}", "type": "Mailbox"}
            contact = [node(self.id("contactPoint", "learner"), "ContactPoint", emailAddress=[mailbox])]
        identifiers = [
            node(self.id("identifier", f"{scheme}/{value}"), "Identifier", schemeName=scheme, notation=value)
            for scheme, value in learner.identifiers
        ]
        return node(
            self.id("person"),
            "Person",
            fullName={self.lang: learner.full_name},
            givenName={self.lang: learner.given_name},
            familyName={self.lang: learner.family_name},
            dateOfBirth=midnight(learner.date_of_birth) if learner.date_of_birth else None,
            nationalID=national_id,
            identifier=identifiers,
            contactPoint=contact,
            hasClaim=[claim],
        )

    def achievement(self, issued: str) -> Node:
        spec, assessment = self.spec, self.record.assessment
        bodies = [self.organisation(org) for org in spec.awarding_bodies]
        awarding = node(self.id("awardingProcess"), "AwardingProcess", awardingBody=bodies, awardingDate=issued)
        specification = self.specification()
        evidence = None
        if assessment.evidence_url:
            caption = {self.lang: assessment.evidence_description} if assessment.evidence_description else None
            evidence = [self.web_resource("evidence", assessment.evidence_url, caption)]
        graded = assessment.grade is not None
        if not graded:  # ELM requires a grade on a LearningAssessment: without one, only how it is assessed is stated
            specification["provenBy"] = [self.assessment_specification()]
        return node(
            achievement_id(self.record.credential_id),
            "LearningAchievement",
            title=dict(spec.title),
            awardedBy=awarding,
            provenBy=[self.assessment(awarding, evidence)] if graded else None,
            supplementaryDocument=None if graded else evidence,
            influencedBy=[self.activity(awarding)],
            specifiedBy=specification,
            learningOpportunity=self.opportunity(specification, bodies),
            hasPart=[self.part(credential_id, awarding) for credential_id in self.record.parts],
        )

    def assessment(self, awarding: Node, evidence: list[Node] | None) -> Node:
        assessment, spec = self.record.assessment, self.spec
        supervision = assessment.supervision or spec.supervision
        assessor = None
        if assessment.assessor:
            assessor = [node(self.id("agent", "assessor"), "Agent", prefLabel={self.lang: assessment.assessor})]
        return node(
            self.id("learningAssessment"),
            "LearningAssessment",
            title=dict(spec.assessment_type.label),
            grade=self.note("grade", {self.lang: str(assessment.grade)}),
            awardedBy=awarding,
            dateIssued=midnight(assessment.assessed_on),
            idVerification=concept(supervision) if supervision else None,
            assessedBy=assessor,
            supplementaryDocument=evidence,
            specifiedBy=self.assessment_specification(),
        )

    def assessment_specification(self) -> Node:
        spec = self.spec
        grading = None
        if spec.grading_scheme:
            grading = node(self.id("gradingScheme"), "GradingScheme", title=dict(spec.grading_scheme))
        return node(
            self.id("learningAssessmentSpec"),
            "LearningAssessmentSpecification",
            title=dict(spec.assessment_type.label),
            dcType=concept(spec.assessment_type),
            mode=[concept(spec.participation_form)],
            gradingScheme=grading,
        )

    def activity(self, awarding: Node) -> Node:
        """The learning activity the learner took: Annex I's form of participation is in a learning activity. Its
        dates are the assessment's for this learner, else the specification's (a course run on fixed dates)."""
        spec, assessment = self.spec, self.record.assessment
        details = spec.learning_activity or LearningActivity()
        start, end = details.start, details.end
        if assessment.activity_start or assessment.activity_end:
            start, end = assessment.activity_start, assessment.activity_end
        volume = details.volume_hours if details.volume_hours is not None else spec.workload_hours
        specification = node(
            self.id("learningActivitySpec"),
            "LearningActivitySpecification",
            title=dict(details.title or spec.title),
            dcType=concepts([spec.learning_activity_type]),
            mode=[concept(details.mode or spec.participation_form)],
            volumeOfLearning=hours(volume) if volume is not None else None,
            language=concepts(spec.languages),
        )
        period = None
        if start or end:
            period = node(
                self.id("period", "activity"),
                "PeriodOfTime",
                startDate=midnight(start) if start else None,
                endDate=midnight(end) if end else None,
            )
        return node(
            self.id("learningActivity"),
            "LearningActivity",
            title=dict(details.title or spec.title),
            description=text(details.description),
            awardedBy=awarding,
            temporal=period,
            directedBy=[self.organisation(details.organiser)] if details.organiser else None,
            specifiedBy=specification,
        )

    def specification(self) -> Node:
        """A ``Qualification`` when a level is given (only it has ``eqfLevel``/``nqfLevel``), else a
        ``LearningAchievementSpecification``."""
        spec = self.spec
        qualification = spec.eqf_level is not None or spec.nqf_level is not None
        kind = "Qualification" if qualification else "LearningAchievementSpecification"
        credit = None
        if spec.ects_credits is not None:
            point = decimal(spec.ects_credits)
            credit = [node(self.id("creditPoint", "ects"), "CreditPoint", framework=concept(ECTS), point=point)]
        further = None
        if spec.further_information_url:
            further = [self.web_resource("furtherInformation", spec.further_information_url)]
        notes = [
            self.note("furtherInformation", spec.further_information),
            self.note("stackability", spec.stackability),
            self.note("targetGroup", spec.target_group),
        ]
        return node(
            self.id(kind[0].lower() + kind[1:]),
            kind,
            title=dict(spec.title),
            description=text(spec.description),
            dcType=concepts([spec.learning_opportunity_type]),
            learningOutcome=[self.outcome(outcome) for outcome in self.record.achieved_outcomes],
            creditPoint=credit,
            volumeOfLearning=hours(spec.workload_hours) if spec.workload_hours is not None else None,
            eqfLevel=concept(spec.eqf_level) if spec.eqf_level else None,
            nqfLevel=concepts([spec.nqf_level]),
            isPartialQualification=spec.is_partial_qualification if qualification else None,
            mode=[concept(spec.participation_form)],
            learningSetting=concept(spec.learning_setting) if spec.learning_setting else None,
            thematicArea=concepts(spec.thematic_areas),
            entryRequirement=self.note("entryRequirement", spec.prerequisites),
            language=concepts(spec.languages),
            maximumDuration=xsd_duration(spec.maximum_duration) if spec.maximum_duration else None,
            accreditation=[self.accreditation(qa) for qa in spec.quality_assurance],
            # The shapes require a typed, titled node; the record knows only the larger specification's URI.
            isPartOf=[node(uri, kind, title={self.lang: uri}) for uri in spec.part_of],
            homepage=further,
            additionalNote=present(notes),
        )

    def outcome(self, outcome: LearningOutcome) -> Node:
        # The record holds ESCO skill URIs only: there are no labels to give.
        esco = {"type": "Concept", "inScheme": {"id": ESCO_SKILLS, "type": "ConceptScheme"}}
        return node(
            self.id("learningOutcome", outcome.id),
            "LearningOutcome",
            title=dict(outcome.title),
            relatedESCOSkill=[{"id": uri} | esco for uri in outcome.esco_skills],
            relatedSkill=[snb_concept(uri) for uri in outcome.related_skills],
            reusabilityLevel=concept(outcome.reusability_level) if outcome.reusability_level else None,
        )

    def accreditation(self, qa: QualityAssurance) -> Node:
        """ELM's ``decision`` is a Concept; the record's decision is text, so it is the ``description``. One listed
        in the Europass register (QDR) is the node of that id, which the credential's evidence names too."""
        key = repr(qa)
        return node(
            qa.qdr_id or self.id("accreditation", key),
            "Accreditation",
            title=dict(qa.type.label),
            dcType=concept(qa.type),
            accreditingAgent=self.organisation(qa.agent),
            description=text(qa.decision),
            report=self.web_resource(f"report/{key}", qa.report_url) if qa.report_url else None,
        )

    def opportunity(self, specification: Node, bodies: list[Node]) -> Node | None:
        """Costs (``priceDetail``), pace (``scheduleInformation``), mode of delivery and the usual duration live on
        the opportunity."""
        spec = self.spec
        if not (spec.costs or spec.pace or spec.mode_of_delivery or spec.duration):
            return None
        prices = [
            node(
                self.id("priceDetail", repr(cost)),
                "PriceDetail",
                amount=[node(self.id("amount", repr(cost)), "Amount", value=cost.amount, unit=concept(cost.currency))],
            )
            for cost in spec.costs
        ]
        return node(
            self.id("learningOpportunity"),
            "LearningOpportunity",
            title=dict(spec.title),
            providedBy=bodies,
            learningAchievementSpecification=specification,
            duration=xsd_duration(spec.duration) if spec.duration else None,
            priceDetail=prices,
            scheduleInformation=self.note("pace", spec.pace),
            additionalNote=present([self.note("modeOfDelivery", spec.mode_of_delivery)]),
        )

    def part(self, credential_id: str, awarding: Node) -> Node:
        """A part's achievement, under the id its own EDC gives it; titled with its credential id (all we know)."""
        title = {self.lang: f"urn:credential:{uuid.UUID(credential_id)}"}
        return node(achievement_id(credential_id), "LearningAchievement", title=title, awardedBy=awarding)
