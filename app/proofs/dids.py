"""did:key, did:jwk and did:web identifiers, DID documents, and resolving verification methods to keys."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from app.errors import DidResolutionError, KeyMaterialError, UnauthorizedKey
from app.proofs.multikey import decode_multikey, encode_public_key
from app.proofs.public_keys import PublicKey, b64url_decode, b64url_encode, public_key_from_jwk, thumbprint_json

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
# did:web path segments carry our own identifiers; keep them to DID "idchar"s without percent-escapes.
_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")
# did:web (https://w3c-ccg.github.io/did-method-web/): a domain name, an optional port after a percent-encoded colon,
# then ":"-separated path segments of DID idchars without percent-encoding.
_DID_WEB = re.compile(
    r"did:web:(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)"
    r"(?:%3[Aa](?P<port>[0-9]{1,5}))?(?P<path>(?::[A-Za-z0-9._-]+)*)"
)


@dataclass(frozen=True)
class ResolvedKey:
    """A verification method: its full id, who controls it (a DID or an https URL), and its public key."""

    id: str
    controller: str
    public_key: PublicKey


class KeyResolver(Protocol):
    """Resolves a verification method id to a key its controller authorizes for one verification relationship:
    ``assertionMethod`` (issuing credentials, the default everywhere) or ``authentication`` (presenting them).

    Raises ``DidResolutionError`` when the id cannot be resolved, ``UnauthorizedKey`` when its controller's
    document does not list it under that relationship.
    """

    def __call__(self, verification_method_id: str) -> ResolvedKey: ...


def did_key(public_raw: bytes) -> str:
    """``did:key:z6Mk...`` for a raw Ed25519 public key."""
    return "did:key:" + encode_public_key(public_raw)


def did_jwk(jwk: Mapping[str, Any]) -> str:
    """``did:jwk:`` + base64url of the public JWK's RFC 7638 members (``crv``, ``kty``, ``x``[, ``y``] for OKP and
    EC keys; ``e``, ``kty``, ``n`` for RSA) in lexicographic order without whitespace.

    The did:jwk method leaves the JSON form open, so one key has many did:jwks. This is the form its specification's
    P-256 example has, and what JCS-canonicalizing wallets and libraries derive from a bare public key; other
    members (``alg``, ``use``, ``kid``) are left out, as a thumbprint leaves them out. A wallet that names its own
    did:jwk is bound to exactly the string it named.
    """
    return "did:jwk:" + b64url_encode(thumbprint_json(jwk).encode("utf-8"))


def did_web(public_url: str, issuer_id: str) -> str:
    """``did:web:<host>[%3A<port>]:issuers:<issuer_id>`` for an issuer served at ``public_url``."""
    parts = urlsplit(public_url)
    if not parts.hostname or ":" in parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"a did:web needs a bare DNS origin such as https://college.example, not {public_url!r}")
    if not _SEGMENT.match(issuer_id):
        raise ValueError(f"issuer id {issuer_id!r} may only hold letters, digits, '.', '-' and '_'")
    host = parts.hostname if parts.port is None else f"{parts.hostname}%3A{parts.port}"
    return f"did:web:{host}:issuers:{issuer_id}"


def did_web_document_url(did: str) -> str:
    """The https URL of a did:web DID document, decoded exactly as the did:web method specification says.

    ``did:web:host`` -> ``https://host/.well-known/did.json``; ``did:web:host%3A8443:a:b`` ->
    ``https://host:8443/a/b/did.json``. The only percent-encoding decoded is the port's ``%3A``; any other one is
    refused, so a DID cannot smuggle a path, query or user info into the URL (``%2F``, ``%3F``, ``%40``...).
    """
    match = _DID_WEB.fullmatch(did) if isinstance(did, str) else None
    if match is None:
        raise DidResolutionError(f"{did!r} is not a well-formed did:web DID")
    host, port, path = match["host"], match["port"], match["path"]
    if port is not None and not 0 < int(port) < 65536:
        raise DidResolutionError(f"{did!r} has an invalid port")
    authority = host if port is None else f"{host}:{int(port)}"
    segments = path.split(":")[1:]
    return f"https://{authority}/{'/'.join(segments) if segments else '.well-known'}/did.json"


def did_document(did: str, key_id: str, public_multibase: str, *earlier: tuple[str, str]) -> dict[str, Any]:
    """A DID document with Ed25519 ``Multikey`` verification methods for authentication and assertions: the
    current key, then ``earlier`` ones as ``(key_id, public_multibase)``, kept so that what they signed verifies."""
    methods = [
        {"id": f"{did}#{kid}", "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}
        for kid, multibase in ((key_id, public_multibase), *earlier)
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": list(DID_CONTEXT),
        "id": did,
        "verificationMethod": methods,
        "authentication": list(ids),
        "assertionMethod": list(ids),
    }


def resolve_did_key(verification_method_id: str) -> ResolvedKey:
    """Resolve ``did:key:<key>#<key>`` offline (Ed25519 ``z6Mk`` or P-256 ``zDn``): the key is in the DID."""
    did, _, fragment = verification_method_id.partition("#")
    multibase = did.removeprefix("did:key:")
    if not did.startswith("did:key:") or fragment != multibase:
        raise DidResolutionError(
            f"{verification_method_id!r} is not a did:key verification method (did:key:<key>#<key>)"
        )
    try:
        public_key = decode_multikey(multibase)
    except KeyMaterialError as error:
        raise DidResolutionError(f"{did!r} is not an Ed25519 or P-256 did:key: {error.detail}") from error
    return ResolvedKey(id=verification_method_id, controller=did, public_key=public_key)


