"""Input fields that take a value of an EU vocabulary (a code, an alternative code, an English label or the concept
URI) and keep the concept's URI; an unknown value is a 422 naming the field and the allowed values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, Field

from app.achievements import vocabularies
from app.errors import InvalidInput


def _resolver(scheme_name: str) -> Callable[[str | int], str]:
    """Validate a code, alternative code, English label or URI of ``scheme_name`` to the concept's URI."""

    def resolve(value: str | int) -> str:
        try:
            return vocabularies.concept(scheme_name, value).uri
        except InvalidInput as error:
            raise ValueError(error.detail) from None

    return resolve


CountryCode = Annotated[
    str,
    AfterValidator(_resolver("country")),
    Field(description="ISO 3166-1 alpha-3 (NLD) or alpha-2 (NL) code, or the EU authority-table URI"),
]
EqfLevel = Annotated[
    int | str,
    AfterValidator(_resolver("eqf")),
    Field(description="EQF level 1-8, or http://data.europa.eu/snb/eqf/<n>"),
]
AssessmentType = Annotated[
    str, AfterValidator(_resolver("assessment")), Field(description="code, English label or URI (EU assessment types)")
]
ParticipationForm = Annotated[
    str,
    AfterValidator(_resolver("learning-assessment")),
    Field(description="online, onsite (presential), blended, workbased, project based... or the concept URI"),
]
LearningSetting = Annotated[
    str, AfterValidator(_resolver("learning-setting")), Field(description="formal, non-formal, or the concept URI")
]
LearningActivityType = Annotated[
    str,
    AfterValidator(_resolver("learning-activity")),
    Field(description="e-learning coursework, workshop, internship, volunteering... or the concept URI"),
]
Supervision = Annotated[
    str,
    AfterValidator(_resolver("supervision-verification")),
    Field(description="supervision and identity verification: code, label or URI"),
]
AccreditationType = Annotated[
    str, AfterValidator(_resolver("accreditation")), Field(description="quality-assurance type: code, label or URI")
]
LanguageCode = Annotated[
    str,
    AfterValidator(_resolver("language")),
    Field(description="ISO 639-1 code (en), EU authority-table code (ENG) or URI"),
]
CurrencyCode = Annotated[
    str, AfterValidator(_resolver("currency")), Field(description="ISO 4217 code (EUR) or the authority-table URI")
]
IscedF = Annotated[str, AfterValidator(_resolver("isced-f")), Field(description="ISCED-F 2013 code (0713) or URI")]
LearningOpportunityType = Annotated[
    str,
    AfterValidator(_resolver("learning-opportunity")),
    Field(description="Short learning programme (74a4a268e8, the default), Course, Programme module... or the URI"),
]
ReusabilityLevel = Annotated[
    str,
    AfterValidator(_resolver("skill-reuse-level")),
    Field(description="transversal, cross-sector, sector-specific or occupation-specific (ESCO), or the concept URI"),
]
