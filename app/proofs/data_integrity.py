"""The cryptosuite-independent parts of W3C VC Data Integrity: proof options, attaching and reading proofs."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from app.errors import ProofError

PROOF_TYPE = "DataIntegrityProof"
ASSERTION_METHOD = "assertionMethod"
AUTHENTICATION = "authentication"  # a holder's proof of a presentation
# XML Schema 1.1 dateTime (the timezone is optional there; we always write "Z").
_XSD_DATETIME = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?$"
)


def xsd_datetime(moment: datetime) -> str:
    """``2024-05-01T12:00:00Z``: UTC, whole seconds. ``moment`` must carry a timezone."""
    if moment.tzinfo is None:
        raise ValueError("proof timestamps need a timezone-aware datetime")
    # isoformat, not strftime: strftime writes the year 40 as "40", which is no dateTime (years have four digits).
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def is_xsd_datetime(value: Any) -> bool:
    """Whether ``value`` is a string in XML Schema dateTime form."""
    return isinstance(value, str) and _XSD_DATETIME.match(value) is not None


def proof_options(*, cryptosuite: str, created: datetime, verification_method: str) -> dict[str, Any]:
    """The proof before signing: a ``DataIntegrityProof`` for ``assertionMethod``."""
    return {
        "type": PROOF_TYPE,
        "cryptosuite": cryptosuite,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": ASSERTION_METHOD,
    }


def proof_config(options: dict[str, Any], document_context: Any) -> dict[str, Any]:
    """The proof configuration that is canonicalized and hashed: the options without ``proofValue``,
    under the document's ``@context``."""
    config = {key: value for key, value in options.items() if key != "proofValue"}
    config["@context"] = copy.deepcopy(document_context)
    return config


def unsecured_document(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``document`` without its ``proof``."""
    return {key: copy.deepcopy(value) for key, value in document.items() if key != "proof"}


def without_proof(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` without its ``proof``, sharing the values: for reading only (canonicalization never writes)."""
    return {key: value for key, value in document.items() if key != "proof"}


def attach_proof(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with ``"proof": [proof]``, the one-element array strict OB 3.0 wants."""
    if "proof" in document:
        raise ProofError("the document already carries a proof; vetcred signs unsigned documents only")
    return {**_json_copy(without_proof(document)), "proof": [proof]}


def _json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars), several times faster than ``copy.deepcopy``."""
    if type(value) is dict:
        return {key: _json_copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_json_copy(item) for item in value]
    return value if type(value) in (str, int, float, bool) or value is None else copy.deepcopy(value)


def read_proofs(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's proofs, whether ``proof`` is one object or an array of them (both are valid JSON-LD)."""
    proof = document.get("proof")
    proofs = proof if isinstance(proof, list) else [] if proof is None else [proof]
    if not all(isinstance(item, dict) for item in proofs):
        raise ProofError("'proof' must be an object or an array of objects")
    return proofs


def context_for_verification(document: dict[str, Any], proof: dict[str, Any]) -> Any:
    """The ``@context`` to verify ``proof`` under (Data Integrity, "Verify Proof" steps 4.1-4.2).

    A proof without ``@context`` uses the document's. A proof with one requires the document's
    ``@context`` to start with the same values in the same order, and then that proof context is used.
    """
    document_context = document.get("@context")
    if "@context" not in proof:
        return document_context
    proof_context = _as_list(proof["@context"])
    if _as_list(document_context)[: len(proof_context)] != proof_context:
        raise ProofError("the proof's @context is not a prefix of the document's @context")
    return proof["@context"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
