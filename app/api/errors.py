"""The only place where errors become HTTP statuses; every error body is ``{"error", "detail"[, "errors"]}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DisconnectionError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import (
    AuthenticationError,
    ConfigurationError,
    Conflict,
    CredentialSchemaError,
    FetchError,
    InvalidInput,
    JsonLdError,
    KeyMaterialError,
    NotFound,
    PermissionDenied,
    ProofError,
    TooLarge,
    VetcredError,
)

log = logging.getLogger("vetcred")

STATUS_BY_ERROR: list[tuple[type[VetcredError], int]] = [
    (AuthenticationError, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (InvalidInput, 422),
    (JsonLdError, 422),
    (KeyMaterialError, 422),
    (ProofError, 422),
    (FetchError, 502),
    (CredentialSchemaError, 500),
    (ConfigurationError, 500),
]


def status_for(error: VetcredError) -> int:
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 400


def error_body(code: str, detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _vetcred_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, VetcredError)
    status = status_for(error)
    if status >= 500:
        log.error("internal error %s: %s", error.code, error.detail)
    errors = None
    if isinstance(error, InvalidInput) and error.field:
        errors = [{"field": error.field, "message": error.detail}]
        detail = f"{error.field}: {error.detail}"
    else:
        detail = error.detail
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(error.code, detail, errors), status_code=status, headers=headers)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = []
    for item in error.errors():
        field = field_path(tuple(item.get("loc", ())))
        message = str(item.get("msg", "invalid"))
        if item.get("type") == "json_invalid":
            field, message = "body", f"malformed JSON: {item.get('ctx', {}).get('error', message)}"
        errors.append({"field": field, "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JSONResponse(error_body("validation_error", detail, errors), status_code=422)


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    return JSONResponse(
        error_body("http_error", str(error.detail)), status_code=error.status_code, headers=error.headers
    )


async def _database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    log.error("database unavailable: %s", type(error).__name__)
    return JSONResponse(
        error_body("database_unavailable", "the database cannot be reached; try again shortly"),
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _unstorable_value(_request: Request, error: Exception) -> JSONResponse:
    """A value the database refuses for its column (the edge validation should have caught it: logged)."""
    log.error("a value reached the database that it cannot store: %s", type(error).__name__)
    return JSONResponse(
        error_body("invalid_input", "a value in the request cannot be stored (an invalid character or number)"),
        status_code=422,
    )


async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=error)
    return JSONResponse(error_body("internal_error", "an unexpected error; it has been logged"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(VetcredError, _vetcred_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # A pool that cannot connect raises OperationalError (psycopg) or InterfaceError before any statement runs.
    app.add_exception_handler(DisconnectionError, _database_unavailable)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)
    app.add_exception_handler(DataError, _unstorable_value)
    app.add_exception_handler(Exception, _unexpected)
