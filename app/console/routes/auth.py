"""Signing in and out of the console, and accepting an invitation (which signs the new member in)."""

from __future__ import annotations

import logging
import math
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep, SessionDep
from app.console.deps import (
    CONSOLE_ROUTER_DEPENDENCIES,
    SESSION_COOKIE,
    FormText,
    LiveSessionDep,
    SignedIn,
    StaffContext,
    clear_session_cookie,
    set_session_cookie,
)
from app.console.forms import form_errors, parse_form
from app.console.render import console_page
from app.db.models import Issuer, StaffMember
from app.errors import InvalidInput
from app.runtime import Runtime
from app.staff.audit import record
from app.staff.inputs import AcceptInput
from app.staff.invitations import accept, usable_invitation
from app.staff.members import staff_actor
from app.staff.sessions import SessionPolicy, end_session, prune, start_session
from app.staff.sign_in import LockoutPolicy, locked_until, record_failure, sign_in_with_password
from app.staff.sso import any_enabled
from app.staff.totp import check_code

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)
log = logging.getLogger("vetcred.console")

HOME = "/console"
CODE_PAGE = "/console/sign-in/code"


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a console path of this site, never another site (no open redirect)."""
    if not value or "\\" in value:
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not (parts.path == HOME or parts.path.startswith(HOME + "/")):
        return HOME
    return value


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, staff: SignedIn, session: SessionDep, next: str = HOME) -> Response:
    if staff is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return sign_in_form(request, next=safe_next(next), sso=any_enabled(session))


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    found: LiveSessionDep,
    email: FormText = "",
    password: FormText = "",
    next: FormText = HOME,
) -> Response:
    target = safe_next(next)
    missing = {
        name: message
        for name, value, message in (
            ("email", email.strip(), "Enter your e-mail address"),
            ("password", password, "Enter your password"),
        )
        if not value
    }
    if missing:
        return sign_in_form(request, next=target, email=email, errors=missing, status_code=422)
    now = runtime.clock()
    outcome = sign_in_with_password(
        session, email, password, now=now, policy=LockoutPolicy.from_settings(runtime.settings)
    )
    if outcome.known is not None and outcome.member is None:
        known = outcome.known
        action = "staff.locked" if outcome.just_locked else "staff.sign_in_failed"
        record(session, staff_actor(known), known.issuer_id, action, f"staff:{known.id}", at=now)
    elif outcome.member is None:
        log.info("console sign-in failed for an address without an account")
    if outcome.locked_until is not None:
        minutes = max(1, math.ceil((outcome.locked_until - now).total_seconds() / 60))
        return sign_in_form(request, next=target, email=email, locked_minutes=minutes, status_code=429)
    if outcome.member is None:
        return sign_in_form(request, next=target, email=email, wrong=True, status_code=401)
    if found is not None:  # a new session for a new sign-in (never keep a session id across it)
        end_session(session, request.cookies[SESSION_COOKIE])
    member = outcome.member
    if member.totp_enabled_at is not None:
        pending = start_session(
            session, member, now=now, policy=SessionPolicy.from_settings(runtime.settings), pending_second_factor=True
        )
        response = RedirectResponse(f"{CODE_PAGE}?{urlencode({'next': target})}", status_code=303)
        set_session_cookie(response, pending.token, runtime.settings)
        return response
    return signed_in_response(session, runtime, member, target, method="password")


@router.get("/sign-in/code", response_class=HTMLResponse)
def code_page(request: Request, found: LiveSessionDep, next: str = HOME) -> Response:
    if found is None or not found.row.pending_second_factor:
        return RedirectResponse("/console/sign-in", status_code=303)
    return _code_form(request, next=safe_next(next))


@router.post("/sign-in/code", response_class=HTMLResponse)
def check_second_factor(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    found: LiveSessionDep,
    code: FormText = "",
    next: FormText = HOME,
) -> Response:
    target = safe_next(next)
    if found is None or not found.row.pending_second_factor:
        return RedirectResponse("/console/sign-in", status_code=303)
    member, now = found.member, runtime.clock()
    policy = LockoutPolicy.from_settings(runtime.settings)
    until = locked_until(session, member.email, now)
    if until is None and check_code(member, code, runtime.master_key, now):
        end_session(session, request.cookies[SESSION_COOKIE])
        return signed_in_response(session, runtime, member, target, method="password+totp")
    if until is None:
        outcome = record_failure(session, member.email, now=now, policy=policy, known=member)
        action = "staff.locked" if outcome.just_locked else "staff.sign_in_failed"
        record(session, staff_actor(member), member.issuer_id, action, f"staff:{member.id}", {"factor": "totp"}, at=now)
        until = outcome.locked_until
    if until is None:
        return _code_form(request, next=target, errors={"code": "this code is not right"}, status_code=401)
    end_session(session, request.cookies[SESSION_COOKIE])
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    response = sign_in_form(request, next=target, email=member.email, locked_minutes=minutes, status_code=429)
    clear_session_cookie(response, runtime.settings)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, runtime: RuntimeDep, found: LiveSessionDep) -> Response:
    if found is not None:
        member = found.member
        record(
            session, staff_actor(member), member.issuer_id, "staff.sign_out", f"staff:{member.id}", at=runtime.clock()
        )
        end_session(session, request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/console/sign-in", status_code=303)
    clear_session_cookie(response, runtime.settings)
    return response


@router.get("/invitations/{token}", response_class=HTMLResponse)
def invitation_page(
    token: str, request: Request, session: SessionDep, runtime: RuntimeDep, staff: SignedIn
) -> Response:
    return _invitation_form(request, session, runtime, token, staff)


@router.post("/invitations/{token}", response_class=HTMLResponse)
def accept_invitation(
    token: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    staff: SignedIn,
    name: FormText = "",
    password: FormText = "",
    password_confirmation: FormText = "",
) -> Response:
    now = runtime.clock()
    given = {"name": name, "password": password, "password_confirmation": password_confirmation}
    try:
        data = parse_form(AcceptInput, given)
        member = accept(
            session,
            token,
            name=data.name,
            password=data.password,
            password_confirmation=data.password_confirmation,
            now=now,
        )
    except (ValidationError, InvalidInput) as error:
        return _invitation_form(request, session, runtime, token, staff, name=name, errors=form_errors(error))
    if staff is not None:  # someone else was signed in in this browser: that session ends here
        end_session(session, request.cookies[SESSION_COOKIE])
    record(
        session,
        staff_actor(member),
        member.issuer_id,
        "staff.join",
        f"staff:{member.id}",
        {"role": member.role},
        at=now,
    )
    return signed_in_response(session, runtime, member, HOME, method="password")


def signed_in_response(
    session: Session, runtime: Runtime, member: StaffMember, target: str, *, method: str
) -> Response:
    """A new session for ``member`` (sign-in recorded in the audit trail), and the way to ``target`` with its cookie."""
    now = runtime.clock()
    prune(session, now)
    new = start_session(session, member, now=now, policy=SessionPolicy.from_settings(runtime.settings), method=method)
    member.last_sign_in_at = now
    record(
        session,
        staff_actor(member),
        member.issuer_id,
        "staff.sign_in",
        f"staff:{member.id}",
        {"method": method},
        at=now,
    )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, new.token, runtime.settings)
    return response


def sign_in_form(
    request: Request,
    *,
    next: str,
    email: str = "",
    errors: dict[str, str] | None = None,
    wrong: bool = False,
    locked_minutes: int | None = None,
    sso: bool = False,
    sso_error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The sign-in page, with what went wrong the last time (``wrong``, ``locked_minutes``, ``sso_error``)."""
    context = {
        "sso_error": sso_error,
        "next": next,
        "email": email,
        "errors": errors or {},
        "wrong": wrong,
        "locked_minutes": locked_minutes,
        "sso": sso,
    }
    return console_page(request, "sign_in.html", context, None, status_code)


def _code_form(
    request: Request, *, next: str, errors: dict[str, str] | None = None, status_code: int = 200
) -> HTMLResponse:
    return console_page(request, "sign_in_code.html", {"next": next, "errors": errors or {}}, None, status_code)


def _invitation_form(
    request: Request,
    session: SessionDep,
    runtime: Runtime,
    token: str,
    staff: StaffContext | None,
    *,
    name: str = "",
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    invitation = usable_invitation(session, token, runtime.clock())
    college = session.get(Issuer, invitation.issuer_id)
    assert college is not None  # an invitation goes with its college (cascade)
    context = {
        "college_name": college.name,
        "email": invitation.email,
        "role": invitation.role,
        "name": name,
        "errors": errors or {},
        "action": f"/console/invitations/{token}",
    }
    # Rendered for whoever is signed in in this browser (if anyone), so that the form carries the token it is checked
    # against.
    return console_page(request, "invitation.html", context, staff, 422 if errors else 200)
