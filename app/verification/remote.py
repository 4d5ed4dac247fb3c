"""Fetching from other hosts for verification (status lists, did:web documents): off unless enabled, bounded."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.errors import FetchError

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


class RemoteFetcher:
    """GETs a JSON document over HTTPS (plain HTTP only for loopback), with a timeout and a size cap."""

    def __init__(self, *, enabled: bool, timeout: float = 5.0, max_bytes: int = 2_000_000) -> None:
        self.enabled = enabled
        self.timeout = timeout
        self.max_bytes = max_bytes

    def __call__(self, url: str) -> dict[str, Any]:
        if not self.enabled:
            raise FetchError("fetching from other hosts is turned off (VETCRED_FETCH_REMOTE=false)")
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
            raise FetchError(f"only https URLs are fetched, not {url}")
        try:
            with httpx.stream(
                "GET",
                url,
                timeout=self.timeout,
                follow_redirects=False,
                headers={"Accept": "application/vc+ld+json, application/json"},
            ) as response:
                if response.status_code != 200:
                    raise FetchError(f"{url} answered HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
        except httpx.HTTPError as error:
            raise FetchError(f"{url} could not be fetched ({type(error).__name__})") from error
        try:
            document = json.loads(body)
        except ValueError as error:
            raise FetchError(f"{url} is not JSON") from error
        if not isinstance(document, dict):
            raise FetchError(f"{url} is not a JSON object")
        return document
