"""Controller documents (DID documents, https key documents): a verification method's key, its controller, its
authorization under a verification relationship (``assertionMethod`` to issue, ``authentication`` to present), and
did:web / https resolution through an injected fetch (never a network call here).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.errors import DidResolutionError, FetchError, KeyMaterialError, UnauthorizedKey
from app.proofs.data_integrity import ASSERTION_METHOD, AUTHENTICATION
from app.proofs.dids import ResolvedKey, did_web_document_url
from app.proofs.multikey import decode_multikey
from app.proofs.public_keys import PublicKey, public_key_from_jwk

# GETs a JSON object; raises FetchError. In production RemoteFetcher (app/verification/remote.py), which is off
# unless VETCRED_FETCH_REMOTE is on.
DocumentFetcher = Callable[[str], dict[str, Any]]

MULTIBASE_TYPES = ("Multikey", "Ed25519VerificationKey2020")
# What a key listed under each relationship is authorized to do, for reasons.
_AUTHORIZED_TO = {ASSERTION_METHOD: "issue credentials", AUTHENTICATION: "present credentials (authentication)"}
JWK_TYPES = ("JsonWebKey", "JsonWebKey2020")


def method_public_key(method: Mapping[str, Any]) -> PublicKey:
    """The key of a verification method: ``publicKeyMultibase`` of a Multikey or Ed25519VerificationKey2020,
    ``publicKeyJwk`` of a JsonWebKey or JsonWebKey2020. ``KeyMaterialError`` for anything else."""
    kind = method.get("type")
    if kind in MULTIBASE_TYPES:
        key = decode_multikey(method.get("publicKeyMultibase"))  # type: ignore[arg-type]
        if kind == "Ed25519VerificationKey2020" and not isinstance(key, Ed25519PublicKey):
            raise KeyMaterialError("an Ed25519VerificationKey2020 holds a P-256 key")
        return key
    if kind in JWK_TYPES:
        return public_key_from_jwk(method.get("publicKeyJwk"))  # type: ignore[arg-type]
    raise KeyMaterialError(
        f"verification methods of type {kind!r} are not supported ({', '.join(MULTIBASE_TYPES + JWK_TYPES)})"
    )


def authorized_key(document: Mapping[str, Any], method_id: str, relationship: str = ASSERTION_METHOD) -> ResolvedKey:
    """The key ``method_id`` that the controller document ``document`` lists, and authorizes under
    ``relationship`` (by reference or embedded). ``document["id"]`` becomes the key's controller."""
    controller = document.get("id")
    if not isinstance(controller, str) or not controller:
        raise DidResolutionError(f"the document that should list {method_id} has no id")
    method = _find_method(document, method_id, relationship)
    if method is None:
        raise DidResolutionError(f"{method_id} is not a verification method in the document of {controller}")
    return _authorized_key(method, method_id, document, relationship)


def resolve_did_web(
    verification_method_id: str, fetch: DocumentFetcher, relationship: str = ASSERTION_METHOD
) -> ResolvedKey:
    """A did:web verification method from its DID document, fetched from the host the DID names."""
    did = verification_method_id.split("#", 1)[0]
    document = _fetch(fetch, did_web_document_url(did), f"the DID document of {did}")
    if document.get("id") != did:
        # The fetched document's own content is never echoed: a verifier must not become a window on other hosts.
        raise DidResolutionError(f"the document fetched for {did} is not that DID's document")
    return authorized_key(document, verification_method_id, relationship)


