"""``/console/staff`` (owners): the college's staff and invitations; invite, re-send, withdraw, change a role,
deactivate and reactivate; the staff audit trail. A college always keeps an active owner."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.api.deps import RuntimeDep, SessionDep
from app.console.deps import CONSOLE_ROUTER_DEPENDENCIES, ConsoleOwner, FormText, StaffContext
from app.console.forms import form_errors, parse_form
from app.console.render import console_page
from app.errors import Conflict, InvalidInput
from app.runtime import Runtime
from app.staff.audit import college_events, record
from app.staff.inputs import InvitationInput
from app.staff.invitations import get_invitation, invite, open_invitations, reissue, withdraw
from app.staff.management import change_role, deactivate, reactivate
from app.staff.members import get_member, members_of
from app.staff.roles import Role, parse_role

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)
STAFF = "/console/staff"


@router.get("/staff", response_class=HTMLResponse)
def staff_page(
    request: Request, staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep, done: str | None = None
) -> Response:
    return _page(request, staff, session, runtime, done=done)


@router.post("/staff/invitations", response_class=HTMLResponse)
def invite_member(
    request: Request,
    staff: ConsoleOwner,
    session: SessionDep,
    runtime: RuntimeDep,
    email: FormText = "",
    role: FormText = "",
) -> Response:
    values = {"email": email, "role": role}
    try:
        data = parse_form(InvitationInput, values)
        issued = invite(
            session,
            staff.issuer.id,
            data.email,
            data.role,
            invited_by=staff.actor,
            now=runtime.clock(),
            ttl=_ttl(runtime),
        )
    except (ValidationError, InvalidInput) as error:
        return _page(request, staff, session, runtime, errors=form_errors(error), invite=values, status_code=422)
    except Conflict as error:
        return _page(request, staff, session, runtime, errors={"email": error.detail}, invite=values, status_code=409)
    detail = {"email": issued.row.email, "role": issued.row.role}
    record(session, staff.actor, staff.issuer.id, "staff.invite", f"invitation:{issued.row.id}", detail)
    link = runtime.deliver_invitation(session, issued)
    if link is None:
        return _done("invited")
    return _page(request, staff, session, runtime, new_link={"email": issued.row.email, "url": link})


@router.post("/staff/invitations/{invitation_id}/resend", response_class=HTMLResponse)
def resend_invitation(
    invitation_id: str, request: Request, staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep
) -> Response:
    invitation = get_invitation(session, staff.issuer.id, invitation_id)
    try:
        issued = reissue(session, invitation, now=runtime.clock(), ttl=_ttl(runtime))
    except Conflict as error:
        return _page(request, staff, session, runtime, errors={"form": error.detail}, status_code=409)
    detail = {"email": issued.row.email, "role": issued.row.role, "replaces": invitation.id}
    record(session, staff.actor, staff.issuer.id, "staff.invite_resend", f"invitation:{issued.row.id}", detail)
    link = runtime.deliver_invitation(session, issued)
    if link is None:
        return _done("resent")
    return _page(request, staff, session, runtime, new_link={"email": issued.row.email, "url": link})


@router.post("/staff/invitations/{invitation_id}/withdraw")
def withdraw_invitation(invitation_id: str, staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep) -> Response:
    invitation = get_invitation(session, staff.issuer.id, invitation_id)
    withdraw(session, invitation, runtime.clock())
    detail = {"email": invitation.email}
    record(session, staff.actor, staff.issuer.id, "staff.invite_withdraw", f"invitation:{invitation.id}", detail)
    return _done("withdrawn")


@router.post("/staff/members/{member_id}/role", response_class=HTMLResponse)
def set_role(
    member_id: str, request: Request, staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep, role: FormText = ""
) -> Response:
    member = get_member(session, staff.issuer, member_id)
    try:
        old = change_role(session, staff.issuer, member, parse_role(role))
    except InvalidInput as error:
        return _page(request, staff, session, runtime, errors={"form": f"role: {error.detail}"}, status_code=422)
    except Conflict as error:
        return _page(request, staff, session, runtime, errors={"form": error.detail}, status_code=409)
    if old.value != member.role:
        detail = {"email": member.email, "from": old.value, "to": member.role}
        record(session, staff.actor, staff.issuer.id, "staff.role_change", f"staff:{member.id}", detail)
    return _done("role")


@router.post("/staff/members/{member_id}/deactivate", response_class=HTMLResponse)
def deactivate_member(
    member_id: str, request: Request, staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep
) -> Response:
    member = get_member(session, staff.issuer, member_id)
    try:
        changed = deactivate(session, staff.issuer, member, runtime.clock())
    except Conflict as error:
        return _page(request, staff, session, runtime, errors={"form": error.detail}, status_code=409)
    if changed:
        detail = {"email": member.email}
        record(session, staff.actor, staff.issuer.id, "staff.deactivate", f"staff:{member.id}", detail)
    return _done("deactivated")


@router.post("/staff/members/{member_id}/reactivate")
def reactivate_member(member_id: str, staff: ConsoleOwner, session: SessionDep) -> Response:
    member = get_member(session, staff.issuer, member_id)
    if reactivate(session, member):
        detail = {"email": member.email}
        record(session, staff.actor, staff.issuer.id, "staff.reactivate", f"staff:{member.id}", detail)
    return _done("reactivated")


@router.get("/staff/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    staff: ConsoleOwner,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    page_size = 100
    events = college_events(session, staff.issuer.id, limit=page_size + 1, offset=offset)
    context = {
        "events": events[:page_size],
        "offset": offset,
        "next_offset": offset + page_size if len(events) > page_size else None,
        "previous_offset": max(0, offset - page_size) if offset else None,
    }
    return console_page(request, "audit.html", context, staff)


def _ttl(runtime: Runtime) -> timedelta:
    return timedelta(days=runtime.settings.console_invitation_days)


def _done(what: str) -> RedirectResponse:
    return RedirectResponse(f"{STAFF}?done={what}", status_code=303)


def _page(
    request: Request,
    staff: StaffContext,
    session: Session,
    runtime: Runtime,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    invite: dict[str, str] | None = None,
    new_link: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    now = runtime.clock()
    members = members_of(session, staff.issuer)
    context: dict[str, Any] = {
        "members": members,
        "invitations": open_invitations(session, staff.issuer.id, now),
        "now": now,
        "roles": list(Role),
        "done": done,
        "errors": errors or {},
        "invite": invite or {"email": "", "role": Role.VIEWER.value},
        "new_link": new_link,
        "smtp": runtime.settings.smtp_configured,
    }
    return console_page(request, "staff.html", context, staff, status_code)
