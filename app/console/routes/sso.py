"""Single sign-on through a college's OpenID provider: the owner's settings (``/console/staff/sso``), and signing in
(``/console/sso``): find the college by e-mail domain, go to its provider, come back with a code, and be signed in
as the existing staff member with that verified address."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.api.deps import RuntimeDep, SessionDep
from app.console.deps import CONSOLE_ROUTER_DEPENDENCIES, ConsoleOwner, FormText, StaffContext, cookie_options
from app.console.forms import form_errors, parse_form
from app.console.render import console_page
from app.console.routes.auth import HOME, safe_next, sign_in_form, signed_in_response
from app.db.models import Issuer, OidcSettings
from app.errors import FetchError, InvalidInput, NotFound
from app.runtime import Runtime
from app.staff import oidc
from app.staff.audit import record
from app.staff.members import member_by_email, staff_actor
from app.staff.sso import (
    SIGN_IN_TTL,
    SsoSettingsInput,
    begin,
    client_secret,
    college_for_email,
    member_for,
    remove_settings,
    save_settings,
    settings_of,
    take,
)

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=CONSOLE_ROUTER_DEPENDENCIES)
STATE_COOKIE = "vetcred_console_sso"
STATE_PATH = "/console/sso"
SETTINGS = "/console/staff/sso"


def redirect_uri(runtime: Runtime) -> str:
    """The one address every college registers at its provider: the state says which college a sign-in is for."""
    return f"{runtime.settings.public_url}/console/sso/callback"


@router.get("/sso", response_class=HTMLResponse)
def find_college(request: Request, session: SessionDep, email: str = "", next: str = HOME) -> Response:
    """Which college's provider to use, from the e-mail address's domain."""
    target = safe_next(next)
    context: dict[str, Any] = {"email": email, "next": target, "college": None, "errors": {}}
    if email.strip():
        issuer_id = college_for_email(session, email)
        if issuer_id is None:
            context["errors"] = {"email": "no college here signs in its staff with this address's provider"}
        else:
            college, settings = session.get(Issuer, issuer_id), settings_of(session, issuer_id)
            assert college is not None and settings is not None
            query = urlencode({"next": target})
            context["college"] = {
                "name": college.name,
                "provider": urlsplit(settings.provider_url).netloc,
                "start": f"/console/sso/{issuer_id}/start?{query}",
            }
    return console_page(request, "sso.html", context, None, 422 if context["errors"] else 200)


@router.get("/sso/{issuer_id}/start")
def start(issuer_id: str, request: Request, session: SessionDep, runtime: RuntimeDep, next: str = HOME) -> Response:
    settings = settings_of(session, issuer_id)
    if settings is None or not settings.enabled:
        raise NotFound(f"college {issuer_id} has no single sign-on")
    provider = oidc.discover(runtime.outbound, settings.provider_url)
    with runtime.transaction() as writer:  # a GET's own session only reads
        pending = begin(writer, issuer_id, next_path=safe_next(next), now=runtime.clock())
    location = oidc.authorization_url(
        provider,
        client_id=settings.client_id,
        redirect_uri=redirect_uri(runtime),
        state=pending.state,
        nonce=pending.nonce,
        code_verifier=pending.code_verifier,
    )
    response = RedirectResponse(location, status_code=303)
    # The state must come back to the browser that left: a link someone else started opens nothing here.
    options = cookie_options(runtime.settings) | {"path": STATE_PATH}
    response.set_cookie(STATE_COOKIE, pending.state, max_age=int(SIGN_IN_TTL.total_seconds()), **options)
    return response


@router.get("/sso/callback", response_class=HTMLResponse)
def callback(
    request: Request,
    runtime: RuntimeDep,
    state: str = "",
    code: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    now = runtime.clock()
    browser_state = request.cookies.get(STATE_COOKIE, "")
    if not state or not hmac.compare_digest(state.encode(), browser_state.encode()):
        return _failed(request, runtime, "this sign-in was not started in this browser: start it again")
    try:
        with runtime.transaction() as session:
            pending = take(session, state, now)
            settings = settings_of(session, pending.issuer_id)
            if settings is None or not settings.enabled:
                raise oidc.SsoError("single sign-on is not set up for this college any more")
            secret = client_secret(settings, runtime.master_key)
            provider_url, client_id, issuer_id = settings.provider_url, settings.client_id, settings.issuer_id
        if error:
            raise oidc.SsoError(f"the provider said no: {error} {error_description}".strip())
        if not code:
            raise oidc.SsoError("the provider sent no sign-in code")
        provider = oidc.discover(runtime.outbound, provider_url)
        identity = oidc.sign_in(
            runtime.outbound,
            provider,
            client_id=client_id,
            client_secret=secret,
            code=code,
            redirect_uri=redirect_uri(runtime),
            code_verifier=pending.code_verifier,
            nonce=pending.nonce,
            now=now,
        )
    except (oidc.SsoError, FetchError) as failure:
        return _failed(request, runtime, failure.detail)
    with runtime.transaction() as session:
        settings = settings_of(session, issuer_id)
        assert settings is not None
        try:
            member = member_for(session, settings, identity)
        except oidc.SsoError as failure:
            known = member_by_email(session, identity.email or "")
            if known is not None and known.issuer_id == issuer_id:
                detail = {"method": "sso", "why": failure.detail}
                record(session, staff_actor(known), issuer_id, "staff.sign_in_failed", f"staff:{known.id}", detail)
            refusal = failure
        else:
            response = signed_in_response(session, runtime, member, pending.next_path, method="sso")
            response.delete_cookie(STATE_COOKIE, **(cookie_options(runtime.settings) | {"path": STATE_PATH}))
            return response
    return _failed(request, runtime, refusal.detail)


@router.get("/staff/sso", response_class=HTMLResponse)
def settings_page(
    request: Request, staff: ConsoleOwner, session: SessionDep, runtime: RuntimeDep, done: str | None = None
) -> Response:
    return _settings_page(request, staff, settings_of(session, staff.issuer.id), runtime, done=done)


@router.post("/staff/sso", response_class=HTMLResponse)
def save(
    request: Request,
    staff: ConsoleOwner,
    session: SessionDep,
    runtime: RuntimeDep,
    provider_url: FormText = "",
    client_id: FormText = "",
    client_secret: FormText = "",
    email_domain: FormText = "",
    enabled: FormText = "",
) -> Response:
    given = {
        "provider_url": provider_url.strip(),
        "client_id": client_id,
        "client_secret": client_secret,
        "email_domain": email_domain,
        "enabled": enabled,
    }
    current = settings_of(session, staff.issuer.id)
    try:
        data = parse_form(SsoSettingsInput, given)
        try:
            oidc.discover(runtime.outbound, data.provider_url)
        except FetchError as failure:
            raise InvalidInput(
                f"its discovery document cannot be read: {failure.detail}", field="provider_url"
            ) from None
        row = save_settings(session, staff.issuer.id, data, master_key=runtime.master_key, now=runtime.clock())
    except (ValidationError, InvalidInput) as failure:
        errors = form_errors(failure)
        return _settings_page(request, staff, current, runtime, errors=errors, values=given, status_code=422)
    detail = {
        "provider_url": row.provider_url,
        "client_id": row.client_id,
        "email_domain": row.email_domain,
        "enabled": row.enabled,
        "client_secret_changed": bool(data.client_secret),
    }
    record(session, staff.actor, staff.issuer.id, "staff.sso_settings", f"college:{staff.issuer.id}", detail)
    return RedirectResponse(f"{SETTINGS}?done=saved", status_code=303)


@router.post("/staff/sso/remove")
def remove(staff: ConsoleOwner, session: SessionDep) -> Response:
    if remove_settings(session, staff.issuer.id):
        record(session, staff.actor, staff.issuer.id, "staff.sso_removed", f"college:{staff.issuer.id}")
    return RedirectResponse(f"{SETTINGS}?done=removed", status_code=303)


def _failed(request: Request, runtime: Runtime, why: str) -> HTMLResponse:
    response = sign_in_form(request, next=HOME, sso_error=why, sso=True, status_code=401)
    response.delete_cookie(STATE_COOKIE, **(cookie_options(runtime.settings) | {"path": STATE_PATH}))
    return response


def _settings_page(
    request: Request,
    staff: StaffContext,
    current: OidcSettings | None,
    runtime: Runtime,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    shown = values or {
        "provider_url": current.provider_url if current else "",
        "client_id": current.client_id if current else "",
        "email_domain": current.email_domain if current else "",
        "enabled": "true" if current is None or current.enabled else "",
    }
    context = {
        "current": current,
        "values": shown,
        "redirect_uri": redirect_uri(runtime),
        "done": done,
        "errors": errors or {},
    }
    return console_page(request, "sso_settings.html", context, staff, status_code)
