"""An OB 3.0 Achievement definition as a college submits it, constrained to what the OB 3.0 schema accepts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from app.fields import AbsoluteUri, ImageRef, LongText, ShortText, StrictInput

# OB 3.0 enumerations (common_credentials.lines); "ext:" names extend them as the spec allows. The official JSON
# Schema's pattern, (ext:)[a-z|A-Z|0-9|.|-|_]+, has no "-" in its class ("|-|" is a range from "|" to "|").
_EXT = r"ext:[A-Za-z0-9._]+"
ACHIEVEMENT_TYPES = [
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
]
RESULT_TYPES = [
    "GradePointAverage",
    "LetterGrade",
    "Percent",
    "PerformanceLevel",
    "PredictedScore",
    "RawScore",
    "Result",
    "RubricCriterion",
    "RubricCriterionLevel",
    "RubricScore",
    "ScaledScore",
    "Status",
]
ALIGNMENT_TARGET_TYPES = [
    "ceasn:Competency",
    "ceterms:Credential",
    "CFItem",
    "CFRubric",
    "CFRubricCriterion",
    "CFRubricCriterionLevel",
    "CTDL",
]


def _enum_or_ext(values: list[str]) -> str:
    return "^(" + "|".join(v.replace(".", r"\.") for v in values) + "|" + _EXT + ")$"


AchievementType = Annotated[str, StringConstraints(pattern=_enum_or_ext(ACHIEVEMENT_TYPES))]
ResultType = Annotated[str, StringConstraints(pattern=_enum_or_ext(RESULT_TYPES))]
AlignmentTargetType = Annotated[str, StringConstraints(pattern=_enum_or_ext(ALIGNMENT_TARGET_TYPES))]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")]
ValueText = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class CriteriaInput(StrictInput):
    id: AbsoluteUri | None = None
    narrative: LongText | None = None

    @model_validator(mode="after")
    def _one_of(self) -> CriteriaInput:
        if self.id is None and self.narrative is None:
            raise ValueError("criteria needs a narrative (Markdown) or the id (URL) of a criteria page")
        return self


class AlignmentInput(StrictInput):
    targetName: ShortText
    targetUrl: AbsoluteUri
    targetCode: ShortText | None = None
    targetDescription: LongText | None = None
    targetFramework: ShortText | None = None
    targetType: AlignmentTargetType | None = None

    def to_ob3(self) -> dict[str, Any]:
        return {"type": ["Alignment"], **self.model_dump(exclude_none=True)}


class RubricCriterionLevelInput(StrictInput):
    id: AbsoluteUri | None = None
    name: ShortText
    description: LongText | None = None
    level: ShortText | None = None
    points: ShortText | None = None

    def to_ob3(self) -> dict[str, Any]:
        data = self.model_dump(exclude_none=True)
        data["id"] = self.id or f"urn:uuid:{uuid.uuid4()}"
        return {"type": ["RubricCriterionLevel"], **data}


class ResultDescriptionInput(StrictInput):
    """How results are expressed; a credential's ``result`` points at one of these by ``id``."""

    id: AbsoluteUri | None = Field(default=None, description="generated (urn:uuid) when omitted")
    name: ShortText
    resultType: ResultType
    allowedValue: list[ValueText] | None = Field(default=None, max_length=100)
    requiredLevel: AbsoluteUri | None = None
    requiredValue: ValueText | None = None
    rubricCriterionLevel: list[RubricCriterionLevelInput] | None = Field(default=None, max_length=50)
    valueMax: ValueText | None = None
    valueMin: ValueText | None = None
    alignment: list[AlignmentInput] | None = Field(default=None, max_length=50)

    def to_ob3(self) -> dict[str, Any]:
        data = self.model_dump(exclude_none=True, exclude={"rubricCriterionLevel", "alignment"})
        data["id"] = self.id or f"urn:uuid:{uuid.uuid4()}"
        if self.rubricCriterionLevel:
            data["rubricCriterionLevel"] = [level.to_ob3() for level in self.rubricCriterionLevel]
        if self.alignment:
            data["alignment"] = [a.to_ob3() for a in self.alignment]
        return {"type": ["ResultDescription"], **data}


class AchievementInput(StrictInput):
    name: ShortText
    description: LongText
    criteria: CriteriaInput
    achievementType: AchievementType | None = None
    image: ImageRef | None = None
    tags: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=50
    )
    alignments: list[AlignmentInput] | None = Field(default=None, max_length=100)
    resultDescriptions: list[ResultDescriptionInput] | None = Field(default=None, max_length=50)
    creditsAvailable: float | None = Field(default=None, ge=0, le=1000)
    fieldOfStudy: ShortText | None = None
    specialization: ShortText | None = None
    humanCode: ShortText | None = None
    inLanguage: LanguageTag | None = None
    version: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = None

    @model_validator(mode="after")
    def _unique_result_description_ids(self) -> AchievementInput:
        ids = [rd.id for rd in self.resultDescriptions or [] if rd.id]
        if len(ids) != len(set(ids)):
            raise ValueError("resultDescriptions: each id must be unique")
        return self

    def to_ob3(self, achievement_id: str, creator: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``Achievement`` object as OB 3.0 serializes it (arrays for sets, no nulls, no empty arrays)."""
        achievement: dict[str, Any] = {
            "id": achievement_id,
            "type": ["Achievement"],
            "name": self.name,
            "description": self.description,
            "criteria": self.criteria.model_dump(exclude_none=True),
        }
        for key in (
            "achievementType",
            "creditsAvailable",
            "fieldOfStudy",
            "specialization",
            "humanCode",
            "inLanguage",
            "version",
        ):
            value = getattr(self, key)
            if value is not None:
                achievement[key] = value
        if self.image:
            achievement["image"] = {"id": self.image, "type": "Image"}
        if self.tags:
            achievement["tag"] = list(self.tags)
        if self.alignments:
            achievement["alignment"] = [a.to_ob3() for a in self.alignments]
        if self.resultDescriptions:
            achievement["resultDescription"] = [rd.to_ob3() for rd in self.resultDescriptions]
        if creator:
            achievement["creator"] = creator
        return achievement
