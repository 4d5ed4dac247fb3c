"""JAdES e-seals for EDCs (ETSI TS 119 182-1): seal a credential string, and verify a sealed document offline."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding

from app.proofs.eseal import SealCertificate, check_chain, describe_certificate, issuer_serial_der, require_valid_at

# What EDCI (EU DSS) writes, as found in the Commission's sealed samples.
CONTENT_TYPE = "octet-stream"
TYPE = "jose+json"
ALGORITHMS = ("RS256", "PS256", "ES256")
UNDERSTOOD_CRITICAL = frozenset({"b64", "sigT", "adoTst", "sigD"})
TRUST_NOT_CHECKED = (
    "not checked: the EU trusted list (LOTL) is not consulted offline; certificate chains, revocation data "
    "and timestamps are not validated"
)
_SIG_T = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class SealReport:
    """What ``verify_seal`` found. ``valid`` means the signature verifies with the certificate in ``x5c``.

    ``level`` is the JAdES baseline level (``B``, ``T``, ``LT``, ``LTA``) inferred from which unsigned properties are
    present; the timestamps and validation data themselves are not validated (see ``trust``). ``content_timestamp``
    says an ``adoTst`` (a timestamp over the payload, taken before signing) is present; it does not make level T,
    only a signature timestamp (``sigTst``) does. ``kid_matches`` is reported only: JAdES puts the certificate's
    IssuerSerial there, but the signature does not depend on it.
    """

    valid: bool
    reason: str
    algorithm: str | None = None
    signing_time: datetime | None = None
    level: str | None = None
    content_timestamp: bool = False
    certificate: SealCertificate | None = None
    chain_length: int = 0
    x5t_s256_matches: bool | None = None
    kid_matches: bool | None = None
    trust: str = TRUST_NOT_CHECKED


def seal(
    payload: str, *, private_key: rsa.RSAPrivateKey, chain: Sequence[x509.Certificate], now: datetime
) -> dict[str, Any]:
    """A JAdES-BASELINE-B seal of ``payload`` (RS256), as EDCI's JWS JSON serialization with an unencoded payload.

    Baseline B only: no signature timestamp (T) and no long-term validation data (LT/LTA), which the Europass viewer
    expects for a passing seal check. The exact ``payload`` string is what is signed (RFC 7797, no canonicalization):
    store and send it byte for byte. ``chain`` is leaf first; ``KeyMaterialError`` if it does not fit the key or the
    leaf is not valid at ``now``.
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
        "x5t#S256": _b64url(hashlib.sha256(leaf.public_bytes(Encoding.DER)).digest()),
        "x5c": [base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii") for certificate in chain],
        "typ": TYPE,
        "b64": False,
        "sigT": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "crit": ["b64", "sigT"],
    }
    protected = _b64url(json.dumps(header, separators=(",", ":")).encode("ascii"))
    signature = private_key.sign(_signing_input(protected, payload), padding.PKCS1v15(), hashes.SHA256())
    return {"payload": payload, "signatures": [{"protected": protected, "signature": _b64url(signature)}]}


def verify_seal(document: dict[str, Any] | str) -> SealReport:
    """Check the JAdES seal of a sealed EDC (parsed, or its JSON text). Bad input gives ``valid=False``, never raises.

    Checked: the JWS structure, ``alg``, ``crit`` (only b64, sigT, adoTst, sigD are understood), ``b64: false``,
    ``sigT``, the ``x5t#S256`` digest of ``x5c[0]``, the signature, and that the certificate was valid at ``sigT``.
    Not checked: trust (see ``SealReport.trust``).
    """
    if not isinstance(document, dict | str):
        raise TypeError(f"a sealed document is a dict or a JSON string, not {type(document).__name__}")
    facts: dict[str, Any] = {}
    try:
        _verify(document, facts)
    except _Invalid as error:
        return SealReport(valid=False, reason=str(error), **facts)
    return SealReport(
        valid=True,
        reason="the signature verifies over the protected header and the payload string with the x5c certificate",
        **facts,
    )


class _Invalid(Exception):
    """Bad input found by ``_verify``; ``verify_seal`` turns it into a report and never lets it out."""


