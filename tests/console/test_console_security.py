"""The console's security promises, over every console route the app registers (pages added by other areas are
covered as soon as they are included): viewers cannot change anything, every form needs its CSRF token, and
nothing of one college opens for another college's staff or session."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.console.deps import SESSION_COOKIE
from tests.console.conftest import ConsoleClient, accept_invitation
from tests.console.crawl import console_routes, crawl, parameterised_route
from tests.factories import issue, make_achievement, make_microcredential

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Unsafe routes a viewer may use: signing in and out, joining, and their own account. Every other one changes the
# college's data and needs the issuer or owner role.
OPEN_TO_VIEWERS = {
    "/console/sign-in",
    "/console/sign-in/code",
    "/console/sign-out",
    "/console/invitations/{token}",
    "/console/account/password",
    "/console/account/totp/start",
    "/console/account/totp/confirm",
    "/console/account/totp/disable",
}
# Owner-only sections (CONSOLE.md): every route under them refuses issuers and viewers.
OWNER_SECTIONS = ("/console/staff", "/console/settings")
# Routes with a parameter that names no college's data: an invitation's secret token; a college's public SSO start.
NOT_COLLEGE_DATA = {"/console/invitations/{token}", "/console/sso/{issuer_id}/start"}
DUMMY = "00000000-0000-4000-8000-000000000000"


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", DUMMY, path)


def _unsafe(app: FastAPI) -> list[tuple[str, str]]:
    return sorted((method, route.path) for route in console_routes(app) for method in route.methods & UNSAFE)


def test_every_console_router_enforces_csrf(app: FastAPI) -> None:
    from app.console.deps import check_csrf

    for route in console_routes(app):
        assert any(d.call is check_csrf for d in route.dependant.dependencies), (
            f"{route.path}: its router lacks dependencies=CONSOLE_ROUTER_DEPENDENCIES"
        )
        assert route.include_in_schema is False, f"{route.path} is in the API documentation"


def test_a_viewer_gets_403_on_every_unsafe_console_route(
    app: FastAPI, console_as: Callable[..., ConsoleClient]
) -> None:
    viewer = console_as("viewer")
    checked = 0
    for method, path in _unsafe(app):
        if path in OPEN_TO_VIEWERS:
            continue
        answer = viewer.request(method, _fill(path), data={"csrf_token": viewer.csrf}, follow_redirects=False)
        assert answer.status_code == 403, f"{method} {path} answered {answer.status_code} to a viewer"
        checked += 1
    assert checked >= 8


def test_owner_sections_refuse_issuers_and_viewers(app: FastAPI, console_as: Callable[..., ConsoleClient]) -> None:
    for role in ("issuer", "viewer"):
        member = console_as(role)
        for route in console_routes(app):
            if not route.path.startswith(OWNER_SECTIONS):
                continue
            for method in route.methods:
                answer = member.request(
                    method, _fill(route.path), data={"csrf_token": member.csrf}, follow_redirects=False
                )
                assert answer.status_code == 403, f"{method} {route.path} answered {answer.status_code} to an {role}"


@pytest.mark.parametrize("signed_in", [True, False], ids=["owner", "nobody"])
def test_a_form_without_its_csrf_token_is_refused(
    app: FastAPI, client: TestClient, console_as: Callable[..., ConsoleClient], signed_in: bool
) -> None:
    browser: TestClient = console_as("owner") if signed_in else client
    client.get("/console/sign-in")  # the pre-sign-in forms' cookie is set: still no token in the form
    for method, path in _unsafe(app):
        for data in ({}, {"csrf_token": ""}, {"csrf_token": "forged-token-forged-token-forged-token-00"}):
            answer = browser.request(method, _fill(path), data=data, follow_redirects=False)
            assert answer.status_code == 403, f"{method} {path} with {data} answered {answer.status_code}"


@pytest.fixture
def college_b(client: TestClient, console_as: Callable[..., ConsoleClient]) -> ConsoleClient:
    """College B with data in every area (through the API), a second member and an open invitation."""
    owner = console_as("owner", "b")
    console_as("issuer", "b")
    achievement = make_achievement(client, owner.api_headers)
    issue(client, owner.api_headers, achievement["id"])
    make_microcredential(client, owner.api_headers)
    owner.post_form("/console/staff/invitations", {"email": "pending@college-b.example", "role": "viewer"})
    return owner


def _college_data(app: FastAPI, owner_b: ConsoleClient) -> tuple[list[str], list]:
    """B's pages and forms that name B's data (a route with path parameters)."""
    pages, forms = crawl(app, owner_b)
    links = [
        url
        for url in pages
        if (route := parameterised_route(app, url.split("?", 1)[0], "GET")) and route.path not in NOT_COLLEGE_DATA
    ]
    actions = [
        form
        for form in forms
        if (route := parameterised_route(app, form.action.split("?", 1)[0], "POST"))
        and route.path not in NOT_COLLEGE_DATA
    ]
    return links, actions


def _refused(other: TestClient, csrf: str, links: list[str], forms: list) -> None:
    for url in links:
        answer = other.get(url, follow_redirects=False)
        assert answer.status_code in (403, 404), f"GET {url} of college B answered {answer.status_code}"
        assert "College B" not in answer.text
    for form in forms:
        answer = other.post(form.action, data=form.fields | {"csrf_token": csrf}, follow_redirects=False)
        assert answer.status_code in (403, 404), f"POST {form.action} of college B answered {answer.status_code}"


def test_staff_of_college_a_cannot_open_any_console_page_of_college_b(
    app: FastAPI, console_as: Callable[..., ConsoleClient], college_b: ConsoleClient
) -> None:
    links, forms = _college_data(app, college_b)
    assert forms, "college B's pages should name some of its data"
    for role in ("owner", "issuer", "viewer"):
        member = console_as(role, "a")
        _refused(member, member.csrf, links, forms)
    # B's own owner still reaches them (the refusals above are about the college, not the addresses).
    for url in links:
        assert college_b.get(url).status_code == 200


def test_a_session_cookie_of_one_college_does_not_work_on_anothers_pages(
    app: FastAPI, console_as: Callable[..., ConsoleClient], college_b: ConsoleClient
) -> None:
    a = console_as("owner", "a")
    links, forms = _college_data(app, college_b)
    carrier = TestClient(app)
    carrier.cookies.set(SESSION_COOKIE, a.cookies[SESSION_COOKIE], path="/console")
    assert "College A" in carrier.get("/console").text
    _refused(carrier, a.csrf, links, forms)
    # A forged or stale cookie is no session at all.
    carrier.cookies.set(SESSION_COOKIE, "not-a-session", path="/console")
    assert carrier.get("/console", follow_redirects=False).status_code == 303


def test_the_invitation_link_is_the_only_way_in(app: FastAPI, console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    page = owner.post_form("/console/staff/invitations", {"email": "new@college-a.example", "role": "owner"})
    url = re.search(r'readonly value="([^"]+)"', page.text)
    assert url
    stranger = TestClient(app)
    assert stranger.get(f"/console/invitations/{DUMMY}").status_code == 404
    assert accept_invitation(stranger, url.group(1), name="New Owner").status_code == 303
    assert stranger.get("/console/staff").status_code == 200
