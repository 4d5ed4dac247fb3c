"""did:key, did:jwk and did:web identifiers, DID documents, and resolving verification methods to keys."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from app.errors import DidResolutionError, KeyMaterialError, UnauthorizedKey
from app.proofs.multikey import decode_multikey, encode_public_key
from app.proofs.public_keys import PublicKey, b64url_decode, public_key_from_jwk

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
# did:web path segments carry our own identifiers; keep them to DID "idchar"s without percent-escapes.
_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")
# Hosts whose did:web documents are fetched over plain http (development only; did:web itself requires https).
_DEV_HOSTS = frozenset({"localhost", "127.0.0.1"})


@dataclass(frozen=True)
class ResolvedKey:
    """A verification method: its full id, who controls it (a DID or an https URL), and its public key."""

    id: str
    controller: str
    public_key: PublicKey


class KeyResolver(Protocol):
    """Resolves a verification method id to a key authorized for ``assertionMethod`` by its controller.

    Raises ``DidResolutionError`` when the id cannot be resolved, ``UnauthorizedKey`` when its controller's
    document does not list it under ``assertionMethod``.
    """

    def __call__(self, verification_method_id: str) -> ResolvedKey: ...


def did_key(public_raw: bytes) -> str:
    """``did:key:z6Mk...`` for a raw Ed25519 public key."""
    return "did:key:" + encode_public_key(public_raw)


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
    """The URL of a did:web DID document, per the did:web method specification.

    ``did:web:host`` -> ``https://host/.well-known/did.json``; ``did:web:host:a:b`` -> ``https://host/a/b/did.json``.
    For development, ``localhost`` and ``127.0.0.1`` are mapped to ``http://`` (the spec allows https only).
    """
    if not did.startswith("did:web:") or any(char in did for char in "#?/"):
        raise DidResolutionError(f"{did!r} is not a did:web DID")
    host, *path = did.removeprefix("did:web:").split(":")
    host = unquote(host)  # "college.example%3A8443" -> "college.example:8443"
    if not host or not all(path):
        raise DidResolutionError(f"{did!r} is not a well-formed did:web DID")
    hostname = urlsplit(f"//{host}").hostname
    scheme = "http" if hostname in _DEV_HOSTS else "https"
    return f"{scheme}://{host}/{'/'.join(path) if path else '.well-known'}/did.json"


def did_document(did: str, key_id: str, public_multibase: str) -> dict[str, Any]:
    """A DID document with one Ed25519 ``Multikey``, usable for authentication and assertions."""
    method_id = f"{did}#{key_id}"
    return {
        "@context": list(DID_CONTEXT),
        "id": did,
        "verificationMethod": [
            {"id": method_id, "type": "Multikey", "controller": did, "publicKeyMultibase": public_multibase}
        ],
        "authentication": [method_id],
        "assertionMethod": [method_id],
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
        raise UnauthorizedKey(f'{did} is an encryption key ("use": "enc"); it cannot sign credentials')
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
