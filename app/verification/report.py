"""The verification report: named checks, who signed, whether that signer is known, and one verdict.

The verdicts, from the most to the least severe (the first that applies is the verdict):

=======================  ====================================================================================
``not_valid``            a proof or seal that fails, a document altered after signing, or a credential that
                         breaks the data model: do not rely on it
``could_not_check``      the proof or seal could not be checked (an unsupported suite, a key that cannot be
                         resolved, a context that is not shipped): nothing is known, good or bad
``revoked``              genuine, and its signer has revoked it
``suspended``            genuine, and its signer has suspended it
``expired``              genuine, and past its validity period
``not_yet_valid``        genuine, and before its validity period
``could_not_check``      genuine, but whether it was revoked could not be found out (status list unreachable)
``issuer_not_confirmed`` genuine and current, but the signer is not a college of this service nor in any trust
                         registry the operator configured: the credential's own issuer name is only a claim
``verified``             genuine, current, not revoked or suspended, and signed by a known issuer
=======================  ====================================================================================

The validity period and the status never outrank an unchecked proof: "expired" or "revoked" say the credential is
genuine, which is only known once its proof has passed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.trust.identity import IssuerIdentity
from app.verification.cache import Reused

STATUS = "status"
ISSUER = "issuer"
PROOF = "proof"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    COULD_NOT_CHECK = "could_not_check"
    NOT_APPLICABLE = "not_applicable"
    NOT_CONFIRMED = "not_confirmed"  # only the issuer check: a valid signature by a signer no trusted source lists


class Verdict(StrEnum):
    VERIFIED = "verified"
    ISSUER_NOT_CONFIRMED = "issuer_not_confirmed"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NOT_VALID = "not_valid"
    COULD_NOT_CHECK = "could_not_check"


# Failures that say something about a genuine credential rather than about its integrity, in verdict order.
_GENUINE_BUT = (
    ("revoked", Verdict.REVOKED),
    ("suspended", Verdict.SUSPENDED),
    ("expired", Verdict.EXPIRED),
    ("not_yet_valid", Verdict.NOT_YET_VALID),
)


@dataclass(frozen=True)
class Check:
    """One check. ``required`` checks decide the verdict; advisory ones (the strict OB 3.0 schema) only inform."""

    name: str
    outcome: Outcome
    reason: str
    required: bool = True
    code: str | None = None  # what a failure means to a machine: revoked, suspended, expired, not_yet_valid...


@dataclass(frozen=True)
class Signer:
    """Who made the proof or seal that verified: a DID, a key-controller URL, a key thumbprint or a certificate.

    ``method`` says how, for people: "eddsa-rdfc-2022", "Ed25519Signature2020 (legacy)", "JAdES-T seal (RS256)"...
    """

    id: str
    method: str
    verification_method: str | None = None


@dataclass(frozen=True)
class Report:
    checks: list[Check]
    credential_id: str | None = None
    issuer: str | None = None  # the issuer id the credential states
    signer: Signer | None = None
    identity: IssuerIdentity | None = None
    format: str | None = None  # "vc" (embedded proof), "vc-jwt" or "edc" (JAdES seal)
    notices: tuple[str, ...] = field(default_factory=tuple)  # what the banner must add, e.g. a test seal
    # A VC-JWT's credential as decoded (what the pages show); not part of the report's JSON.
    credential: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    checked_at: datetime | None = None  # the clock reading every live part of this report used
    reused: tuple[Reused, ...] = ()  # the parts taken from an earlier verification of the same inputs

    @property
    def verdict(self) -> Verdict:
        """The first verdict of the table in this module's docstring that applies."""
        required = [c for c in self.checks if c.required]
        failed = [c for c in required if c.outcome is Outcome.FAILED]
        genuine_but = {code for code, _ in _GENUINE_BUT}
        if any(c.code not in genuine_but for c in failed):
            return Verdict.NOT_VALID
        unchecked = [c for c in required if c.outcome is Outcome.COULD_NOT_CHECK]
        if any(c.name != STATUS for c in unchecked):
            return Verdict.COULD_NOT_CHECK
        codes = {c.code for c in failed}
        for code, verdict in _GENUINE_BUT:
            if code in codes:
                return verdict
        if unchecked:
            return Verdict.COULD_NOT_CHECK
        if any(c.outcome is Outcome.NOT_CONFIRMED for c in required):
            return Verdict.ISSUER_NOT_CONFIRMED
        return Verdict.VERIFIED

    @property
    def verified(self) -> bool:
        """True only for the ``verified`` verdict: a valid proof by an unconfirmed signer is not "verified"."""
        return self.verdict is Verdict.VERIFIED

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "verdict": self.verdict.value,
            "credentialId": self.credential_id,
            "issuer": self.issuer,
            "format": self.format,
            "verificationMethod": self.signer.verification_method if self.signer else None,
            "signer": _signer_dict(self.signer),
            "issuerIdentity": _identity_dict(self.identity),
            "notices": list(self.notices),
            "checks": [check_dict(c) for c in self.checks],
            "checkedAt": self.checked_at.isoformat() if self.checked_at else None,
            "reused": [r.to_dict() for r in self.reused],
        }


def check_dict(check: Check) -> dict[str, Any]:
    """A check as the report's JSON has it."""
    return asdict(check) | {"outcome": check.outcome.value}


def _signer_dict(signer: Signer | None) -> dict[str, Any] | None:
    if signer is None:
        return None
    return {"id": signer.id, "method": signer.method, "verificationMethod": signer.verification_method}


def _identity_dict(identity: IssuerIdentity | None) -> dict[str, Any] | None:
    if identity is None:
        return None

    def source(s: Any) -> dict[str, Any]:
        return {
            "name": s.name,
            "kind": s.kind.value,
            "updated": s.updated.isoformat() if s.updated else None,
            "loadedAt": s.loaded_at.isoformat() if s.loaded_at else None,
        }

    return {
        "signer": identity.signer,
        "confirmed": identity.confirmed,
        "name": identity.name,
        "url": identity.url,
        "logo": identity.logo,
        "location": identity.location,
        "listedIn": [source(s) for s in identity.listed_in],
        "consulted": [source(s) for s in identity.consulted],
        "problems": list(identity.problems),
    }