def resolve_https_method(
    verification_method_id: str, fetch: DocumentFetcher, relationship: str = ASSERTION_METHOD
) -> ResolvedKey:
    """An https verification method: the URL without its fragment is fetched.

    It is either the controller document (``id`` = that URL, the method in ``verificationMethod``) or the
    verification method itself (``id`` = the method id), whose ``controller`` document is then fetched to
    check it lists the method under ``relationship``. Either way the controller is that document's id.
    """
    url = verification_method_id.split("#", 1)[0]
    document = _fetch(fetch, url, f"the key document {url}")
    if document.get("id") == verification_method_id:
        controller = document.get("controller")
        if not isinstance(controller, str) or not controller.startswith("https://"):
            raise DidResolutionError(f"the verification method {verification_method_id} names no https controller")
        if controller == verification_method_id:
            raise DidResolutionError(f"the verification method {verification_method_id} names itself as controller")
        controller_document = _fetch(fetch, controller, f"the controller document {controller}")
        if controller_document.get("id") != controller:
            raise DidResolutionError(f"the document fetched from {controller} is not that controller's document")
        return _authorized_key(document, verification_method_id, controller_document, relationship)
    if document.get("id") == url:
        return authorized_key(document, verification_method_id, relationship)
    if "kty" in document:
        raise DidResolutionError(f"{url} serves a bare JWK, which names no controller: nothing ties it to an issuer")
    raise DidResolutionError(f"the document at {url} is neither the verification method nor its controller")


def resolve_remote(
    verification_method_id: str, fetch: DocumentFetcher, relationship: str = ASSERTION_METHOD
) -> ResolvedKey:
    """did:web and https verification methods, for ``CompositeResolver(remote=...)``, authorized for
    ``relationship``."""
    if verification_method_id.startswith("did:web:"):
        return resolve_did_web(verification_method_id, fetch, relationship)
    if verification_method_id.startswith("https://"):
        return resolve_https_method(verification_method_id, fetch, relationship)
    raise DidResolutionError(f"{verification_method_id!r} is neither a did:web nor an https verification method")


def _authorized_key(
    method: Mapping[str, Any], method_id: str, controller_document: Mapping[str, Any], relationship: str
) -> ResolvedKey:
    controller = str(controller_document.get("id"))
    named = method.get("controller", controller)
    if named != controller:
        raise DidResolutionError(
            f"{method_id} is controlled by {named!r}, not by {controller} whose document lists it "
            "(vetcred does not follow delegated controllers)"
        )
    if method_id not in _references(controller_document, relationship):
        raise UnauthorizedKey(
            f"{controller} does not list {method_id} under {relationship}: "
            f"its controller has not authorized that key to {_AUTHORIZED_TO.get(relationship, relationship)}"
        )
    if "revoked" in method:
        raise UnauthorizedKey(f"{method_id} was revoked by its controller ({method['revoked']})")
    try:
        public_key = method_public_key(method)
    except KeyMaterialError as error:
        raise DidResolutionError(f"{method_id}: {error.detail}") from error
    return ResolvedKey(id=method_id, controller=controller, public_key=public_key)


def _find_method(document: Mapping[str, Any], method_id: str, relationship: str) -> Mapping[str, Any] | None:
    base = str(document.get("id"))
    embedded = [m for m in _as_list(document.get(relationship)) if isinstance(m, Mapping)]
    for method in [*_as_list(document.get("verificationMethod")), *embedded]:
        if isinstance(method, Mapping) and _absolute(method.get("id"), base) == method_id:
            return method
    return None


def _references(document: Mapping[str, Any], relationship: str) -> set[str]:
    """The absolute ids a verification relationship lists (strings, or embedded methods' ids)."""
    base = str(document.get("id"))
    ids = (entry.get("id") if isinstance(entry, Mapping) else entry for entry in _as_list(document.get(relationship)))
    return {absolute for absolute in (_absolute(i, base) for i in ids) if absolute}


def _absolute(reference: Any, base: str) -> str | None:
    if not isinstance(reference, str):
        return None
    return base + reference if reference.startswith("#") else reference


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _fetch(fetch: DocumentFetcher, url: str, what: str) -> dict[str, Any]:
    try:
        document = fetch(url)
    except FetchError as error:
        raise DidResolutionError(f"{what} could not be fetched: {error.detail}") from error
    if not isinstance(document, dict):
        raise DidResolutionError(f"{what} is not a JSON object")
    return document
