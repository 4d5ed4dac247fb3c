"""Fetching from other hosts for verification (status lists, did:web documents): off unless enabled, bounded."""

from __future__ import annotations

from typing import Any

from app.errors import FetchError
from app.outbound import OutboundClient


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
