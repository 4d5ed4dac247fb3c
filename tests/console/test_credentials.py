"""The console's credentials: search, a credential's page (links, QR code, claim link, history), revoke / suspend /
unsuspend with a confirmation, bulk revocation, roles and colleges. Data is set up through the API, as a college's
systems would; what the console changed is checked where the public sees it (the verification page)."""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import httpx
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from app.db.models import AuditEvent, Credential
from tests.console.conftest import ConsoleClient
from tests.factories import ADMIN, issue, issuer_payload, make_achievement

ROW = re.compile(r'<td><a href="/console/credentials/([0-9a-f-]{36})">([^<]+)</a></td>')


def _learners(page: str) -> set[str]:
    """The learners listed in a search results page."""
    return {html.unescape(name) for _id, name in ROW.findall(page)}


def _path(url: str) -> str:
    return httpx.URL(url).path


def _issue(client: TestClient, console: ConsoleClient, achievement: dict[str, Any], name: str, **over: Any) -> dict:
    email = name.lower().replace(" ", ".") + "@learner.example"
    return issue(client, console.api_headers, achievement["id"], recipient={"name": name, "email": email}, **over)


def _status_events(engine: Engine, credential_id: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.credential_id == credential_id).order_by(AuditEvent.id))
        )


def _actor(console: ConsoleClient) -> str:
    return f"staff:{console.member_id}:{console.email}"


