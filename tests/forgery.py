"""A forger's tools for tests: take a real credential, claim its issuer's name, and sign it with one's own did:key."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.proofs import eddsa_rdfc_2022
from app.proofs.dids import did_key
from app.proofs.keys import generate_signing_key, public_key_bytes
from app.proofs.loader import default_loader
from app.proofs.multikey import encode_public_key
from app.proofs.signer import Ed25519Signer


def key_did(key: Ed25519PrivateKey) -> str:
    return did_key(public_key_bytes(key))


def resign_as(credential: dict[str, Any], key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    """``credential`` (name, issuer name and all) signed again by ``key``'s did:key, which becomes ``issuer.id``.

    Its status entry is dropped: the original issuer's status list would not match the new issuer anyway.
    """
    key = key or generate_signing_key()
    did = key_did(key)
    forged = copy.deepcopy(credential)
    forged.pop("proof", None)
    forged.pop("credentialStatus", None)
    forged["issuer"]["id"] = did
    signer = Ed25519Signer(key, f"{did}#{encode_public_key(public_key_bytes(key))}")
    return eddsa_rdfc_2022.sign(forged, signer, default_loader(), datetime.now(UTC))
