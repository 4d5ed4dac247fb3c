"""An assessed result as a college submits it: the learner, which learning outcomes were achieved, the grade."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from app.fields import Email, HttpUrl, IsoDate, LongText, ShortText, StrictInput

Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
OutcomeId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


# What an assessment records about the result (kept with it; the rest of a row identifies the learner).
ASSESSMENT_FACTS = {
    "assessedOn",
    "achievedOutcomes",
    "grade",
    "assessor",
    "supervision",
    "evidenceUrl",
    "evidenceDescription",
    "certificateNumber",
    "activityStartDate",
    "activityEndDate",
}


class AssessmentInput(StrictInput):
    """One row of a cohort, or one assessment: the learner is found (or recorded) by e-mail within the college."""

    givenName: ShortText
    familyName: ShortText
    email: Email
    dateOfBirth: IsoDate | None = None
    nationalId: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    studentNumber: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    reference: Reference = Field(description="the college's own reference of this assessment (idempotency key)")
    assessedOn: IsoDate
    achievedOutcomes: list[OutcomeId] = Field(description="ids of the specification's learning outcomes achieved")
    grade: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    assessor: ShortText | None = None
    supervision: ShortText | None = Field(default=None, description="overrides the specification's supervision")
    evidenceUrl: HttpUrl | None = None
    evidenceDescription: LongText | None = None
    certificateNumber: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = (
        Field(default=None, description="the credential's certificate number (EDC identifier); default: reference")
    )
    activityStartDate: IsoDate | None = Field(
        default=None, description="when this learner took the learning activity; replaces the specification's dates"
    )
    activityEndDate: IsoDate | None = None

    @field_validator("achievedOutcomes", mode="before")
    @classmethod
    def _split_csv_list(cls, value: object) -> object:
        """CSV cells carry lists as ``LO1;LO2`` (or ``LO1,LO2``)."""
        if isinstance(value, str):
            return [part for part in value.replace(",", ";").split(";") if part.strip()]
        return value

    @field_validator(
        "dateOfBirth",
        "nationalId",
        "studentNumber",
        "grade",
        "assessor",
        "supervision",
        "evidenceUrl",
        "evidenceDescription",
        "certificateNumber",
        "activityStartDate",
        "activityEndDate",
        mode="before",
    )
    @classmethod
    def _empty_cell_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("activityEndDate")
    @classmethod
    def _after_start(cls, end: IsoDate | None, info: ValidationInfo) -> date | None:
        start = info.data.get("activityStartDate")
        if end is not None and start is not None and end < start:
            raise ValueError(f"the activity ends ({end}) before it starts ({start})")
        return end
