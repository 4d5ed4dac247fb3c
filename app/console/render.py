"""Console pages: Jinja2 templates in ``app/console/templates``, in the language the public pages would pick (the
college's default language before English), with the staff member, the CSRF field and the navigation filled in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from app.console.deps import FORM_CSRF_COOKIE, StaffContext, cookie_options
from app.i18n.languages import DEFAULT
from app.staff.roles import Role
from app.web.language import language_choice, localized
from app.web.render import page_environment

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
# Console pages show a college's data to its staff: never cached, by the browser or on the way.
HEADERS = {"Cache-Control": "no-store"}


def N_(message: str) -> str:
    """Marks a message for the catalogue (pybabel extracts ``N_``); the template translates it."""
    return message


@dataclass(frozen=True)
class NavItem:
    section: str
    href: str
    label: str  # a msgid, translated by the template
    minimum: Role


NAVIGATION = (
    NavItem("microcredentials", "/console/microcredentials", N_("Micro-credentials"), Role.VIEWER),
    NavItem("cohorts", "/console/cohorts", N_("Cohorts"), Role.VIEWER),
    NavItem("credentials", "/console/credentials", N_("Credentials"), Role.VIEWER),
    NavItem("settings", "/console/settings", N_("Settings"), Role.OWNER),
    NavItem("staff", "/console/staff", N_("Staff"), Role.OWNER),
)


ROLE_LABELS = {Role.OWNER: N_("owner"), Role.ISSUER: N_("issuer"), Role.VIEWER: N_("viewer")}


@cache
def console_templates(language: str = DEFAULT) -> jinja2.Environment:
    environment = page_environment(TEMPLATES, language)
    environment.globals["role_label"] = role_label
    return environment


def role_label(role: str) -> str:
    """A role's msgid: templates write ``_(role_label(role))``."""
    return ROLE_LABELS[Role(role)]


def navigation(staff: StaffContext | None) -> list[NavItem]:
    """The sections this member's role opens (none before sign-in)."""
    if staff is None:
        return []
    return [item for item in NAVIGATION if staff.role.admits(item.minimum)]


def section_of(path: str) -> str:
    """The section a console path belongs to: ``/console/cohorts/12`` → ``cohorts``; ``/console`` → ``dashboard``."""
    rest = path.removeprefix("/console").strip("/")
    return rest.split("/", 1)[0] or "dashboard"


def console_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    staff: StaffContext | None,
    status_code: int = 200,
) -> HTMLResponse:
    """``console/<template>`` rendered for ``staff`` (None before sign-in); ``context`` may set ``section`` to mark
    another navigation entry as current."""
    choice = language_choice(request)
    page = choice.page(staff.issuer.default_language if staff else None)
    token = staff.csrf_token if staff else _form_token(request)
    field = Markup('<input type="hidden" name="csrf_token" value="{}">').format(escape(token))
    values: dict[str, Any] = {
        "page": page,
        "staff": staff,
        "csrf_token": token,
        "csrf_field": lambda: field,
        "nav": navigation(staff),
        "section": section_of(request.url.path),
    } | context
    html = console_templates(page.code).get_template(f"console/{template}").render(values)
    response = HTMLResponse(html, status_code=status_code, headers=HEADERS)
    if staff is None and request.cookies.get(FORM_CSRF_COOKIE) != token:
        response.set_cookie(FORM_CSRF_COOKIE, token, **cookie_options(request.app.state.runtime.settings))
    localized(response, choice, page)
    return response


def _form_token(request: Request) -> str:
    """Before sign-in: the token of the browser's CSRF cookie, or a new one (set by ``console_page``)."""
    token: str | None = request.cookies.get(FORM_CSRF_COOKIE)
    return token or secrets.token_urlsafe(32)
