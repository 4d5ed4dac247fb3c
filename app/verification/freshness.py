"""How long a fetched document may be reused, from its HTTP caching headers (RFC 9111, as a shared cache)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

NOT_STORED = None


def freshness(headers: Mapping[str, str], *, now: datetime, ceiling: timedelta) -> timedelta | None:
    """How long from ``now`` the answer with ``headers`` stays fresh, at most ``ceiling``; ``None`` when it must not be
    kept at all (``no-store``, ``private``: this verifier answers many people, so it is a shared cache).

    ``s-maxage``, then ``max-age``, then ``Expires`` minus ``Date``; less the ``Age`` it already had. ``no-cache``
    and an answer without any of these are stale at once (kept only to revalidate with their ``ETag``): a verifier
    guesses no lifetime for a status list. ``headers`` must look names up case-insensitively (httpx's do).
    """
    directives = _directives(headers.get("cache-control", ""))
    if "no-store" in directives or "private" in directives:
        return NOT_STORED
    if "no-cache" in directives:
        return timedelta(0)
    lifetime = _seconds(directives.get("s-maxage"))
    if lifetime is None:
        lifetime = _seconds(directives.get("max-age"))
    if lifetime is None:
        lifetime = _expires_in(headers, now)
    age = _seconds(headers.get("age")) or 0
    return min(max(timedelta(seconds=(lifetime or 0) - age), timedelta(0)), ceiling)


def _directives(value: str) -> dict[str, str | None]:
    """``"public, max-age=60"`` as ``{"public": None, "max-age": "60"}`` (names lower-cased, quotes removed)."""
    directives: dict[str, str | None] = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            directives.setdefault(name.strip().lower(), argument.strip().strip('"') if argument else None)
    return directives


def _seconds(value: str | None) -> int | None:
    """A delta-seconds value; ``None`` when absent or not a non-negative integer (a bad max-age is ignored)."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _expires_in(headers: Mapping[str, str], now: datetime) -> int | None:
    """``Expires`` minus ``Date`` (or ``now`` without a ``Date``), in seconds; an unreadable ``Expires`` means already
    expired (RFC 9111 §5.3); ``None`` without one."""
    expires = headers.get("expires")
    if expires is None:
        return None
    try:
        expiry = parsedate_to_datetime(expires)
        date_header = headers.get("date")
        date = parsedate_to_datetime(date_header) if date_header else now
        return max(int((expiry - date).total_seconds()), 0)
    except (TypeError, ValueError):
        return 0