def _verify(document: dict[str, Any] | str, facts: dict[str, Any]) -> None:
    """Fill ``facts`` with what is found, raising ``_Invalid`` at the first failed check."""
    if isinstance(document, str):
        document = _json_object(document, "the document")
    if not isinstance(document, dict):
        raise _Invalid("a sealed EDC is a JSON object")
    if "signatures" not in document:
        if "signature" in document:
            raise _Invalid("flattened JWS JSON serialization: EDCI seals use the general one, with a signatures array")
        if "proof" in document:
            raise _Invalid("no JAdES seal: the document has a Data Integrity proof, which Europass does not verify")
        raise _Invalid("no JAdES seal: the document has no signatures array")
    payload = document.get("payload")
    if isinstance(payload, dict | list):
        raise _Invalid(
            "the payload is a JSON object, not the signed string (the form in EDCI's README): the exact signed bytes "
            "are unknown, so the seal cannot be checked"
        )
    if not isinstance(payload, str):
        raise _Invalid("the payload is missing or not a string (detached payloads are not supported)")
    signatures = document["signatures"]
    if not isinstance(signatures, list) or len(signatures) != 1 or not isinstance(signatures[0], dict):
        raise _Invalid("signatures must hold exactly one signature object (an EDC carries one seal)")
    entry = signatures[0]
    protected, signature = entry.get("protected"), entry.get("signature")
    if not isinstance(protected, str) or not isinstance(signature, str):
        raise _Invalid("the signature object needs a protected header and a signature, both strings")
    header = _json_object(_b64url_decode(protected, "the protected header"), "the protected header")
    if not isinstance(header, dict):
        raise _Invalid("the protected header is not a JSON object")
    unprotected = entry.get("header", {})
    if not isinstance(unprotected, dict):
        raise _Invalid("the unprotected header is not a JSON object")
    if shared := sorted(set(header) & set(unprotected)):
        raise _Invalid(f"header parameter(s) {shared} appear both protected and unprotected (RFC 7515 §7.2.1)")

    facts["algorithm"] = _check_algorithm(header)
    _check_critical(header, unprotected)
    facts["signing_time"] = signing_time = _signing_time(header)
    facts["content_timestamp"] = "adoTst" in header
    chain = _certificates(header)
    leaf, leaf_der = chain[0]
    facts["chain_length"] = len(chain)
    try:  # cryptography parses extensions and the public key lazily
        facts["certificate"] = certificate = describe_certificate(leaf)
        public_key = leaf.public_key()
    except (ValueError, UnsupportedAlgorithm) as error:
        raise _Invalid(f"the x5c certificate cannot be read: {error}") from error
    facts["kid_matches"] = _kid_matches(header.get("kid"), leaf)
    facts["level"] = _level(unprotected)
    if "x5t#S256" not in header:
        raise _Invalid("no x5t#S256 header: JAdES needs a signing-certificate digest (x5t#o, sigX5ts not supported)")
    facts["x5t_s256_matches"] = header["x5t#S256"] == _b64url(hashlib.sha256(leaf_der).digest())
    if not facts["x5t_s256_matches"]:
        raise _Invalid("x5t#S256 is not the SHA-256 digest of the x5c certificate: the signing certificate was swapped")
    _check_signature(facts["algorithm"], public_key, _b64url_decode(signature, "the signature"), protected, payload)
    if not certificate.not_before <= signing_time <= certificate.not_after:
        raise _Invalid(
            f"the certificate was not valid at the claimed signing time sigT {signing_time:%Y-%m-%dT%H:%M:%SZ} "
            f"(valid {certificate.not_before:%Y-%m-%d} to {certificate.not_after:%Y-%m-%d})"
        )


def _check_algorithm(header: dict[str, Any]) -> str:
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise _Invalid(f"alg {algorithm!r} is not supported; JAdES seals here use one of {', '.join(ALGORITHMS)}")
    return str(algorithm)


def _check_critical(header: dict[str, Any], unprotected: dict[str, Any]) -> None:
    """RFC 7515 §4.1.11 and RFC 7797 §6: crit is protected, lists present parameters we understand, and names b64."""
    critical = header.get("crit")
    if "crit" in unprotected:
        raise _Invalid("crit must be in the protected header")
    if not isinstance(critical, list) or not critical or not all(isinstance(name, str) for name in critical):
        raise _Invalid("crit must be a non-empty list of header names (JAdES marks b64 and sigT critical)")
    if unknown := sorted(set(critical) - UNDERSTOOD_CRITICAL):
        raise _Invalid(f"unknown critical header(s) {unknown}: a verifier must reject what it does not understand")
    if missing := sorted(name for name in critical if name not in header):
        raise _Invalid(f"crit names header(s) {missing} that are not in the protected header")
    if header.get("b64") is not False:
        raise _Invalid("b64 must be false: JAdES seals on EDCs sign the unencoded payload string (RFC 7797)")
    if "b64" not in critical or "sigT" not in critical:
        raise _Invalid("b64 and sigT must be listed in crit")
    if "sigD" in header:
        raise _Invalid("sigD (a detached payload) is understood but not supported: an EDC seal carries its payload")


