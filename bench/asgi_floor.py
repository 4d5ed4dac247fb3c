"""The floor under bench/verify_page.py: a bare ASGI app (no framework, no middleware, no database) answering every
request with a fixed page of the verification page's size. What it serves under the same load is the most any page
can serve on this machine with this server and event loop (`python bench/verify_page.py --floor`)."""

from __future__ import annotations

from typing import Any

PAGE = b"<!doctype html><html lang=en><title>Verified</title><main>" + b"x" * 9000 + b"</main></html>"
HEADERS = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(PAGE)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": PAGE})
