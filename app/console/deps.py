"""Who is asking in the console: the signed-in staff member (``StaffContext``), role checks, and CSRF on every form.

Without a live session a GET is sent to the sign-in page and anything else answered 401; a role too low is 403;
a form whose ``csrf_token`` (or ``X-CSRF-Token`` header) is not the session's is 403. Before sign-in (the sign-in,
second-factor and invitation forms) the token is the one in the ``vetcred_console_csrf`` cookie the form page set.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Form, Request, Response
from fastapi.params import Depends as DependsParam
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep, SessionDep
from app.config import Settings
from app.db.models import Issuer
from app.errors import AuthenticationError, PermissionDenied
from app.runtime import Runtime
from app.staff.roles import Role
from app.staff.sessions import LiveSession, SessionPolicy, find_session, touch

SESSION_COOKIE = "vetcred_console"
FORM_CSRF_COOKIE = "vetcred_console_csrf"
COOKIE_PATH = "/console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class StaffContext:
    """The signed-in staff member of a request; ``issuer`` is their college, loaded in the request's session."""

    member_id: str
    email: str
    name: str
    role: Role
    issuer: Issuer
    csrf_token: str

    @property
    def actor(self) -> str:
        """How the audit trail names this member (``app/staff/audit.py``)."""
        return f"staff:{self.member_id}:{self.email}"


def live_session(request: Request, session: SessionDep, runtime: RuntimeDep) -> LiveSession | None:
    """The request's live console session, whatever its state (a second factor may still be due)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    now = runtime.clock()
    found = find_session(session, token, now=now, policy=SessionPolicy.from_settings(runtime.settings))
    if found is not None and found.needs_touch(now):
        _touch(request, runtime, session, found, now)
    return found


LiveSessionDep = Annotated[LiveSession | None, Depends(live_session)]


def signed_in(found: LiveSessionDep) -> StaffContext | None:
    """The signed-in staff member, or None (no session, or the second factor is still to come)."""
    if found is None or found.row.pending_second_factor:
        return None
    member = found.member
    return StaffContext(
        member_id=member.id,
        email=member.email,
        name=member.name,
        role=Role(member.role),
        issuer=found.issuer,
        csrf_token=found.row.csrf_token,
    )


SignedIn = Annotated[StaffContext | None, Depends(signed_in)]


def _at_least(minimum: Role) -> Callable[[StaffContext | None], StaffContext]:
    def dependency(staff: SignedIn) -> StaffContext:
        if staff is None:
            raise AuthenticationError("sign in to the console first")
        if not staff.role.admits(minimum):
            raise PermissionDenied(f"this needs the {minimum.value} role; yours is {staff.role.value}")
        return staff

    dependency.__name__ = f"console_{minimum.value}"
    return dependency


ConsoleViewer = Annotated[StaffContext, Depends(_at_least(Role.VIEWER))]
ConsoleIssuer = Annotated[StaffContext, Depends(_at_least(Role.ISSUER))]
ConsoleOwner = Annotated[StaffContext, Depends(_at_least(Role.OWNER))]


async def check_csrf(request: Request, found: LiveSessionDep) -> None:
    """Refuses (403) an unsafe request whose CSRF token is not the session's (or, before sign-in, the cookie's)."""
    if request.method in _SAFE_METHODS:
        return
    signed_in = found is not None and not found.row.pending_second_factor
    expected = found.row.csrf_token if signed_in and found is not None else request.cookies.get(FORM_CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()  # the form FastAPI parsed for the route already: cached on the request
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise PermissionDenied(
            "the form's security token is missing or out of date: reload the page and send the form again"
        )


# Every console router: APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)
CONSOLE_ROUTER_DEPENDENCIES: list[DependsParam] = [Depends(check_csrf)]


def cookie_options(settings: Settings) -> dict[str, Any]:
    """HttpOnly, SameSite=Lax, only under /console, and Secure everywhere but in development (plain-http localhost)."""
    return {
        "httponly": True,
        "samesite": "lax",
        "path": COOKIE_PATH,
        "secure": settings.environment != "development",
    }


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """A browser-session cookie (no Max-Age): the server ends the session anyway after its lifetime."""
    response.set_cookie(SESSION_COOKIE, token, **cookie_options(settings))


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, **cookie_options(settings))


def _touch(request: Request, runtime: Runtime, session: Session, found: LiveSession, now: datetime) -> None:
    """Notes that the session is in use. A GET only reads in its own transaction, so the note is a short write
    transaction of its own; other requests write in theirs."""
    if request.method in _SAFE_METHODS:
        with runtime.transaction() as writer:
            touch(writer, found.row.id, now)
    else:
        found.row.last_seen_at = now


# A text input of a console form (absent: the route's default, usually "", so the form's own check names it).
FormText = Annotated[str, Form()]
