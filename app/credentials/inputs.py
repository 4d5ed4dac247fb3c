"""A request to issue a credential: the recipient, results, evidence and validity period."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from app.fields import AbsoluteUri, Email, HttpUrl, IsoDateTime, LongText, ShortText, StrictInput

Did = Annotated[str, StringConstraints(pattern=r"^did:[a-z0-9]+:[A-Za-z0-9._:%\-]+$", max_length=2000)]
IdentifierType = Annotated[
    str,
    StringConstraints(
        pattern=r"^(name|sourcedId|systemId|productId|userName|accountId|emailAddress|nationalIdentityNumber|isbn|"
        r"issn|lisSourcedId|oneRosterSourcedId|sisSourcedId|ltiContextId|ltiDeploymentId|ltiToolId|ltiPlatformId|"
        r"ltiUserId|identifier|ext:[A-Za-z0-9._]+)$"
    ),
]
ResultStatus = Literal["Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"]


class LearnerIdentifier(StrictInput):
    """Another identifier of the learner (student number, national id...), carried hashed and salted."""

    identifierType: IdentifierType
    identifier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class RecipientInput(StrictInput):
    name: ShortText
    email: Email | None = None
    did: Did | None = None
    identifiers: list[LearnerIdentifier] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _identified(self) -> RecipientInput:
        if self.email is None and self.did is None:
            raise ValueError("give the recipient's email or DID (OB 3.0 needs an id or an identifier)")
        return self


class ResultInput(StrictInput):
    resultDescription: AbsoluteUri | None = Field(
        default=None, description="id of one of the achievement's resultDescriptions"
    )
    value: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    status: ResultStatus | None = None
    achievedLevel: AbsoluteUri | None = None


class EvidenceInput(StrictInput):
    id: HttpUrl | None = None
    name: ShortText | None = None
    narrative: LongText | None = None
    description: LongText | None = None
    genre: ShortText | None = None
    audience: ShortText | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> EvidenceInput:
        if not self.model_dump(exclude_none=True):
            raise ValueError("evidence needs at least an id (URL), name, narrative or description")
        return self


class CredentialRequest(StrictInput):
    achievementId: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    recipient: RecipientInput
    results: list[ResultInput] = Field(default_factory=list, max_length=100)
    evidence: list[EvidenceInput] = Field(default_factory=list, max_length=50)
    narrative: LongText | None = None
    creditsEarned: float | None = Field(default=None, ge=0, le=1000)
    activityStartDate: IsoDateTime | None = None
    activityEndDate: IsoDateTime | None = None
    validFrom: IsoDateTime | None = Field(default=None, description="defaults to the moment of issuance")
    validUntil: IsoDateTime | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> CredentialRequest:
        if self.validFrom and self.validUntil and self.validUntil <= self.validFrom:
            raise ValueError("validUntil must be later than validFrom")
        if self.activityStartDate and self.activityEndDate and self.activityEndDate < self.activityStartDate:
            raise ValueError("activityEndDate must not be before activityStartDate")
        return self
