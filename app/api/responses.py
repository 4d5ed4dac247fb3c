"""The documented error responses: one body shape, and which statuses each group of routes can answer.

Every error this service answers is ``{"error": code, "detail": message}``, and for invalid input also
``"errors": [{"field", "message"}]`` (``app/api/errors.py``); the OpenID4VCI endpoints answer OAuth 2.0 errors
(``{"error", "error_description"}``, RFC 6749 §5.2) instead.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field


class FieldError(BaseModel):
    field: str = Field(description="The field, as a dotted path (address.addressCountryCode, rows.3.email, q...)")
    message: str


class ErrorOut(BaseModel):
    error: str = Field(description="A stable code: validation_error, not_found, authentication_failed, ...")
    detail: str = Field(description="What went wrong, for people")
    errors: list[FieldError] | None = Field(default=None, description="For invalid input: each field and why")


_DESCRIPTION_SAFE = {ord('"'): "'", ord("\\"): "/"}


def oauth_error(code: str, detail: str, status: int = 400, headers: dict[str, str] | None = None) -> JSONResponse:
    """An OAuth 2.0 error response (RFC 6749 §5.2): ``error_description`` kept to the ASCII the specification allows
    (no double quote or backslash; other characters become ``?``), never cached."""
    description = detail.translate(_DESCRIPTION_SAFE).encode("ascii", "replace").decode("ascii")
    body = {"error": code, "error_description": description}
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"} | (headers or {}))


class OAuthErrorOut(BaseModel):
    error: str = Field(description="invalid_request, invalid_grant, invalid_token, invalid_proof, ...")
    error_description: str


DESCRIPTIONS = {
    400: "A request the endpoint cannot take",
    401: "A missing or wrong admin token or API key (or a deactivated college)",
    404: "Nothing at this address, or it belongs to another college",
    409: "The request conflicts with the resource's state (for example revoking what is revoked for good)",
    410: "A claim link that has expired or was replaced",
    413: "The request body is larger than VETCRED_MAX_BODY_BYTES",
    422: "Invalid input: errors[].field names each field",
    429: "Too many requests from this client; see Retry-After",
    502: "A service this one depends on failed (a time-stamp authority, a Europass wallet, a remote document)",
    503: "The database cannot be reached; see Retry-After",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for routes that can answer ``statuses`` with an ``ErrorOut``."""
    return {status: {"model": ErrorOut, "description": DESCRIPTIONS[status]} for status in statuses}


def json_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The same, for routes whose success is not JSON (a page, an image, a PDF): FastAPI would otherwise document
    their errors under the success's media type, though errors are always ``application/json``."""
    schema = {"$ref": f"#/components/schemas/{ErrorOut.__name__}"}
    return {
        status: {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": schema}}}
        for status in statuses
    }


# Any route: a body that cannot be read or is too large, invalid input, a client over its rate limit, the database.
EVERY_ROUTE = errors(400, 413, 422, 429, 503)
# Routes behind an API key or the admin token, on the college's own resources.
AUTHENTICATED = errors(401, 404, 409)


class VcJsonResponse(JSONResponse):
    """A signed credential (or status list credential) as JSON-LD."""

    media_type = "application/vc+ld+json"


class DidJsonResponse(JSONResponse):
    media_type = "application/did+json"


class PngResponse(Response):
    media_type = "image/png"


class SvgResponse(Response):
    media_type = "image/svg+xml"


class CssResponse(Response):
    media_type = "text/css"


class PdfResponse(Response):
    media_type = "application/pdf"


OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": OAuthErrorOut, "description": "An OAuth 2.0 / OpenID4VCI error (RFC 6749 §5.2)"},
    401: {"model": OAuthErrorOut, "description": "A missing, used or expired access token (invalid_token)"},
}


def html_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """For pages: a page that is not found (or a claim link that is gone) is an HTML page too."""
    return {status: {"description": DESCRIPTIONS[status], "content": {"text/html": {}}} for status in statuses}
