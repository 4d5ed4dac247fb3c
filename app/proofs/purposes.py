"""Proof purposes: what a Data Integrity proof or a JWT is for, and whose key must have made it.

A credential's proof is its issuer's assertion (``assertionMethod``, the key controlled by the issuer); a
presentation's proof is its holder authenticating (``authentication``, the key controlled by the holder). The
verification relationship a key must be listed under in its controller's document is the same word, and is the
resolver's business (``app/proofs/controller_documents.py``); the purpose checks the proof's ``proofPurpose`` and
the key's controller.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import ProofError
from app.proofs.data_integrity import ASSERTION_METHOD, AUTHENTICATION


@dataclass(frozen=True)
class ProofPurpose:
    """``relationship``: the ``proofPurpose`` a proof must state; ``role``: who must control the key, in words
    ("issuer", "holder"); ``controller``: that party's id, or ``None`` when the document names nobody (a
    presentation without ``holder``): then whoever controls the key is taken, and the result names them."""

    relationship: str
    role: str
    controller: str | None

    def check_controller(self, controller: str | None) -> None:
        if self.controller is not None and controller != self.controller:
            raise ProofError(f"verification method controller does not match {self.role}")


def assertion(issuer: str) -> ProofPurpose:
    return ProofPurpose(ASSERTION_METHOD, "issuer", issuer)


def authentication(holder: str | None) -> ProofPurpose:
    return ProofPurpose(AUTHENTICATION, "holder", holder)
