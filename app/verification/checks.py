"""The individual checks of the verification pipeline; each returns a Check and never raises."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.credentials.validate import schema_errors
from app.proofs.results import ProofOutcome, ProofResult, VerifiedProof
from app.trust.identity import IssuerIdentity
from app.verification.report import ISSUER, PROOF, Check, Outcome

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


# Credentials nest a dozen levels at most; a document nested hundreds deep would only exhaust the verifier's stack.
MAX_DEPTH = 64


def nesting_depth(document: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply objects and arrays nest in ``document`` (iteratively: no recursion), counting no further than
    ``limit + 1``."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth > limit:
                break
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return deepest


def check_structure(document: Any) -> Check:
    name = "structure"
    if not isinstance(document, dict):
        return Check(name, Outcome.FAILED, "a credential must be a JSON object")
    if nesting_depth(document) > MAX_DEPTH:
        return Check(name, Outcome.FAILED, f"the document nests objects and arrays more than {MAX_DEPTH} levels deep")
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        return Check(name, Outcome.FAILED, "the first @context must be the W3C Verifiable Credentials context")
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" not in types:
        return Check(name, Outcome.FAILED, "type must include VerifiableCredential")
    for key in ("issuer", "credentialSubject"):
        if key not in document:
            return Check(name, Outcome.FAILED, f"the credential has no {key}")
    return Check(name, Outcome.PASSED, "a W3C Verifiable Credential")


def check_proofs(results: list[ProofResult]) -> tuple[list[Check], VerifiedProof | None]:
    """One ``proof`` check per proof, and the proof that vouches for the credential.

    Several proofs: every proof this service can check must pass, and at least one must; a proof it cannot check
    (an unknown suite) decides nothing when another one passed - it is reported, as not required. The 1EdTech spec
    says the same of OB 3.0 ("the verifier MAY use any one"), and Digital Bazaar's library verifies the proofs whose
    suites it knows.
    """
    if not results:
        return [Check(PROOF, Outcome.FAILED, "the credential has no proof: nothing shows who issued it")], None
    passed = [result for result in results if result.outcome is ProofOutcome.PASSED]
    several = len(results) > 1
    checks = []
    for result in results:
        reason = f"{result.label}: {result.reason}" if several else result.reason
        required = not (result.outcome is ProofOutcome.COULD_NOT_CHECK and passed)
        if not required:
            reason += " (another proof passed, so this one decides nothing)"
        checks.append(Check(PROOF, Outcome(result.outcome.value), reason, required=required, code=result.code))
    return checks, passed[0].verified if passed else None


def check_issuer(identity: IssuerIdentity | None) -> Check:
    """Whether a source this service trusts lists the signer; never the credential's own say-so."""
    if identity is None:
        return Check(ISSUER, Outcome.NOT_APPLICABLE, "not known: the signature was not verified")
    if identity.confirmed:
        return Check(ISSUER, Outcome.PASSED, identity.reason())
    return Check(ISSUER, Outcome.NOT_CONFIRMED, identity.reason())


def check_validity_period(document: dict[str, Any], now: datetime, claims: dict[str, Any] | None = None) -> Check:
    """``validFrom``/``validUntil`` (or VC 1.1's names), and for a VC-JWT also its ``nbf``/``exp`` claims."""
    name = "validity_period"
    if claims:
        for claim, code, failed in (("nbf", "not_yet_valid", lambda t: now < t), ("exp", "expired", lambda t: now > t)):
            value = claims.get(claim)
            if isinstance(value, int | float) and not isinstance(value, bool):
                moment = datetime.fromtimestamp(value, UTC)
                if failed(moment):
                    words = "not valid before" if code == "not_yet_valid" else "expired on"
                    return Check(name, Outcome.FAILED, f"the JWT is {words} {moment.isoformat()} ({claim})", code=code)
    try:
        valid_from = parse_datetime(document.get("validFrom") or document.get("issuanceDate"))
        valid_until = parse_datetime(document.get("validUntil") or document.get("expirationDate"))
    except ValueError as error:
        return Check(name, Outcome.FAILED, str(error))
    if valid_from and now < valid_from:
        return Check(name, Outcome.FAILED, f"not yet valid: valid from {valid_from.isoformat()}", code="not_yet_valid")
    if valid_until and now > valid_until:
        return Check(name, Outcome.FAILED, f"expired on {valid_until.isoformat()}", code="expired")
    if valid_until:
        return Check(name, Outcome.PASSED, f"valid until {valid_until.isoformat()}")
    return Check(name, Outcome.PASSED, "valid with no expiry date")


def check_ob3_schema(document: dict[str, Any]) -> Check:
    """Advisory: the strict 1EdTech schema rejects some forms VC 2.0 verifiers accept (a single proof object)."""
    name = "ob3_schema"
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        return Check(name, Outcome.NOT_APPLICABLE, "not an Open Badges 3.0 credential", required=False)
    errors = schema_errors(document)
    if errors:
        return Check(
            name, Outcome.FAILED, "fails the 1EdTech OB 3.0 JSON Schema: " + "; ".join(errors[:5]), required=False
        )
    return Check(name, Outcome.PASSED, "valid against the 1EdTech OB 3.0 AchievementCredential schema", required=False)


def parse_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date-time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError(f"{value!r} is not an XML Schema date-time") from error
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return parsed
