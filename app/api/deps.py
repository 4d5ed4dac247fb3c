"""Dependency aliases for routes: the runtime, a transactional session, the admin, the current issuer."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.db.models import Issuer
from app.errors import AuthenticationError
from app.issuers.api_keys import authenticate
from app.runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])
# List endpoints page with limit/offset; past this offset there is nothing to page (and databases overflow).
MAX_OFFSET = 1_000_000_000
_OWN_TRANSACTIONS = "vetcred_own_transactions"
_bearer = HTTPBearer(auto_error=False, description="An issuer's API key, or the admin token for /issuers")


async def get_runtime(request: Request) -> Runtime:
    """Async (it does no I/O): FastAPI runs a plain ``def`` dependency in the thread pool, a hop per request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def own_transactions(endpoint: F) -> F:
    """Marks a route that commits its work in transactions of its own (a cohort: one per row): the request's
    session then only reads, and holds no write lock while those run."""
    setattr(endpoint, _OWN_TRANSACTIONS, True)
    return endpoint


def get_session(request: Request, runtime: RuntimeDep) -> Iterator[Session]:
    """One transaction per request; GET and HEAD requests, and routes with their own transactions, only read."""
    route = request.scope.get("route")
    own = getattr(getattr(route, "endpoint", None), _OWN_TRANSACTIONS, False)
    with runtime.transaction(writes=request.method not in ("GET", "HEAD") and not own) as session:
        yield session


# scope="function": commit before the response goes out, so a client never reads an answer about data that is not
# committed yet, and a commit failure is the request's error (FastAPI otherwise runs the cleanup after sending).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]


def require_admin(runtime: RuntimeDep, credentials: BearerDep) -> None:
    expected = runtime.settings.admin_token or ""
    given = credentials.credentials if credentials else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise AuthenticationError("this endpoint needs the admin token (Authorization: Bearer <token>)")


AdminDep = Annotated[None, Depends(require_admin)]


def current_issuer(session: SessionDep, credentials: BearerDep) -> Issuer:
    if credentials is None:
        raise AuthenticationError("this endpoint needs an issuer API key (Authorization: Bearer vck_...)")
    return authenticate(session, credentials.credentials)


CurrentIssuer = Annotated[Issuer, Depends(current_issuer)]
