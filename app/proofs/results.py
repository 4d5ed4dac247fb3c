"""What checking a proof yields, the same for every suite and for VC-JWTs: who signed, and the outcome in words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProofOutcome(StrEnum):
    """The values of ``app.verification.report.Outcome`` that a single proof can have."""

    PASSED = "passed"
    FAILED = "failed"
    COULD_NOT_CHECK = "could_not_check"


@dataclass(frozen=True)
class VerifiedProof:
    """What a signature that verified vouches for.

    ``verification_method`` is the key's id (a DID URL, an https URL, or for a VC-JWT whose key came in its own
    ``jwk`` header the RFC 9278 thumbprint URI ``urn:ietf:params:oauth:jwk-thumbprint:sha-256:<thumbprint>``).
    ``controller`` is who controls the key (``None`` when nothing identifies it); ``created`` the proof's
    timestamp as written (or the JWT's ``iat``); ``cryptosuite`` names the suite or JOSE algorithm;
    ``legacy`` says, for a person, why the suite is outdated; ``key_thumbprint`` is set when the key is known
    only by its RFC 7638 thumbprint.
    """

    verification_method: str
    controller: str | None
    created: str | None
    cryptosuite: str
    legacy: str | None = None
    key_thumbprint: str | None = None

    @property
    def summary(self) -> str:
        """``signed by <key> (<suite>)``, and the legacy note when there is one: the reason of a passed proof."""
        signed_by = f"signed by {self.verification_method} ({self.cryptosuite})"
        return f"{signed_by}; {self.legacy}" if self.legacy else signed_by


@dataclass(frozen=True)
class ProofResult:
    """One proof's outcome. ``index`` is its place in ``proof`` (0 for a single object or a JWT), ``label`` its
    type and cryptosuite (``DataIntegrityProof/eddsa-rdfc-2022``, ``Ed25519Signature2020``, ``VC-JWT/ES256``),
    ``reason`` a sentence for people, ``code`` a stable word for machines (``None`` when it passed: otherwise the
    ``code`` of the VetcredError behind it, e.g. ``proof_error``, ``did_resolution_error``, ``unknown_context``,
    ``unsupported_proof``, ``unauthorized_key``, ``unidentified_key``). ``verified`` is set whenever the signature
    itself verified, including the could-not-check case of a VC-JWT signed by an unidentified key."""

    index: int
    label: str
    outcome: ProofOutcome
    reason: str
    code: str | None = None
    verified: VerifiedProof | None = None
