"""The JAdES JWS JSON structure of a sealed EDC: parse it, check its protected header, and verify its signature."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from app.proofs.eseal import describe_certificate, issuer_serial_der

ALGORITHMS = ("RS256", "PS256", "ES256")
UNDERSTOOD_CRITICAL = frozenset({"b64", "sigT", "adoTst", "sigD"})
_SIG_T = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class ParsedSeal:
    """A seal whose structure is sound and whose signature verifies with ``chain[0]`` (the x5c certificates)."""

    payload: str
    protected: str  # base64url, as signed
    signature: str  # base64url, as time-stamped by sigTst
    header: dict[str, Any]
    unprotected: dict[str, Any]
    chain: tuple[x509.Certificate, ...]


class SealInvalid(Exception):
    """Bad input found by ``parse_seal``; ``verify_seal`` turns it into a report and never lets it out."""


def parse_seal(document: dict[str, Any] | str, facts: dict[str, Any]) -> ParsedSeal:
    """The seal, once its structure and signature check out; fills ``facts`` with what is found on the way.

    Raises ``SealInvalid`` at the first failed check.
    """
    if isinstance(document, str):
        document = json_object(document, "the document")
    if not isinstance(document, dict):
        raise SealInvalid("a sealed EDC is a JSON object")
    if "signatures" not in document:
        if "signature" in document:
            raise SealInvalid(
                "flattened JWS JSON serialization: EDCI seals use the general one, with a signatures array"
            )
        if "proof" in document:
            raise SealInvalid("no JAdES seal: the document has a Data Integrity proof, which Europass does not verify")
        raise SealInvalid("no JAdES seal: the document has no signatures array")
    payload = document.get("payload")
    if isinstance(payload, dict | list):
        raise SealInvalid(
            "the payload is a JSON object, not the signed string (the form in EDCI's README): the exact signed bytes "
            "are unknown, so the seal cannot be checked"
        )
    if not isinstance(payload, str):
        raise SealInvalid("the payload is missing or not a string (detached payloads are not supported)")
    signatures = document["signatures"]
    if not isinstance(signatures, list) or len(signatures) != 1 or not isinstance(signatures[0], dict):
        raise SealInvalid("signatures must hold exactly one signature object (an EDC carries one seal)")
    entry = signatures[0]
    protected, signature = entry.get("protected"), entry.get("signature")
    if not isinstance(protected, str) or not isinstance(signature, str):
        raise SealInvalid("the signature object needs a protected header and a signature, both strings")
    header = json_object(b64url_decode(protected, "the protected header"), "the protected header")
    if not isinstance(header, dict):
        raise SealInvalid("the protected header is not a JSON object")
    unprotected = entry.get("header", {})
    if not isinstance(unprotected, dict):
        raise SealInvalid("the unprotected header is not a JSON object")
    if shared := sorted(set(header) & set(unprotected)):
        raise SealInvalid(f"header parameter(s) {shared} appear both protected and unprotected (RFC 7515 §7.2.1)")

    facts["algorithm"] = _check_algorithm(header)
    _check_critical(header, unprotected)
    facts["signing_time"] = signing_time = _signing_time(header)
    chain = _certificates(header)
    leaf, leaf_der = chain[0]
    facts["chain_length"] = len(chain)
    try:  # cryptography parses extensions and the public key lazily
        facts["certificate"] = certificate = describe_certificate(leaf)
        public_key = leaf.public_key()
    except (ValueError, UnsupportedAlgorithm) as error:
        raise SealInvalid(f"the x5c certificate cannot be read: {error}") from error
    facts["kid_matches"] = _kid_matches(header.get("kid"), leaf)
    if "x5t#S256" not in header:
        raise SealInvalid("no x5t#S256 header: JAdES needs a signing-certificate digest (x5t#o, sigX5ts not supported)")
    facts["x5t_s256_matches"] = header["x5t#S256"] == b64url(hashlib.sha256(leaf_der).digest())
    if not facts["x5t_s256_matches"]:
        raise SealInvalid(
            "x5t#S256 is not the SHA-256 digest of the x5c certificate: the signing certificate was swapped"
        )
    _check_signature(facts["algorithm"], public_key, b64url_decode(signature, "the signature"), protected, payload)
    if not certificate.not_before <= signing_time <= certificate.not_after:
        raise SealInvalid(
            f"the certificate was not valid at the claimed signing time sigT {signing_time:%Y-%m-%dT%H:%M:%SZ} "
            f"(valid {certificate.not_before:%Y-%m-%d} to {certificate.not_after:%Y-%m-%d})"
        )
    return ParsedSeal(
        payload=payload,
        protected=protected,
        signature=signature,
        header=header,
        unprotected=unprotected,
        chain=tuple(certificate for certificate, _ in chain),
    )


def _check_algorithm(header: dict[str, Any]) -> str:
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise SealInvalid(f"alg {algorithm!r} is not supported; JAdES seals here use one of {', '.join(ALGORITHMS)}")
    return str(algorithm)


def _check_critical(header: dict[str, Any], unprotected: dict[str, Any]) -> None:
    """RFC 7515 §4.1.11 and RFC 7797 §6: crit is protected, lists present parameters we understand, and names b64."""
    critical = header.get("crit")
    if "crit" in unprotected:
        raise SealInvalid("crit must be in the protected header")
    if not isinstance(critical, list) or not critical or not all(isinstance(name, str) for name in critical):
        raise SealInvalid("crit must be a non-empty list of header names (JAdES marks b64 and sigT critical)")
    if unknown := sorted(set(critical) - UNDERSTOOD_CRITICAL):
        raise SealInvalid(f"unknown critical header(s) {unknown}: a verifier must reject what it does not understand")
    if missing := sorted(name for name in critical if name not in header):
        raise SealInvalid(f"crit names header(s) {missing} that are not in the protected header")
    if header.get("b64") is not False:
        raise SealInvalid("b64 must be false: JAdES seals on EDCs sign the unencoded payload string (RFC 7797)")
    if "b64" not in critical or "sigT" not in critical:
        raise SealInvalid("b64 and sigT must be listed in crit")
    if "sigD" in header:
        raise SealInvalid("sigD (a detached payload) is understood but not supported: an EDC seal carries its payload")


def _signing_time(header: dict[str, Any]) -> datetime:
    value = header.get("sigT")
    if not isinstance(value, str) or not _SIG_T.fullmatch(value):
        raise SealInvalid(f"sigT must be a UTC time like 2023-09-27T11:54:17Z, not {value!r}")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as error:
        raise SealInvalid(f"sigT {value!r} is not a valid date and time") from error


def _certificates(header: dict[str, Any]) -> list[tuple[x509.Certificate, bytes]]:
    chain = header.get("x5c")
    if not isinstance(chain, list) or not chain or not all(isinstance(item, str) for item in chain):
        raise SealInvalid("no x5c certificate chain: the seal cannot be checked without its certificate")
    certificates = []
    for index, item in enumerate(chain):
        try:
            der = base64.b64decode(item, validate=True)
            certificates.append((x509.load_der_x509_certificate(der), der))
        except (binascii.Error, ValueError, x509.InvalidVersion) as error:
            raise SealInvalid(f"x5c[{index}] is not a base64 DER certificate") from error
    return certificates


def _kid_matches(kid: object, leaf: x509.Certificate) -> bool | None:
    if kid is None:
        return None
    try:
        return isinstance(kid, str) and base64.b64decode(kid, validate=True) == issuer_serial_der(leaf)
    except binascii.Error:
        return False


def _check_signature(
    algorithm: str, key: CertificatePublicKeyTypes, signature: bytes, protected: str, payload: str
) -> None:
    try:
        data = signing_input(protected, payload)
    except UnicodeEncodeError as error:
        raise SealInvalid("the payload string is not valid Unicode (a lone surrogate)") from error
    try:
        if algorithm in ("RS256", "PS256") and isinstance(key, rsa.RSAPublicKey):
            pad = padding.PKCS1v15() if algorithm == "RS256" else padding.PSS(padding.MGF1(hashes.SHA256()), 32)
            key.verify(signature, data, pad, hashes.SHA256())
        elif algorithm == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1":
            if len(signature) != 64:
                raise SealInvalid("an ES256 signature is 64 bytes (r ‖ s)")
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise SealInvalid(f"the certificate's {type(key).__name__} cannot make {algorithm} signatures")
    except InvalidSignature as error:
        raise SealInvalid(
            "the signature does not verify: the payload or the protected header changed after sealing"
        ) from error


def signing_input(protected: str, payload: str) -> bytes:
    """RFC 7797 §3 with b64 false: ASCII(protected) '.' payload bytes."""
    return protected.encode("ascii") + b"." + payload.encode("utf-8")


def json_object(text: str | bytes, what: str) -> Any:
    """Parsed JSON (bytes must be UTF-8) that rejects duplicate member names (RFC 7515 §4)."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [name for name, _ in pairs]
        if len(set(names)) != len(names):
            raise SealInvalid(f"{what} repeats a member name")
        return dict(pairs)

    try:
        return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text, object_pairs_hook=unique)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise SealInvalid(f"{what} is not JSON: {error}") from error


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, what: str) -> bytes:
    """Strict base64url without padding (RFC 7515 §2), so a changed character cannot decode to the same bytes."""
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise SealInvalid(f"{what} is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise SealInvalid(f"{what} is not base64url") from error
