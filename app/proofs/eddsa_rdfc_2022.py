"""The eddsa-rdfc-2022 cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0, section 3.3), and eddsa-2022.

``eddsa-2022`` is the name the same algorithm had in the 2022-2023 drafts, before RDFC-1.0 had its name; Digital
Bazaar's eddsa-2022-cryptosuite signs exactly as eddsa-rdfc-2022 does. So it is a ``cryptosuite`` argument here,
not a module of its own; ``app/proofs/embedded.py`` gives it its legacy note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import base58

from app.errors import ProofError
from app.proofs import data_integrity
from app.proofs.canonical import Loader, canonize
from app.proofs.dids import KeyResolver
from app.proofs.ed25519_proofs import hash_data, verify_signed_hashes
from app.proofs.purposes import ProofPurpose
from app.proofs.results import VerifiedProof
from app.proofs.signer import Signer

CRYPTOSUITE = "eddsa-rdfc-2022"
LEGACY_CRYPTOSUITE = "eddsa-2022"


def canonical_document(document: dict[str, Any], loader: Loader) -> str:
    """Transformation (3.3.3): the RDFC-1.0 N-Quads of the document without its proof."""
    return canonize(data_integrity.without_proof(document), loader)


def canonical_proof_config(
    options: dict[str, Any], document_context: Any, loader: Loader, *, cryptosuite: str = CRYPTOSUITE
) -> str:
    """Proof configuration (3.3.5): RDFC-1.0 N-Quads of the proof options under the document's @context."""
    if options.get("type") != data_integrity.PROOF_TYPE or options.get("cryptosuite") != cryptosuite:
        raise ProofError(
            f"unsupported proof: type {options.get('type')!r}, "
            f"cryptosuite {options.get('cryptosuite')!r} "
            f"(expected {data_integrity.PROOF_TYPE} with {cryptosuite})"
        )
    if "created" in options and not data_integrity.is_xsd_datetime(options["created"]):
        raise ProofError(f"the proof's created {options['created']!r} is not an XML Schema dateTime")
    return canonize(data_integrity.proof_config(options, document_context), loader)


def sign(document: dict[str, Any], signer: Signer, loader: Loader, created: datetime) -> dict[str, Any]:
    """``document`` plus an eddsa-rdfc-2022 ``DataIntegrityProof`` as a one-element ``proof`` array."""
    options = data_integrity.proof_options(
        cryptosuite=CRYPTOSUITE, created=created, verification_method=signer.verification_method
    )
    data = hash_data(
        canonical_proof_config(options, document.get("@context"), loader),
        canonical_document(document, loader),
    )
    proof = {**options, "proofValue": "z" + base58.b58encode(signer.sign(data)).decode("ascii")}
    return data_integrity.attach_proof(document, proof)


def verify(document: dict[str, Any], resolver: KeyResolver, loader: Loader) -> VerifiedProof:
    """Verify the document's eddsa-rdfc-2022 proofs (object or array); ``ProofError`` says why one fails.

    Proofs of other types or cryptosuites are ignored when at least one eddsa-rdfc-2022 proof exists; every
    eddsa-rdfc-2022 proof must verify. Each key must be controlled by the credential's issuer.
    ``DidResolutionError`` and JSON-LD errors (``UnknownContext``, ``UnsafeDocument``, ...) propagate as such.
    (``app/proofs/embedded.py`` checks every proof of every suite instead, with one result each.)
    """
    proofs = data_integrity.read_proofs(document)
    if not proofs:
        raise ProofError("the document has no proof")
    ours = [p for p in proofs if p.get("type") == data_integrity.PROOF_TYPE and p.get("cryptosuite") == CRYPTOSUITE]
    if not ours:
        found = ", ".join(f"{p.get('type')!r}/{p.get('cryptosuite')!r}" for p in proofs)
        raise ProofError(f"no {data_integrity.PROOF_TYPE} with cryptosuite {CRYPTOSUITE} (found {found})")
    verified = [verify_proof(document, proof, resolver, loader) for proof in ours]
    return verified[0]


def verify_proof(
    document: dict[str, Any],
    proof: dict[str, Any],
    resolver: KeyResolver,
    loader: Loader,
    *,
    cryptosuite: str = CRYPTOSUITE,
    legacy: str | None = None,
    purpose: ProofPurpose | None = None,
) -> VerifiedProof:
    """Verify one ``DataIntegrityProof`` of ``document`` made with ``cryptosuite`` (eddsa-rdfc-2022 or eddsa-2022),
    for ``purpose`` (a credential's issuer unless given: ``app/proofs/purposes.py``).

    The proof configuration is the proof without ``proofValue`` under the document's ``@context`` (or the proof's
    own, when it is a prefix of the document's: Data Integrity, "Verify Proof" 4.1-4.2).
    """

    def canonical() -> tuple[str, str]:
        context = data_integrity.context_for_verification(document, proof)
        unsecured = {**data_integrity.without_proof(document), "@context": context}
        return (
            canonical_proof_config(proof, context, loader, cryptosuite=cryptosuite),
            canonical_document(unsecured, loader),
        )

    return verify_signed_hashes(
        document, proof, resolver, suite=cryptosuite, canonical=canonical, legacy=legacy, purpose=purpose
    )
