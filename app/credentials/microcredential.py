"""The typed record of one issued micro-credential: what both builders (OB 3.0 and EDC) turn into JSON-LD.

Everything here is already validated (Annex I mandatory elements present, coded values resolved to concepts of the
EU vocabularies). Text that may be multilingual is a ``LangMap`` (language code -> text, at least one entry, the
spec's primary language first). The builders are pure: the same record always gives the same document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

LangMap = dict[str, str]  # {"en": "Heat pump installation", "nl": "Installatie van warmtepompen"}


@dataclass(frozen=True)
class Concept:
    """A value from a controlled vocabulary: its URI, its scheme (``inScheme``) and labels."""

    uri: str
    scheme: str
    label: LangMap


@dataclass(frozen=True)
class LearningOutcome:
    id: str  # stable within the specification, e.g. "LO1" (used by assessments to say which were achieved)
    title: LangMap
    esco_skills: tuple[str, ...] = ()  # http://data.europa.eu/esco/skill/<uuid>
    related_skills: tuple[str, ...] = ()  # other frameworks' skill URIs
    reusability_level: Concept | None = None  # http://data.europa.eu/snb/skill-reuse-level/cross-sector...


@dataclass(frozen=True)
class Organisation:
    name: LangMap
    country: Concept  # http://publications.europa.eu/resource/authority/country/NLD
    url: str | None = None
    legal_identifier: str | None = None  # its registration, e.g. a chamber of commerce number
    region: Concept | None = None  # http://publications.europa.eu/resource/authority/atu/...
    vat_identifier: str | None = None
    logo: str | None = None  # a PNG or JPEG as a data: URI (data:image/png;base64,...), embedded as it is


@dataclass(frozen=True)
class QualityAssurance:
    type: Concept  # http://data.europa.eu/snb/accreditation/... (programme QA, institutional licence...)
    agent: Organisation  # the accrediting / quality-assurance body
    decision: LangMap | None = None
    report_url: str | None = None
    qdr_id: str | None = None  # the accreditation's id in the Europass Qualification Dataset Register, if listed


@dataclass(frozen=True)
class LearningActivity:
    """What the specification says about the learning activity learners take (its type is the spec's
    ``learning_activity_type``); an assessment may give the dates one learner took it."""

    title: LangMap | None = None  # default: the specification's title
    description: LangMap | None = None
    organiser: Organisation | None = None  # who directed it
    mode: Concept | None = None  # default: the specification's participation form
    volume_hours: float | None = None  # default: the specification's workload hours
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Cost:
    amount: str  # decimal as text, e.g. "450.00"
    currency: Concept  # http://publications.europa.eu/resource/authority/currency/EUR


@dataclass(frozen=True)
class MicroCredentialSpec:
    """A micro-credential as a college defines it once (Council Recommendation 2022/C 243/02, Annex I)."""

    id: str  # vetcred's id of the specification
    uri: str  # its public id (OB 3.0 achievement id, ELM specification id)
    primary_language: str  # "en"
    # Annex I mandatory elements
    title: LangMap
    issuer_country: Concept
    awarding_bodies: tuple[Organisation, ...]
    learning_outcomes: tuple[LearningOutcome, ...]
    ects_credits: float | None  # notional workload: ECTS where possible...
    workload_hours: float | None  # ...else (or also) hours
    eqf_level: Concept | None  # http://data.europa.eu/snb/eqf/1..8
    nqf_level: Concept | None
    assessment_type: Concept
    participation_form: Concept  # mode: online / onsite (presential) / blended ...
    quality_assurance: tuple[QualityAssurance, ...]
    # optional elements
    description: LangMap | None = None
    issuer_region: Concept | None = None
    learning_setting: Concept | None = None  # formal / non-formal
    learning_activity_type: Concept | None = None  # e-learning, workshop, internship, volunteering...
    learning_activity: LearningActivity | None = None
    learning_opportunity_type: Concept | None = None  # http://data.europa.eu/snb/learning-opportunity/74a4a268e8...
    is_partial_qualification: bool | None = None
    prerequisites: LangMap | None = None
    supervision: Concept | None = None  # supervision-verification: unsupervised / supervised / with ID check
    grading_scheme: LangMap | None = None
    stackability: LangMap | None = None  # "stand-alone" / "stackable towards ..." in words
    part_of: tuple[str, ...] = ()  # URIs of larger specifications this one stacks into
    further_information: LangMap | None = None
    further_information_url: str | None = None
    duration: str | None = None  # ISO 8601 duration, e.g. "P3M": how long the learning opportunity takes
    maximum_duration: str | None = None  # ISO 8601: the most time a learner may take to complete it
    pace: LangMap | None = None
    mode_of_delivery: LangMap | None = None
    target_group: LangMap | None = None
    occupational_standards: tuple[str, ...] = ()  # URIs (ESCO occupations, national standards)
    languages: tuple[Concept, ...] = ()  # http://publications.europa.eu/resource/authority/language/ENG
    costs: tuple[Cost, ...] = ()
    thematic_areas: tuple[Concept, ...] = ()  # ISCED-F
    image_url: str | None = None


@dataclass(frozen=True)
class Learner:
    id: str
    given_name: str
    family_name: str
    email: str | None
    date_of_birth: date | None = None
    national_id: str | None = None
    national_id_country: Concept | None = None
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme name, value), e.g. ("student number", "2026-0417")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class Assessment:
    id: str
    reference: str  # the college's own reference (idempotency: spec + learner + reference)
    assessed_on: date
    achieved_outcomes: tuple[str, ...]  # LearningOutcome ids
    grade: str | None = None  # "Pass", "8.5", "B"...
    assessor: str | None = None
    supervision: Concept | None = None  # overrides the spec's
    evidence_url: str | None = None
    evidence_description: str | None = None
    certificate_number: str | None = None
    activity_start: date | None = None  # when this learner took the learning activity (replaces the spec's dates)
    activity_end: date | None = None


@dataclass(frozen=True)
class Sealer:
    """Who seals the EDC, as its e-seal certificate says; ``mandate`` is the college's statement when the seal is a
    third party's sealing on its behalf (that third party is then the EDC's issuer, the college its awarding body)."""

    legal_name: str | None  # the certificate's O
    organisation_identifier: str | None  # the certificate's organizationIdentifier (ETSI EN 319 412-1)
    country: Concept | None  # the certificate's C
    self_issued: bool  # vetcred's self-issued test seal
    mandate: str | None = None


@dataclass(frozen=True)
class IssuedMicroCredential:
    """One learner's micro-credential: the spec, the learner, the assessment that justifies it, and who issues it."""

    credential_id: str  # urn:uuid:... (OB 3.0) ; the EDC uses urn:credential:<same uuid>
    spec: MicroCredentialSpec
    learner: Learner
    assessment: Assessment
    issuer: Organisation
    issuer_did: str
    issuer_profile: dict[str, object]  # the OB 3.0 Profile of the issuer (as stored)
    issued_at: datetime
    valid_until: datetime | None = None
    parts: tuple[str, ...] = field(default=())  # credential ids of the parts, for a larger (stacked) credential
    sealer: Sealer | None = None  # who seals the EDC (unknown to the OB 3.0 builder, which does not need it)

    @property
    def achieved_outcomes(self) -> tuple[LearningOutcome, ...]:
        """Only what the assessment says was achieved: a credential never states more."""
        achieved = set(self.assessment.achieved_outcomes)
        return tuple(o for o in self.spec.learning_outcomes if o.id in achieved)
