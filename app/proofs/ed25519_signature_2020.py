"""The Ed25519Signature2020 suite (W3C CCG, 2020-2022): what Digital Credentials Consortium issuers still sign with.

The algorithm is that of eddsa-rdfc-2022 with another proof shape: the proof options (the proof without
``proofValue``, ``jws`` and ``signatureValue``) get the document's ``@context`` - which must include the suite's
context, where ``Ed25519Signature2020`` and its terms are defined - unless the proof brings its own; both they and
the document are canonicalized with URDNA2015 (= RDFC-1.0) and hashed with SHA-256; the key signs
proofHash ‖ docHash; ``proofValue`` is multibase base58btc. Keys: ``Ed25519VerificationKey2020`` or Multikey.
This is what jsonld-signatures' LinkedDataSignature and DB's ed25519-signature-2020 do.
"""

from __future__ import annotations

from typing import Any

from app.errors import ProofError
from app.proofs import data_integrity
from app.proofs.canonical import Loader, canonize
from app.proofs.dids import KeyResolver
from app.proofs.ed25519_proofs import verify_signed_hashes
from app.proofs.purposes import ProofPurpose
from app.proofs.results import VerifiedProof

PROOF_TYPE = "Ed25519Signature2020"
SUITE_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
LEGACY_NOTE = "Ed25519Signature2020, a legacy suite superseded by eddsa-rdfc-2022"
# Never part of the signed proof options (jsonld-signatures removes all three).
_SIGNATURE_MEMBERS = ("proofValue", "jws", "signatureValue")


def canonical_proof_options(proof: dict[str, Any], document_context: Any, loader: Loader) -> str:
    """URDNA2015 N-Quads of the proof options, under the document's ``@context`` unless the proof has its own."""
    if proof.get("type") != PROOF_TYPE:
        raise ProofError(f"unsupported proof: type {proof.get('type')!r} (expected {PROOF_TYPE})")
    options = {"@context": document_context, **{k: v for k, v in proof.items() if k not in _SIGNATURE_MEMBERS}}
    return canonize(options, loader)


def verify_proof(
    document: dict[str, Any],
    proof: dict[str, Any],
    resolver: KeyResolver,
    loader: Loader,
    *,
    purpose: ProofPurpose | None = None,
) -> VerifiedProof:
    """Verify one Ed25519Signature2020 proof of ``document`` for ``purpose`` (a credential's issuer unless given);
    the result carries the legacy note."""
    contexts = document.get("@context")
    if SUITE_CONTEXT not in (contexts if isinstance(contexts, list) else [contexts]):
        what = "presentation" if purpose is not None and purpose.role == "holder" else "credential"
        raise ProofError(
            f"an {PROOF_TYPE} proof needs {SUITE_CONTEXT} in the {what}'s @context, where its terms are defined"
        )

    def canonical() -> tuple[str, str]:
        return (
            canonical_proof_options(proof, contexts, loader),
            canonize(data_integrity.unsecured_document(document), loader),
        )

    return verify_signed_hashes(
        document, proof, resolver, suite=PROOF_TYPE, canonical=canonical, legacy=LEGACY_NOTE, purpose=purpose
    )
