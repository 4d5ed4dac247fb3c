"""``/console/account``: one's own account: the password, and two-step sign-in (TOTP) with recovery codes."""

from __future__ import annotations

import base64
from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep, SessionDep
from app.console.deps import CONSOLE_ROUTER_DEPENDENCIES, SESSION_COOKIE, ConsoleViewer, FormText, StaffContext
from app.console.render import console_page
from app.db.models import StaffMember
from app.errors import Conflict, InvalidInput
from app.runtime import Runtime
from app.staff.audit import record
from app.staff.passwords import check_new_password, check_password, hash_password
from app.staff.sessions import end_other_sessions
from app.staff.totp import (
    check_code,
    confirm_enrolment,
    disable,
    pending_secret,
    provisioning_uri,
    recovery_codes_left,
    start_enrolment,
)
from app.web.qr import qr_png

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)
ACCOUNT = "/console/account"


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep, done: str | None = None
) -> Response:
    return _page(request, staff, session, runtime, done=done)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    staff: ConsoleViewer,
    session: SessionDep,
    runtime: RuntimeDep,
    current_password: FormText = "",
    password: FormText = "",
    password_confirmation: FormText = "",
) -> Response:
    member = _member(session, staff)
    try:
        if not check_password(member.password_hash, current_password):
            raise InvalidInput("this is not your current password", field="current_password")
        check_new_password(password, password_confirmation, email=member.email)
    except InvalidInput as error:
        errors = {error.field or "form": error.detail}
        return _page(request, staff, session, runtime, errors=errors, status_code=422)
    member.password_hash = hash_password(password)
    end_other_sessions(session, member.id, request.cookies[SESSION_COOKIE])
    record(session, staff.actor, staff.issuer.id, "staff.password_change", f"staff:{member.id}", at=runtime.clock())
    return _done("password")


@router.post("/account/totp/start")
def start_totp(staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep) -> Response:
    with suppress(Conflict):  # on already: the page says so
        start_enrolment(session, _member(session, staff), runtime.master_key)
    return RedirectResponse(f"{ACCOUNT}#two-step", status_code=303)


@router.post("/account/totp/confirm", response_class=HTMLResponse)
def confirm_totp(
    request: Request, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep, code: FormText = ""
) -> Response:
    member = _member(session, staff)
    now = runtime.clock()
    try:
        codes = confirm_enrolment(session, member, code, runtime.master_key, now)
    except (InvalidInput, Conflict) as error:
        errors = {getattr(error, "field", None) or "form": error.detail}
        return _page(request, staff, session, runtime, errors=errors, status_code=422)
    record(session, staff.actor, staff.issuer.id, "staff.totp_on", f"staff:{member.id}", at=now)
    return _page(request, staff, session, runtime, recovery_codes=codes)


@router.post("/account/totp/disable", response_class=HTMLResponse)
def disable_totp(
    request: Request, staff: ConsoleViewer, session: SessionDep, runtime: RuntimeDep, code: FormText = ""
) -> Response:
    member = _member(session, staff)
    now = runtime.clock()
    if member.totp_enabled_at is not None:
        if not check_code(member, code, runtime.master_key, now):
            errors = {"disable_code": "this code is not right: type the 6 digits your app shows now"}
            return _page(request, staff, session, runtime, errors=errors, status_code=422)
        record(session, staff.actor, staff.issuer.id, "staff.totp_off", f"staff:{member.id}", at=now)
    disable(session, member)
    return _done("totp-off")


def _member(session: Session, staff: StaffContext) -> StaffMember:
    member = session.get(StaffMember, staff.member_id)
    assert member is not None  # the session was just found with it
    return member


def _done(what: str) -> RedirectResponse:
    return RedirectResponse(f"{ACCOUNT}?done={what}", status_code=303)


def _page(
    request: Request,
    staff: StaffContext,
    session: Session,
    runtime: Runtime,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    recovery_codes: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    member = _member(session, staff)
    secret = pending_secret(member, runtime.master_key)
    enrolment: dict[str, Any] | None = None
    if secret is not None:
        uri = provisioning_uri(secret, member.email, staff.issuer.name)
        png = base64.b64encode(qr_png(uri, box_size=5)).decode("ascii")
        grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        enrolment = {"qr": f"data:image/png;base64,{png}", "secret": grouped}
    context = {
        "member": member,
        "enrolment": enrolment,
        "recovery_left": recovery_codes_left(member),
        "recovery_codes": recovery_codes,
        "done": done,
        "errors": errors or {},
    }
    return console_page(request, "account.html", context, staff, status_code)
