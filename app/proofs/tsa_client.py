"""An RFC 3161 time-stamp authority over HTTP (RFC 3161 §3.4): the stamper that sealing calls."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.errors import TimestampError
from app.proofs.timestamps import VerifiedTimestamp, timestamp_request, token_from_response, verify_token

# Given the bytes to time-stamp, a verified token over them; raises TimestampError.
Stamper = Callable[[bytes], VerifiedTimestamp]
MAX_RESPONSE_BYTES = 1_000_000


class HttpTimeStamper:
    """POSTs ``application/timestamp-query`` to the college's TSA and checks the answer before using it."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"HttpTimeStamper({self.url!r})"

    def __call__(self, data: bytes) -> VerifiedTimestamp:
        request = timestamp_request(data)
        try:
            response = httpx.post(
                self.url,
                content=request.der,
                headers={"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            raise TimestampError(f"the time-stamp authority {self.url} cannot be reached: {error}") from error
        if response.status_code != 200:
            raise TimestampError(f"the time-stamp authority {self.url} answered HTTP {response.status_code}")
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise TimestampError(f"the time-stamp authority {self.url} answered with more than 1 MB")
        return verify_token(token_from_response(response.content, request), data)
