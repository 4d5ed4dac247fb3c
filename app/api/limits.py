"""ASGI middleware at the edge: body size (413, chunked bodies too) and NUL characters in the URL, before parsing.

The whole body is read (up to the limit) before the application sees it: a body that grows past the limit while
being parsed would otherwise surface as the framework's 400 "error parsing the body" instead of 413.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Where cohorts are sent: the API's ``.../cohort`` and the console's upload form (CSV or Excel, with its fields).
COHORT_UPLOADS = ("/cohort", "/console/cohorts/upload")


class RequestLimits:
    def __init__(self, app: ASGIApp, max_bytes: int, cohort_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.cohort_bytes = cohort_bytes or max_bytes  # a cohort upload (``.../cohort``) may be larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("raw_path", b"").lower():
            # No resource has a NUL in its address (and PostgreSQL could not even look one up).
            await _json(send, 404, {"error": "not_found", "detail": "no resource has a NUL character in its URL"})
            return
        bad_parameters = _parameters_with_nul(scope.get("query_string", b""))
        if bad_parameters:
            errors = [
                {"field": name, "message": "must not contain a NUL character (U+0000)"} for name in bad_parameters
            ]
            detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
            await _json(send, 422, {"error": "validation_error", "detail": detail, "errors": errors})
            return
        limit = self.cohort_bytes if scope.get("path", "").endswith(COHORT_UPLOADS) else self.max_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._too_large(send, limit)
                return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await self._too_large(send, limit)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()  # after the body: wait for the client to disconnect, as Starlette expects

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send, limit: int) -> None:
        await _json(send, 413, {"error": "body_too_large", "detail": f"request body is larger than {limit} bytes"})


def _parameters_with_nul(query_string: bytes) -> list[str]:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return sorted({name.replace("\x00", "\\0") for name, value in pairs if "\x00" in name or "\x00" in value})


async def _json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
