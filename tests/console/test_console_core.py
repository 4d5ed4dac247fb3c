"""The console's foundation: the first owner from the admin API, invitations, sign-in and out, sessions bound to
one college, roles, CSRF, the cookie's attributes, error pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db.models import AuditEvent, SignInThrottle, StaffSession
from tests.console.conftest import PASSWORD, ConsoleClient, accept_invitation, csrf_of
from tests.factories import ADMIN, make_issuer


def _sign_in(client: TestClient, email: str, password: str, next_path: str = "/console") -> object:
    page = client.get("/console/sign-in")
    return client.post(
        "/console/sign-in",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": password, "next": next_path},
        follow_redirects=False,
    )


def test_the_admin_token_invites_a_first_owner_who_joins_and_is_signed_in(
    client: TestClient, app, engine: Engine
) -> None:
    college, _ = make_issuer(client)
    response = client.post(
        f"/api/v1/issuers/{college['id']}/owner", json={"email": "Head@College.example"}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["role"] == "owner" and body["email"] == "head@college.example" and body["emailed"] is False
    assert body["invitationUrl"].startswith("https://vetcred.test/console/invitations/")

    browser = TestClient(app)
    joined = accept_invitation(browser, body["invitationUrl"], name="Hanna Head")
    assert joined.status_code == 303 and joined.headers["location"] == "/console"
    cookie = joined.headers["set-cookie"]
    assert cookie.startswith("vetcred_console=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    home = browser.get("/console")
    assert home.status_code == 200
    assert "Noorderpoort College" in home.text and "Hanna Head" in home.text
    # The link worked once.
    assert browser.get(re.sub(r"^https://vetcred.test", "", body["invitationUrl"])).status_code == 404
    # The session's token is stored only as its hash.
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    with Session(engine) as session:
        hashes = session.scalars(select(StaffSession.token_hash)).all()
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.issuer_id == college["id"])).all()
    assert token not in hashes and len(hashes) == 1
    assert {"staff.join", "staff.sign_in"} <= set(actions)


def test_the_admin_token_invites_only_a_first_owner(
    client: TestClient, console_as: Callable[..., ConsoleClient]
) -> None:
    owner = console_as("owner")
    again = client.post(f"/api/v1/issuers/{owner.issuer_id}/owner", json={"email": "x@y.example"}, headers=ADMIN)
    assert again.status_code == 409
    assert client.post(f"/api/v1/issuers/{owner.issuer_id}/owner", json={"email": "x@y.example"}).status_code == 401
    assert (
        client.post(
            f"/api/v1/issuers/{owner.issuer_id}/owner", json={"email": "x@y.example"}, headers=owner.api_headers
        ).status_code
        == 401
    )
    bad = client.post(f"/api/v1/issuers/{owner.issuer_id}/owner", json={"email": "not an address"}, headers=ADMIN)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    assert client.post("/api/v1/issuers/nope/owner", json={"email": "x@y.example"}, headers=ADMIN).status_code == 404


def test_the_owner_endpoint_is_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/issuers/{issuer_id}/owner"]
    assert not any(path.startswith("/console") for path in paths)


def test_sign_out_then_sign_in_with_the_password(client: TestClient, console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    out = owner.post_form("/console/sign-out")
    assert out.status_code == 303 and out.headers["location"] == "/console/sign-in"
    assert owner.get("/console", follow_redirects=False).status_code == 303
    signed = _sign_in(owner, owner.email, PASSWORD, "/console/staff")
    assert signed.status_code == 303 and signed.headers["location"] == "/console/staff"


def test_a_request_without_a_session_is_sent_to_sign_in_or_refused(client: TestClient) -> None:
    page = client.get("/console?x=1", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/console/sign-in?next=%2Fconsole%3Fx%3D1"
    form = client.get("/console/sign-in")
    post = client.post("/console/sign-out", data={"csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert post.status_code == 303  # signing out without a session is harmless


def test_wrong_password_and_unknown_address_answer_alike(console_as: Callable[..., ConsoleClient], client) -> None:
    owner = console_as("owner")
    wrong = _sign_in(client, owner.email, "not the password at all")
    unknown = _sign_in(client, "nobody@college-a.example", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.text) == strip.sub("", unknown.text)


def test_ten_wrong_passwords_lock_the_address_for_a_while(console_as: Callable[..., ConsoleClient], client) -> None:
    owner = console_as("owner")
    for _ in range(9):
        assert _sign_in(client, owner.email, "a wrong password!").status_code == 401
    locked = _sign_in(client, owner.email, "a wrong password!")
    assert locked.status_code == 429 and "Try again in 15 minutes" in locked.text
    # Even the right password waits for the lock to end; an unknown address locks the same way.
    assert _sign_in(client, owner.email, PASSWORD).status_code == 429
    for _ in range(10):
        unknown = _sign_in(client, "nobody@college-a.example", "a wrong password!")
    assert unknown.status_code == 429 and "Try again in 15 minutes" in unknown.text


def test_the_lock_ends_after_its_time(console_as: Callable[..., ConsoleClient], client, engine: Engine) -> None:
    owner = console_as("owner")
    for _ in range(10):
        _sign_in(client, owner.email, "a wrong password!")
    assert _sign_in(client, owner.email, PASSWORD).status_code == 429
    with Session(engine) as session, session.begin():
        for row in session.scalars(select(SignInThrottle)):
            row.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    assert _sign_in(client, owner.email, PASSWORD).status_code == 303
    with Session(engine) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.issuer_id == owner.issuer_id)).all()
    assert actions.count("staff.sign_in_failed") == 9 and actions.count("staff.locked") == 1


def test_next_never_leaves_the_console(console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    owner.post_form("/console/sign-out")
    for target in ("https://evil.example/", "//evil.example/console", "/api/v1/issuers", "/\\evil.example"):
        signed = _sign_in(owner, owner.email, PASSWORD, target)
        assert signed.headers["location"] == "/console", target


def test_a_form_without_its_csrf_token_is_refused(console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    refused = owner.post("/console/sign-out", follow_redirects=False)
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    wrong = owner.post("/console/sign-out", data={"csrf_token": "x" * 43}, follow_redirects=False)
    assert wrong.status_code == 403
    by_header = owner.post("/console/sign-out", headers={"X-CSRF-Token": owner.csrf}, follow_redirects=False)
    assert by_header.status_code == 303


def test_sign_in_form_needs_the_csrf_cookie_token(console_as: Callable[..., ConsoleClient], client) -> None:
    owner = console_as("owner")
    refused = client.post("/console/sign-in", data={"email": owner.email, "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 403


def test_a_session_cookie_belongs_to_its_college_only(console_as: Callable[..., ConsoleClient]) -> None:
    a = console_as("owner", "a")
    b = console_as("owner", "b")
    assert a.issuer_id != b.issuer_id
    assert "College A" in a.get("/console").text and "College B" not in a.get("/console").text
    assert "College B" in b.get("/console").text


def test_errors_under_console_are_pages(console_as: Callable[..., ConsoleClient], client: TestClient) -> None:
    viewer = console_as("viewer")
    missing = viewer.get("/console/no-such-page")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "Back to the console" in missing.text
    # The API's errors stay JSON.
    assert client.get("/api/v1/no-such-thing").headers["content-type"].startswith("application/json")


def test_pages_carry_the_security_headers_and_are_not_cached(console_as: Callable[..., ConsoleClient]) -> None:
    viewer = console_as("viewer")
    page = viewer.get("/console")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert viewer.get("/console/static/console.css").status_code == 200


def test_the_navigation_follows_the_role(console_as: Callable[..., ConsoleClient]) -> None:
    viewer, owner = console_as("viewer"), console_as("owner")
    assert 'href="/console/staff"' not in viewer.get("/console").text
    assert 'href="/console/staff"' in owner.get("/console").text
    assert 'aria-current="page"' not in owner.get("/console").text  # the overview is no section of the menu


def test_the_cookie_is_secure_outside_development(settings, engine, empty_database) -> None:
    from app.main import create_app

    secure_settings = settings.model_copy(update={"environment": "production", "public_url": "https://vetcred.test"})
    app = create_app(secure_settings)
    with TestClient(app, base_url="https://testserver") as browser:
        college, _ = make_issuer(browser)
        invited = browser.post(f"/api/v1/issuers/{college['id']}/owner", json={"email": "o@c.example"}, headers=ADMIN)
        joined = accept_invitation(browser, invited.json()["invitationUrl"], name="Owner")
        assert joined.status_code == 303
        assert "Secure" in joined.headers["set-cookie"]


def test_console_sign_in_is_rate_limited_apart_from_the_api(settings, empty_database) -> None:
    from app.main import create_app

    limited = settings.model_copy(
        update={"rate_limit_console_sign_in": "3/minute", "rate_limit_auth_failures": "2/minute"}
    )
    with TestClient(create_app(limited)) as browser:
        _, headers = make_issuer(browser)
        answers = [_sign_in(browser, f"guess{n}@college.example", "wrong password!").status_code for n in range(4)]
        assert answers == [401, 401, 401, 429]
        # Those 401s were the console's: the college's API calls from the same address go on.
        assert browser.get("/api/v1/issuers/me", headers=headers).status_code == 200


def test_access_logs_never_hold_an_invitation_token() -> None:
    """An invitation link signs its holder up as staff: like claim tokens, it is cut out of every log line."""
    from app.logs import redact

    line = '127.0.0.1:5000 - "GET /console/invitations/Zq3-secret_token HTTP/1.1" 200'
    assert redact(line) == '127.0.0.1:5000 - "GET /console/invitations/<redacted> HTTP/1.1" 200'
