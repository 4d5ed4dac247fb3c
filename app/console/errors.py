"""Errors on console pages are pages: the API's error handlers decide the status (and log), the console shows it.

Without a session a GET goes to the sign-in page (and back afterwards); every other error under ``/console`` is an
HTML page with the same status the API would answer, in the page's language.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.console.deps import COOKIE_PATH
from app.console.render import console_page
from app.errors import VetcredError

Handler = Callable[[Request, Any], Response | Awaitable[Response]]
# Headers of the API's answer that a page keeps (others describe the JSON body or ask for a Bearer token).
_KEPT_HEADERS = ("retry-after",)
SIGN_IN = "/console/sign-in"


def is_console(path: str) -> bool:
    return (path == COOKIE_PATH or path.startswith(COOKIE_PATH + "/")) and not path.startswith("/console/static/")


def sign_in_redirect(request: Request) -> RedirectResponse:
    """303 to the sign-in page, which comes back to this page afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{SIGN_IN}?next={quote(target, safe='')}", status_code=303)


def install_console_errors(app: FastAPI) -> None:
    """Wraps the error handlers ``install_error_handlers`` put in place (call it after that)."""
    for kind in (VetcredError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(kind, _for_console(app.exception_handlers[kind]))


def _for_console(api_handler: Handler) -> Handler:
    async def handler(request: Request, error: Any) -> Response:
        answer = api_handler(request, error)
        if inspect.isawaitable(answer):
            answer = await answer
        if not is_console(request.url.path):
            return answer
        if answer.status_code == 401 and request.method in ("GET", "HEAD"):
            return sign_in_redirect(request)
        return error_page(request, answer)

    return handler


def error_page(request: Request, answer: Response) -> Response:
    try:
        detail = str(json.loads(bytes(answer.body))["detail"])
    except (ValueError, KeyError, TypeError):
        detail = ""
    page = console_page(
        request, "error.html", {"status": answer.status_code, "detail": detail}, None, answer.status_code
    )
    for name in _KEPT_HEADERS:
        if name in answer.headers:
            page.headers[name] = answer.headers[name]
    return page
