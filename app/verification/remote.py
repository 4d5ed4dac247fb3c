"""Fetching from other hosts for verification (status lists, did:web documents): off unless enabled, bounded."""

from __future__ import annotations

from typing import Any

from app.errors import DidResolutionError, FetchError, KeyMaterialError
from app.outbound import OutboundClient
from app.proofs.dids import ResolvedKey, did_web_document_url
from app.proofs.multikey import decode_public_key


class RemoteFetcher:
    """The verifier's way to other hosts (status lists, DID and key documents): off unless VETCRED_FETCH_REMOTE is on,
    and then only through an ``OutboundClient`` (https, public addresses, bounded; see ``app/outbound.py``)."""

    def __init__(self, *, enabled: bool, client: OutboundClient | None = None) -> None:
        self.enabled = enabled
        self.client = client or OutboundClient()

    def __call__(self, url: str) -> dict[str, Any]:
        if not self.enabled:
            raise FetchError("fetching from other hosts is turned off (VETCRED_FETCH_REMOTE=false)")
        return self.client.get_json(url, accept="application/vc+ld+json, application/json")


def resolve_remote_did_web(verification_method_id: str, fetch: RemoteFetcher) -> ResolvedKey:
    """did:web resolution over the network: the DID document's Multikey verification method with this id."""
    did = verification_method_id.split("#", 1)[0]
    try:
        document = fetch(did_web_document_url(did))
    except FetchError as error:
        raise DidResolutionError(f"the DID document of {did} could not be fetched: {error.detail}") from error
    if document.get("id") != did:
        raise DidResolutionError(f"the document fetched for {did} is not that DID's document")
    for method in document.get("verificationMethod", []):
        if isinstance(method, dict) and method.get("id") in (
            verification_method_id,
            "#" + verification_method_id.split("#")[-1],
        ):
            try:
                public_key = decode_public_key(str(method.get("publicKeyMultibase", "")))
            except KeyMaterialError as error:
                raise DidResolutionError(f"{verification_method_id}: {error.detail}") from error
            return ResolvedKey(
                id=verification_method_id, controller=str(method.get("controller", did)), public_key=public_key
            )
    raise DidResolutionError(f"{verification_method_id} is not in the DID document of {did}")
