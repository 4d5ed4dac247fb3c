"""Console fixtures: ``console_as(role, college)`` is a browser-like client signed in as a staff member.

Each college ("a", "b", ...) is registered through the admin API, its first owner invited through the admin API and
every other member invited as an owner would; each member accepts the invitation through the console's own pages
(setting a name and a password), which signs them in.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db.models import StaffInvitation
from app.staff.invitations import invite, new_link
from app.staff.members import member_by_email
from app.staff.roles import Role
from tests.factories import ADMIN, make_issuer

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a console page put in its forms."""
    found = CSRF_INPUT.search(html)
    assert found, "the page has no form with a csrf_token"
    return found.group(1)


class ConsoleClient(TestClient):
    """A TestClient with a console session: ``csrf`` (the session's token), ``issuer_id``, ``api_headers`` (the
    college's API key, to set up data through the API), ``email``, ``role``, and ``post_form``."""

    csrf: str
    issuer_id: str
    api_headers: dict[str, str]
    email: str
    role: str
    member_id: str

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """POSTs a form with the session's CSRF token added (redirects are not followed unless asked)."""
        kwargs.setdefault("follow_redirects", False)
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf}, **kwargs)


def accept_invitation(client: TestClient, url: str, *, name: str, password: str = PASSWORD) -> httpx.Response:
    """Opens an invitation link and accepts it as a person would: the form's page first (it sets the form's CSRF
    cookie), then the form."""
    path = httpx.URL(url).path
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(
        path,
        data={
            "csrf_token": csrf_of(page.text),
            "name": name,
            "password": password,
            "password_confirmation": password,
        },
        follow_redirects=False,
    )


@pytest.fixture
def console_as(app: FastAPI, client: TestClient, engine: Engine) -> Iterator[Callable[..., ConsoleClient]]:
    """``console_as(role="owner", college="a")``: a new staff member of that role in that college, signed in.

    The colleges are made on first use; ``client`` (the app with its lifespan running) stays the plain API client."""
    colleges: dict[str, tuple[str, dict[str, str]]] = {}
    owned: set[str] = set()
    clients: list[ConsoleClient] = []
    counter = iter(range(1, 1000))

    def college_of(key: str) -> tuple[str, dict[str, str]]:
        if key not in colleges:
            body, headers = make_issuer(client, name=f"College {key.upper()}", email=f"office@college-{key}.example")
            colleges[key] = (body["id"], headers)
        return colleges[key]

    def make(role: str = "owner", college: str = "a") -> ConsoleClient:
        issuer_id, api_headers = college_of(college)
        n = next(counter)
        email = f"{role}{n}@college-{college}.example"
        if role == "owner" and college not in owned:
            url = _first_owner(client, engine, issuer_id, email)
            owned.add(college)
        else:
            url = _invite(engine, issuer_id, email, Role(role))
        console = ConsoleClient(app)
        answer = accept_invitation(console, url, name=f"{role.title()} {n}")
        assert answer.status_code == 303, answer.text
        home = console.get("/console")
        assert home.status_code == 200, home.text
        console.csrf = csrf_of(home.text)
        console.issuer_id, console.api_headers, console.email, console.role = issuer_id, api_headers, email, role
        with Session(engine) as session:
            member = member_by_email(session, email)
            assert member is not None
            console.member_id = member.id
        clients.append(console)
        return console

    yield make
    for console in clients:
        console.close()


def _first_owner(client: TestClient, engine: Engine, issuer_id: str, email: str) -> str:
    """The first owner's invitation link: in the admin API's answer, or (with SMTP) e-mailed; then, once the mail is
    out, a fresh link for the same invitation is made here the way the mail job makes one."""
    response = client.post(f"/api/v1/issuers/{issuer_id}/owner", json={"email": email}, headers=ADMIN)
    assert response.status_code == 201, response.text
    if response.json()["invitationUrl"]:
        return str(response.json()["invitationUrl"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with Session(engine) as session, session.begin():
            invitation = session.scalars(select(StaffInvitation).where(StaffInvitation.email == email)).one()
            if invitation.sent_at is not None:
                return f"https://vetcred.test/console/invitations/{new_link(session, invitation)}"
        time.sleep(0.05)
    raise AssertionError(f"the invitation of {email} was not e-mailed")


def _invite(engine: Engine, issuer_id: str, email: str, role: Role) -> str:
    """An invitation as an owner makes one in the console (the same domain function)."""
    with Session(engine) as session, session.begin():
        issued = invite(
            session,
            issuer_id,
            email,
            role,
            invited_by="test",
            now=datetime.now(UTC),
            ttl=timedelta(days=1),
        )
    return f"https://vetcred.test/console/invitations/{issued.token}"
