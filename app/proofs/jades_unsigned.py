"""JAdES unsigned properties (``etsiU``): read and write sigTst, xVals, rVals and arcTst, and what each time-stamps."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from app.proofs.jades_structure import ParsedSeal, SealInvalid, b64url, b64url_decode, json_object


@dataclass(frozen=True)
class Component:
    """One ``etsiU`` element: ``encoded`` is its base64url text as it stands in the array, ``None`` if in clear."""

    name: str
    value: Any
    encoded: str | None


def parse_etsiu(unprotected: dict[str, Any]) -> tuple[Component, ...]:
    """TS 119 182-1 §5.3: each element is a JSON object with one member, base64url-encoded or in clear."""
    entries = unprotected.get("etsiU", [])
    if not isinstance(entries, list):
        raise SealInvalid("etsiU must be a list")
    components = []
    for index, entry in enumerate(entries):
        value = json_object(b64url_decode(entry, "etsiU"), "etsiU") if isinstance(entry, str) else entry
        if not isinstance(value, dict) or len(value) != 1:
            raise SealInvalid(f"etsiU[{index}] is not a JSON object with exactly one member")
        [(name, content)] = value.items()
        components.append(Component(name, content, entry if isinstance(entry, str) else None))
    return tuple(components)


def encode(name: str, value: Any) -> str:
    """An ``etsiU`` element as EDCI (EU DSS) writes it: the base64url of ``{name: value}``."""
    return b64url(json.dumps({name: value}, separators=(",", ":")).encode("utf-8"))


def timestamp_value(token: bytes) -> dict[str, Any]:
    """A time-stamp container (``sigTst``, ``arcTst``) holding one RFC 3161 token."""
    return {"tstTokens": [{"val": base64.b64encode(token).decode("ascii")}]}


def certificate_values(certificates: Sequence[x509.Certificate]) -> list[dict[str, Any]]:
    """``xVals``: the certificates a verifier needs besides x5c."""
    return [
        {"x509Cert": {"val": base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")}}
        for certificate in certificates
    ]


def revocation_values(crls: Sequence[bytes], ocsps: Sequence[bytes]) -> dict[str, Any]:
    """``rVals``: CRLs and OCSP responses (DER), each base64."""
    values: dict[str, Any] = {}
    if crls:
        values["crlVals"] = [{"val": base64.b64encode(crl).decode("ascii")} for crl in crls]
    if ocsps:
        values["ocspVals"] = [{"val": base64.b64encode(ocsp).decode("ascii")} for ocsp in ocsps]
    return values


def tokens(component: Component) -> list[bytes]:
    """The RFC 3161 tokens of a time-stamp container; ``ValueError`` naming what is wrong."""
    value = component.value
    if not isinstance(value, dict) or not isinstance(value.get("tstTokens"), list) or not value["tstTokens"]:
        raise ValueError(f"{component.name} has no tstTokens")
    if value.get("canonAlg") is not None:
        raise ValueError(f"{component.name} names a canonicalization (canonAlg), which is not supported")
    found = []
    for token in value["tstTokens"]:
        if not isinstance(token, dict) or token.get("type", "der") != "der" or not isinstance(token.get("val"), str):
            raise ValueError(f"{component.name} holds a token that is not a base64 DER RFC 3161 token")
        found.append(_base64(token["val"], component.name))
    return found


def read_certificates(component: Component) -> list[x509.Certificate]:
    """The X.509 certificates of an ``xVals`` (or ``axVals``) array; ``ValueError`` if malformed."""
    if not isinstance(component.value, list):
        raise ValueError(f"{component.name} is not a list")
    found = []
    for item in component.value:
        certificate = item.get("x509Cert") if isinstance(item, dict) else None
        if not isinstance(certificate, dict) or not isinstance(certificate.get("val"), str):
            raise ValueError(f"{component.name} holds an entry that is not an x509Cert")
        found.append(x509.load_der_x509_certificate(_base64(certificate["val"], component.name)))
    return found


def read_revocation(component: Component) -> tuple[list[bytes], list[bytes]]:
    """The DER CRLs and OCSP responses of an ``rVals`` (or ``arVals``) object; ``ValueError`` if malformed."""
    value = component.value
    if not isinstance(value, dict):
        raise ValueError(f"{component.name} is not an object")
    crls: list[bytes] = []
    ocsps: list[bytes] = []
    for key, into in (("crlVals", crls), ("ocspVals", ocsps)):
        for item in value.get(key, []):
            if not isinstance(item, dict) or not isinstance(item.get("val"), str):
                raise ValueError(f"{component.name}.{key} holds an entry without a base64 val")
            into.append(_base64(item["val"], component.name))
    return crls, ocsps


def signature_timestamp_input(seal: ParsedSeal) -> bytes:
    """TS 119 182-1 §5.3.4: a sigTst time-stamps the base64url-encoded JWS Signature Value, as it is written."""
    return seal.signature.encode("ascii")


def content_timestamp_input(seal: ParsedSeal) -> bytes:
    """§5.2.8 (adoTst) without sigD: the JWS Payload, as is when b64 is false (the EDC form)."""
    return seal.payload.encode("utf-8")


def archive_timestamp_input(seal: ParsedSeal, preceding: Sequence[Component]) -> bytes:
    """§5.3.6.3 (arcTst, timeStamped "all"): payload '.' protected '.' signature '.' and the etsiU elements before it,
    as their base64url text. Elements in clear would need JSON canonicalization: ``ValueError``."""
    if any(component.encoded is None for component in preceding):
        raise ValueError("etsiU elements in clear need a JSON canonicalization that is not supported")
    parts = [seal.payload, ".", seal.protected, ".", seal.signature, "."]
    parts += [component.encoded or "" for component in preceding]
    return "".join(parts).encode("utf-8")


def _base64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError(f"{what} holds a value that is not base64") from error
