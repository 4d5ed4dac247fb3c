"""One entry point for embedded proofs: every proof in ``proof`` checked by its suite, each with an outcome and reason.

Outcomes: ``failed`` only when a proof of a suite vetcred knows is malformed, its signature does not match (the
credential was changed), or its key is not the issuer's (another controller, not under ``assertionMethod``, a
non-Ed25519 key for an EdDSA suite) - for a presentation's proof, not the holder's under ``authentication``;
``could_not_check`` when vetcred cannot tell: a proof type or cryptosuite it does not implement, a key it cannot
resolve (offline, remote fetching turned off, host unreachable), a JSON-LD context it does not ship, or a graph too
costly to canonicalize.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Protocol

from app.errors import (
    CanonicalizationLimit,
    DidResolutionError,
    UnknownContext,
    UnsupportedProof,
    VetcredError,
)
from app.proofs import data_integrity, ed25519_signature_2020, eddsa_rdfc_2022
from app.proofs.canonical import Loader
from app.proofs.dids import KeyResolver
from app.proofs.purposes import ProofPurpose
from app.proofs.results import ProofOutcome, ProofResult, VerifiedProof


class SuiteVerifier(Protocol):
    def __call__(
        self,
        document: dict[str, Any],
        proof: dict[str, Any],
        resolver: KeyResolver,
        loader: Loader,
        *,
        purpose: ProofPurpose | None = None,
    ) -> VerifiedProof: ...


EDDSA_2022_NOTE = "eddsa-2022, the pre-2023 name of eddsa-rdfc-2022 (the same algorithm, a legacy label)"
# (proof type, cryptosuite) -> the suite that verifies it; suites without cryptosuites are keyed with None.
SUITES: dict[tuple[str, str | None], SuiteVerifier] = {
    (data_integrity.PROOF_TYPE, eddsa_rdfc_2022.CRYPTOSUITE): eddsa_rdfc_2022.verify_proof,
    (data_integrity.PROOF_TYPE, eddsa_rdfc_2022.LEGACY_CRYPTOSUITE): partial(
        eddsa_rdfc_2022.verify_proof, cryptosuite=eddsa_rdfc_2022.LEGACY_CRYPTOSUITE, legacy=EDDSA_2022_NOTE
    ),
    (ed25519_signature_2020.PROOF_TYPE, None): ed25519_signature_2020.verify_proof,
}
# Errors that mean "vetcred cannot tell", not "this is wrong".
_COULD_NOT_CHECK = (DidResolutionError, UnknownContext, CanonicalizationLimit)


def verify_proofs(
    document: dict[str, Any], resolver: KeyResolver, loader: Loader, *, purpose: ProofPurpose | None = None
) -> list[ProofResult]:
    """One result per proof in ``document["proof"]`` (an object or an array), in order; ``[]`` when there is none.

    ``purpose``: a credential's (the default) or a presentation's (``app/proofs/purposes.py``), with a ``resolver``
    for the same verification relationship. Never raises for what is in the document: every problem becomes that
    proof's ``failed`` or ``could_not_check`` result. The caller decides what several results mean together.
    """
    proof = document.get("proof")
    proofs = proof if isinstance(proof, list) else [] if proof is None else [proof]
    return [_check(index, item, document, resolver, loader, purpose) for index, item in enumerate(proofs)]


def label(proof: Any) -> str:
    """``DataIntegrityProof/eddsa-rdfc-2022``, ``Ed25519Signature2020``... as a person would name the proof."""
    if not isinstance(proof, dict):
        return "not a proof object"
    kind, cryptosuite = proof.get("type"), proof.get("cryptosuite")
    shown = kind if isinstance(kind, str) else repr(kind)
    return f"{shown}/{cryptosuite}" if cryptosuite is not None else shown


def _check(
    index: int,
    proof: Any,
    document: dict[str, Any],
    resolver: KeyResolver,
    loader: Loader,
    purpose: ProofPurpose | None,
) -> ProofResult:
    name = label(proof)
    if not isinstance(proof, dict):
        return ProofResult(index, name, ProofOutcome.FAILED, "a proof must be a JSON object", code="proof_error")
    kind, cryptosuite = proof.get("type"), proof.get("cryptosuite")
    known = isinstance(kind, str) and (cryptosuite is None or isinstance(cryptosuite, str))
    suite = SUITES.get((str(kind), cryptosuite)) if known else None
    if suite is None:
        return ProofResult(
            index,
            name,
            ProofOutcome.COULD_NOT_CHECK,
            f"vetcred does not verify {name} proofs (it knows eddsa-rdfc-2022, eddsa-2022 and Ed25519Signature2020)",
            code=UnsupportedProof.code,
        )
    try:
        verified = suite(document, proof, resolver, loader, purpose=purpose)
    except _COULD_NOT_CHECK as error:
        return ProofResult(index, name, ProofOutcome.COULD_NOT_CHECK, error.detail, code=error.code)
    except VetcredError as error:
        return ProofResult(index, name, ProofOutcome.FAILED, error.detail, code=error.code)
    return ProofResult(index, name, ProofOutcome.PASSED, verified.summary, verified=verified)
