"""Claim links: e-mailed through a real SMTP server (aiosmtpd on localhost) or returned; re-sent and re-issued."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, text

from app.config import Settings
from app.main import create_app
from tests.factories import issue, make_achievement, make_issuer
from tests.wallet.mailbox import Mailbox, body_text, running_mailbox
from tests.wallet.wallet import Clock, Wallet, scan_offer_qr

# QR codes are decoded with zbar (libzbar0): each test needs it.
pytestmark = pytest.mark.usefixtures("zbar")

LEARNER = "Sanne.deVries@learner.example"
CLAIM_LINK = re.compile(r"https://vetcred\.test/claim/[A-Za-z0-9_-]{43}")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as mailbox:
        yield mailbox


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _smtp(settings: Settings, mailbox: Mailbox, **over: Any) -> Settings:
    smtp = {
        "smtp_host": "127.0.0.1",
        "smtp_port": mailbox.port,
        "smtp_starttls": False,
        "smtp_from": "Noorderpoort College <credentials@vetcred.test>",
    }
    return settings.model_copy(update=smtp | over)


@pytest.fixture
def mail_client(settings: Settings, mailbox: Mailbox, empty_database: None, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(_smtp(settings, mailbox), clock=clock)) as client:
        yield client


@pytest.fixture
def college(mail_client: TestClient) -> tuple[dict[str, str], str]:
    _, headers = make_issuer(mail_client)
    return headers, make_achievement(mail_client, headers)["id"]


def _link_in(text_body: str) -> str:
    [link] = CLAIM_LINK.findall(text_body)
    return link


def _pin_in(text_body: str) -> str:
    match = re.search(r"Your PIN is: (\d{6})", text_body)
    assert match, text_body
    return match.group(1)


def test_the_learner_gets_the_link_and_apart_the_pin_by_email_and_claims_with_them(
    mail_client: TestClient, college, mailbox: Mailbox
) -> None:
    headers, achievement_id = college
    issued = issue(mail_client, headers, achievement_id)
    assert issued["claimUrl"] is None and issued["claimTxCode"] is None  # e-mailed, so not returned
    assert mail_client.get(f"/api/v1/credentials/{issued['id']}/claim", headers=headers).json()["openedAt"] is None

    link_mail, pin_mail = mailbox.wait_for(2)
    assert link_mail["To"] == LEARNER and pin_mail["To"] == LEARNER
    assert link_mail["From"] == "Noorderpoort College <credentials@vetcred.test>"
    assert link_mail["Subject"] == "Your credential from Noorderpoort College: Welding Safety Basics"
    link = _link_in(body_text(link_mail))
    assert "separate e-mail" in body_text(link_mail)
    pin = _pin_in(body_text(pin_mail))
    assert pin not in body_text(link_mail) and "/claim/" not in body_text(pin_mail)
    assert mailbox.envelopes[0] == ("credentials@vetcred.test", [LEARNER])
    assert link_mail["Date"] and link_mail["Message-ID"].endswith("@vetcred.test>")

    page = mail_client.get(link)
    assert page.status_code == 200 and "Welding Safety Basics" in page.text
    assert "enter the one from the separate message" in page.text
    credential = Wallet(mail_client).claim(scan_offer_qr(page.text), tx_code=pin)
    assert mail_client.post("/api/v1/verify", json=credential).json()["verified"] is True

    claim = mail_client.get(f"/api/v1/credentials/{issued['id']}/claim", headers=headers).json()
    assert claim["state"] == "used" and claim["sentAt"] and claim["claimUrl"] is None
    sent, opened, used = (datetime.fromisoformat(claim[key]) for key in ("sentAt", "openedAt", "usedAt"))
    assert sent <= opened <= used  # the learner opened the page, then a wallet took the credential


def test_only_hashes_of_the_link_and_pin_are_stored(mail_client: TestClient, college, mailbox, engine: Engine) -> None:
    headers, achievement_id = college
    issue(mail_client, headers, achievement_id)
    link_mail, pin_mail = mailbox.wait_for(2)
    token = _link_in(body_text(link_mail)).rsplit("/", 1)[1]
    with engine.connect() as connection:
        [row] = connection.execute(text("SELECT token_hash, tx_code_hash, email FROM claim_links")).all()
    assert token not in row and _pin_in(body_text(pin_mail)) not in row
    assert len(row.token_hash) == 64 and row.email == LEARNER


def test_resend_mails_a_fresh_link_and_the_old_one_stops_working(
    mail_client: TestClient, college, mailbox: Mailbox
) -> None:
    headers, achievement_id = college
    issued = issue(mail_client, headers, achievement_id)
    old_link = _link_in(body_text(mailbox.wait_for(2)[0]))

    response = mail_client.post(f"/api/v1/credentials/{issued['id']}/claim/resend", headers=headers)
    assert response.status_code == 200, response.text
    resent = response.json()
    assert resent["emailed"] is True and resent["claimUrl"] is None and resent["state"] == "open"
    new_link_mail, new_pin_mail = mailbox.wait_for(4)[2:]
    new_link = _link_in(body_text(new_link_mail))
    assert new_link != old_link
    assert mail_client.get(old_link).status_code == 404
    page = mail_client.get(new_link)
    assert page.status_code == 200
    Wallet(mail_client).claim(scan_offer_qr(page.text), tx_code=_pin_in(body_text(new_pin_mail)))

    # Re-sending after the wallet took the credential keeps the link used: downloads, no second wallet offer.
    mail_client.post(f"/api/v1/credentials/{issued['id']}/claim/resend", headers=headers)
    page = mail_client.get(_link_in(body_text(mailbox.wait_for(6)[4])))
    assert page.status_code == 200 and "offer-qr" not in page.text and "Download" in page.text


def test_reissue_replaces_the_link_and_lets_a_new_wallet_take_the_credential(
    mail_client: TestClient, college, mailbox: Mailbox, clock: Clock
) -> None:
    headers, achievement_id = college
    issued = issue(mail_client, headers, achievement_id)
    first_mail, first_pin = mailbox.wait_for(2)
    first_link = _link_in(body_text(first_mail))
    first = Wallet(mail_client)
    first.claim(scan_offer_qr(mail_client.get(first_link).text), tx_code=_pin_in(body_text(first_pin)))
    clock.advance(days=2)  # the learner lost the phone

    response = mail_client.post(
        f"/api/v1/credentials/{issued['id']}/claim/reissue",
        json={"email": "sanne@new-address.example"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "open" and response.json()["usedAt"] is None
    new_mail, new_pin = mailbox.wait_for(4)[2:]
    assert new_mail["To"] == "sanne@new-address.example"

    old = mail_client.get(first_link)
    assert old.status_code == 410 and "This link was replaced" in old.text and "offer-qr" not in old.text
    second = Wallet(mail_client, clock=clock)
    page = mail_client.get(_link_in(body_text(new_mail)))
    second.claim(scan_offer_qr(page.text), tx_code=_pin_in(body_text(new_pin)))
    claim = mail_client.get(f"/api/v1/credentials/{issued['id']}/claim", headers=headers).json()
    assert [b["holderDid"] for b in claim["holderCredentials"]] == [first.holder.did, second.holder.did]


def test_an_expired_link_opens_nothing_and_can_be_reissued(
    mail_client: TestClient, college, mailbox: Mailbox, clock: Clock
) -> None:
    headers, achievement_id = college
    issued = issue(mail_client, headers, achievement_id)
    link = _link_in(body_text(mailbox.wait_for(2)[0]))
    clock.advance(days=30, seconds=1)
    page = mail_client.get(link)
    assert page.status_code == 410 and "This link has expired" in page.text and "Download" not in page.text
    resend = mail_client.post(f"/api/v1/credentials/{issued['id']}/claim/resend", headers=headers)
    assert resend.status_code == 409 and "re-issue" in resend.json()["detail"]
    reissued = mail_client.post(f"/api/v1/credentials/{issued['id']}/claim/reissue", headers=headers)
    assert reissued.status_code == 201 and reissued.json()["state"] == "open"


def test_without_smtp_the_link_is_returned_to_the_caller_never_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    _, headers = make_issuer(client)
    with caplog.at_level("INFO", logger="vetcred.wallet"):
        issued = issue(client, headers, make_achievement(client, headers)["id"])
    assert CLAIM_LINK.fullmatch(issued["claimUrl"])
    token = issued["claimUrl"].rsplit("/", 1)[1]
    assert (
        token not in caplog.text
        and "not e-mailed (no SMTP server is configured): it is in the API response's claimUrl" in caplog.text
    )
    assert issued["claimTxCode"] is None  # PINs are on by default only when they can be e-mailed
    assert client.get(issued["claimUrl"]).status_code == 200
    # Reading the credential later does not repeat the link.
    assert client.get(f"/api/v1/credentials/{issued['id']}", headers=headers).json()["claimUrl"] is None
    resent = client.post(f"/api/v1/credentials/{issued['id']}/claim/resend", headers=headers).json()
    assert resent["emailed"] is False and CLAIM_LINK.fullmatch(resent["claimUrl"])
    assert client.get(issued["claimUrl"]).status_code == 404


def test_when_the_smtp_server_is_down_the_credential_is_issued_and_the_mail_is_retried(
    settings: Settings, empty_database: None
) -> None:
    with running_mailbox() as mailbox:
        down = _smtp(settings, mailbox)
    with TestClient(create_app(down)) as client:
        _, headers = make_issuer(client)
        issued = issue(client, headers, make_achievement(client, headers)["id"])
        assert issued["claimUrl"] is None  # the e-mail is a job: issuing does not wait for the mail server
        assert client.get(f"/api/v1/credentials/{issued['id']}/claim", headers=headers).json()["sentAt"] is None
        with running_mailbox(port=mailbox.port) as back:  # the server comes back before the first retry (3 s)
            link_mail, pin_mail = back.wait_for(2, timeout=20)
        assert CLAIM_LINK.search(body_text(link_mail)) and re.search(r"\b\d{6}\b", body_text(pin_mail))
        assert client.get(_link_in(body_text(link_mail))).status_code == 200
        assert client.get(f"/api/v1/credentials/{issued['id']}/claim", headers=headers).json()["sentAt"] is not None


def test_a_learner_without_email_gets_the_link_through_the_college(
    mail_client: TestClient, college, mailbox: Mailbox
) -> None:
    headers, achievement_id = college
    recipient = {"name": "Sanne de Vries", "did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}
    issued = issue(mail_client, headers, achievement_id, recipient=recipient)
    assert CLAIM_LINK.fullmatch(issued["claimUrl"]) and issued["claimTxCode"]
    assert mailbox.messages == []


def test_another_college_cannot_see_resend_or_reissue_the_link(mail_client: TestClient, college) -> None:
    headers, achievement_id = college
    issued = issue(mail_client, headers, achievement_id)
    _, other = make_issuer(mail_client, name="Other College")
    for method, path in (("get", "claim"), ("post", "claim/resend"), ("post", "claim/reissue")):
        response = mail_client.request(method, f"/api/v1/credentials/{issued['id']}/{path}", headers=other)
        assert response.status_code == 404, path
    assert mail_client.post(f"/api/v1/credentials/{issued['id']}/claim/resend").status_code == 401


def test_the_mailer_logs_in_when_the_server_asks_for_it(settings: Settings, empty_database: None) -> None:
    with running_mailbox(with_login=True) as mailbox:
        login = {"smtp_username": "vetcred", "smtp_password": SecretStr("mail-password")}
        with TestClient(create_app(_smtp(settings, mailbox, **login))) as client:
            _, headers = make_issuer(client)
            issued = issue(client, headers, make_achievement(client, headers)["id"])
        assert issued["claimUrl"] is None
        assert len(mailbox.wait_for(2)) == 2 and mailbox.logins[0] == ("vetcred", "mail-password")


def test_emails_come_from_the_colleges_name_at_this_services_address_and_replies_go_to_the_college(
    mail_client: TestClient, mailbox, settings: Settings
) -> None:
    _, headers = make_issuer(mail_client)
    branding = {"senderName": "Noorderpoort Examenbureau", "replyTo": "examens@noorderpoort.example"}
    assert mail_client.put("/api/v1/issuers/me/branding", json=branding, headers=headers).status_code == 200
    with TestClient(create_app(_smtp(settings, mailbox, claim_tx_code="on"))) as client:
        issue(client, headers, make_achievement(client, headers)["id"])
    link, pin = mailbox.wait_for(2)
    for message in (link, pin):
        # The instance's own address (the college's domain is never spoofed), the college's name and reply address.
        assert message["From"] == "Noorderpoort Examenbureau <credentials@vetcred.test>"
        assert message["Reply-To"] == "Noorderpoort College <examens@noorderpoort.example>"
    assert mailbox.envelopes[0][0] == "credentials@vetcred.test"
