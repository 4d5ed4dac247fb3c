"""The public keys vetcred verifies with (Ed25519, P-256, RSA): read from JWKs, named, and thumbprinted (RFC 7638)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.errors import KeyMaterialError

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

MIN_RSA_BITS = 2048
# Members that only a private JWK has (RFC 7518 6.2.2, 6.3.2, 6.4; RFC 8037 2).
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
# The required members of each key type, the only ones a thumbprint hashes (RFC 7638 3.2).
_THUMBPRINT_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def describe(key: PublicKey) -> str:
    """``Ed25519``, ``P-256`` or ``RSA-2048``: what a person needs to see in a reason."""
    if isinstance(key, Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "P-256" if isinstance(key.curve, ec.SECP256R1) else key.curve.name
    return f"RSA-{key.key_size}"


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """The key of a public JWK: OKP Ed25519, EC P-256 or RSA of at least 2048 bits.

    A JWK with private members (``d``...) is refused: a key published with its secret proves nothing.
    """
    if not isinstance(jwk, Mapping):
        raise KeyMaterialError("a JWK must be a JSON object")
    private = [member for member in _PRIVATE_MEMBERS if member in jwk]
    if private:
        raise KeyMaterialError(f"the JWK holds private key material ({', '.join(private)}); only public keys are used")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        return Ed25519PublicKey.from_public_bytes(_member(jwk, "x", 32))
    if kty == "EC" and crv == "P-256":
        x = int.from_bytes(_member(jwk, "x", 32), "big")
        y = int.from_bytes(_member(jwk, "y", 32), "big")
        try:
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        except ValueError as error:
            raise KeyMaterialError("the P-256 JWK's point is not on the curve") from error
    if kty == "RSA":
        n = int.from_bytes(_member(jwk, "n"), "big")
        e = int.from_bytes(_member(jwk, "e"), "big")
        if n.bit_length() < MIN_RSA_BITS:
            raise KeyMaterialError(f"the RSA JWK has {n.bit_length()} bits; at least {MIN_RSA_BITS} are required")
        try:
            return rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as error:
            raise KeyMaterialError(f"the RSA JWK is not a valid key: {error}") from error
    raise KeyMaterialError(f"JWKs of kty {kty!r} and crv {crv!r} are not supported (OKP Ed25519, EC P-256 or RSA)")


def thumbprint_json(jwk: Mapping[str, Any]) -> str:
    """The JSON RFC 7638 hashes: the key type's required members only, in lexicographic order, no whitespace."""
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")))
    if members is None or not all(isinstance(jwk.get(name), str) for name in members):
        raise KeyMaterialError(f"a thumbprint needs the JWK members {members or 'of a known kty'}")
    return json.dumps({name: jwk[name] for name in members}, separators=(",", ":"), sort_keys=True)


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a JWK, base64url without padding."""
    return b64url_encode(hashlib.sha256(thumbprint_json(jwk).encode("utf-8")).digest())


def b64url_decode(value: str) -> bytes:
    """base64url, padded or not; ``ValueError`` for anything else (Python's decoder would skip stray characters)."""
    unpadded = value.rstrip("=") if isinstance(value, str) else ""
    if not isinstance(value, str) or not _BASE64URL.match(unpadded) or len(unpadded) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _member(jwk: Mapping[str, Any], name: str, length: int | None = None) -> bytes:
    try:
        data = b64url_decode(jwk.get(name))  # type: ignore[arg-type]
    except ValueError:
        raise KeyMaterialError(f"the JWK member {name!r} is missing or not base64url") from None
    if length is not None and len(data) != length:
        raise KeyMaterialError(f"the JWK member {name!r} holds {len(data)} bytes, not {length}")
    return data
