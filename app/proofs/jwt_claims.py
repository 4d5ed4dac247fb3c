"""The credential a VC-JWT carries: a VC 1.1 ``vc`` claim with the JWT's registered claims mapped in, or a VC 2.0 /
OB 3.0 payload that is the credential itself; and the claims that must agree with it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from app.errors import ProofError

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def credential_of(claims: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The credential in a JWT claims set, and whether it is the VC Data Model 1.1 form (``vc`` claim).

    VC 1.1 section 6.3.1: ``iss`` -> ``issuer``, ``jti`` -> ``id``, ``sub`` -> ``credentialSubject.id``,
    ``nbf`` -> ``issuanceDate`` and ``exp`` -> ``expirationDate`` (``validFrom``/``validUntil`` under the VC 2.0
    context); a claim the credential lacks is filled in, one that disagrees with it is a ``ProofError``.
    VC-JOSE-COSE (VC 2.0, OB 3.0): the payload is the credential and must not have a ``vc`` claim; its ``iss``,
    ``jti`` and ``sub`` must agree with ``issuer``, ``id`` and ``credentialSubject.id`` ("iss ... MUST match
    issuer.id"; OB 3.0 requires all three). Its ``nbf``/``exp`` are the signature's validity in VC-JOSE-COSE, not
    the credential's, so they are left to the caller (in ``claims``).
    """
    if "vc" in claims:
        if "@context" in claims:
            raise ProofError("the JWT has both a vc claim and a credential payload; VC-JOSE-COSE forbids the vc claim")
        vc = claims["vc"]
        if not isinstance(vc, dict):
            raise ProofError("the JWT's vc claim is not a JSON object")
        credential = copy.deepcopy(vc)
        _bind_registered_claims(credential, claims, fill=True)
        _bind_dates(credential, claims)
        return credential, True
    if "@context" not in claims:
        raise ProofError("the JWT carries no credential (neither a vc claim nor a payload with @context)")
    credential = copy.deepcopy(claims)
    _bind_registered_claims(credential, claims, fill=False)
    return credential, False


def issuer_of(credential: dict[str, Any]) -> str | None:
    """``issuer`` or ``issuer.id``, when it is a non-empty string."""
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) and value else None


def numeric_date(value: Any) -> str:
    """A JWT NumericDate as an XML Schema dateTime in UTC (whole seconds)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProofError(f"the JWT date {value!r} is not a NumericDate (seconds since 1970)")
    try:
        return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        raise ProofError(f"the JWT date {value!r} is out of range") from None


def _bind_registered_claims(credential: dict[str, Any], claims: dict[str, Any], *, fill: bool) -> None:
    """Each of iss, jti, sub must agree with what the credential says; with ``fill`` it is copied in where the
    credential says nothing."""
    iss, jti, sub = claims.get("iss"), claims.get("jti"), claims.get("sub")
    if iss is not None:
        issuer = issuer_of(credential)
        if issuer is None and fill:
            if isinstance(credential.get("issuer"), dict):
                credential["issuer"]["id"] = iss
            else:
                credential["issuer"] = iss
        elif issuer is not None and issuer != iss:
            raise ProofError(f"the JWT's iss {iss!r} is not the credential's issuer {issuer!r}")
    if jti is not None:
        if "id" not in credential and fill:
            credential["id"] = jti
        elif "id" in credential and credential["id"] != jti:
            raise ProofError(f"the JWT's jti {jti!r} is not the credential's id {credential['id']!r}")
    if sub is not None:
        _bind_subject(credential, sub, fill=fill)


def _bind_subject(credential: dict[str, Any], sub: Any, *, fill: bool) -> None:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    ids = [s.get("id") for s in subjects if isinstance(s, dict) and "id" in s]
    if ids and sub not in ids:
        raise ProofError(f"the JWT's sub {sub!r} is not the credentialSubject's id {ids[0]!r}")
    if not ids and fill and len(subjects) == 1 and isinstance(subjects[0], dict):
        subjects[0]["id"] = sub


def _bind_dates(credential: dict[str, Any], claims: dict[str, Any]) -> None:
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    names = ("validFrom", "validUntil") if first == VC_V2_CONTEXT else ("issuanceDate", "expirationDate")
    for claim, name in zip(("nbf", "exp"), names, strict=True):
        if claims.get(claim) is None:
            continue
        written = numeric_date(claims[claim])
        if name not in credential:
            credential[name] = written
        elif _seconds(credential[name], name) != int(claims[claim]):
            raise ProofError(f"the JWT's {claim} ({written}) is not the credential's {name} {credential[name]!r}")


def _seconds(value: Any, name: str) -> int:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ProofError(f"the credential's {name} {value!r} is not a date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
