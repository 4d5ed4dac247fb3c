"""Verify a sealed Europass EDC (JAdES): the seal, the EDC shapes, validity, status, and who sealed it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.credentials.edc_shacl import validate_edc
from app.proofs.jades import SealReport, verify_seal
from app.trust.eu_trusted_lists import TrustedLists
from app.trust.identity import IssuerIdentity, SourceKind, TrustSource
from app.verification.cache import Memo
from app.verification.checks import MAX_DEPTH, check_issuer, check_validity_period, nesting_depth
from app.verification.report import Check, Outcome, Report, Signer

# Looks up the status this service keeps for an EDC it issued (by the EDC's id): active, revoked, suspended or None.
EdcStatusLookup = Callable[[str], str | None]
# Who a seal certificate (DER) belongs to: a college of this service, or not confirmed.
IdentifyCertificate = Callable[[bytes, str], IssuerIdentity]

TEST_SEAL_NOTICE = (
    "This EDC is sealed with a self-issued test certificate: the seal shows the document is unchanged, but it is "
    "not a qualified electronic seal, and the Europass viewer will not accept it."
)


def verify_sealed_edc(
    document: dict[str, Any],
    *,
    now: datetime,
    status_of: EdcStatusLookup,
    identify_certificate: IdentifyCertificate,
    trusted_lists: TrustedLists | None = None,
    memo: Memo | None = None,
) -> Report:
    """``trusted_lists``: the EU trusted lists the operator configured (None: seals are not checked against any).

    ``memo`` reuses a valid seal's outcome for exactly this document and this load of the trusted lists (an invalid
    one is checked again: a time-stamp from the future may become acceptable), and the EDC shapes' verdict for
    exactly this payload."""
    memo = memo or Memo()
    lists_loaded = trusted_lists.loaded_at.isoformat() if trusted_lists else None
    seal = memo.reuse(
        "seal",
        ("jades", document, lists_loaded),
        lambda: verify_seal(document, trusted_lists=trusted_lists, now=now),
        keep=lambda report: report.valid,
    )
    checks = [_seal_check(seal)]
    payload = _payload(document)
    if payload is None or nesting_depth(payload) > MAX_DEPTH:
        reason = "the sealed payload is not a JSON object" if payload is None else "the sealed payload nests too deeply"
        checks.append(Check("edc_format", Outcome.FAILED, reason))
        return Report(checks=checks, format="edc")
    memo.known(payload, document["payload"])  # parsed from that text: named by its hash, not serialized again
    violations = memo.reuse("edc_format", payload, lambda: validate_edc(payload))
    checks.append(
        Check("edc_format", Outcome.FAILED, "fails the EDC shapes (edc-generic-full): " + "; ".join(violations[:5]))
        if violations
        else Check("edc_format", Outcome.PASSED, "conforms to the Europass EDC shapes (edc-generic-full, SHACL)")
    )
    checks.append(_status_check(payload, status_of))
    checks.append(check_validity_period(payload, now))
    signer, identity = _who_sealed(document, seal, identify_certificate)
    checks.append(check_issuer(identity))
    issuer = payload.get("issuer")
    test_seal = seal.valid and seal.certificate is not None and seal.certificate.self_issued
    return Report(
        checks=checks,
        credential_id=payload.get("id"),
        issuer=issuer.get("id") if isinstance(issuer, dict) else issuer,
        signer=signer,
        identity=identity,
        format="edc",
        notices=(TEST_SEAL_NOTICE,) if test_seal else (),
    )


def _who_sealed(
    document: dict[str, Any], seal: SealReport, identify_certificate: IdentifyCertificate
) -> tuple[Signer | None, IssuerIdentity | None]:
    if not seal.valid or seal.certificate is None:
        return None, None
    certificate = seal.certificate
    subject = certificate.subject
    signer = Signer(id=subject, method=f"JAdES-{seal.level} seal ({seal.algorithm})")
    identity = identify_certificate(_leaf_der(document), subject)
    trust = seal.trust
    listed = trust.status in ("qualified", "trusted") and not certificate.self_issued
    source = TrustSource(
        name=f"EU trusted list of {trust.territory or 'its member state'}"
        + (f" ({trust.provider})" if trust.provider else ""),
        kind=SourceKind.EU_TRUSTED_LIST,
        updated=trust.list_issued,
    )
    return signer, identity.with_source(
        source if listed else None,
        name=certificate.organisation or subject,
        problem=None if listed else f"EU trusted lists: {trust.reason}",
    )


def _leaf_der(document: dict[str, Any]) -> bytes:
    """The signing certificate of a seal that ``verify_seal`` accepted (so the header is known to be well formed)."""
    protected = document["signatures"][0]["protected"]
    header = json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4)))
    return base64.b64decode(header["x5c"][0])


def _payload(document: dict[str, Any]) -> dict[str, Any] | None:
    try:
        payload = json.loads(document["payload"]) if isinstance(document["payload"], str) else None
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _seal_check(seal: SealReport) -> Check:
    if not seal.valid:
        return Check("seal", Outcome.FAILED, f"the JAdES seal does not verify: {seal.reason}")
    certificate = seal.certificate
    subject = certificate.subject if certificate else "an unknown certificate"
    kind = (
        "a self-issued test certificate"
        if certificate and certificate.self_issued
        else "a qualified e-seal" + (" on a qualified device (QSCD)" if seal.trust.qscd else "")
        if seal.trust.status == "qualified"
        else "a certificate that claims to be a qualified e-seal certificate (not confirmed by a trusted list)"
        if certificate and certificate.qualified_eseal
        else "a certificate that is not a qualified e-seal certificate"
    )
    when = (
        f"time-stamped {seal.timestamp_time:%-d %B %Y %H:%M} UTC by {seal.signature_timestamp.tsa}"
        if seal.timestamp_time and seal.signature_timestamp
        else "no verified time-stamp: the time is the sealer's own claim"
    )
    short = f"; {seal.level_reason}" if seal.level_reason and seal.level != seal.present_level else ""
    reason = f"JAdES-{seal.level} seal ({seal.algorithm}) by {subject}, with {kind}; {when}{short}"
    return Check("seal", Outcome.PASSED, reason)


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
