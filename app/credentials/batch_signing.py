"""eddsa-rdfc-2022 signing for many credentials: the proof configuration is canonicalized once, not per credential.

Every credential a cohort chunk signs has the same proof options (cryptosuite, created, verification method) and
the same ``@context``, so its canonical proof configuration is the same N-Quads. The result is byte for byte what
``app.proofs.eddsa_rdfc_2022.sign`` makes (tests compare the two).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

import base58

from app.proofs import data_integrity, eddsa_rdfc_2022
from app.proofs.ed25519_proofs import hash_data
from app.proofs.loader import DocumentLoader
from app.proofs.signer import Signer


def sign(document: dict[str, Any], signer: Signer, loader: DocumentLoader, created: datetime) -> dict[str, Any]:
    """``document`` plus an eddsa-rdfc-2022 ``DataIntegrityProof``, as ``eddsa_rdfc_2022.sign`` adds it."""
    options = data_integrity.proof_options(
        cryptosuite=eddsa_rdfc_2022.CRYPTOSUITE, created=created, verification_method=signer.verification_method
    )
    config = _proof_config(json.dumps(options, sort_keys=True), json.dumps(document.get("@context")), loader)
    data = hash_data(config, eddsa_rdfc_2022.canonical_document(document, loader))
    proof = {**options, "proofValue": "z" + base58.b58encode(signer.sign(data)).decode("ascii")}
    return data_integrity.attach_proof(document, proof)


@lru_cache(maxsize=64)
def _proof_config(options: str, context: str, loader: DocumentLoader) -> str:
    """Keyed by the options and context as JSON text (one entry per signing key and clock second)."""
    return eddsa_rdfc_2022.canonical_proof_config(json.loads(options), json.loads(context), loader)
