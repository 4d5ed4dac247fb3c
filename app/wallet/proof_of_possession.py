"""Check a wallet's OpenID4VCI ``jwt`` key proof (joserfc): typ, alg, key (did:key, did:jwk or jwk), aud, iat."""

from __future__ import annotations

import base64
import binascii
import json
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, Key, OKPKey

from app.errors import DidResolutionError
from app.proofs.dids import did_jwk, did_key, resolve_did_key
from app.wallet.oid4vci import ProtocolError

PROOF_TYP = "openid4vci-proof+jwt"
# EdDSA as wallets send it today; Ed25519 is its fully-specified name (RFC 9864); ES256 is ECDSA P-256.
ALGORITHMS = ("EdDSA", "Ed25519", "ES256")
ALGORITHM_KEYS = {"EdDSA": ("OKP", "Ed25519"), "Ed25519": ("OKP", "Ed25519"), "ES256": ("EC", "P-256")}
MAX_SKEW = timedelta(seconds=60)
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "k"})
_MAX_HEADER_BYTES = 8192


@dataclass(frozen=True)
class KeyProof:
    """What a valid key proof establishes: the DID the credential is to be bound to, and the nonce it carried."""

    holder_did: str
    nonce: str
    algorithm: str


def _invalid(detail: str) -> ProtocolError:
    return ProtocolError("invalid_proof", detail)


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _public_jwk(jwk: Any) -> dict[str, Any]:
    """A public JWK of a supported type; a private key in a proof header is refused, never used."""
    if not isinstance(jwk, dict):
        raise _invalid("the jwk header is not a JSON Web Key")
    if _PRIVATE_MEMBERS & jwk.keys():
        raise _invalid("the jwk header holds a private key: send only the public key")
    if (jwk.get("kty"), jwk.get("crv")) not in (("OKP", "Ed25519"), ("EC", "P-256")):
        raise _invalid("only Ed25519 (OKP) and P-256 (EC) keys are supported")
    members = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("crv", "kty", "x")
    return {name: jwk[name] for name in members if name in jwk}


def _import(jwk: dict[str, Any]) -> Key:
    try:
        if jwk["kty"] == "OKP":
            return OKPKey.import_key(jwk)
        return ECKey.import_key(jwk)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise _invalid(f"the key cannot be read: {error}") from None


def _key_of(header: dict[str, Any]) -> tuple[Key, str]:
    """The proof's public key and the DID to bind to, from exactly one of ``kid`` (did:key, did:jwk) or ``jwk``."""
    if "x5c" in header or "trust_chain" in header:
        raise _invalid("x5c and trust_chain keys are not supported: name a did:key or did:jwk in kid, or send a jwk")
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None):
        raise _invalid("the proof must name its key in exactly one of kid (a DID URL) or jwk")
    if jwk is not None:
        public = _public_jwk(jwk)
        key = _import(public)
        if public["kty"] == "OKP":
            # An Ed25519 key is bound as did:key, the form this service and most wallets resolve offline.
            return key, did_key(_b64url_decode(public["x"]))
        return key, did_jwk(public)
    if not isinstance(kid, str):
        raise _invalid("kid must be a string")
    did, _, fragment = kid.partition("#")
    if did.startswith("did:key:"):
        try:
            resolved = resolve_did_key(kid if fragment else f"{did}#{did.removeprefix('did:key:')}")
        except DidResolutionError as error:
            raise _invalid(f"kid: {error.detail} (only Ed25519 did:key is supported)") from None
        if not isinstance(resolved.public_key, Ed25519PublicKey):
            raise _invalid("kid: only Ed25519 did:key is supported")
        return OKPKey.import_key(resolved.public_key), resolved.controller
    if did.startswith("did:jwk:"):
        if fragment not in ("", "0"):
            raise _invalid("a did:jwk has one key, #0")
        try:
            decoded = json.loads(_b64url_decode(did.removeprefix("did:jwk:")))
        except (ValueError, binascii.Error):
            raise _invalid("kid is not a well-formed did:jwk") from None
        public = _public_jwk(decoded)
        return _import(public), did
    raise _invalid("kid must be a did:key or did:jwk DID URL")


def check_jwt_proof(value: Any, *, audience: str, now: datetime, max_age: timedelta) -> KeyProof:
    """Checks one ``jwt`` key proof; ``invalid_proof`` says what is wrong. The nonce is checked by the caller."""
    if not isinstance(value, str) or value.count(".") != 2:
        raise _invalid("the jwt proof is not a compact JWS")
    registry = jws.JWSRegistry(algorithms=list(ALGORITHMS), strict_check_header=False)
    registry.max_header_length = _MAX_HEADER_BYTES
    try:
        token = jws.extract_compact(value.encode("ascii"), registry=registry)
        header = token.headers()
    except (JoseError, ValueError, UnicodeError) as error:
        raise _invalid(f"the jwt proof cannot be decoded: {error}") from None
    if header.get("typ") != PROOF_TYP:
        raise _invalid(f"the proof's typ must be {PROOF_TYP}")
    algorithm = header.get("alg")
    if algorithm not in ALGORITHM_KEYS:
        raise _invalid(f"unsupported alg {algorithm!r}: use one of {', '.join(ALGORITHMS)}")
    key, holder_did = _key_of(header)
    if (key.key_type, getattr(key, "curve_name", None)) != ALGORITHM_KEYS[algorithm]:
        raise _invalid(f"alg {algorithm} does not fit a {key.key_type} key")
    try:
        with warnings.catch_warnings():
            # joserfc warns that "EdDSA" is deprecated in favour of "Ed25519" (RFC 9864); wallets still send it.
            warnings.simplefilter("ignore", SecurityWarning)
            valid = jws.validate_compact(token, key, algorithms=[algorithm], registry=registry)
    except JoseError as error:
        raise _invalid(f"the proof's signature cannot be checked: {error}") from None
    if not valid:
        raise _invalid("the proof's signature does not verify with the key named in its header")
    nonce = _check_claims(token.payload, audience, now, max_age)
    return KeyProof(holder_did=holder_did, nonce=nonce, algorithm=algorithm)


def _check_claims(payload: bytes | None, audience: str, now: datetime, max_age: timedelta) -> str:
    """Checks aud, iat and exp; returns the nonce."""
    try:
        claims = json.loads(payload or b"")
    except ValueError:
        raise _invalid("the proof's payload is not JSON") from None
    if not isinstance(claims, dict):
        raise _invalid("the proof's payload is not a JSON object")
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise _invalid(f"the proof's aud must be the credential issuer {audience}")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise _invalid("the proof needs iat (a number of seconds)")
    issued = now.timestamp() - iat
    if issued < -MAX_SKEW.total_seconds():
        raise _invalid("the proof's iat is in the future")
    if issued > max_age.total_seconds():
        raise _invalid("the proof is too old (iat): make a new one with a fresh c_nonce")
    exp = claims.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool) and exp < now.timestamp() - MAX_SKEW.total_seconds():
        raise _invalid("the proof has expired (exp)")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise _invalid("the proof needs the nonce claim: a c_nonce from the nonce endpoint")
    return nonce
