"""Two-step sign-in: enrolment with a QR code and the key as text, the code asked at sign-in, codes good once,
recovery codes, wrong codes counted towards the lock-out, turning it off."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db.models import AuditEvent, StaffMember
from tests.console.conftest import PASSWORD, ConsoleClient, csrf_of


def _enrol(person: ConsoleClient) -> tuple[pyotp.TOTP, list[str]]:
    assert person.post_form("/console/account/totp/start").status_code == 303
    page = person.get("/console/account")
    assert 'src="data:image/png;base64,' in page.text
    key = re.search(r"Key: <code>([A-Z2-7 ]+)</code>", page.text)
    assert key, "the key is shown as text too"
    totp = pyotp.TOTP(key.group(1).replace(" ", ""))
    done = person.post_form("/console/account/totp/confirm", {"code": totp.now()})
    assert done.status_code == 200 and "Two-step sign-in is on" in done.text
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.text)
    assert len(codes) == 10
    return totp, codes


def _password_step(browser: TestClient, email: str) -> None:
    form = csrf_of(browser.get("/console/sign-in").text)
    step = browser.post(
        "/console/sign-in", data={"csrf_token": form, "email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert step.status_code == 303 and step.headers["location"].startswith("/console/sign-in/code")


def _code_step(browser: TestClient, code: str) -> int:
    form = csrf_of(browser.get("/console/sign-in/code").text)
    answer = browser.post("/console/sign-in/code", data={"csrf_token": form, "code": code}, follow_redirects=False)
    return answer.status_code


def _later_code(totp: pyotp.TOTP) -> str:
    """The next time step's code (accepted: clocks drift by a step), so a test need not wait 30 seconds."""
    return totp.at(datetime.now(UTC) + timedelta(seconds=30))


def test_sign_in_asks_for_the_code_once_enrolled(app: FastAPI, console_as: Callable[..., ConsoleClient]) -> None:
    issuer = console_as("issuer")
    totp, _ = _enrol(issuer)
    browser = TestClient(app)
    _password_step(browser, issuer.email)
    # The password alone opens nothing.
    assert browser.get("/console", follow_redirects=False).status_code == 303
    code = _later_code(totp)  # enrolment used the current step's code
    assert _code_step(browser, "000000" if code != "000000" else "111111") == 401
    assert _code_step(browser, code) == 303
    assert browser.get("/console").status_code == 200


def test_a_code_is_good_once(app: FastAPI, console_as: Callable[..., ConsoleClient]) -> None:
    viewer = console_as("viewer")
    totp, _ = _enrol(viewer)
    code = _later_code(totp)
    first, second = TestClient(app), TestClient(app)
    _password_step(first, viewer.email)
    assert _code_step(first, code) == 303
    _password_step(second, viewer.email)
    assert _code_step(second, code) == 401


def test_a_recovery_code_signs_in_once(app: FastAPI, console_as: Callable[..., ConsoleClient]) -> None:
    viewer = console_as("viewer")
    _, codes = _enrol(viewer)
    first, second = TestClient(app), TestClient(app)
    _password_step(first, viewer.email)
    assert _code_step(first, codes[0].upper()) == 303
    _password_step(second, viewer.email)
    assert _code_step(second, codes[0]) == 401
    assert "9 recovery codes left" in first.get("/console/account").text


def test_wrong_codes_count_towards_the_lock_out(app: FastAPI, console_as: Callable[..., ConsoleClient]) -> None:
    viewer = console_as("viewer")
    totp, _ = _enrol(viewer)
    browser = TestClient(app)
    _password_step(browser, viewer.email)
    wrong = "123456" if "123456" not in (totp.now(), _later_code(totp)) else "654320"
    for _ in range(9):
        assert _code_step(browser, wrong) == 401
    assert _code_step(browser, wrong) == 429
    # The pending session is gone, and the password now waits for the lock too.
    assert browser.get("/console/sign-in/code", follow_redirects=False).status_code == 303
    form = csrf_of(browser.get("/console/sign-in").text)
    locked = browser.post("/console/sign-in", data={"csrf_token": form, "email": viewer.email, "password": PASSWORD})
    assert locked.status_code == 429


def test_turning_it_off_needs_a_code_and_is_audited(console_as: Callable[..., ConsoleClient], engine: Engine) -> None:
    owner = console_as("owner")
    totp, _ = _enrol(owner)
    refused = owner.post_form("/console/account/totp/disable", {"code": "12"})
    assert refused.status_code == 422
    assert owner.post_form("/console/account/totp/disable", {"code": _later_code(totp)}).status_code == 303
    with Session(engine) as session:
        member = session.get(StaffMember, owner.member_id)
        assert member is not None and member.totp_secret_encrypted is None and member.totp_enabled_at is None
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.issuer_id == owner.issuer_id)))
    assert {"staff.totp_on", "staff.totp_off"} <= actions
    staff_page = owner.get("/console/staff").text
    assert "Two-step sign-in" in staff_page


def test_the_secret_is_encrypted_at_rest(console_as: Callable[..., ConsoleClient], engine: Engine) -> None:
    viewer = console_as("viewer")
    assert viewer.post_form("/console/account/totp/start").status_code == 303
    key = re.search(r"Key: <code>([A-Z2-7 ]+)</code>", viewer.get("/console/account").text)
    assert key
    with Session(engine) as session:
        member = session.get(StaffMember, viewer.member_id)
        assert member is not None and member.totp_secret_encrypted is not None
        assert key.group(1).replace(" ", "").encode() not in member.totp_secret_encrypted
