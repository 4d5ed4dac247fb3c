"""Invitations by e-mail through the service's SMTP path (a job), to a real SMTP server on localhost."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import StaffInvitation
from tests.console.conftest import ConsoleClient, accept_invitation
from tests.factories import ADMIN, make_issuer
from tests.wallet.mailbox import Mailbox, body_text, running_mailbox

URL = re.compile(r"https://vetcred\.test/console/invitations/[A-Za-z0-9_-]+")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as mailbox:
        yield mailbox


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "smtp_starttls": False,
            "smtp_from": "vetcred <no-reply@vetcred.test>",
        }
    )


def test_the_first_owner_invitation_is_e_mailed(
    client: TestClient, app: FastAPI, mailbox: Mailbox, engine: Engine
) -> None:
    college, _ = make_issuer(client, defaultLanguage="nl")
    answer = client.post(
        f"/api/v1/issuers/{college['id']}/owner", json={"email": "head@college.example"}, headers=ADMIN
    )
    assert answer.status_code == 201
    assert answer.json()["emailed"] is True and answer.json()["invitationUrl"] is None
    [message] = mailbox.wait_for(1)
    assert message["To"] == "head@college.example"
    assert "Noorderpoort College" in message["Subject"]
    assert message["Content-Language"] == "nl"
    link = URL.search(body_text(message))
    assert link, body_text(message)
    assert accept_invitation(TestClient(app), link.group(0), name="Hoofd").status_code == 303
    with Session(engine) as session:
        row = session.scalars(select(StaffInvitation)).one()
        assert row.sent_at is not None and row.accepted_at is not None


def test_an_owner_invites_by_e_mail_and_can_re_send(
    console_as: Callable[..., ConsoleClient], app: FastAPI, mailbox: Mailbox, engine: Engine
) -> None:
    owner = console_as("owner")  # the owner's own invitation is mail number 1
    mailbox.wait_for(1)
    sent = owner.post_form("/console/staff/invitations", {"email": "ed@college-a.example", "role": "issuer"})
    assert sent.status_code == 303 and sent.headers["location"] == "/console/staff?done=invited"
    assert "on its way by e-mail" in owner.get(sent.headers["location"]).text
    first = mailbox.wait_for(2)[1]
    assert first["To"] == "ed@college-a.example"
    with Session(engine) as session:
        invitation_id = session.scalars(
            select(StaffInvitation.id).where(StaffInvitation.email == "ed@college-a.example")
        ).one()
    owner.post_form(f"/console/staff/invitations/{invitation_id}/resend")
    second = mailbox.wait_for(3)[2]
    old, new = URL.search(body_text(first)), URL.search(body_text(second))
    assert old and new and old.group(0) != new.group(0)
    ed = TestClient(app)
    assert ed.get(old.group(0).removeprefix("https://vetcred.test")).status_code == 404
    assert accept_invitation(ed, new.group(0), name="Ed").status_code == 303