def resolve_did_jwk(verification_method_id: str) -> ResolvedKey:
    """Resolve ``did:jwk:<base64url JWK>#0`` offline (did:jwk method specification): the key is in the DID.

    A JWK marked ``"use": "enc"`` is for key agreement only, so it may not sign credentials.
    """
    did, _, fragment = verification_method_id.partition("#")
    if not did.startswith("did:jwk:") or fragment != "0":
        raise DidResolutionError(f"{verification_method_id!r} is not a did:jwk verification method (did:jwk:<jwk>#0)")
    try:
        jwk = json.loads(b64url_decode(did.removeprefix("did:jwk:")))
        public_key = public_key_from_jwk(jwk)
    except ValueError:
        raise DidResolutionError(f"{did!r} does not hold a base64url-encoded JSON JWK") from None
    except KeyMaterialError as error:
        raise DidResolutionError(f"{did!r} holds no usable public key: {error.detail}") from error
    if jwk.get("use") == "enc":
        raise UnauthorizedKey(f'{did} is an encryption key ("use": "enc"); it cannot sign credentials or presentations')
    return ResolvedKey(id=verification_method_id, controller=did, public_key=public_key)


class CompositeResolver:
    """Resolves did:key and did:jwk itself, did:web through ``local_did_web`` (the DIDs this service hosts), and
    other did:web and https verification methods through ``remote`` when one is given.

    ``local_did_web`` gets the verification method id and returns ``None`` when it does not know it. Without
    ``remote`` no resolution ever goes to the network.
    """

    def __init__(
        self,
        local_did_web: Callable[[str], ResolvedKey | None],
        remote: Callable[[str], ResolvedKey] | None = None,
    ) -> None:
        self._local_did_web = local_did_web
        self._remote = remote

    def __call__(self, verification_method_id: str) -> ResolvedKey:
        if verification_method_id.startswith("did:key:"):
            return resolve_did_key(verification_method_id)
        if verification_method_id.startswith("did:jwk:"):
            return resolve_did_jwk(verification_method_id)
        if verification_method_id.startswith("did:web:"):
            resolved = self._local_did_web(verification_method_id)
            if resolved is not None:
                return resolved
            if self._remote is None:
                raise DidResolutionError(
                    f"{verification_method_id!r} is not a key this service hosts; other did:web DIDs "
                    "cannot be resolved offline"
                )
        if verification_method_id.startswith(("did:web:", "https://")):
            if self._remote is None:
                raise DidResolutionError(f"{verification_method_id!r} cannot be resolved offline")
            return self._remote(verification_method_id)
        raise DidResolutionError(
            f"{verification_method_id!r} is not a key vetcred can resolve (did:key, did:jwk, did:web or https)"
        )
