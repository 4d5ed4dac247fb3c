"""Fetching from other hosts for verification (status lists, did:web documents): off unless enabled, bounded, and
reused as long as the documents' own HTTP caching headers allow (never longer than a ceiling)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cachetools import LRUCache

from app.errors import FetchError
from app.outbound import Fetched, OutboundClient
from app.verification.freshness import freshness

ACCEPT = "application/vc+ld+json, application/json"
# Status lists and DID documents are a few KiB (a full 131,072-entry list compresses to well under 100 KiB); 16 MiB
# holds those of hundreds of issuers, and no single document may take more than a quarter of it.
CACHE_BYTES = 16 * 1024 * 1024
# What a parsed JSON document takes in memory, as a multiple of its text (dicts and strings): a generous estimate.
_PARSED_FACTOR = 6


@dataclass(frozen=True)
class _Kept:
    document: dict[str, Any]
    digest: str
    etag: str | None
    fresh_until: datetime
    weight: int


class RemoteFetcher:
    """The verifier's way to other hosts (status lists, DID and key documents): off unless VETCRED_FETCH_REMOTE is on,
    and then only through an ``OutboundClient`` (https, public addresses, bounded; see ``app/outbound.py``).

    A document is kept for as long as its ``Cache-Control``/``Expires`` headers allow, at most ``max_age`` (0 keeps
    nothing); once stale it is asked for again, conditionally when it came with an ``ETag``. Failures are not kept.
    Thread-safe; one per process.
    """

    def __init__(
        self,
        *,
        enabled: bool,
        client: OutboundClient | None = None,
        max_age: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.enabled = enabled
        self.client = client or OutboundClient()
        self.max_age = max_age
        self._clock = clock
        self._kept: LRUCache[str, _Kept] = LRUCache(maxsize=CACHE_BYTES, getsizeof=lambda kept: kept.weight)
        self._lock = threading.Lock()

    def __call__(self, url: str) -> dict[str, Any]:
        return self.fetch(url)[0]

    def fetch(self, url: str) -> tuple[dict[str, Any], str]:
        """The JSON object at ``url`` and the SHA-256 of its bytes (what a cached verification outcome records)."""
        if not self.enabled:
            raise FetchError("fetching from other hosts is turned off (VETCRED_FETCH_REMOTE=false)")
        now = self._clock()
        with self._lock:
            kept = self._kept.get(url)
        if kept is not None and now < kept.fresh_until:
            return kept.document, kept.digest
        fetched = self.client.get_fetched(url, accept=ACCEPT, etag=kept.etag if kept else None)
        if fetched.not_modified and kept is not None:
            document, digest, weight = kept.document, kept.digest, kept.weight
        else:
            document, digest = _json_object(url, fetched.body), hashlib.sha256(fetched.body).hexdigest()
            weight = 1024 + _PARSED_FACTOR * len(fetched.body)
        self._keep(url, _Kept(document, digest, fetched.headers.get("etag"), now, weight), fetched, now)
        return document, digest

    def _keep(self, url: str, kept: _Kept, fetched: Fetched, now: datetime) -> None:
        """Keeps ``kept`` until its headers' lifetime ends (stale at once, but kept, when only an ETag allows
        revalidating it); drops what may not be kept."""
        lifetime = freshness(fetched.headers, now=now, ceiling=self.max_age) if self.max_age else None
        with self._lock:
            if lifetime is None or (not lifetime and not kept.etag) or kept.weight > CACHE_BYTES // 4:
                self._kept.pop(url, None)
            else:
                self._kept[url] = replace(kept, fresh_until=now + lifetime)


def _json_object(url: str, body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise FetchError(f"{url} did not answer with JSON") from error
    if not isinstance(document, dict):
        raise FetchError(f"{url} did not answer with a JSON object")
    return document
