"""JAdES e-seals for EDCs (ETSI TS 119 182-1): seal a credential string (B, B-T, B-LT), and verify a sealed document."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from app.proofs.eseal import SealCertificate, check_chain, issuer_serial_der, require_valid_at
from app.proofs.jades_levels import TimestampReport, assess_levels
from app.proofs.jades_structure import ParsedSeal, SealInvalid, b64url, parse_seal, signing_input
from app.proofs.jades_unsigned import (
    certificate_values,
    encode,
    parse_etsiu,
    revocation_values,
    signature_timestamp_input,
    timestamp_value,
)
from app.proofs.tsa_client import Stamper
from app.trust.eu_trusted_lists import TrustedLists
from app.trust.seal_trust import NOT_CHECKED, SealTrust, assess_seal_trust

log = logging.getLogger(__name__)
# What EDCI (EU DSS) writes, as found in the Commission's sealed samples.
CONTENT_TYPE = "octet-stream"
TYPE = "jose+json"
# Time-stamps from the future (beyond clock skew) are refused.
FUTURE_SKEW = timedelta(minutes=5)
# Given certificates, the CRLs (DER) that could be had for them; what cannot be had is left out.
RevocationSource = Callable[[Sequence[x509.Certificate]], Sequence[bytes]]


@dataclass(frozen=True)
class SealReport:
    """What ``verify_seal`` found. ``valid`` means the signature verifies with the certificate in ``x5c``.

    ``level`` is the JAdES baseline level (``B``, ``T``, ``LT``, ``LTA``) the seal reaches, counting a level only when
    its time-stamp or validation data verify; ``level_reason`` names what stopped it (``present_level`` is what the
    unsigned members alone would claim). ``signature_timestamp`` (sigTst) gives the proven time and TSA;
    ``content_timestamp`` (adoTst, taken before signing) and ``archive_timestamp`` (arcTst) are reported as found.
    ``trust`` is the trusted-list result. ``kid_matches`` is reported only.
    """

    valid: bool
    reason: str
    algorithm: str | None = None
    signing_time: datetime | None = None  # sigT as claimed by the signer
    level: str | None = None
    level_reason: str = ""
    present_level: str | None = None
    signature_timestamp: TimestampReport | None = None
    content_timestamp: TimestampReport | None = None
    archive_timestamp: TimestampReport | None = None
    certificate: SealCertificate | None = None
    chain_length: int = 0
    x5t_s256_matches: bool | None = None
    kid_matches: bool | None = None
    trust: SealTrust = NOT_CHECKED

    @property
    def timestamp_time(self) -> datetime | None:
        """When a TSA proves the seal existed (the verified signature time-stamp), else ``None``."""
        stamp = self.signature_timestamp
        return stamp.time if stamp is not None and stamp.valid else None

    @property
    def summary(self) -> str:
        """One sentence for a page: who sealed it, when (proven or claimed), and what the seal is worth."""
        if not self.valid or self.certificate is None:
            return f"The seal does not verify: {self.reason}"
        who = self.certificate.organisation or self.certificate.subject
        when = (
            f"time-stamped {self.timestamp_time:%Y-%m-%d %H:%M} UTC"
            if self.timestamp_time
            else f"claims {self.signing_time:%Y-%m-%d %H:%M} UTC, no verified time-stamp"
        )
        if self.certificate.self_issued:
            worth = "a self-issued test seal: it proves the document is unchanged, not who sealed it"
        elif self.trust.status == "qualified":
            worth = "a qualified e-seal" + (" (QSCD)" if self.trust.qscd else "")
        elif self.trust.status == "trusted":
            worth = f"on the {self.trust.territory} trusted list, not a qualified e-seal"
        elif self.trust.status == "not_trusted":
            worth = "not on the loaded EU trusted lists"
        else:
            worth = "not checked against a trusted list"
        return f"Sealed by {who} (JAdES-{self.level}, {when}); {worth}."


def seal(
    payload: str,
    *,
    private_key: rsa.RSAPrivateKey,
    chain: Sequence[x509.Certificate],
    now: datetime,
    stamper: Stamper | None = None,
    revocation: RevocationSource | None = None,
) -> dict[str, Any]:
    """A JAdES seal of ``payload`` (RS256), as EDCI's JWS JSON serialization with an unencoded payload.

    Baseline B; with ``stamper`` (a TSA) B-T: a sigTst over the signature in ``etsiU``, as EDCI writes it; with
    ``revocation`` too, B-LT when the CRLs it returns complete the validation data of the seal and TSA chains
    (checked here as a verifier would; otherwise the seal stays B-T and a warning is logged). The exact ``payload``
    string is what is signed (RFC 7797): store and send it byte for byte. ``KeyMaterialError`` if ``chain`` does not
    fit the key or the leaf is not valid at ``now``; ``TimestampError`` if the TSA fails.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    check_chain(private_key, chain)
    leaf = chain[0]
    require_valid_at(leaf, now)
    header = {
        "alg": "RS256",
        "cty": CONTENT_TYPE,
        "kid": base64.b64encode(issuer_serial_der(leaf)).decode("ascii"),
        "x5t#S256": b64url(hashlib.sha256(leaf.public_bytes(Encoding.DER)).digest()),
        "x5c": [base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii") for certificate in chain],
        "typ": TYPE,
        "b64": False,
        "sigT": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "crit": ["b64", "sigT"],
    }
    protected = b64url(json.dumps(header, separators=(",", ":")).encode("ascii"))
    signature = b64url(private_key.sign(signing_input(protected, payload), padding.PKCS1v15(), hashes.SHA256()))
    entry: dict[str, Any] = {"protected": protected, "signature": signature}
    if stamper is not None:
        sealed = ParsedSeal(payload, protected, signature, header, {}, tuple(chain))
        stamped = stamper(signature_timestamp_input(sealed))
        entry["header"] = {"etsiU": [encode("sigTst", timestamp_value(stamped.token))]}
        if revocation is not None:
            entry["header"]["etsiU"] += _long_term(sealed, entry["header"]["etsiU"], stamped.certificates, revocation)
    return {"payload": payload, "signatures": [entry]}


def _long_term(
    sealed: ParsedSeal, etsiu: list[str], tsa_chain: Sequence[x509.Certificate], revocation: RevocationSource
) -> list[str]:
    """xVals and rVals when they make the seal B-LT by the verifier's own test, else nothing."""
    carried = [c for c in tsa_chain if c not in sealed.chain]
    everything = [*sealed.chain, *carried]
    crls = list(revocation([c for c in everything if c.subject != c.issuer]))
    candidate = [*etsiu, encode("xVals", certificate_values(carried)), encode("rVals", revocation_values(crls, []))]
    components = parse_etsiu({"etsiU": candidate})
    report = assess_levels(sealed, components)
    if report.level != "LT":
        log.warning("sealed at JAdES B-T, not B-LT: %s", report.reason)
        return []
    return candidate[len(etsiu) :]


def verify_seal(document: dict[str, Any] | str, *, trusted_lists: TrustedLists | None, now: datetime) -> SealReport:
    """Check the JAdES seal of a sealed EDC (parsed, or its JSON text). Bad input gives ``valid=False``, never raises.

    Checked: the JWS structure, ``alg``, ``crit`` (only b64, sigT, adoTst, sigD are understood), ``b64: false``,
    ``sigT``, the ``x5t#S256`` digest of ``x5c[0]``, the signature, and that the certificate was valid at ``sigT``;
    then each time-stamp and the long-term validation data (``level``), and, when ``trusted_lists`` are given, the
    certificate's chain to a service on them at the signing time (``trust``). ``now`` is the verifier's clock.
    """
    if not isinstance(document, dict | str):
        raise TypeError(f"a sealed document is a dict or a JSON string, not {type(document).__name__}")
    facts: dict[str, Any] = {}
    try:
        sealed = parse_seal(document, facts)
        components = parse_etsiu(sealed.unprotected)
    except SealInvalid as error:
        return SealReport(valid=False, reason=str(error), **facts)
    anchors = [c for _, service in trusted_lists.services() for c in service.certificates] if trusted_lists else []
    levels = assess_levels(sealed, components, anchors=anchors)
    stamped = levels.signature_timestamp
    if stamped is not None and stamped.time is not None and stamped.time > now + FUTURE_SKEW:
        return SealReport(valid=False, reason="the signature time-stamp is in the future", **facts)
    # The trusted list is read at the proven time when there is one, else at the claimed sigT.
    moment = stamped.time if stamped is not None and stamped.valid and levels.level != "B" else None
    trust = assess_seal_trust(
        sealed.chain[0],
        lists=trusted_lists,
        certificates=levels.certificates,
        crls=levels.crls,
        ocsps=levels.ocsps,
        moment=moment or facts["signing_time"],
    )
    return SealReport(
        valid=True,
        reason="the signature verifies over the protected header and the payload string with the x5c certificate",
        level=levels.level,
        level_reason=levels.reason,
        present_level=levels.present,
        signature_timestamp=levels.signature_timestamp,
        content_timestamp=levels.content_timestamp,
        archive_timestamp=levels.archive_timestamp,
        trust=trust,
        **facts,
    )
