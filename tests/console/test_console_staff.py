"""Owners manage their college's staff: invitations (shown once without SMTP), roles, deactivation, the last owner."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db.models import AuditEvent, StaffInvitation
from tests.console.conftest import PASSWORD, ConsoleClient, accept_invitation, csrf_of

LINK = re.compile(r'id="new-link" type="text" readonly value="([^"]+)"')


def _invite(owner: ConsoleClient, email: str, role: str = "issuer") -> str:
    page = owner.post_form("/console/staff/invitations", {"email": email, "role": role})
    assert page.status_code == 200, page.text
    found = LINK.search(page.text)
    assert found, "without SMTP the page shows the link"
    return found.group(1)


def _actions(engine: Engine, issuer_id: str) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(select(AuditEvent.action).where(AuditEvent.issuer_id == issuer_id).order_by(AuditEvent.id))
        )


def test_an_owner_invites_with_a_role_and_the_invitee_joins(
    app: FastAPI, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    owner = console_as("owner")
    url = _invite(owner, "Nina@College-A.example", "issuer")
    listed = owner.get("/console/staff")
    assert "nina@college-a.example" in listed.text and "No open invitations" not in listed.text
    nina = TestClient(app)
    assert accept_invitation(nina, url, name="Nina Nieuw").status_code == 303
    home = nina.get("/console")
    assert "Nina Nieuw" in home.text and "(issuer)" in home.text
    staff = owner.get("/console/staff").text
    assert "Nina Nieuw" in staff and "No open invitations" in staff
    assert {"staff.invite", "staff.join"} <= set(_actions(engine, owner.issuer_id))


def test_the_invitation_form_shows_errors_in_place(console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    bad = owner.post_form("/console/staff/invitations", {"email": "not an address", "role": "chief"})
    assert bad.status_code == 422
    assert 'id="field-email-error"' in bad.text and 'id="field-role-error"' in bad.text
    assert 'aria-describedby="field-email-error"' in bad.text and 'href="#field-email"' in bad.text
    taken = owner.post_form("/console/staff/invitations", {"email": owner.email, "role": "viewer"})
    assert taken.status_code == 409 and "already has a staff account" in taken.text


def test_a_weak_or_mistyped_password_is_refused_when_joining(app: FastAPI, console_as) -> None:
    owner = console_as("owner")
    url = _invite(owner, "pat@college-a.example")
    pat = TestClient(app)
    path = url.removeprefix("https://vetcred.test")
    form = csrf_of(pat.get(path).text)
    short = pat.post(
        path, data={"csrf_token": form, "name": "Pat", "password": "short", "password_confirmation": "short"}
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    differ = pat.post(
        path, data={"csrf_token": form, "name": "Pat", "password": PASSWORD, "password_confirmation": PASSWORD + "!"}
    )
    assert differ.status_code == 422 and 'id="field-password_confirmation-error"' in differ.text
    nameless = pat.post(
        path, data={"csrf_token": form, "name": "", "password": PASSWORD, "password_confirmation": PASSWORD}
    )
    assert nameless.status_code == 422 and 'id="field-name-error"' in nameless.text


def test_resend_replaces_the_link_and_withdraw_kills_it(
    app: FastAPI, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    owner = console_as("owner")
    first = _invite(owner, "sam@college-a.example")
    with Session(engine) as session:
        invitation_id = session.scalars(
            select(StaffInvitation.id).where(StaffInvitation.email == "sam@college-a.example")
        ).one()
    page = owner.post_form(f"/console/staff/invitations/{invitation_id}/resend")
    second = LINK.search(page.text)
    assert second and second.group(1) != first
    sam = TestClient(app)
    assert sam.get(first.removeprefix("https://vetcred.test")).status_code == 404
    assert sam.get(second.group(1).removeprefix("https://vetcred.test")).status_code == 200
    with Session(engine) as session:
        open_id = session.scalars(
            select(StaffInvitation.id).where(
                StaffInvitation.revoked_at.is_(None), StaffInvitation.email == "sam@college-a.example"
            )
        ).one()
    assert owner.post_form(f"/console/staff/invitations/{open_id}/withdraw").status_code == 303
    assert sam.get(second.group(1).removeprefix("https://vetcred.test")).status_code == 404
    assert {"staff.invite_resend", "staff.invite_withdraw"} <= set(_actions(engine, owner.issuer_id))


def test_a_role_change_applies_at_the_next_page(console_as: Callable[..., ConsoleClient], engine: Engine) -> None:
    owner, viewer = console_as("owner"), console_as("viewer")
    assert viewer.get("/console/staff").status_code == 403
    changed = owner.post_form(f"/console/staff/members/{viewer.member_id}/role", {"role": "owner"})
    assert changed.status_code == 303
    assert viewer.get("/console/staff").status_code == 200
    assert owner.post_form(f"/console/staff/members/{viewer.member_id}/role", {"role": "boss"}).status_code == 422
    with Session(engine) as session:
        detail = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "staff.role_change")).one()
    assert detail == {"email": viewer.email, "from": "viewer", "to": "owner"}


def test_a_college_keeps_an_owner(console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    demote = owner.post_form(f"/console/staff/members/{owner.member_id}/role", {"role": "viewer"})
    assert demote.status_code == 409 and "keep an active owner" in demote.text
    leave = owner.post_form(f"/console/staff/members/{owner.member_id}/deactivate")
    assert leave.status_code == 409
    second = console_as("owner")
    assert owner.post_form(f"/console/staff/members/{second.member_id}/role", {"role": "viewer"}).status_code == 303
    assert second.post_form(f"/console/staff/members/{owner.member_id}/role", {"role": "viewer"}).status_code == 403


def test_deactivation_signs_out_everywhere_and_reactivation_lets_back_in(
    console_as: Callable[..., ConsoleClient], client: TestClient, engine: Engine
) -> None:
    owner, issuer = console_as("owner"), console_as("issuer")
    assert issuer.get("/console").status_code == 200
    assert owner.post_form(f"/console/staff/members/{issuer.member_id}/deactivate").status_code == 303
    assert issuer.get("/console", follow_redirects=False).status_code == 303
    form = csrf_of(client.get("/console/sign-in").text)
    again = client.post(
        "/console/sign-in",
        data={"csrf_token": form, "email": issuer.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert again.status_code == 401  # like a wrong password: nothing says the account exists
    assert owner.post_form(f"/console/staff/members/{issuer.member_id}/reactivate").status_code == 303
    back = client.post(
        "/console/sign-in",
        data={"csrf_token": form, "email": issuer.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert {"staff.deactivate", "staff.reactivate"} <= set(_actions(engine, owner.issuer_id))


def test_the_audit_trail_page_names_who_did_what(console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    _invite(owner, "kim@college-a.example", "viewer")
    page = owner.get("/console/staff/audit")
    assert page.status_code == 200
    assert f"staff:{owner.member_id}:{owner.email}" in page.text and "staff.invite" in page.text
    assert console_as("issuer").get("/console/staff/audit").status_code == 403


def test_a_password_change_needs_the_current_one_and_signs_out_elsewhere(
    app: FastAPI, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    viewer = console_as("viewer")
    elsewhere = TestClient(app)
    form = csrf_of(elsewhere.get("/console/sign-in").text)
    elsewhere.post("/console/sign-in", data={"csrf_token": form, "email": viewer.email, "password": PASSWORD})
    assert elsewhere.get("/console", follow_redirects=False).status_code == 200
    new = "a brand new passphrase"
    wrong = viewer.post_form(
        "/console/account/password",
        {"current_password": "nope", "password": new, "password_confirmation": new},
    )
    assert wrong.status_code == 422 and 'id="field-current_password-error"' in wrong.text
    done = viewer.post_form(
        "/console/account/password",
        {"current_password": PASSWORD, "password": new, "password_confirmation": new},
    )
    assert done.status_code == 303
    assert viewer.get("/console").status_code == 200
    assert elsewhere.get("/console", follow_redirects=False).status_code == 303
    assert "staff.password_change" in _actions(engine, viewer.issuer_id)


def test_an_invitation_opened_where_someone_is_signed_in_still_works(console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    url = _invite(owner, "lee@college-a.example", "viewer")
    joined = accept_invitation(owner, url, name="Lee")  # the owner's browser: the owner's session ends, Lee's starts
    assert joined.status_code == 303
    home = owner.get("/console")
    assert "Lee" in home.text and "(viewer)" in home.text
