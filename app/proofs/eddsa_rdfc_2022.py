"""The eddsa-rdfc-2022 cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0, section 3.3)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.errors import ProofError
from app.proofs import data_integrity
from app.proofs.canonical import Loader, canonize
from app.proofs.dids import KeyResolver
from app.proofs.signer import Signer

CRYPTOSUITE = "eddsa-rdfc-2022"
SIGNATURE_LENGTH = 64


@dataclass(frozen=True)
class VerifiedProof:
    """What a verified proof vouches for. ``created`` is the proof's timestamp as written (or ``None``)."""

    verification_method: str
    controller: str
    created: str | None
    cryptosuite: str


def canonical_document(document: dict[str, Any], loader: Loader) -> str:
    """Transformation (3.3.3): the RDFC-1.0 N-Quads of the document without its proof."""
    return canonize(data_integrity.unsecured_document(document), loader)


def canonical_proof_config(options: dict[str, Any], document_context: Any, loader: Loader) -> str:
    """Proof configuration (3.3.5): RDFC-1.0 N-Quads of the proof options under the document's @context."""
    if options.get("type") != data_integrity.PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            f"unsupported proof: type {options.get('type')!r}, "
            f"cryptosuite {options.get('cryptosuite')!r} "
            f"(expected {data_integrity.PROOF_TYPE} with {CRYPTOSUITE})"
        )
    if "created" in options and not data_integrity.is_xsd_datetime(options["created"]):
        raise ProofError(f"the proof's created {options['created']!r} is not an XML Schema dateTime")
    return canonize(data_integrity.proof_config(options, document_context), loader)


def hash_data(canonical_proof_config: str, canonical_document: str) -> bytes:
    """Hashing (3.3.4): SHA-256(proof configuration) ‖ SHA-256(document), 64 bytes."""
    return (
        hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


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
    """
    proofs = data_integrity.read_proofs(document)
    if not proofs:
        raise ProofError("the document has no proof")
    ours = [p for p in proofs if p.get("type") == data_integrity.PROOF_TYPE and p.get("cryptosuite") == CRYPTOSUITE]
    if not ours:
        found = ", ".join(f"{p.get('type')!r}/{p.get('cryptosuite')!r}" for p in proofs)
        raise ProofError(f"no {data_integrity.PROOF_TYPE} with cryptosuite {CRYPTOSUITE} (found {found})")
    verified = [_verify_one(document, proof, resolver, loader) for proof in ours]
    return verified[0]


def _verify_one(
    document: dict[str, Any], proof: dict[str, Any], resolver: KeyResolver, loader: Loader
) -> VerifiedProof:
    if proof.get("proofPurpose") != data_integrity.ASSERTION_METHOD:
        raise ProofError(f"the proof purpose is {proof.get('proofPurpose')!r}, not 'assertionMethod'")
    signature = _decode_proof_value(proof.get("proofValue"))
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise ProofError("the proof has no verificationMethod")

    key = resolver(method)
    if key.controller != _issuer_id(document):
        raise ProofError("verification method controller does not match issuer")

    context = data_integrity.context_for_verification(document, proof)
    unsecured = {**data_integrity.unsecured_document(document), "@context": context}
    data = hash_data(canonical_proof_config(proof, context, loader), canonical_document(unsecured, loader))
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(signature, data)
    except InvalidSignature:
        raise ProofError(
            "the signature does not match: the credential or its proof was changed after signing"
        ) from None
    return VerifiedProof(
        verification_method=method,
        controller=key.controller,
        created=proof.get("created"),
        cryptosuite=CRYPTOSUITE,
    )


def _decode_proof_value(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("the proofValue is missing or not multibase base58btc (it must start with 'z')")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        raise ProofError("the proofValue is not valid base58btc") from None
    if len(signature) != SIGNATURE_LENGTH:
        raise ProofError(
            f"the proofValue holds {len(signature)} bytes, not a {SIGNATURE_LENGTH}-byte Ed25519 signature"
        )
    return signature


def _issuer_id(document: dict[str, Any]) -> str:
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise ProofError("the credential has no issuer id to match the proof's key against")
    return issuer_id
