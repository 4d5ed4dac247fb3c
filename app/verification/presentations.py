"""Verify a W3C Verifiable Presentation (VC 2.0 or 1.1; a Data Integrity proof or a VC-JWT): the holder's proof, the
challenge and domain the verifier gave, every credential it carries through the credential pipeline, and whether
each credential's subject is the holder. One verdict for the holder, one per credential.

Here in ``app/verification/``, not in ``app/wallet/``: checking a presentation is verification - pure (a document,
keys, a loader and a clock in; a report out) - and the public verifier (``POST /api/v1/verify``, ``/verify``) uses
it. The wallet protocols that ask for presentations (VC-API exchanges for the Learner Credential Wallet,
``app/wallet/vc_api.py``; an employer's OpenID4VP request, ``app/wallet/openid4vp.py``) are protocol state machines
that belong in ``app/wallet/`` and call this function; verification never imports the wallet, so the rule lives
once, below both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.credentials.facts import is_sealed_edc
from app.errors import VetcredError
from app.proofs.canonical import Loader
from app.proofs.dids import KeyResolver, resolve_did_jwk, resolve_did_key
from app.proofs.embedded import verify_proofs
from app.proofs.purposes import authentication
from app.proofs.results import ProofResult, VerifiedProof
from app.proofs.vp_jwt import holder_of, is_jwt_presentation, verify_jwt_presentation
from app.verification.checks import MAX_DEPTH, VC_V1_CONTEXT, VC_V2_CONTEXT, check_proofs, nesting_depth, parse_datetime
from app.verification.report import PROOF, Check, Outcome, Report, Signer, check_dict

# A learner's whole portfolio in one presentation, yet bounded: each credential costs a canonicalization or two.
MAX_CREDENTIALS = 50
# How far a holder's clock may be ahead of this one (a proof "created" in the future, a JWT's iat or nbf).
CLOCK_SKEW = timedelta(minutes=5)
STRUCTURE, CHALLENGE, DOMAIN, VALIDITY = "structure", "challenge", "domain", "validity_period"
BINDING = "holder_binding"

# Checks one credential with the full credential pipeline (``verify_credential`` with this service's keys, status
# lists and trust sources: ``Runtime.verify``).
CredentialCheck = Callable[[Any], Report]


@dataclass(frozen=True)
class PresentedCredential:
    """One credential of the presentation: its full report, the credential as it reads (a VC-JWT decoded, a sealed
    EDC's payload), and ``binding``: whether its subject is the holder."""

    report: Report
    credential: Any
    binding: Check

    @property
    def subject_is_holder(self) -> bool:
        return self.binding.outcome is Outcome.PASSED


@dataclass(frozen=True)
class PresentationReport:
    """``holder``: the checks of the presentation itself (structure, the holder's proof, challenge, domain, its
    time), with its ``signer``; ``holder_id`` the holder that proof establishes (``None`` unless it passed)."""

    holder: Report
    holder_id: str | None
    credentials: list[PresentedCredential]
    presentation_id: str | None = None
    challenge: str | None = None  # what the verifier asked for
    domain: str | None = None

    @property
    def verified_credentials(self) -> int:
        """How many credentials count as verified here: the holder verified, the credential verified, and it is the
        holder's."""
        if not self.holder.verified:
            return 0
        return sum(1 for c in self.credentials if c.report.verified and c.subject_is_holder)

    @property
    def verified(self) -> bool:
        """The holder's proof and every credential verified, and every credential is the holder's."""
        return self.holder.verified and self.verified_credentials == len(self.credentials)

    def to_dict(self) -> dict[str, Any]:
        holder = self.holder
        return {
            "verified": self.verified,
            "presentationId": self.presentation_id,
            "format": holder.format,
            "holder": {
                "verified": holder.verified,
                "verdict": holder.verdict.value,
                "id": self.holder_id,
                "challenge": self.challenge,
                "domain": self.domain,
                "verificationMethod": holder.signer.verification_method if holder.signer else None,
                "signer": {"id": holder.signer.id, "method": holder.signer.method} if holder.signer else None,
                "checks": [check_dict(c) for c in holder.checks],
                "checkedAt": holder.checked_at.isoformat() if holder.checked_at else None,
            },
            "credentials": [
                c.report.to_dict() | {"subjectIsHolder": c.subject_is_holder, "holderBinding": check_dict(c.binding)}
                for c in self.credentials
            ],
        }


def is_presentation(value: Any) -> bool:
    """A presentation as JSON (``type`` with VerifiablePresentation, or an EnvelopedVerifiablePresentation) or a
    presentation JWT; what is not one is left to the credential pipeline."""
    if isinstance(value, dict) and "VerifiablePresentation" in _as_list(value.get("type")):
        return True
    return is_jwt_presentation(value)


def verify_presentation(
    document: Any,
    *,
    challenge: str | None,
    domain: str | None,
    resolver: KeyResolver,
    loader: Loader,
    now: datetime,
    check_credential: CredentialCheck,
    presented_at: datetime | None = None,
) -> PresentationReport:
    """Every check of the presentation and of each credential in it; never raises for what is in the document.

    ``resolver`` resolves the holder's keys for ``authentication``; ``check_credential`` verifies one credential.
    ``challenge``/``domain``: what the verifier gave the holder, checked against the proof's (a JWT's ``nonce`` and
    ``aud``); without them those checks are "not applicable", and the reasons say a copy could be replayed.
    ``presented_at``: when the presentation reached the verifier, if earlier than ``now`` (an answer kept and
    checked again later): the holder's proof is judged fresh or expired at that moment, the credentials at ``now``.
    """
    signed: _Signed | None = None
    received = presented_at or now
    if is_jwt_presentation(document):
        signed = _jwt_signed(document, resolver, received)
        presentation: Any = signed.presentation
    else:
        presentation = document
    if signed and presentation is None:
        structure = Check(STRUCTURE, Outcome.FAILED, "the JWT carries no readable presentation")
    else:
        structure = _check_structure(presentation)
    form = "vp-jwt" if signed else "vp"
    if structure.outcome is not Outcome.PASSED or not isinstance(presentation, dict):
        failed = check_proofs(signed.results)[0] if signed else []
        return PresentationReport(Report(checks=[structure, *failed], format=form, checked_at=now), None, [])
    # A Data Integrity proof is checked only once the structure passed: nothing is canonicalized for junk.
    signed = signed or _data_integrity_signed(presentation, resolver, loader, received)
    proofs, verified = _holder_proofs(signed.results)
    checks = [
        structure,
        *proofs,
        _expected(CHALLENGE, challenge, signed.challenge),
        _expected(DOMAIN, domain, signed.domain),
        signed.timing,
    ]
    holder = Report(checks=checks, signer=_signer(verified), format=form, checked_at=now)
    holder_id = verified.controller if verified is not None and holder.verified else None
    credentials = [
        _presented(item, check_credential, holder_id, verified if holder_id else None)
        for item in _as_list(presentation.get("verifiableCredential", []))
    ]
    return PresentationReport(holder, holder_id, credentials, presentation.get("id"), challenge, domain)


@dataclass(frozen=True)
class _Signed:
    """The presentation the holder signed, the proof's results, and what the proof states: the challenge and domain
    (as written: a string or a list, or None) and its times, checked against the clock."""

    presentation: Any
    results: list[ProofResult]
    challenge: Any
    domain: Any
    timing: Check


def _jwt_signed(document: Any, resolver: KeyResolver, now: datetime) -> _Signed:
    jwt = verify_jwt_presentation(document, resolver)
    claims = jwt.claims
    return _Signed(jwt.presentation, [jwt.result], claims.get("nonce"), claims.get("aud"), _jwt_times(claims, now))


def _data_integrity_signed(
    presentation: dict[str, Any], resolver: KeyResolver, loader: Loader, now: datetime
) -> _Signed:
    results = verify_proofs(presentation, resolver, loader, purpose=authentication(holder_of(presentation)))
    proof = _proof_checked(presentation, results)
    return _Signed(presentation, results, proof.get("challenge"), proof.get("domain"), _proof_times(proof, now))


def _check_structure(presentation: Any) -> Check:
    if not isinstance(presentation, dict):
        return Check(STRUCTURE, Outcome.FAILED, "a presentation must be a JSON object")
    if nesting_depth(presentation) > MAX_DEPTH:
        return Check(STRUCTURE, Outcome.FAILED, f"the presentation nests more than {MAX_DEPTH} levels deep")
    contexts = presentation.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        return Check(STRUCTURE, Outcome.FAILED, "the first @context must be the W3C Verifiable Credentials context")
    if "VerifiablePresentation" not in _as_list(presentation.get("type")):
        return Check(STRUCTURE, Outcome.FAILED, "type must include VerifiablePresentation")
    holder = presentation.get("holder")
    if holder is not None and holder_of(presentation) is None:
        return Check(STRUCTURE, Outcome.FAILED, "holder must be a URL or an object with an id")
    count = len(_as_list(presentation.get("verifiableCredential", [])))
    if count > MAX_CREDENTIALS:
        return Check(
            STRUCTURE, Outcome.FAILED, f"the presentation carries {count} credentials; at most {MAX_CREDENTIALS}"
        )
    version = "2.0" if first == VC_V2_CONTEXT else "1.1"
    return Check(STRUCTURE, Outcome.PASSED, f"a W3C Verifiable Presentation (VC {version}) of {count} credential(s)")


def _holder_proofs(results: list[ProofResult]) -> tuple[list[Check], VerifiedProof | None]:
    if not results:
        return [Check(PROOF, Outcome.FAILED, "the presentation has no proof: nothing shows who presented it")], None
    return check_proofs(results)


def _proof_checked(presentation: dict[str, Any], results: list[ProofResult]) -> dict[str, Any]:
    """The proof whose challenge, domain and times are read: the one that passed, else the first object."""
    proof = presentation.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    passed = [proofs[r.index] for r in results if r.verified is not None and r.index < len(proofs)]
    return next((p for p in [*passed, *proofs] if isinstance(p, dict)), {})


def _expected(name: str, expected: str | None, stated: Any) -> Check:
    """A challenge or domain: the proof's (a string; a domain may be several) against what the verifier gave."""
    values = [v for v in _as_list(stated) if isinstance(v, str)] if stated is not None else []
    if expected is None:
        if values:
            shown = ", ".join(repr(v) for v in values)
            reason = f"none was given to check; the presentation states {name} {shown}, which is not checked"
        else:
            reason = f"none was given to check, and the presentation states no {name}"
        if name == CHALLENGE:
            reason += ": nothing shows it was made for this verification rather than copied from an earlier one"
        return Check(name, Outcome.NOT_APPLICABLE, reason)
    if expected in values:
        return Check(name, Outcome.PASSED, f"the {name} is {expected!r}, as expected")
    if not values:
        return Check(name, Outcome.FAILED, f"the presentation states no {name}; {expected!r} was expected", code=name)
    shown = ", ".join(repr(v) for v in values)
    return Check(name, Outcome.FAILED, f"the presentation's {name} is {shown}, not {expected!r}", code=name)


def _proof_times(proof: dict[str, Any], now: datetime) -> Check:
    """A Data Integrity proof's ``created`` (not in the future) and ``expires`` (not past)."""
    try:
        created = parse_datetime(proof.get("created"))
        expires = parse_datetime(proof.get("expires"))
    except ValueError as error:
        return Check(VALIDITY, Outcome.FAILED, f"the proof's time: {error}")
    return _times(now, issued=created, not_before=None, until=expires, what="the proof")


def _jwt_times(claims: dict[str, Any], now: datetime) -> Check:
    """A presentation JWT's ``iat`` and ``nbf`` (not in the future) and ``exp`` (not past)."""
    moments: dict[str, datetime | None] = {}
    for claim in ("iat", "nbf", "exp"):
        value = claims.get(claim)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            return Check(VALIDITY, Outcome.FAILED, f"the JWT's {claim} {value!r} is not a NumericDate")
        try:
            moments[claim] = datetime.fromtimestamp(value, now.tzinfo) if value is not None else None
        except (OverflowError, OSError, ValueError):
            return Check(VALIDITY, Outcome.FAILED, f"the JWT's {claim} {value!r} is out of range")
    return _times(now, issued=moments["iat"], not_before=moments["nbf"], until=moments["exp"], what="the JWT")


def _times(
    now: datetime, *, issued: datetime | None, not_before: datetime | None, until: datetime | None, what: str
) -> Check:
    if issued is not None and issued > now + CLOCK_SKEW:
        return Check(VALIDITY, Outcome.FAILED, f"{what} was made in the future ({issued.isoformat()})")
    if not_before is not None and not_before > now + CLOCK_SKEW:
        return Check(VALIDITY, Outcome.FAILED, f"{what} is not valid before {not_before.isoformat()}")
    if until is not None and until < now:
        return Check(VALIDITY, Outcome.FAILED, f"{what} expired on {until.isoformat()}")
    made = f"was made {issued.isoformat()}" if issued else "states no time it was made"
    ends = f"expires {until.isoformat()}" if until else "does not expire"
    return Check(VALIDITY, Outcome.PASSED, f"{what} {made} and {ends}")


def _signer(verified: VerifiedProof | None) -> Signer | None:
    if verified is None:
        return None
    return Signer(
        id=verified.controller or verified.verification_method,
        method=verified.cryptosuite,
        verification_method=verified.verification_method,
    )


def _presented(
    item: Any, check_credential: CredentialCheck, holder: str | None, verified: VerifiedProof | None
) -> PresentedCredential:
    report = check_credential(item)
    credential = report.credential or _edc_payload(item) or item
    return PresentedCredential(report, credential, _binding(credential, holder, verified))


def _binding(credential: Any, holder: str | None, verified: VerifiedProof | None) -> Check:
    """Whether the credential's subject is the holder: its ``credentialSubject.id`` is the holder's id, or a did:key
    or did:jwk of the very key the holder signed with (a wallet may be bound as either)."""
    if holder is None or verified is None:
        return Check(
            BINDING,
            Outcome.COULD_NOT_CHECK,
            "the presentation's own checks did not all pass, so who holds its credentials is not established",
        )
    subjects = credential.get("credentialSubject") if isinstance(credential, dict) else None
    ids: list[str] = [s["id"] for s in _as_list(subjects) if isinstance(s, dict) and isinstance(s.get("id"), str)]
    if not ids:
        return Check(
            BINDING,
            Outcome.COULD_NOT_CHECK,
            "the credential's subject has no id, so nothing ties it to the holder (a bearer credential)",
        )
    if holder in ids:
        return Check(BINDING, Outcome.PASSED, f"credentialSubject.id is the holder, {holder}")
    for subject in ids:
        if _same_key(subject, verified.verification_method):
            return Check(
                BINDING, Outcome.PASSED, f"credentialSubject.id {subject} is a DID of the key the holder signed with"
            )
    return Check(BINDING, Outcome.FAILED, f"credentialSubject.id is {ids[0]}, not the holder {holder}", code=BINDING)


def _same_key(subject: str, holder_method: str) -> bool:
    """Whether ``subject`` is a did:key or did:jwk of the key ``holder_method`` (itself a did:key or did:jwk) names:
    both resolve offline, so this compares keys, not spellings."""
    try:
        theirs = _offline_key(subject)
        ours = _offline_key(holder_method)
    except VetcredError:  # a subject that is no readable did:key or did:jwk is simply not the same key
        return False
    return theirs is not None and ours is not None and theirs == ours


def _offline_key(reference: str) -> Any:
    did = reference.split("#", 1)[0]
    if did.startswith("did:key:"):
        return resolve_did_key(f"{did}#{did.removeprefix('did:key:')}").public_key
    if did.startswith("did:jwk:"):
        return resolve_did_jwk(f"{did}#0").public_key
    return None


def _edc_payload(document: Any) -> dict[str, Any] | None:
    if not is_sealed_edc(document):
        return None
    try:
        payload = json.loads(document["payload"])
    except (TypeError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]
