"""VC-JWTs: compact JWS credentials and EnvelopedVerifiableCredentials holding one - the signature (joserfc), the
key (``kid`` through the resolver, a ``jwk`` header, or a did:key/did:jwk ``iss``) and the issuer binding.

Algorithms: EdDSA/Ed25519 (Ed25519 keys), ES256 (P-256), RS256 (RSA >= 2048 bits). ``none`` and the HMAC
algorithms prove nothing about who issued, and others are not implemented: all of them are "could not check".
A key that came only in the JWT's own ``jwk`` header is identified by its RFC 7638 thumbprint; nothing ties it
to the issuer, so such a JWT is "could not check" too, with the signature's ``VerifiedProof`` attached.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey

from app.errors import DidResolutionError, KeyMaterialError, ProofError, UnsupportedProof, VetcredError
from app.proofs.dids import KeyResolver
from app.proofs.jwt_claims import credential_of, issuer_of, numeric_date
from app.proofs.public_keys import PublicKey, b64url_decode, describe, jwk_thumbprint, public_key_from_jwk
from app.proofs.results import ProofOutcome, ProofResult, VerifiedProof

ENVELOPED_TYPE = "EnvelopedVerifiableCredential"
# data: URL media types of an enveloped VC-JWT: VC-JOSE-COSE's own, and the generic JWT type (RFC 7519).
ENVELOPE_MEDIA_TYPES = ("application/vc+jwt", "application/jwt")
# `typ` values (RFC 7515 4.1.9: "application/" may be left out): VC-JOSE-COSE, OB 3.0, and VC-JOSE-COSE drafts.
TYPES = ("vc+jwt", "jwt", "vc-ld+jwt", "vc+ld+jwt")
ALGORITHMS: dict[str, str] = {"EdDSA": "Ed25519", "Ed25519": "Ed25519", "ES256": "P-256", "RS256": "RSA"}
THUMBPRINT_URI = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"  # RFC 9278
VC11_NOTE = "a VC Data Model 1.1 JWT (credential in the vc claim), superseded by VC-JOSE-COSE"
_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_COULD_NOT_CHECK = (DidResolutionError, UnsupportedProof)


class _Registry(jws.JWSRegistry):
    """joserfc's registry with room for what credentials carry: a ``jwk`` header with an RSA key, images in data:
    URLs. Header parameters it does not know are allowed (VC-JOSE-COSE: "If they are not understood, they MUST be
    ignored"); ``crit`` is refused before joserfc sees it."""

    max_header_length = 16_000
    max_payload_length = 8_000_000


@dataclass(frozen=True)
class JwtCredential:
    """A VC-JWT read and checked: the credential it carries (``None`` when it cannot be read; VC 1.1: the ``vc``
    claim with the registered claims mapped in), its JOSE header and claims, and the proof's result. The
    credential, header and claims are what the JWT says; only a passed result makes them the issuer's word."""

    credential: dict[str, Any] | None
    header: dict[str, Any]
    claims: dict[str, Any]
    result: ProofResult


@dataclass(frozen=True)
class SigningKey:
    """The key a JWT names: its verification method id, its controller (``None`` for a key that came only in the
    JWT's own ``jwk`` header: then ``thumbprint`` names it), and the key."""

    method: str
    controller: str | None
    public_key: PublicKey
    thumbprint: str | None = None


def is_jwt_credential(value: Any) -> bool:
    """Whether ``value`` is a compact JWS string or an ``EnvelopedVerifiableCredential`` object."""
    if isinstance(value, str):
        return _COMPACT.match(value.strip()) is not None
    if isinstance(value, dict):
        types = value.get("type")
        return ENVELOPED_TYPE in (types if isinstance(types, list) else [types])
    return False


def verify_jwt_credential(value: str | dict[str, Any], resolver: KeyResolver) -> JwtCredential:
    """Read and check a VC-JWT (compact JWS) or an EnvelopedVerifiableCredential. Never raises for what is in it:
    every problem is the result's ``failed`` or ``could_not_check``, as for embedded proofs."""
    header: dict[str, Any] = {}
    claims: dict[str, Any] = {}
    credential: dict[str, Any] | None = None
    label = "VC-JWT"
    try:
        token = envelope_token(value) if isinstance(value, dict) else value.strip() if isinstance(value, str) else ""
        header, claims = read_compact(token)
        label = f"VC-JWT/{header.get('alg')}"
        algorithm = algorithm_of(header)
        credential, vc11 = credential_of(claims)
        verified = _verify(token, header, algorithm, claims, credential, resolver, vc11=vc11)
    except _COULD_NOT_CHECK as error:
        result = ProofResult(0, label, ProofOutcome.COULD_NOT_CHECK, error.detail, code=error.code)
    except VetcredError as error:
        result = ProofResult(0, label, ProofOutcome.FAILED, error.detail, code=error.code)
    else:
        result = _result(label, verified, credential)
    return JwtCredential(credential=credential, header=header, claims=claims, result=result)


def _result(label: str, verified: VerifiedProof, credential: dict[str, Any]) -> ProofResult:
    if verified.controller is None:
        return ProofResult(
            0,
            label,
            ProofOutcome.COULD_NOT_CHECK,
            f"the signature is intact, but it was made by an unidentified key given in the JWT itself (JWK "
            f"thumbprint {verified.key_thumbprint}): nothing ties that key to the issuer {issuer_of(credential)}",
            code="unidentified_key",
            verified=verified,
        )
    return ProofResult(0, label, ProofOutcome.PASSED, verified.summary, verified=verified)


def _verify(
    token: str,
    header: dict[str, Any],
    algorithm: str,
    claims: dict[str, Any],
    credential: dict[str, Any],
    resolver: KeyResolver,
    *,
    vc11: bool,
) -> VerifiedProof:
    issuer = issuer_of(credential)
    if issuer is None:
        raise ProofError("the credential has no issuer id to match the JWT's key against")
    key = signing_key(header, claims, resolver)
    check_signature(token, key, algorithm, what="credential")
    if key.controller is not None and key.controller != issuer:
        raise ProofError("verification method controller does not match issuer")
    return VerifiedProof(
        verification_method=key.method,
        controller=key.controller,
        created=numeric_date(claims["iat"]) if claims.get("iat") is not None else None,
        cryptosuite=f"VC-JWT {algorithm}",
        legacy=VC11_NOTE if vc11 else None,
        key_thumbprint=key.thumbprint,
    )


def check_signature(token: str, key: SigningKey, algorithm: str, *, what: str) -> None:
    """The JWS signature of ``token`` by ``key`` with ``algorithm``, which must fit the key; ``ProofError`` if not
    (``what`` the JWT secures - credential, presentation - is named in the reason)."""
    needed, kind = ALGORITHMS[algorithm], describe(key.public_key)
    if kind != needed and not (needed == "RSA" and isinstance(key.public_key, rsa.RSAPublicKey)):
        raise ProofError(f"alg {algorithm} does not fit the key {key.method} ({kind}; {algorithm} needs {needed})")
    try:
        jws.deserialize_compact(
            token,
            _joserfc_key(key.public_key),
            algorithms=[algorithm],
            registry=_Registry(algorithms=[algorithm], strict_check_header=False),
        )
    except JoseError:
        raise ProofError(
            f"the signature does not match: the {what} or its JOSE header was changed after signing"
        ) from None


def algorithm_of(header: dict[str, Any], types: tuple[str, ...] = TYPES, what: str = "verifiable credential") -> str:
    """The JWT's ``alg``, when vetcred verifies it and the header asks for nothing it does not implement; its
    ``typ``, if any, must be one of ``types``. ``UnsupportedProof`` otherwise."""
    algorithm = header.get("alg")
    if algorithm == "none":
        raise UnsupportedProof('the JWT says alg "none": it is not signed, so nothing about it can be checked')
    if isinstance(algorithm, str) and algorithm.startswith("HS"):
        raise UnsupportedProof(
            f"the JWT is secured with {algorithm}, a shared-secret MAC: it cannot show who issued the credential"
        )
    if algorithm not in ALGORITHMS:
        raise UnsupportedProof(f"vetcred does not verify JWTs signed with {algorithm!r} (EdDSA, ES256 or RS256)")
    if "crit" in header:
        raise UnsupportedProof(f"the JWT requires header extensions vetcred does not implement: {header['crit']!r}")
    typ = header.get("typ")
    if typ is not None and str(typ).lower().removeprefix("application/") not in types:
        raise UnsupportedProof(f"a JWT of typ {typ!r} is not a {what} vetcred reads")
    return str(algorithm)


def signing_key(header: dict[str, Any], claims: dict[str, Any], resolver: KeyResolver) -> SigningKey:
    """The key ``kid`` names (through the resolver), else the ``jwk`` header's (known only by its thumbprint).
    A ``jwk`` beside a key that ``kid`` (or a did:key/did:jwk ``iss``) names must be that same key."""
    kid, jwk = header.get("kid"), header.get("jwk")
    method = _method_id(kid, claims.get("iss"))
    if method is None:
        if jwk is None:
            raise DidResolutionError(
                f"the JWT's key cannot be found: kid {kid!r} is not a DID or https URL, and there is no jwk header"
            )
        public_key = _header_key(jwk)  # validates the JWK, so its thumbprint members are there
        thumbprint = jwk_thumbprint(jwk)
        return SigningKey(THUMBPRINT_URI + thumbprint, None, public_key, thumbprint)
    resolved = resolver(method)
    if jwk is not None and _header_key(jwk) != resolved.public_key:
        raise ProofError(f"the JWT's jwk header is not the key {method} that its kid names")
    return SigningKey(method, resolved.controller, resolved.public_key)


def _method_id(kid: Any, iss: Any) -> str | None:
    """``kid`` as a verification method id: a DID URL or https URL, or ``#fragment`` of a DID or https ``iss``.
    Without ``kid``, a did:key or did:jwk ``iss`` names its only key. A bare did:key / did:jwk gets its fragment."""
    if isinstance(kid, str):
        if kid.startswith("#") and isinstance(iss, str) and iss.startswith(("did:", "https://")):
            return iss + kid
        return _with_fragment(kid) if kid.startswith(("did:", "https://")) else None
    if kid is None and isinstance(iss, str) and iss.startswith(("did:key:", "did:jwk:")):
        return _with_fragment(iss)
    return None


def _with_fragment(reference: str) -> str:
    if "#" in reference:
        return reference
    if reference.startswith("did:key:"):
        return f"{reference}#{reference.removeprefix('did:key:')}"
    return f"{reference}#0" if reference.startswith("did:jwk:") else reference


def _header_key(jwk: Any) -> PublicKey:
    try:
        return public_key_from_jwk(jwk)
    except KeyMaterialError as error:
        raise ProofError(f"the JWT's jwk header: {error.detail}") from error


def _joserfc_key(public_key: PublicKey) -> Key:
    if isinstance(public_key, Ed25519PublicKey):
        return OKPKey.import_key(public_key)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return ECKey.import_key(public_key)
    assert isinstance(public_key, rsa.RSAPublicKey)
    return RSAKey.import_key(public_key)


def read_compact(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JOSE header and the claims of a compact JWS, unverified; ``ProofError`` when it is not one."""
    if not isinstance(token, str) or not _COMPACT.match(token):
        raise ProofError("the JWT is not a compact JWS (three base64url parts separated by dots)")
    header_part, payload_part, _signature = token.split(".")
    try:
        header = json.loads(b64url_decode(header_part))
        claims = json.loads(b64url_decode(payload_part))
    except (ValueError, UnicodeDecodeError):
        raise ProofError("the JWT's header or payload is not base64url-encoded JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ProofError("the JWT's header and payload must be JSON objects")
    return header, claims


def envelope_token(
    document: dict[str, Any], kind: str = ENVELOPED_TYPE, media_types: tuple[str, ...] = ENVELOPE_MEDIA_TYPES
) -> str:
    """The JWS in an EnvelopedVerifiableCredential's (or, with ``kind`` and ``media_types``, an
    EnvelopedVerifiablePresentation's) ``data:`` URL ``id`` (VC 2.0 4.13.1, VC-JOSE-COSE 3.1.3)."""
    what = "presentation" if "Presentation" in kind else "credential"
    url = document.get("id")
    if not isinstance(url, str) or not url.startswith("data:") or "," not in url:
        raise ProofError(f"an {kind}'s id must be a data: URL holding the secured {what}")
    meta, _, data = url.removeprefix("data:").partition(",")
    media_type, *parameters = [part.strip().lower() for part in meta.split(";")]
    if media_type not in media_types:
        raise UnsupportedProof(
            f"enveloped {what}s of type {media_type or 'text/plain'} are not supported ({' or '.join(media_types)})"
        )
    if "base64" in parameters:
        try:
            return base64.b64decode(unquote(data), validate=True).decode("ascii").strip()
        except (ValueError, UnicodeDecodeError):
            raise ProofError(f"the {kind}'s base64 data is not a JWS") from None
    return unquote(data).strip()