def _signing_time(header: dict[str, Any]) -> datetime:
    value = header.get("sigT")
    if not isinstance(value, str) or not _SIG_T.fullmatch(value):
        raise _Invalid(f"sigT must be a UTC time like 2023-09-27T11:54:17Z, not {value!r}")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as error:
        raise _Invalid(f"sigT {value!r} is not a valid date and time") from error


def _certificates(header: dict[str, Any]) -> list[tuple[x509.Certificate, bytes]]:
    chain = header.get("x5c")
    if not isinstance(chain, list) or not chain or not all(isinstance(item, str) for item in chain):
        raise _Invalid("no x5c certificate chain: the seal cannot be checked without its certificate")
    certificates = []
    for index, item in enumerate(chain):
        try:
            der = base64.b64decode(item, validate=True)
            certificates.append((x509.load_der_x509_certificate(der), der))
        except (binascii.Error, ValueError, x509.InvalidVersion) as error:
            raise _Invalid(f"x5c[{index}] is not a base64 DER certificate") from error
    return certificates


def _kid_matches(kid: object, leaf: x509.Certificate) -> bool | None:
    if kid is None:
        return None
    try:
        return isinstance(kid, str) and base64.b64decode(kid, validate=True) == issuer_serial_der(leaf)
    except binascii.Error:
        return False


def _level(unprotected: dict[str, Any]) -> str:
    """B; T with a signature timestamp; LT adding certificate and revocation values; LTA adding an archive timestamp."""
    entries = unprotected.get("etsiU", [])
    if not isinstance(entries, list):
        raise _Invalid("etsiU must be a list")
    names: set[str] = set()
    for index, entry in enumerate(entries):
        # TS 119 182-1 §5.3: each etsiU element is a base64url-encoded JSON object, or the object itself.
        value = _json_object(_b64url_decode(entry, "etsiU"), "etsiU") if isinstance(entry, str) else entry
        if not isinstance(value, dict):
            raise _Invalid(f"etsiU[{index}] is not a JSON object")
        names.update(value)
    level = "B"
    if "sigTst" in names:
        level = "T"
        if names & {"xVals", "axVals"} and names & {"rVals", "arVals"}:
            level = "LT"
            if "arcTst" in names:
                level = "LTA"
    return level


def _check_signature(
    algorithm: str, key: CertificatePublicKeyTypes, signature: bytes, protected: str, payload: str
) -> None:
    try:
        data = _signing_input(protected, payload)
    except UnicodeEncodeError as error:
        raise _Invalid("the payload string is not valid Unicode (a lone surrogate)") from error
    try:
        if algorithm in ("RS256", "PS256") and isinstance(key, rsa.RSAPublicKey):
            pad = padding.PKCS1v15() if algorithm == "RS256" else padding.PSS(padding.MGF1(hashes.SHA256()), 32)
            key.verify(signature, data, pad, hashes.SHA256())
        elif algorithm == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
            if len(signature) != 64:
                raise _Invalid("an ES256 signature is 64 bytes (r ‖ s)")
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise _Invalid(f"the certificate's {type(key).__name__} cannot make {algorithm} signatures")
    except InvalidSignature as error:
        raise _Invalid(
            "the signature does not verify: the payload or the protected header changed after sealing"
        ) from error


def _signing_input(protected: str, payload: str) -> bytes:
    """RFC 7797 §3 with b64 false: ASCII(protected) '.' payload bytes."""
    return protected.encode("ascii") + b"." + payload.encode("utf-8")


def _json_object(text: str | bytes, what: str) -> Any:
    """Parsed JSON (bytes must be UTF-8) that rejects duplicate member names (RFC 7515 §4)."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [name for name, _ in pairs]
        if len(set(names)) != len(names):
            raise _Invalid(f"{what} repeats a member name")
        return dict(pairs)

    try:
        return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text, object_pairs_hook=unique)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise _Invalid(f"{what} is not JSON: {error}") from error


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str, what: str) -> bytes:
    """Strict base64url without padding (RFC 7515 §2), so a changed character cannot decode to the same bytes."""
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise _Invalid(f"{what} is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise _Invalid(f"{what} is not base64url") from error
