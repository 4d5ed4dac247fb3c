"""VC-JWT presentations: a holder's compact JWS carrying a presentation - VC Data Model 1.1 (the ``vp`` claim) or
VC-JOSE-COSE (the payload is the presentation), bare or in an EnvelopedVerifiablePresentation - its signature and
the holder's key (``authentication``), read with the pieces ``app/proofs/vc_jwt.py`` verifies credentials with.

VC 1.1 section 6.3.1 maps ``iss`` to ``holder`` and ``jti`` to ``id``; a verifier's challenge travels as ``nonce``
and its domain as ``aud``. Those, and ``exp``/``nbf``/``iat``, are the caller's to check against what it asked for
(``app/verification/presentations.py``): here only what the signature vouches for is decided.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from app.errors import DidResolutionError, ProofError, UnsupportedProof, VetcredError
from app.proofs.dids import KeyResolver
from app.proofs.jwt_claims import numeric_date
from app.proofs.public_keys import b64url_decode
from app.proofs.purposes import authentication
from app.proofs.results import ProofOutcome, ProofResult, VerifiedProof
from app.proofs.vc_jwt import (
    algorithm_of,
    check_signature,
    envelope_token,
    read_compact,
    signing_key,
)

ENVELOPED_TYPE = "EnvelopedVerifiablePresentation"
ENVELOPE_MEDIA_TYPES = ("application/vp+jwt", "application/jwt")
# `typ` values ("application/" may be left out): VC-JOSE-COSE's, its drafts', and plain JWT (VC 1.1 wallets).
TYPES = ("vp+jwt", "vp-ld+jwt", "vp+ld+jwt", "jwt")
PRESENTATION_TYPE = "VerifiablePresentation"
VP11_NOTE = "a VC Data Model 1.1 JWT (presentation in the vp claim), superseded by VC-JOSE-COSE"


class _UnidentifiedKey(VetcredError):
    """A signature by a key that only the JWT itself gives: nothing ties it to a holder (could not check)."""

    code = "unidentified_key"


_COULD_NOT_CHECK = (DidResolutionError, UnsupportedProof, _UnidentifiedKey)


@dataclass(frozen=True)
class JwtPresentation:
    """A presentation JWT read and checked: the presentation it carries (VC 1.1: the ``vp`` claim with ``iss`` and
    ``jti`` mapped in; ``None`` when it cannot be read), its header and claims, and the holder's proof result."""

    presentation: dict[str, Any] | None
    header: dict[str, Any]
    claims: dict[str, Any]
    result: ProofResult


def is_jwt_presentation(value: Any) -> bool:
    """An EnvelopedVerifiablePresentation, or a compact JWS whose payload is a presentation (a ``vp`` claim, or a
    ``type`` with VerifiablePresentation). Only decodes; nothing is verified."""
    if isinstance(value, dict):
        return ENVELOPED_TYPE in _as_list(value.get("type"))
    if not isinstance(value, str) or value.count(".") != 2:
        return False
    try:
        claims = json.loads(b64url_decode(value.strip().split(".")[1]))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(claims, dict) and ("vp" in claims or PRESENTATION_TYPE in _as_list(claims.get("type")))


def verify_jwt_presentation(value: str | dict[str, Any], resolver: KeyResolver) -> JwtPresentation:
    """Read and check a presentation JWT with a ``resolver`` for ``authentication``. Never raises for what is in
    it: every problem is the result's ``failed`` or ``could_not_check``."""
    header: dict[str, Any] = {}
    claims: dict[str, Any] = {}
    presentation: dict[str, Any] | None = None
    label = "VP-JWT"
    try:
        token = envelope_token(value, ENVELOPED_TYPE, ENVELOPE_MEDIA_TYPES) if isinstance(value, dict) else value
        token = token.strip() if isinstance(token, str) else ""
        header, claims = read_compact(token)
        label = f"VP-JWT/{header.get('alg')}"
        algorithm = algorithm_of(header, TYPES, "verifiable presentation")
        presentation, vc11 = presentation_of(claims)
        key = signing_key(header, claims, resolver)
        check_signature(token, key, algorithm, what="presentation")
        if key.controller is None:
            raise _UnidentifiedKey(
                f"the signature is intact, but it was made by a key given only in the JWT itself (JWK thumbprint "
                f"{key.thumbprint}): nothing ties that key to a holder (name it in kid, or sign as a did:key or "
                "did:jwk iss)"
            )
        authentication(holder_of(presentation)).check_controller(key.controller)
        verified = VerifiedProof(
            verification_method=key.method,
            controller=key.controller,
            created=numeric_date(claims["iat"]) if claims.get("iat") is not None else None,
            cryptosuite=f"VP-JWT {algorithm}",
            legacy=VP11_NOTE if vc11 else None,
        )
    except _COULD_NOT_CHECK as error:
        result = ProofResult(0, label, ProofOutcome.COULD_NOT_CHECK, error.detail, code=error.code)
    except VetcredError as error:
        result = ProofResult(0, label, ProofOutcome.FAILED, error.detail, code=error.code)
    else:
        result = ProofResult(0, label, ProofOutcome.PASSED, verified.summary, verified=verified)
    return JwtPresentation(presentation=presentation, header=header, claims=claims, result=result)


def presentation_of(claims: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The presentation in a JWT claims set, and whether it is the VC 1.1 form (``vp`` claim).

    VC 1.1: ``iss`` is the holder and ``jti`` the id; a ``holder`` or ``id`` the presentation states must agree with
    them, and is filled in where it is missing. VC-JOSE-COSE: the payload is the presentation, and an ``iss`` must
    be its holder.
    """
    if "vp" in claims:
        if "@context" in claims:
            raise ProofError("the JWT has both a vp claim and a presentation payload (VC-JOSE-COSE forbids vp)")
        vp = claims["vp"]
        if not isinstance(vp, dict):
            raise ProofError("the JWT's vp claim is not a JSON object")
        presentation = copy.deepcopy(vp)
        for claim, name in (("iss", "holder"), ("jti", "id")):
            value = claims.get(claim)
            stated = holder_of(presentation) if name == "holder" else presentation.get("id")
            if value is None:
                continue
            if stated is None:
                presentation[name] = value
            elif stated != value:
                raise ProofError(f"the JWT's {claim} {value!r} is not the presentation's {name} {stated!r}")
        return presentation, True
    if PRESENTATION_TYPE not in _as_list(claims.get("type")):
        raise ProofError("the JWT carries no presentation (neither a vp claim nor a VerifiablePresentation payload)")
    presentation = copy.deepcopy(claims)
    iss, holder = claims.get("iss"), holder_of(claims)
    if iss is not None and holder is not None and iss != holder:
        raise ProofError(f"the JWT's iss {iss!r} is not the presentation's holder {holder!r}")
    if holder is None and isinstance(iss, str):
        presentation["holder"] = iss
    return presentation, False


def holder_of(presentation: Any) -> str | None:
    """``holder`` or ``holder.id``, when it is a non-empty string."""
    holder = presentation.get("holder") if isinstance(presentation, dict) else None
    value = holder.get("id") if isinstance(holder, dict) else holder
    return value if isinstance(value, str) and value else None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
