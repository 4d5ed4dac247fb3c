"""The verification report: named checks, each passed, failed or could-not-check, with a human reason."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    COULD_NOT_CHECK = "could_not_check"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Check:
    """One check. ``required`` checks decide ``verified``; advisory ones (the strict OB 3.0 schema) only inform."""

    name: str
    outcome: Outcome
    reason: str
    required: bool = True
    code: str | None = None  # what a failure means to a machine: revoked, suspended, expired, not_yet_valid...


@dataclass(frozen=True)
class Report:
    checks: list[Check]
    credential_id: str | None = None
    issuer: str | None = None
    verification_method: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        """True only when no required check failed or went unchecked: could-not-check is never reported as valid."""
        return all(c.outcome in (Outcome.PASSED, Outcome.NOT_APPLICABLE) for c in self.checks if c.required)

    @property
    def verdict(self) -> str:
        """One word for people: not_valid, revoked, suspended, expired, could_not_check or verified (in that order)."""
        required = [c for c in self.checks if c.required]
        failed = [c for c in required if c.outcome is Outcome.FAILED]
        codes = {c.code for c in failed}
        if any(c.code not in ("revoked", "suspended", "expired") for c in failed):
            return "not_valid"
        for code in ("revoked", "suspended", "expired"):
            if code in codes:
                return code
        if any(c.outcome is Outcome.COULD_NOT_CHECK for c in required):
            return "could_not_check"
        return "verified"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "verdict": self.verdict,
            "credentialId": self.credential_id,
            "issuer": self.issuer,
            "verificationMethod": self.verification_method,
            "checks": [asdict(c) | {"outcome": c.outcome.value} for c in self.checks],
        }
