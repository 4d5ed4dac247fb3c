"""The JAdES baseline level a seal really reaches: each time-stamp and the long-term validation data verified."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding

from app.errors import TimestampError
from app.proofs.jades_structure import ParsedSeal
from app.proofs.jades_unsigned import (
    Component,
    archive_timestamp_input,
    content_timestamp_input,
    read_certificates,
    read_revocation,
    signature_timestamp_input,
    tokens,
)
from app.proofs.timestamps import VerifiedTimestamp, verify_token
from app.trust.paths import validate_path

# A signature time-stamp may come a little before sigT (clocks differ); DSS allows none, EDCI seals show 3 s after.
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class TimestampReport:
    """One time-stamp: ``valid`` when its token verifies over what it must cover (``reason`` says what failed)."""

    kind: str  # "signature" (sigTst), "content" (adoTst) or "archive" (arcTst)
    valid: bool
    reason: str
    time: datetime | None = None
    tsa: str | None = None


@dataclass(frozen=True)
class LevelReport:
    """``level`` counts only what verified; ``reason`` names the first part that did not, or says all did."""

    level: str
    reason: str
    present: str  # the level the etsiU members alone would suggest
    signature_timestamp: TimestampReport | None = None
    content_timestamp: TimestampReport | None = None
    archive_timestamp: TimestampReport | None = None
    certificates: tuple[x509.Certificate, ...] = ()  # x5c, xVals and the time-stamp tokens' certificates
    crls: tuple[bytes, ...] = ()
    ocsps: tuple[bytes, ...] = ()
    tsa_certificates: tuple[x509.Certificate, ...] = ()


def assess_levels(
    seal: ParsedSeal, components: Sequence[Component], *, anchors: Sequence[x509.Certificate] = ()
) -> LevelReport:
    """B, then T if the signature time-stamp verifies, LT if the carried certificates and revocation data validate
    the signing and TSA certificates at its time, LTA if the archive time-stamp verifies over all of that.

    ``anchors`` are trust anchors from trusted lists: a chain may end there without carrying the CA above.
    """
    names = {component.name for component in components}
    found: dict[str, Any] = {"present": _present_level(names)}

    def done(level: str, reason: str) -> LevelReport:
        return LevelReport(level=level, reason=reason, **found)

    certificates = list(seal.chain)
    crls: list[bytes] = []
    ocsps: list[bytes] = []
    try:
        for component in components:
            if component.name in ("xVals", "axVals"):
                certificates += [c for c in read_certificates(component) if c not in certificates]
            elif component.name in ("rVals", "arVals"):
                found_crls, found_ocsps = read_revocation(component)
                crls += found_crls
                ocsps += found_ocsps
    except ValueError as error:
        return done("B", f"the validation data cannot be read: {error}")
    found |= {"certificates": tuple(certificates), "crls": tuple(crls), "ocsps": tuple(ocsps)}
    if "adoTst" in seal.header:
        content = Component("adoTst", seal.header["adoTst"], None)
        found["content_timestamp"] = _report("content", content, content_timestamp_input(seal), certificates)

    signature = next((component for component in components if component.name == "sigTst"), None)
    if signature is None:
        return done("B", "no signature time-stamp (sigTst): level B")
    stamped = _verified(signature, signature_timestamp_input(seal), certificates)
    if isinstance(stamped, str):
        found["signature_timestamp"] = TimestampReport("signature", False, stamped)
        return done("B", f"the signature time-stamp does not verify: {stamped}")
    found["signature_timestamp"] = TimestampReport("signature", True, "verifies", stamped.gen_time, stamped.tsa)
    certificates += [c for c in stamped.certificates if c not in certificates]
    found |= {"certificates": tuple(certificates), "tsa_certificates": (stamped.tsa_certificate,)}
    if stamped.gen_time + CLOCK_SKEW < _claimed_signing_time(seal):
        return done("B", "the signature time-stamp is earlier than the claimed signing time (sigT)")
    leaf = seal.chain[0]
    if not leaf.not_valid_before_utc <= stamped.gen_time <= leaf.not_valid_after_utc:
        return done("B", "the seal certificate was not valid at the time of the signature time-stamp")

    if not names & {"xVals", "axVals"} or not names & {"rVals", "arVals"}:
        return done("T", "no long-term validation data (xVals and rVals): level T")
    for target in (leaf, stamped.tsa_certificate):
        result = validate_path(
            target,
            anchors=[*anchors, *_tops(target, certificates, anchors)],
            certificates=certificates,
            crls=crls,
            ocsps=ocsps,
            moment=stamped.gen_time,
            require_revocation=True,
        )
        if not result.valid:
            subject = target.subject.rfc4514_string()
            return done("T", f"the long-term validation data does not validate {subject!r}: {result.reason}")

    archive = next((index for index, component in enumerate(components) if component.name == "arcTst"), None)
    if archive is None:
        return done("LT", "no archive time-stamp (arcTst): level LT")
    try:
        covered = archive_timestamp_input(seal, components[:archive])
    except ValueError as error:
        found["archive_timestamp"] = TimestampReport("archive", False, str(error))
        return done("LT", f"the archive time-stamp cannot be checked: {error}")
    found["archive_timestamp"] = report = _report("archive", components[archive], covered, certificates)
    if not report.valid:
        return done("LT", f"the archive time-stamp does not verify: {report.reason}")
    return done("LTA", "the time-stamps and the long-term validation data verify: level LTA")


def _verified(component: Component, data: bytes, certificates: Sequence[x509.Certificate]) -> VerifiedTimestamp | str:
    """The first token of a container verified over ``data``, or why not."""
    try:
        return verify_token(tokens(component)[0], data, certificates=certificates)
    except (ValueError, TimestampError) as error:
        return error.detail if isinstance(error, TimestampError) else str(error)


def _report(kind: str, component: Component, data: bytes, certificates: Sequence[x509.Certificate]) -> TimestampReport:
    stamped = _verified(component, data, certificates)
    if isinstance(stamped, str):
        return TimestampReport(kind, False, stamped)
    return TimestampReport(kind, True, "verifies", stamped.gen_time, stamped.tsa)


def _present_level(names: set[str]) -> str:
    """What the members alone claim: B; T with sigTst; LT adding xVals and rVals; LTA adding arcTst."""
    if "sigTst" not in names:
        return "B"
    if not names & {"xVals", "axVals"} or not names & {"rVals", "arVals"}:
        return "T"
    return "LTA" if "arcTst" in names else "LT"


def _claimed_signing_time(seal: ParsedSeal) -> datetime:
    return datetime.strptime(seal.header["sigT"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _tops(
    target: x509.Certificate, certificates: Sequence[x509.Certificate], anchors: Sequence[x509.Certificate]
) -> list[x509.Certificate]:
    """Where the carried chain of ``target`` ends: a self-signed certificate, a trusted-list anchor, or the first
    certificate whose issuer the seal does not carry. Above that, the seal cannot be expected to carry data."""
    current, seen = target, {target.public_bytes(Encoding.DER)}
    while current not in anchors:
        issuer = next((c for c in certificates if _issued_by(current, c)), None)
        if issuer is None or issuer.public_bytes(Encoding.DER) in seen:
            break
        seen.add(issuer.public_bytes(Encoding.DER))
        current = issuer
    return [current]


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    if certificate.issuer != issuer.subject:
        return False
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True
