"""Rate limits on the public endpoints that cost work or guard secrets, with the ``limits`` library: 429 and
Retry-After.

Per client address: verification (``POST /api/v1/verify``, ``POST /verify``, and employers' requests with their
wallet answers, ``POST /request``, ``POST /openid4vp/responses/...``: canonicalization is CPU work), claim
pages and offers (``/claim/...``, ``/oid4vci/offers/...``: unguessable tokens, but guessing must stay slow), the
token endpoint (``/oid4vci/token``: PINs), console sign-in (``POST /console/sign-in``: passwords), and failed
authentication (401s: API keys and the admin token). The
counters live in memory (per worker process) unless ``VETCRED_RATE_LIMIT_STORAGE`` names a shared store such as
``redis://host:6379`` (needs the ``redis`` package).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Console forms that check a password or a code (each also counts failures per e-mail address: docs/console.md).
_CONSOLE_SIGN_IN = ("/console/sign-in", "/console/sign-in/code")
_CONSOLE = "/console"


def _verifies(path: str) -> bool:
    """Posts that verify or make a request to verify: the verifier, an employer's request and its wallet answers."""
    return path in ("/api/v1/verify", "/verify", "/request") or path.startswith("/openid4vp/responses/")


@dataclass(frozen=True)
class Rule:
    name: str
    limit: RateLimitItem
    applies: Callable[[str, str], bool]  # (method, path)


def rules(*, verify: str, claim: str, token: str, console_sign_in: str) -> list[Rule]:
    """The limits from settings (``"30/minute"``, ``"5/second"``...); an empty string turns one off."""
    candidates = [
        ("verify", verify, lambda method, path: method == "POST" and _verifies(path)),
        ("claim", claim, lambda _method, path: path.startswith(("/claim/", "/oid4vci/offers/", "/p/"))),
        ("token", token, lambda method, path: method == "POST" and path == "/oid4vci/token"),
        ("console_sign_in", console_sign_in, lambda method, path: method == "POST" and path in _CONSOLE_SIGN_IN),
    ]
    return [Rule(name, parse(text), applies) for name, text, applies in candidates if text]


class RateLimits:
    """ASGI middleware: checks the rules that apply to a request, and counts 401 answers per client."""

    def __init__(self, app: ASGIApp, *, rules: list[Rule], auth_failures: str, storage: str) -> None:
        self.app = app
        self.rules = rules
        self.auth_failures = parse(auth_failures) if auth_failures else None
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        method, path = scope["method"], scope["path"]
        for rule in self.rules:
            if rule.applies(method, path) and not self.limiter.hit(rule.limit, rule.name, client):
                await self._refuse(send, rule.limit, rule.name, client)
                return
        authenticating = any(name == b"authorization" for name, _ in scope.get("headers", []))
        if self.auth_failures and authenticating and not self.limiter.test(self.auth_failures, "auth", client):
            await self._refuse(send, self.auth_failures, "auth", client)
            return

        # A wrong console password is a 401 too, but its limits are the console's own (per address and per client):
        # staff behind the college's one address must not lock its student information system out of the API.
        counting = self.auth_failures is not None and not path.startswith(_CONSOLE)

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401 and counting:
                assert self.auth_failures is not None
                self.limiter.hit(self.auth_failures, "auth", client)
            await send(message)

        await self.app(scope, receive, counting_send)

    async def _refuse(self, send: Send, limit: RateLimitItem, name: str, client: str) -> None:
        reset = self.limiter.get_window_stats(limit, name, client).reset_time
        retry_after = max(1, math.ceil(reset - time.time()))
        body = json.dumps(
            {"error": "rate_limited", "detail": f"too many requests ({limit}); try again in {retry_after} s"}
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
