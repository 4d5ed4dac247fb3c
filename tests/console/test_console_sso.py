"""Single sign-on against a real OpenID provider on a loopback port (tests/console/oidc_provider.py): the owner
configures it in the console, and a browser follows the real redirects over HTTP between the two servers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import AuditEvent, OidcSettings, StaffMember
from app.main import create_app
from app.outbound import OutboundClient, OutboundPolicy
from tests.console.conftest import accept_invitation, csrf_of
from tests.console.oidc_provider import Client, Provider, login_form_action, provider_app
from tests.factories import ADMIN, issuer_payload
from tests.servers import serving

DOMAIN = "college-a.example"


@dataclass
class World:
    provider: Provider
    console: str  # the served vetcred's base URL
    owner: httpx.Client
    owner_csrf: str
    issuer_id: str
    browsers: list[httpx.Client]

    def browser(self) -> httpx.Client:
        """A new browser of its own (closed with the test)."""
        client = httpx.Client(base_url=self.console, follow_redirects=True)
        self.browsers.append(client)
        return client


@pytest.fixture
def world(settings: Settings, empty_database: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the test provider speaks plain http on loopback
    provider_holder: dict[str, Provider] = {}

    def make_provider(base: str) -> object:
        provider_holder["provider"] = Provider(base)
        return provider_app(provider_holder["provider"])

    with serving(make_provider) as (provider_base, _):
        provider = provider_holder["provider"]
        outbound = OutboundClient(OutboundPolicy(allow_origins=frozenset({provider_base})))

        def make_console(base: str) -> object:
            return create_app(settings.model_copy(update={"public_url": base}), outbound=outbound)

        with serving(make_console) as (console, _), httpx.Client(base_url=console, follow_redirects=True) as owner:
            college = owner.post("/api/v1/issuers", json=issuer_payload(name="College A"), headers=ADMIN).json()
            invited = owner.post(
                f"/api/v1/issuers/{college['id']}/owner", json={"email": f"owner@{DOMAIN}"}, headers=ADMIN
            ).json()
            assert accept_invitation(owner, invited["invitationUrl"], name="Olga Owner").status_code == 303
            provider.clients["vetcred"] = Client("vetcred", "provider-secret", f"{console}/console/sso/callback")
            world = World(provider, console, owner, csrf_of(owner.get("/console").text), college["id"], [])
            yield world
            for browser in world.browsers:
                browser.close()


def _configure(world: World, **over: str) -> httpx.Response:
    form = {
        "csrf_token": world.owner_csrf,
        "provider_url": world.provider.issuer,
        "client_id": "vetcred",
        "client_secret": "provider-secret",
        "email_domain": DOMAIN,
        "enabled": "true",
    } | over
    return world.owner.post("/console/staff/sso", data=form)


def _invite(world: World, email: str, role: str = "issuer") -> None:
    page = world.owner.post(
        "/console/staff/invitations", data={"csrf_token": world.owner_csrf, "email": email, "role": role}
    )
    url = page.text.split('id="new-link" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert accept_invitation(world.browser(), url, name="Ines Issuer").status_code == 303


def _sso(world: World, email: str, login: str | None = None) -> tuple[httpx.Client, httpx.Response]:
    """A new browser signs in with single sign-on as ``login`` at the provider; returns it and the last page."""
    browser = world.browser()
    found = browser.get("/console/sso", params={"email": email})
    assert found.status_code == 200, found.text
    start = found.text.split('class="button" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    login_page = browser.get(start)  # 303 to the provider's authorization endpoint
    assert login_page.url.host == "127.0.0.1" and login_page.url.path == "/authorize", login_page.url
    assert "code_challenge_method=S256" in str(login_page.url) and "nonce=" in str(login_page.url)
    provider_origin = f"{login_page.url.scheme}://{login_page.url.host}:{login_page.url.port}"
    answer = browser.post(provider_origin + login_form_action(login_page.text), data={"login": login or email})
    return browser, answer


def test_sso_signs_in_an_existing_staff_member_through_the_real_provider(world: World, engine: Engine) -> None:
    assert _configure(world).status_code == 200
    _invite(world, f"ines@{DOMAIN}")
    world.provider.user(f"ines@{DOMAIN}", name="Ines at the provider")
    _browser, page = _sso(world, f"ines@{DOMAIN}")
    assert page.status_code == 200 and str(page.url) == f"{world.console}/console", page.text
    assert "Ines Issuer" in page.text and "College A" in page.text
    assert [r.url.path for r in page.history] == ["/authorize", "/console/sso/callback"]
    # The provider checked PKCE and authenticated the client; the secret is stored encrypted.
    [token_request] = world.provider.token_requests
    assert token_request["code_verifier"] and token_request["grant_type"] == "authorization_code"
    with Session(engine) as session:
        row = session.get(OidcSettings, world.issuer_id)
        assert row is not None and b"provider-secret" not in row.client_secret_encrypted
        events = session.execute(select(AuditEvent.action, AuditEvent.detail, AuditEvent.actor)).all()
    assert any(action == "staff.sso_settings" and "provider-secret" not in str(detail) for action, detail, _ in events)
    assert any(
        action == "staff.sign_in" and detail == {"method": "sso"} and actor.endswith(f":ines@{DOMAIN}")
        for action, detail, actor in events
    )


def test_sso_never_makes_an_account(world: World, engine: Engine) -> None:
    _configure(world)
    world.provider.user(f"stranger@{DOMAIN}")
    with Session(engine) as session:
        before = session.scalar(select(func.count()).select_from(StaffMember))
    browser, page = _sso(world, f"stranger@{DOMAIN}")
    assert page.status_code == 401 and "has no active staff account" in page.text
    assert browser.get("/console", follow_redirects=False).status_code == 303
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(StaffMember)) == before


def test_sso_needs_a_verified_address_in_the_colleges_domain(world: World) -> None:
    _configure(world)
    _invite(world, f"ines@{DOMAIN}")
    world.provider.user(f"ines@{DOMAIN}", verified=False)
    _browser, page = _sso(world, f"ines@{DOMAIN}")
    assert page.status_code == 401 and "verified e-mail address" in page.text
    world.provider.user("ines@elsewhere.example")
    _browser, page = _sso(world, f"ines@{DOMAIN}", login="ines@elsewhere.example")
    assert page.status_code == 401 and f"addresses at {DOMAIN} only" in page.text


def test_the_provider_refusing_is_a_clear_page(world: World) -> None:
    _configure(world)
    _browser, page = _sso(world, f"nobody@{DOMAIN}", login="not a user there")
    assert page.status_code == 401 and "access_denied" in page.text


def test_a_callback_in_another_browser_opens_nothing(world: World) -> None:
    _configure(world)
    _invite(world, f"ines@{DOMAIN}")
    world.provider.user(f"ines@{DOMAIN}")
    victim = world.browser()
    victim.follow_redirects = False
    start = victim.get("/console/sso", params={"email": f"ines@{DOMAIN}"}).text
    link = start.split('class="button" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    to_provider = victim.get(link)
    login_url = httpx.URL(to_provider.headers["location"])
    login = victim.get(login_url)
    back = victim.post(
        f"{login_url.scheme}://{login_url.host}:{login_url.port}" + login_form_action(login.text),
        data={"login": f"ines@{DOMAIN}"},
    )
    callback = back.headers["location"]
    with httpx.Client() as attacker:  # the link arrives in a browser without the state cookie
        refused = attacker.get(callback)
    assert refused.status_code == 401 and "not started in this browser" in refused.text


def test_settings_are_checked_and_owner_only(world: World) -> None:
    bad = _configure(world, provider_url="http://127.0.0.1:9/nothing", email_domain="not a domain")
    assert bad.status_code == 422
    assert 'id="field-email_domain-error"' in bad.text and 'id="field-provider_url-error"' not in bad.text
    unreachable = _configure(world, provider_url="http://127.0.0.1:9")
    assert unreachable.status_code == 422 and "discovery document cannot be read" in unreachable.text
    no_secret = _configure(world, client_secret="")
    assert no_secret.status_code == 422 and 'id="field-client_secret-error"' in no_secret.text
    assert _configure(world).status_code == 200
    # Saved once, an empty secret keeps the stored one.
    assert _configure(world, client_secret="").status_code == 200
    _invite(world, f"vera@{DOMAIN}", role="viewer")
    world.provider.user(f"vera@{DOMAIN}")
    browser, page = _sso(world, f"vera@{DOMAIN}")
    assert page.status_code == 200
    assert browser.get("/console/staff/sso").status_code == 403
