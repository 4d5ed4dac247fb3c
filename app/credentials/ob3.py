"""Pure builder of an unsigned Open Badges 3.0 ``OpenBadgeCredential`` (VC 2.0) from an issuance request."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from app.credentials.inputs import CredentialRequest, LearnerIdentifier
from app.errors import InvalidInput
from app.proofs.data_integrity import xsd_datetime

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
# extensions.json defines 1EdTechJsonSchemaValidator2019, the credentialSchema type OB 3.0 names.
CONTEXTS = [VC_V2_CONTEXT, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT]
ACHIEVEMENT_CREDENTIAL_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}


def identity_hash(identifier: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``sha256$`` + hex(SHA-256(identifier + salt))."""
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def identity_object(identity_type: str, identifier: str, salt: str) -> dict[str, Any]:
    return {
        "type": "IdentityObject",
        "identityType": identity_type,
        "hashed": True,
        "identityHash": identity_hash(identifier, salt),
        "salt": salt,
    }


def build_ob3_credential(
    request: CredentialRequest,
    *,
    credential_id: str,
    issuer_profile: dict[str, Any],
    achievement: dict[str, Any],
    issued_at: datetime,
    salt: str,
    credential_status: dict[str, Any] | list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The unsigned credential. E-mail addresses are lower-cased before hashing, so a verifier can match any casing."""
    recipient = request.recipient
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if recipient.did:
        subject["id"] = recipient.did
    identifiers = []
    if recipient.email:
        identifiers.append(identity_object("emailAddress", str(recipient.email).lower(), salt))
    identifiers += [_learner_identifier(entry, salt) for entry in recipient.identifiers]
    if identifiers:
        subject["identifier"] = identifiers
    subject["name"] = recipient.name
    subject["achievement"] = achievement
    if request.results:
        subject["result"] = _results(request, achievement)
    if request.narrative:
        subject["narrative"] = request.narrative
    if request.creditsEarned is not None:
        subject["creditsEarned"] = request.creditsEarned
    if request.activityStartDate:
        subject["activityStartDate"] = xsd_datetime(request.activityStartDate)
    if request.activityEndDate:
        subject["activityEndDate"] = xsd_datetime(request.activityEndDate)

    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": issuer_profile,
        "validFrom": xsd_datetime(request.validFrom or issued_at),
        "awardedDate": xsd_datetime(issued_at),
        "credentialSubject": subject,
    }
    if request.validUntil:
        credential["validUntil"] = xsd_datetime(request.validUntil)
    if request.evidence:
        credential["evidence"] = [{"type": ["Evidence"], **e.model_dump(exclude_none=True)} for e in request.evidence]
    if credential_status:
        credential["credentialStatus"] = credential_status
    credential["credentialSchema"] = [dict(ACHIEVEMENT_CREDENTIAL_SCHEMA)]
    return credential


def _learner_identifier(entry: LearnerIdentifier, salt: str) -> dict[str, Any]:
    return identity_object(entry.identifierType, entry.identifier, salt)


def _results(request: CredentialRequest, achievement: dict[str, Any]) -> list[dict[str, Any]]:
    """Results must point at the achievement's own resultDescriptions and rubric levels (OB 3.0 Result rules)."""
    descriptions = {rd["id"]: rd for rd in achievement.get("resultDescription", [])}
    results = []
    for index, result in enumerate(request.results):
        field = f"results.{index}"
        data = result.model_dump(exclude_none=True)
        if not data:
            raise InvalidInput("a result needs a resultDescription, value, status or achievedLevel", field=field)
        description = descriptions.get(result.resultDescription or "")
        if result.resultDescription and description is None:
            raise InvalidInput(
                f"resultDescription {result.resultDescription} is not one of the achievement's resultDescriptions",
                field=f"{field}.resultDescription",
            )
        if result.achievedLevel:
            levels = {level["id"] for level in (description or {}).get("rubricCriterionLevel", [])}
            if result.achievedLevel not in levels:
                raise InvalidInput(
                    "achievedLevel must be the id of a rubricCriterionLevel of the result's resultDescription",
                    field=f"{field}.achievedLevel",
                )
        if description and description["resultType"] == "Status" and result.status is None:
            raise InvalidInput("a result of resultType Status needs a status", field=f"{field}.status")
        allowed = (description or {}).get("allowedValue")
        if allowed and result.value is not None and result.value not in allowed:
            raise InvalidInput(f"value must be one of {allowed}", field=f"{field}.value")
        results.append({"type": ["Result"], **data})
    return results
