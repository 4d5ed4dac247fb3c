"""A verification page served again, byte for byte, while nothing it was made from has changed: the fast path of
``GET /v/{token}``, in front of the framework.

Every view of a page is a verification. Most views change nothing: the same credential, the same keys, the same
status list, read within the same minute. So a page whose verification a reuse-only one repeats (nothing to
canonicalize, nothing from another host, no trust registry or EU trusted list due for reloading: see
``app/web/pages.py``) says what it rests on, a ``PageBasis``:

- the **verification generation** read before anything else in its transaction, a counter that database triggers
  move on any change to a credential, a status list's bits, a college, its keys, branding or e-seal
  (``app/db/verification_generation.py``);
- the **trust sources** in memory (the operator's registries, the EU trusted lists), as the same objects;
- the **span of time** over which the clock leaves it as it is: to the end of the minute its "Checked ..." names,
  and never past the credential's ``validFrom``/``validUntil``; and kept at all only if a verification at the end of
  that span reports what this one did (any other moment that turns a check within the minute shows there).

A later request for the same page - the same path, query, ``Accept``, ``Accept-Language`` and language cookie, so
the same language and form - gets the kept response when the clock is inside the span, the trust sources are the
same, and **one read** finds the generation unchanged: exactly the page a fresh verification would make, for a
fraction of its cost. Anything else goes to the application, which verifies afresh; while it makes a page, other
requests for the same page wait for it and take it if it holds when it is done (after a revocation, a hundred
viewers cost one verification, not a hundred). Requests for this path are not rate limited, so nothing is skipped
but the work. The kept pages are bounded by their bytes (least recently used out); each worker process keeps its
own.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from cachetools import LRUCache
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n.languages import COOKIE
from app.runtime import Runtime, TrustState
from app.verification.cache import MustCompute
from app.verification.checks import parse_datetime
from app.verification.report import Report

# Where the page's handler leaves the basis of a page it made: in the request's state (``request.state``).
BASIS = "verified_page"
# A page is some 15 kB with its headers: 16 MiB keeps about a thousand pages (languages and forms apart) per worker.
MAX_BYTES = 16 * 2**20
_PAGE = re.compile(r"/v/[^/.]+")
_VALIDITY = ("validFrom", "issuanceDate", "validUntil", "expirationDate")
_TICK = timedelta(microseconds=1)
_KEYED = (b"accept", b"accept-language", b"cookie")
# (path, query string, Accept, Accept-Language, the language cookie)
PageKey = tuple[str, bytes, bytes, bytes, str]


@dataclass(frozen=True)
class PageBasis:
    """What a page was made from: it is the page a fresh verification makes while ``generation`` and ``trust`` read
    the same and the clock is in [``made_at``, ``fresh_until``)."""

    generation: int
    trust: TrustState
    made_at: datetime
    fresh_until: datetime


@dataclass(frozen=True)
class _Kept:
    basis: PageBasis
    headers: list[tuple[bytes, bytes]]
    body: bytes


def fresh_until(
    report: Report, document: dict[str, Any], reusing: Callable[[datetime], Report], *, reused_only: bool
) -> datetime | None:
    """Until when ``report`` (made at ``report.checked_at``; ``reused_only`` if it computed and fetched nothing)
    stands as it is, or ``None`` when that cannot be told from reused outcomes and the database alone: the end of its
    minute or the credential's next validity boundary, whichever is first, provided a verification that may only
    reuse (``reusing``) reports the same now and just before then."""
    now = report.checked_at
    assert now is not None
    until = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for name in _VALIDITY:
        try:
            moment = parse_datetime(document.get(name))
        except ValueError:
            return None
        if moment is not None and now < moment < until:
            until = moment
    moments = (until - _TICK,) if reused_only else (now, until - _TICK)
    try:
        same = all(_timeless(reusing(moment)) == _timeless(report) for moment in moments)
    except MustCompute:
        return None
    return until if same else None


def _timeless(report: Report) -> Report:
    return replace(report, checked_at=None, reused=())


class VerifiedPages:
    """ASGI middleware (outermost): answers ``GET /v/{token}`` from a kept page when its basis still holds, and
    keeps each 200 page whose handler left a basis."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime, max_bytes: int = MAX_BYTES) -> None:
        self.app = app
        self.runtime = runtime
        # Used only on the event loop: no lock.
        self._kept: LRUCache[PageKey, _Kept] = LRUCache(maxsize=max_bytes, getsizeof=_weight)
        self._making: dict[PageKey, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not _PAGE.fullmatch(scope["path"]):
            await self.app(scope, receive, send)
            return
        key = _key(scope)
        if await self._serve_kept(key, send):
            return
        making = self._making.get(key)
        if making is not None:
            # Someone is making this page now (the first view after a change, while many view it): wait for theirs,
            # then take it only if it holds now, after this request came. Else make one, without waiting again.
            await making.wait()
            if not await self._serve_kept(key, send):
                await self._make(key, scope, receive, send)
            return
        self._making[key] = making = asyncio.Event()
        try:
            await self._make(key, scope, receive, send)
        finally:
            del self._making[key]
            making.set()

    async def _serve_kept(self, key: PageKey, send: Send) -> bool:
        kept = self._kept.get(key)
        if kept is None or not self._holds(kept.basis):
            return False
        await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
        await send({"type": "http.response.body", "body": kept.body})
        return True

    def _holds(self, basis: PageBasis) -> bool:
        now = self.runtime.clock()
        if not basis.made_at <= now < basis.fresh_until or self.runtime.trust_state(now) != basis.trust:
            return False
        return self.runtime.generation.read() == basis.generation

    async def _make(self, key: PageKey, scope: Scope, receive: Receive, send: Send) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        state.pop(BASIS, None)
        start: Message | None = None
        body: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        basis = state.get(BASIS)
        if isinstance(basis, PageBasis) and start is not None and start["status"] == 200:
            self._kept[key] = _Kept(basis, list(start.get("headers", [])), b"".join(body))
        else:
            self._kept.pop(key, None)

    def __len__(self) -> int:
        return len(self._kept)


def _key(scope: Scope) -> PageKey:
    """Everything of a request that its page depends on besides the database, the trust sources and the clock."""
    seen: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in _KEYED and name not in seen:  # the first of a repeated header, as the application reads it
            seen[name] = value
    cookie = seen.get(b"cookie")
    language = cookie_parser(cookie.decode("latin-1")).get(COOKIE, "") if cookie else ""
    accept, accept_language = seen.get(b"accept", b""), seen.get(b"accept-language", b"")
    return scope["path"], scope.get("query_string", b""), accept, accept_language, language


def _weight(kept: _Kept) -> int:
    return len(kept.body) + sum(len(name) + len(value) for name, value in kept.headers) + 256
