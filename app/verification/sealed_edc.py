"""Verify a sealed Europass EDC (JAdES): the seal, the EDC shapes, validity, and status from the issuer's records."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.credentials.edc_shacl import validate_edc
from app.proofs.jades import verify_seal
from app.verification.checks import check_validity_period
from app.verification.report import Check, Outcome, Report

# Looks up the status this service keeps for an EDC it issued (by the EDC's id): active, revoked, suspended or None.
EdcStatusLookup = Callable[[str], str | None]


def verify_sealed_edc(document: dict[str, Any], *, now: datetime, status_of: EdcStatusLookup) -> Report:
    seal = verify_seal(document, trusted_lists=None, now=now)
    checks = [_seal_check(seal)]
    payload = _payload(document)
    if payload is None:
        checks.append(Check("edc_format", Outcome.FAILED, "the sealed payload is not a JSON object"))
        return Report(checks=checks)
    violations = validate_edc(payload)
    checks.append(
        Check("edc_format", Outcome.FAILED, "fails the EDC shapes (edc-generic-full): " + "; ".join(violations[:5]))
        if violations
        else Check("edc_format", Outcome.PASSED, "conforms to the Europass EDC shapes (edc-generic-full, SHACL)")
    )
    checks.append(_status_check(payload, status_of))
    checks.append(check_validity_period(payload, now))
    checks.append(_trust_check(seal))
    issuer = payload.get("issuer")
    return Report(
        checks=checks,
        credential_id=payload.get("id"),
        issuer=issuer.get("id") if isinstance(issuer, dict) else issuer,
        verification_method=seal.certificate.subject if seal.certificate else None,
    )


def _payload(document: dict[str, Any]) -> dict[str, Any] | None:
    try:
        payload = json.loads(document["payload"]) if isinstance(document["payload"], str) else None
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _seal_check(seal: Any) -> Check:
    if not seal.valid:
        return Check("seal", Outcome.FAILED, f"the JAdES seal does not verify: {seal.reason}")
    subject = seal.certificate.subject if seal.certificate else "an unknown certificate"
    return Check("seal", Outcome.PASSED, f"JAdES-{seal.level} seal ({seal.algorithm}) by {subject} verifies")


def _trust_check(seal: Any) -> Check:
    """Advisory: whether the Europass viewer's trust check could pass (a qualified e-seal on the EU trusted list)."""
    certificate = seal.certificate
    if certificate is None:
        return Check("seal_trust", Outcome.NOT_APPLICABLE, "no certificate", required=False)
    if certificate.self_issued:
        return Check(
            "seal_trust",
            Outcome.FAILED,
            "self-issued test certificate: not a qualified e-seal; the Europass viewer's seal check will fail",
            required=False,
            code="self_issued",
        )
    qualified = "carries a qualified e-seal statement" if certificate.qc_statements else "is not a qualified e-seal"
    return Check(
        "seal_trust", Outcome.COULD_NOT_CHECK, f"the certificate {qualified}; {seal.trust.reason}", required=False
    )


def _status_check(payload: dict[str, Any], status_of: EdcStatusLookup) -> Check:
    """EDCs carry no status entry (the shapes reject one): the issuer's own records, shared with the OB 3.0 twin."""
    status = status_of(str(payload.get("id", "")))
    if status is None:
        return Check(
            "status",
            Outcome.NOT_APPLICABLE,
            "an EDC carries no status entry and this service did not issue it: ask its issuer whether it was revoked",
            required=False,
        )
    if status == "revoked":
        return Check("status", Outcome.FAILED, "the issuer has revoked this credential", code="revoked")
    if status == "suspended":
        return Check("status", Outcome.FAILED, "the issuer has suspended this credential", code="suspended")
    return Check("status", Outcome.PASSED, "not revoked or suspended (the issuer's records)")
