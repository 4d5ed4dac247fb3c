"""What the Ed25519 linked-data suites share (eddsa-rdfc-2022, eddsa-2022, Ed25519Signature2020): the proof value,
purpose, key and issuer checks, and the Ed25519 signature over SHA-256(proof configuration) ‖ SHA-256(document)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.errors import ProofError
from app.proofs.data_integrity import ASSERTION_METHOD
from app.proofs.dids import KeyResolver
from app.proofs.public_keys import describe
from app.proofs.purposes import ProofPurpose, assertion
from app.proofs.results import VerifiedProof

SIGNATURE_LENGTH = 64


def hash_data(canonical_proof_config: str, canonical_document: str) -> bytes:
    """SHA-256(proof configuration) ‖ SHA-256(document), 64 bytes: the data every one of these suites signs."""
    return (
        hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def verify_signed_hashes(
    document: dict[str, Any],
    proof: dict[str, Any],
    resolver: KeyResolver,
    *,
    suite: str,
    canonical: Callable[[], tuple[str, str]],
    legacy: str | None = None,
    purpose: ProofPurpose | None = None,
) -> VerifiedProof:
    """Check ``proof`` on ``document``; ``canonical()`` gives the suite's (proof configuration, document) N-Quads.

    ``purpose``: a credential's (the default: ``assertionMethod`` by a key of its issuer) or a presentation's
    (``authentication`` by a key of its holder); ``resolver`` must resolve keys for that same relationship.
    The cheap checks come first and canonicalization last, so a malformed proof costs no JSON-LD work.
    """
    stated, wanted = proof.get("proofPurpose"), purpose.relationship if purpose else ASSERTION_METHOD
    if stated != wanted:
        raise ProofError(f"the proof purpose is {stated!r}, not {wanted!r}")
    signature = decode_proof_value(proof.get("proofValue"))
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise ProofError("the proof has no verificationMethod")

    key = resolver(method)
    (purpose or assertion(issuer_id(document))).check_controller(key.controller)
    if not isinstance(key.public_key, Ed25519PublicKey):
        raise ProofError(f"{suite} needs an Ed25519 key, but {method} is a {describe(key.public_key)} key")

    proof_config, document_nquads = canonical()
    try:
        key.public_key.verify(signature, hash_data(proof_config, document_nquads))
    except InvalidSignature:
        raise ProofError(
            "the signature does not match: the credential or its proof was changed after signing"
        ) from None
    return VerifiedProof(
        verification_method=method,
        controller=key.controller,
        created=proof.get("created"),
        cryptosuite=suite,
        legacy=legacy,
    )


def decode_proof_value(value: Any) -> bytes:
    """The 64-byte signature of a multibase base58btc ``proofValue``."""
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


def issuer_id(document: dict[str, Any]) -> str:
    """The credential's issuer id (``issuer`` as a string, or ``issuer.id``)."""
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(value, str) or not value:
        raise ProofError("the credential has no issuer id to match the proof's key against")
    return value
