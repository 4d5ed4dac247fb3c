"""The bodies of ``POST /api/v1/microcredentials`` (every Annex I element validated, codes resolved to EU concepts)
and of its pathway, as the API and the console take them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from app.achievements import vocabularies
from app.achievements.coded_fields import (
    AccreditationType,
    AssessmentType,
    CountryCode,
    CurrencyCode,
    EqfLevel,
    IscedF,
    LanguageCode,
    LearningActivityType,
    LearningOpportunityType,
    LearningSetting,
    ParticipationForm,
    ReusabilityLevel,
    Supervision,
)
from app.achievements.council import ANNEX_I_MANDATORY, QDR_SCHEME
from app.credentials.microcredential import (
    Concept,
    Cost,
    LangMap,
    LearningActivity,
    LearningOutcome,
    MicroCredentialSpec,
    Organisation,
    QualityAssurance,
)
from app.fields import AbsoluteUri, EmbeddedImage, HttpUrl, ImageRef, IsoDate, LongText, ShortText, StrictInput

ATU_PREFIX = "http://publications.europa.eu/resource/authority/atu/"
QDR_PREFIX = "http://data.europa.eu/snb/qdr/"
SHORT_LEARNING_PROGRAMME = "74a4a268e8"  # the type of a micro-credential's Qualification unless the college says
# Accreditations listed in the Europass Qualification Dataset Register (QDR), e.g. its test register's
# http://data.europa.eu/snb/data-dev/accreditation/<uuid> (EDCI's accreditation tests).
QdrAccreditation = Annotated[
    str,
    StringConstraints(pattern=r"^http://data\.europa\.eu/snb/[a-z-]+/accreditation/[A-Za-z0-9._-]+$"),
    Field(description="the accreditation's id in the Europass Qualification Dataset Register (QDR)"),
]
# BCP 47 as OB 3.0 constrains inLanguage (the primary language becomes the achievement's inLanguage).
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")]
LangText = Annotated[
    LongText | dict[LanguageTag, LongText],
    Field(description='text in the primary language, or a language map {"en": "...", "nl": "..."}'),
]
_ESCO_SKILL = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def _esco_skill(value: str) -> str:
    if not _ESCO_SKILL.match(value):
        raise ValueError("must be an ESCO skill URI: http://data.europa.eu/esco/skill/<uuid> (lower case)")
    return value


EscoSkill = Annotated[
    str,
    StringConstraints(max_length=200),
    AfterValidator(_esco_skill),
    Field(json_schema_extra={"pattern": _ESCO_SKILL.pattern}),
]
OutcomeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._\-]{1,50}$")]
IsoDuration = Annotated[
    str,
    StringConstraints(pattern=r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$"),
    AfterValidator(lambda value: _not_empty_duration(value)),
]


def _not_empty_duration(value: str) -> str:
    # The pattern cannot say "at least one part" (no look-ahead in pydantic's regex engine).
    if value == "P" or value.endswith("T"):
        raise ValueError("an ISO 8601 duration needs at least one number, e.g. P10W or PT84H")
    return value


class RegionInput(StrictInput):
    """A region from the EU administrative-territorial-units table (atu), with its name."""

    uri: AbsoluteUri = Field(description=f"{ATU_PREFIX}<code>")
    label: LangText

    @model_validator(mode="after")
    def _atu(self) -> RegionInput:
        if not self.uri.startswith(ATU_PREFIX):
            raise ValueError(f"a region must be a concept of {ATU_PREFIX}")
        return self


class NqfLevelInput(StrictInput):
    """A national qualifications framework level as the Europass QDR lists it, with its name."""

    uri: AbsoluteUri = Field(description=f"{QDR_PREFIX}<id>")
    label: LangText

    @model_validator(mode="after")
    def _qdr(self) -> NqfLevelInput:
        if not self.uri.startswith(QDR_PREFIX):
            raise ValueError(f"an NQF level must be a concept of {QDR_PREFIX}")
        return self


class OrganisationInput(StrictInput):
    name: LangText
    country: CountryCode
    url: HttpUrl | None = None
    legalIdentifier: ShortText | None = Field(
        default=None, description="its registration, e.g. a chamber of commerce number (EDC: registration)"
    )
    region: RegionInput | None = None
    vatIdentifier: ShortText | None = None
    logo: EmbeddedImage | None = None


class LearningOutcomeInput(StrictInput):
    id: OutcomeId | None = Field(default=None, description='stable id, "LO<n>" when omitted')
    title: LangText
    escoSkills: list[EscoSkill] = Field(default_factory=list, max_length=50)
    relatedSkills: list[AbsoluteUri] = Field(default_factory=list, max_length=50)
    reusabilityLevel: ReusabilityLevel | None = None


class QualityAssuranceInput(StrictInput):
    type: AccreditationType
    agent: OrganisationInput
    decision: LangText | None = None
    reportUrl: HttpUrl | None = None
    qdrAccreditation: QdrAccreditation | None = Field(
        default=None,
        description="when the accreditation is listed in the Europass QDR: its id there. The EDC then carries it as "
        "evidence and declares the Accreditation profile (which Europass checks against the QDR).",
    )


class LearningActivityInput(StrictInput):
    """The learning activity learners take (an EDC's LearningActivity); its type is ``learningActivityType``."""

    title: LangText | None = Field(default=None, description="default: the micro-credential's title")
    description: LangText | None = None
    organiser: OrganisationInput | None = Field(default=None, description="who runs the activity")
    mode: ParticipationForm | None = Field(default=None, description="default: participationForm")
    volumeHours: float | None = Field(default=None, gt=0, le=10_000, description="default: workloadHours")
    startDate: IsoDate | None = Field(
        default=None,
        description="for a course run on fixed dates; an assessment's activityStartDate/activityEndDate replace these",
    )
    endDate: IsoDate | None = None

    @field_validator("endDate")
    @classmethod
    def _after_start(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("startDate")
        if end is not None and start is not None and end < start:
            raise ValueError(f"the activity ends ({end}) before it starts ({start})")
        return end


class CostInput(StrictInput):
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: CurrencyCode


class PolicyInput(StrictInput):
    requireAllOutcomes: bool = Field(default=True, description="issue only when every learning outcome is achieved")


class PathwayInput(StrictInput):
    """The body of ``PUT /api/v1/microcredentials/{id}/pathway`` (and the console's pathway form)."""

    parts: list[str] = Field(min_length=1, max_length=50, description="ids of the micro-credentials it stacks")
    required: int | None = Field(default=None, description="N of the parts; omitted = all of them")


class MicroCredentialSpecInput(StrictInput):
    """A micro-credential as a college defines it: Annex I mandatory elements required, optional ones and extras."""

    primaryLanguage: LanguageTag = "en"
    # Annex I mandatory elements
    title: LangText
    issuerCountry: CountryCode
    awardingBodies: list[OrganisationInput] = Field(min_length=1, max_length=20)
    learningOutcomes: list[LearningOutcomeInput] = Field(min_length=1, max_length=100)
    workloadHours: float | None = Field(default=None, gt=0, le=10_000)
    ectsCredits: float | None = Field(default=None, gt=0, le=1_000, description="notional workload: this and/or hours")
    eqfLevel: EqfLevel | None = Field(default=None, description="EQF level 1-8; this and/or nqfLevel")
    assessmentType: AssessmentType
    participationForm: ParticipationForm
    qualityAssurance: list[QualityAssuranceInput] = Field(min_length=1, max_length=20)
    # optional elements (Annex I) and Cedefop's extras
    description: LangText | None = None
    nqfLevel: NqfLevelInput | None = None
    issuerRegion: RegionInput | None = None
    learningSetting: LearningSetting | None = None
    learningActivityType: LearningActivityType | None = None
    learningActivity: LearningActivityInput | None = None
    learningOpportunityType: LearningOpportunityType | None = Field(
        default=None, description="the type of the EDC's Qualification; default Short learning programme"
    )
    isPartialQualification: bool | None = None
    prerequisites: LangText | None = None
    supervision: Supervision | None = None
    gradingScheme: LangText | None = None
    stackability: LangText | None = None
    partOf: list[AbsoluteUri] = Field(default_factory=list, max_length=20)
    furtherInformation: LangText | None = None
    furtherInformationUrl: HttpUrl | None = None
    duration: IsoDuration | None = Field(default=None, description="ISO 8601 duration, e.g. P10W")
    maximumDuration: IsoDuration | None = Field(
        default=None, description="the most time a learner may take to complete it (ISO 8601), e.g. P6M"
    )
    pace: LangText | None = None
    modeOfDelivery: LangText | None = None
    targetGroup: LangText | None = None
    occupationalStandards: list[AbsoluteUri] = Field(default_factory=list, max_length=50)
    languages: list[LanguageCode] = Field(default_factory=list, max_length=30)
    costs: list[CostInput] = Field(default_factory=list, max_length=10)
    iscedF: list[IscedF] = Field(default_factory=list, max_length=10)
    imageUrl: ImageRef | None = None
    policy: PolicyInput = Field(default_factory=PolicyInput)

    @model_validator(mode="wrap")
    @classmethod
    def _annex_i(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> MicroCredentialSpecInput:
        """Name a missing Annex I element in the Recommendation's words; check rules that span fields."""
        try:
            model: MicroCredentialSpecInput = handler(data)
        except ValidationError as error:
            reworded = [_annex_i_wording(e) for e in error.errors()]
            # The elements given by either of two fields are named too, so that one answer lists all that is missing.
            given = data.get if isinstance(data, dict) else lambda _name: True
            raise ValidationError.from_exception_data(cls.__name__, reworded + list(_either_missing(given))) from None
        problems = list(model._problems())
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return model

    def outcome_ids(self) -> list[str]:
        return [outcome.id or f"LO{n}" for n, outcome in enumerate(self.learningOutcomes, start=1)]

    def to_spec(self, spec_id: str, uri: str) -> MicroCredentialSpec:
        """The typed record the builders use; ``uri`` becomes the OB 3.0 achievement / ELM specification id."""
        text = self._lang
        return MicroCredentialSpec(
            id=spec_id,
            uri=uri,
            primary_language=self.primaryLanguage,
            title=text(self.title),
            issuer_country=vocabularies.concept("country", self.issuerCountry),
            awarding_bodies=tuple(self._organisation(body) for body in self.awardingBodies),
            learning_outcomes=tuple(
                LearningOutcome(
                    id=outcome_id,
                    title=text(outcome.title),
                    esco_skills=tuple(outcome.escoSkills),
                    related_skills=tuple(outcome.relatedSkills),
                    reusability_level=self._optional_concept("skill-reuse-level", outcome.reusabilityLevel),
                )
                for outcome_id, outcome in zip(self.outcome_ids(), self.learningOutcomes, strict=True)
            ),
            ects_credits=self.ectsCredits,
            workload_hours=self.workloadHours,
            eqf_level=vocabularies.concept("eqf", self.eqfLevel) if self.eqfLevel is not None else None,
            nqf_level=Concept(self.nqfLevel.uri, QDR_SCHEME, text(self.nqfLevel.label)) if self.nqfLevel else None,
            assessment_type=vocabularies.concept("assessment", self.assessmentType),
            participation_form=vocabularies.concept("learning-assessment", self.participationForm),
            quality_assurance=tuple(
                QualityAssurance(
                    type=vocabularies.concept("accreditation", qa.type),
                    agent=self._organisation(qa.agent),
                    decision=text(qa.decision) if qa.decision else None,
                    report_url=qa.reportUrl,
                    qdr_id=qa.qdrAccreditation,
                )
                for qa in self.qualityAssurance
            ),
            description=self._optional_text(self.description),
            issuer_region=self._region(self.issuerRegion),
            learning_setting=self._optional_concept("learning-setting", self.learningSetting),
            learning_activity_type=self._optional_concept("learning-activity", self.learningActivityType),
            learning_activity=self._learning_activity(self.learningActivity),
            learning_opportunity_type=vocabularies.concept(
                "learning-opportunity", self.learningOpportunityType or SHORT_LEARNING_PROGRAMME
            ),
            is_partial_qualification=self.isPartialQualification,
            prerequisites=self._optional_text(self.prerequisites),
            supervision=self._optional_concept("supervision-verification", self.supervision),
            grading_scheme=self._optional_text(self.gradingScheme),
            stackability=self._optional_text(self.stackability),
            part_of=tuple(self.partOf),
            further_information=self._optional_text(self.furtherInformation),
            further_information_url=self.furtherInformationUrl,
            duration=self.duration,
            maximum_duration=self.maximumDuration,
            pace=self._optional_text(self.pace),
            mode_of_delivery=self._optional_text(self.modeOfDelivery),
            target_group=self._optional_text(self.targetGroup),
            occupational_standards=tuple(self.occupationalStandards),
            languages=tuple(vocabularies.concept("language", code) for code in self.languages),
            costs=tuple(
                Cost(f"{cost.amount:.2f}", vocabularies.concept("currency", cost.currency)) for cost in self.costs
            ),
            thematic_areas=tuple(vocabularies.concept("isced-f", code) for code in self.iscedF),
            image_url=self.imageUrl,
        )

    def _problems(self) -> Iterator[InitErrorDetails]:
        """Rules across fields, each reported at the field it concerns."""
        yield from _either_missing(lambda name: getattr(self, name))
        seen: set[str] = set()
        for index, outcome_id in enumerate(self.outcome_ids()):
            if outcome_id in seen:
                yield _error(
                    ("learningOutcomes", index, "id"), outcome_id, f"duplicate learning outcome id {outcome_id}"
                )
            seen.add(outcome_id)
        for loc, text in _language_maps(self, ()):
            if self.primaryLanguage not in text:
                yield _error(loc, text, f"needs a text in the primary language {self.primaryLanguage!r}")

    def _lang(self, value: str | dict[str, str]) -> LangMap:
        """A language map with the primary language first (a plain string is primary-language text)."""
        if isinstance(value, str):
            return {self.primaryLanguage: value}
        return {self.primaryLanguage: value[self.primaryLanguage]} | value

    def _optional_text(self, value: str | dict[str, str] | None) -> LangMap | None:
        return self._lang(value) if value is not None else None

    def _organisation(self, body: OrganisationInput) -> Organisation:
        return Organisation(
            name=self._lang(body.name),
            country=vocabularies.concept("country", body.country),
            url=body.url,
            legal_identifier=body.legalIdentifier,
            region=self._region(body.region),
            vat_identifier=body.vatIdentifier,
            logo=body.logo,
        )

    def _learning_activity(self, activity: LearningActivityInput | None) -> LearningActivity | None:
        if activity is None:
            return None
        return LearningActivity(
            title=self._optional_text(activity.title),
            description=self._optional_text(activity.description),
            organiser=self._organisation(activity.organiser) if activity.organiser else None,
            mode=self._optional_concept("learning-assessment", activity.mode),
            volume_hours=activity.volumeHours,
            start=activity.startDate,
            end=activity.endDate,
        )

    def _region(self, region: RegionInput | None) -> Concept | None:
        return Concept(region.uri, ATU_PREFIX.rstrip("/"), self._lang(region.label)) if region else None

    @staticmethod
    def _optional_concept(scheme_name: str, value: str | None) -> Concept | None:
        return vocabularies.concept(scheme_name, value) if value is not None else None


# Annex I elements that one of two fields gives: (the field named when both are missing, the other).
_EITHER = (("ectsCredits", "workloadHours"), ("eqfLevel", "nqfLevel"))


def _either_missing(given: Callable[[str], Any]) -> Iterator[InitErrorDetails]:
    """An Annex I element given by neither of its two fields (``given(name)`` is the field's value or None)."""
    for named, other in _EITHER:
        if given(named) is None and given(other) is None:
            yield _error((named,), None, f"Annex I mandatory element missing: {ANNEX_I_MANDATORY[named]}", "missing")


def _annex_i_wording(error: Any) -> InitErrorDetails:
    """Keep a pydantic error as it is, except that a missing Annex I element is named in the Recommendation's words."""
    loc = tuple(error["loc"])
    if error["type"] == "missing" and len(loc) == 1 and loc[0] in ANNEX_I_MANDATORY:
        wording = ANNEX_I_MANDATORY[str(loc[0])]
        return _error(loc, error["input"], f"Annex I mandatory element missing: {wording}", "missing")
    return _error(loc, error["input"], error["msg"], error["type"])


def _error(loc: tuple[str | int, ...], value: Any, message: str, kind: str = "value_error") -> InitErrorDetails:
    # The message is passed as context, never as the template, so braces in user input are not interpreted.
    return InitErrorDetails(type=PydanticCustomError(kind, "{message}", {"message": message}), loc=loc, input=value)


def _language_maps(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], dict[str, str]]]:
    """Every language map in the input with its location (language maps are the model's only dict values)."""
    if isinstance(value, dict):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _language_maps(getattr(value, name), (*loc, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _language_maps(item, (*loc, index))