def test_search_by_learner_specification_status_and_issue_dates(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    viewer = console_as("viewer")
    welding = make_achievement(client, viewer.api_headers, name="Welding Safety Basics")
    forklift = make_achievement(client, viewer.api_headers, name="Forklift Operation")
    sanne = _issue(client, viewer, welding, "Sanne de Vries")
    piet = _issue(client, viewer, welding, "Piet Jansen")
    anna = _issue(client, viewer, forklift, "Anna Bakker")
    now = datetime.now(UTC)
    old = _issue(
        client,
        viewer,
        forklift,
        "Otto Oud",
        validFrom=(now - timedelta(days=400)).isoformat(),
        validUntil=(now - timedelta(days=35)).isoformat(),
    )
    revoked = client.post(
        f"/api/v1/credentials/{piet['id']}/revoke", json={"reason": "assessment annulled"}, headers=viewer.api_headers
    )
    assert revoked.status_code == 200
    with Session(engine) as session, session.begin():  # issued last winter: the date filters must tell them apart
        session.execute(
            update(Credential).where(Credential.id == old["id"]).values(created_at=datetime(2026, 1, 15, 9, tzinfo=UTC))
        )

    everything = viewer.get("/console/credentials")
    assert everything.status_code == 200
    assert _learners(everything.text) == {"Sanne de Vries", "Piet Jansen", "Anna Bakker", "Otto Oud"}
    assert "4 credentials" in everything.text

    def found(**query: str) -> set[str]:
        page = viewer.get("/console/credentials", params=query)
        assert page.status_code == 200, page.text
        return _learners(page.text)

    assert found(learner="sanne") == {"Sanne de Vries"}
    assert found(learner="PIET.JANSEN@learner") == {"Piet Jansen"}  # part of the e-mail address, any case
    assert found(learner="%") == set()  # a LIKE wildcard is a plain character
    assert found(spec=forklift["id"]) == {"Anna Bakker", "Otto Oud"}
    assert found(spec=welding["id"], status="active") == {"Sanne de Vries"}
    assert found(status="revoked") == {"Piet Jansen"}
    assert found(status="expired") == {"Otto Oud"}
    assert found(status="suspended") == set()
    assert found(issued_to="2026-01-31") == {"Otto Oud"}
    assert found(issued_from="2026-01-15", issued_to="2026-01-15") == {"Otto Oud"}
    assert found(issued_from=now.date().isoformat()) == {"Sanne de Vries", "Piet Jansen", "Anna Bakker"}
    # The search form offers the college's achievements and keeps what was chosen.
    page = viewer.get("/console/credentials", params={"spec": forklift["id"]})
    assert f'<option value="{forklift["id"]}" selected>Forklift Operation' in page.text
    # The shown status of an expired credential is Expired.
    assert sanne["id"] in everything.text and anna["id"] in everything.text

    bad = viewer.get("/console/credentials", params={"issued_from": "2026-02-30", "status": "lost"})
    assert bad.status_code == 422
    assert 'id="field-issued_from-error"' in bad.text and 'id="field-status-error"' in bad.text
    backwards = viewer.get("/console/credentials", params={"issued_from": "2026-03-01", "issued_to": "2026-02-01"})
    assert backwards.status_code == 422 and 'id="field-issued_to-error"' in backwards.text
    assert "the end of the range is before its start" in backwards.text


def test_results_are_paged(client: TestClient, console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    achievement = make_achievement(client, owner.api_headers)
    for n in range(27):
        _issue(client, owner, achievement, f"Learner {n:02d}")
    first = owner.get("/console/credentials", params={"learner": "learner"})
    second = owner.get("/console/credentials", params={"learner": "learner", "page": "2"})
    assert len(_learners(first.text)) == 25 and len(_learners(second.text)) == 2
    assert _learners(first.text).isdisjoint(_learners(second.text))
    assert "Page 1 of 2" in first.text and 'href="?learner=learner&amp;page=2"' in first.text


def test_a_credential_page_shows_its_links_qr_code_and_claim_link(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine, zbar: ModuleType
) -> None:
    viewer = console_as("viewer")
    achievement = make_achievement(client, viewer.api_headers)
    issued = _issue(client, viewer, achievement, "Sanne de Vries")
    page = viewer.get(f"/console/credentials/{issued['id']}")
    assert page.status_code == 200
    verify_url = issued["verifyUrl"]
    for link in (verify_url, f"{verify_url}.json", f"{verify_url}/certificate.pdf", f"{verify_url}/qr.svg"):
        assert f'href="{link}"' in page.text
    qr = re.search(r'src="data:image/png;base64,([^"]+)"', page.text)
    assert qr is not None
    decoded = zbar.decode(Image.open(io.BytesIO(base64.b64decode(qr.group(1)))))
    assert [symbol.data.decode() for symbol in decoded] == [verify_url]
    # The links lead to the existing public routes.
    assert client.get(_path(f"{verify_url}/certificate.pdf")).headers["content-type"] == "application/pdf"
    assert client.get(_path(f"{verify_url}.json")).json()["id"] == f"urn:uuid:{issued['id']}"
    # Claim link: not e-mailed (no SMTP in tests), not opened, not in a wallet.
    assert "Not e-mailed" in page.text and page.text.count("Not yet") == 2
    # A viewer reads, but is offered no change.
    assert f"/console/credentials/{issued['id']}/revoke" not in page.text and "claim/resend" not in page.text

    # The learner opens the claim page: the console shows it was opened (the domain records the first view).
    assert client.get(_path(issued["claimUrl"])).status_code == 200
    opened = viewer.get(f"/console/credentials/{issued['id']}")
    assert opened.text.count("Not yet") == 1


def test_revoke_after_a_confirmation_shows_on_the_public_page(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    issuer = console_as("issuer")
    achievement = make_achievement(client, issuer.api_headers)
    issued = _issue(client, issuer, achievement, "Sanne de Vries")
    assert "Verified" in client.get(_path(issued["verifyUrl"])).text

    page = issuer.get(f"/console/credentials/{issued['id']}")
    assert f'href="/console/credentials/{issued["id"]}/revoke"' in page.text
    confirm = issuer.get(f"/console/credentials/{issued['id']}/revoke")
    assert confirm.status_code == 200 and "Revocation is final" in confirm.text
    assert client.get(_path(issued["verifyUrl"])).status_code == 200  # the confirmation page changed nothing
    assert _status_events(engine, issued["id"]) == []

    empty = issuer.post_form(f"/console/credentials/{issued['id']}/revoke", {"reason": "  "})
    assert empty.status_code == 422 and 'id="field-reason-error"' in empty.text
    done = issuer.post_form(f"/console/credentials/{issued['id']}/revoke", {"reason": "Exam fraud established"})
    assert done.status_code == 303 and done.headers["location"] == f"/console/credentials/{issued['id']}?done=revoke"

    public = client.get(_path(issued["verifyUrl"]))
    assert "Revoked" in public.text and "Verified" not in public.text
    events = _status_events(engine, issued["id"])
    assert [(e.action, e.reason, e.actor) for e in events] == [("revoke", "Exam fraud established", _actor(issuer))]
    after = issuer.get(f"/console/credentials/{issued['id']}")
    assert "Exam fraud established" in after.text and issuer.email in after.text
    assert f"/console/credentials/{issued['id']}/revoke" not in after.text  # final: nothing left to change
    # The API sees the same state and history.
    api = client.get(f"/api/v1/credentials/{issued['id']}", headers=issuer.api_headers).json()
    assert api["status"] == "revoked"


def test_suspend_and_unsuspend(client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine) -> None:
    owner = console_as("owner")
    opted_in = client.put(
        f"/api/v1/issuers/{owner.issuer_id}",
        json=issuer_payload(name="College A", email="office@college-a.example", allowSuspension=True),
        headers=ADMIN,
    )
    assert opted_in.status_code == 200
    achievement = make_achievement(client, owner.api_headers)
    issued = _issue(client, owner, achievement, "Sanne de Vries")

    assert "Suspend this credential?" in owner.get(f"/console/credentials/{issued['id']}/suspend").text
    suspended = owner.post_form(f"/console/credentials/{issued['id']}/suspend", {"reason": "Under investigation"})
    assert suspended.status_code == 303
    assert "Suspended" in client.get(_path(issued["verifyUrl"])).text
    assert _learners(owner.get("/console/credentials", params={"status": "suspended"}).text) == {"Sanne de Vries"}
    page = owner.get(f"/console/credentials/{issued['id']}")
    assert f"/console/credentials/{issued['id']}/unsuspend" in page.text

    lifted = owner.post_form(f"/console/credentials/{issued['id']}/unsuspend", {"reason": "Cleared"})
    assert lifted.status_code == 303
    assert "Verified" in client.get(_path(issued["verifyUrl"])).text
    events = [(e.action, e.reason, e.actor) for e in _status_events(engine, issued["id"])]
    assert events == [("suspend", "Under investigation", _actor(owner)), ("unsuspend", "Cleared", _actor(owner))]


def test_suspending_a_credential_without_a_suspension_entry_is_refused_in_place(
    client: TestClient, console_as: Callable[..., ConsoleClient]
) -> None:
    issuer = console_as("issuer")
    issued = _issue(client, issuer, make_achievement(client, issuer.api_headers), "Sanne de Vries")
    refused = issuer.post_form(f"/console/credentials/{issued['id']}/suspend", {"reason": "Under investigation"})
    assert refused.status_code == 409 and "carries no suspension entry" in refused.text
    assert "Verified" in client.get(_path(issued["verifyUrl"])).text


def test_bulk_revoke_of_a_selection(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    issuer = console_as("issuer")
    achievement = make_achievement(client, issuer.api_headers)
    issued = [_issue(client, issuer, achievement, f"Learner {n}") for n in range(5)]
    chosen, kept = issued[:3], issued[3:]
    results = issuer.get("/console/credentials")
    for credential in issued:
        assert f'name="ids" value="{credential["id"]}"' in results.text

    confirm = issuer.get("/console/credentials/revoke-selected", params={"ids": [c["id"] for c in chosen]})
    assert confirm.status_code == 200 and "Revoke 3 credentials?" in confirm.text
    assert _learners_listed(confirm.text) == {"Learner 0", "Learner 1", "Learner 2"}
    assert all(_status_events(engine, c["id"]) == [] for c in issued)

    no_reason = issuer.post_form("/console/credentials/revoke-selected", {"ids": [c["id"] for c in chosen]})
    assert no_reason.status_code == 422 and 'id="field-reason-error"' in no_reason.text
    done = issuer.post_form(
        "/console/credentials/revoke-selected",
        {"ids": [c["id"] for c in chosen], "reason": "Cohort 2026-03 annulled by the exam board"},
    )
    assert done.status_code == 200 and done.text.count("revoked now") == 3

    for credential in chosen:
        assert "Revoked" in client.get(_path(credential["verifyUrl"])).text
        events = [(e.action, e.reason, e.actor) for e in _status_events(engine, credential["id"])]
        assert events == [("revoke", "Cohort 2026-03 annulled by the exam board", _actor(issuer))]
    for credential in kept:
        assert "Verified" in client.get(_path(credential["verifyUrl"])).text
        assert _status_events(engine, credential["id"]) == []
    assert _learners(issuer.get("/console/credentials", params={"status": "revoked"}).text) == {
        "Learner 0",
        "Learner 1",
        "Learner 2",
    }


def _learners_listed(page: str) -> set[str]:
    return {
        html.unescape(name) for name in re.findall(r'<a href="/console/credentials/[0-9a-f-]{36}">([^<]+)</a>', page)
    }


def test_an_empty_selection_asks_for_one(console_as: Callable[..., ConsoleClient]) -> None:
    issuer = console_as("issuer")
    page = issuer.get("/console/credentials/revoke-selected")
    assert page.status_code == 422 and "select at least one credential" in page.text


def test_a_viewer_reads_but_may_not_change(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    viewer = console_as("viewer")
    issued = _issue(client, viewer, make_achievement(client, viewer.api_headers), "Sanne de Vries")
    assert viewer.get(f"/console/credentials/{issued['id']}").status_code == 200
    assert viewer.get(f"/console/credentials/{issued['id']}/revoke").status_code == 403
    refused = viewer.post_form(f"/console/credentials/{issued['id']}/revoke", {"reason": "no"})
    assert refused.status_code == 403 and "this needs the issuer role" in refused.text
    assert (
        viewer.post_form("/console/credentials/revoke-selected", {"ids": [issued["id"]], "reason": "no"}).status_code
        == 403
    )
    assert viewer.post_form(f"/console/credentials/{issued['id']}/claim/resend").status_code == 403
    assert 'name="ids"' not in viewer.get("/console/credentials").text
    assert _status_events(engine, issued["id"]) == []
    assert "Verified" in client.get(_path(issued["verifyUrl"])).text


def test_another_colleges_credential_is_not_found(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    college_a = console_as("owner", "a")
    college_b = console_as("owner", "b")
    issued = _issue(client, college_a, make_achievement(client, college_a.api_headers), "Sanne de Vries")
    assert college_b.get(f"/console/credentials/{issued['id']}").status_code == 404
    assert college_b.get(f"/console/credentials/{issued['id']}/revoke").status_code == 404
    assert college_b.post_form(f"/console/credentials/{issued['id']}/revoke", {"reason": "x"}).status_code == 404
    assert college_b.post_form(f"/console/credentials/{issued['id']}/claim/reissue").status_code == 404
    assert college_b.get("/console/credentials/revoke-selected", params={"ids": issued["id"]}).status_code == 404
    bulk = college_b.post_form("/console/credentials/revoke-selected", {"ids": [issued["id"]], "reason": "x"})
    assert bulk.status_code == 404
    assert _learners(college_b.get("/console/credentials").text) == set()
    assert _status_events(engine, issued["id"]) == []
    assert "Verified" in client.get(_path(issued["verifyUrl"])).text


def test_resend_and_reissue_the_claim_link(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    issuer = console_as("issuer")
    issued = _issue(client, issuer, make_achievement(client, issuer.api_headers), "Sanne de Vries")
    first = _path(issued["claimUrl"])

    resent = issuer.post_form(f"/console/credentials/{issued['id']}/claim/resend")
    assert resent.status_code == 200 and "could not be e-mailed" in resent.text  # no SMTP: the link is shown once
    second = _path(re.search(r'<code class="secret">([^<]+)</code>', resent.text).group(1))
    assert second != first and client.get(second).status_code == 200
    assert client.get(first).status_code == 404  # only hashes are kept: the old token stopped working

    confirm = issuer.get(f"/console/credentials/{issued['id']}/claim/reissue")
    assert confirm.status_code == 200 and "stops working at once" in confirm.text
    bad = issuer.post_form(f"/console/credentials/{issued['id']}/claim/reissue", {"email": "not an address"})
    assert bad.status_code == 422 and 'id="field-email-error"' in bad.text
    reissued = issuer.post_form(f"/console/credentials/{issued['id']}/claim/reissue", {"email": "sanne@new.example"})
    assert reissued.status_code == 200
    third = _path(re.search(r'<code class="secret">([^<]+)</code>', reissued.text).group(1))
    assert client.get(third).status_code == 200 and client.get(second).status_code == 410
    assert "sanne@new.example" in issuer.get(f"/console/credentials/{issued['id']}").text

    with Session(engine) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.subject == f"credential:{issued['id']}").order_by(AuditEvent.id)
        ).all()
    assert [(e.action, e.actor) for e in events] == [
        ("claim.resend", _actor(issuer)),
        ("claim.reissue", _actor(issuer)),
    ]
    assert all(third.rsplit("/", 1)[1] not in str(e.detail) for e in events)  # the audit trail never holds a link
    history = issuer.get(f"/console/credentials/{issued['id']}").text
    assert "Claim e-mail sent again" in history and "Claim link replaced" in history
