"""Issue 12's acceptance walkthrough in a real Chromium, end to end as a college's staff live it.

The college's first owner is invited through the admin API and accepts from the e-mail (a real SMTP server on
localhost); the owner invites a coordinator from the Staff page, who accepts from their own e-mail in a browser of
their own, signs out and signs in with e-mail and password; defines a micro-credential in English and Dutch with the
form; downloads its cohort template, uploads 200 learners of whom 3 are wrong, sees exactly those 3 in the preview,
issues, follows the job to "Completed" and downloads the result; then finds one credential through the search,
revokes it through the confirmation step, and its public verification page says Revoked.

Each step leaves a full-page screenshot (desktop; a few steps also on a phone) in VETCRED_SCREENSHOTS when set, else in
the test's temporary directory, for a person to look at.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.console.conftest import PASSWORD
from tests.console.test_console_cohorts import BAD, TEMPLATE_HEADER, as_csv, cohort_rows
from tests.console.test_microcredentials import FORM
from tests.factories import ADMIN, issuer_payload
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving
from tests.wallet.mailbox import Mailbox, body_text, running_mailbox
from tests.web.test_accessibility import VIEWPORTS, _require

COORDINATOR = "coordinator@college.example"
LEARNER = "learner42@learner.example"
REASON = "Assessment found to be invalid on review"
MAIL_TIMEOUT = 30.0  # the invitation goes out as a job, which a busy machine may start late


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as mailbox:
        yield mailbox


@pytest.fixture
def live_server(settings: Settings, empty_database: None, mailbox: Mailbox) -> Iterator[str]:
    """The app served with mail to the local SMTP server, the production SHACL sample and small job chunks."""
    update = {
        "edc_shacl_sample_rate": 0.01,
        "job_chunk_rows": 10,
        "smtp_host": "127.0.0.1",
        "smtp_port": mailbox.port,
        "smtp_starttls": False,
        "smtp_from": "vetcred <no-reply@vetcred.test>",
    }
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base} | update))) as (base, _):
        yield base


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VETCRED_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Camera:
    """Full-page screenshots of each step, numbered in the order taken; ``phone`` adds one at a phone's width."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page: Any, name: str, *, phone: bool = False) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)
        if phone:
            page.set_viewport_size(VIEWPORTS["phone"])
            page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}-phone.png"), full_page=True)
            page.set_viewport_size(VIEWPORTS["desktop"])


def _invitation_link(mailbox: Mailbox, number: int, to: str, base: str) -> str:
    messages = mailbox.wait_for(number, timeout=MAIL_TIMEOUT)
    assert len(messages) == number, f"mail number {number} (to {to}) never came"
    message = messages[number - 1]
    assert message["To"] == to
    link = re.search(rf"{re.escape(base)}/console/invitations/[A-Za-z0-9_-]+", body_text(message))
    assert link, body_text(message)
    return link.group(0)


def _accept(page: Any, link: str, name: str) -> None:
    page.goto(link)
    page.fill("#field-name", name)
    page.fill("#field-password", PASSWORD)
    page.fill("#field-password_confirmation", PASSWORD)
    page.click("main button[type=submit]")


def _fill_the_form(page: Any) -> None:
    """What the coordinator types and picks, field by field (the inputs are named by the API's field paths)."""
    for name, value in FORM.items():
        if name == "languages":
            continue
        field = page.locator(f'[name="{name}"]')
        kind = field.evaluate("element => element.type")
        if kind == "checkbox":
            field.set_checked(value == "on")
        elif kind.startswith("select"):
            field.select_option(value)
        else:
            field.fill(value)


def _cells(page: Any, selector: str) -> list[list[str]]:
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in page.locator(selector).all()]


def _figure(page: Any, label: str) -> int:
    return int(page.locator(f"dl.figures div:has(dt:text-is('{label}')) dd").inner_text())


def test_a_coordinator_goes_from_invitation_to_a_revoked_credential(
    live_server: str, mailbox: Mailbox, screenshots: Path
) -> None:
    _require()
    from playwright.sync_api import sync_playwright

    base = live_server
    with httpx.Client(base_url=base, timeout=60) as http:
        college = http.post("/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
        owner = http.post(
            f"/api/v1/issuers/{college['id']}/owner", json={"email": "head@college.example"}, headers=ADMIN
        )
    assert owner.status_code == 201 and owner.json()["emailed"] is True, owner.text
    shoot = Camera(screenshots)
    problems: list[Any] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def new_page() -> Any:
            context = browser.new_context(viewport=VIEWPORTS["desktop"], accept_downloads=True)  # type: ignore[arg-type]
            page = context.new_page()
            page.on("console", lambda message: problems.append(message) if message.type == "error" else None)
            return page

        # The first owner, from the e-mail the admin API sent.
        head = new_page()
        _accept(head, _invitation_link(mailbox, 1, "head@college.example", base), "Hanna Head")
        shoot(head, "owner-signed-in")
        head.goto(f"{base}/console/staff")
        head.fill("#field-email", COORDINATOR)
        head.select_option("#field-role", "issuer")
        head.click("form[action='/console/staff/invitations'] button[type=submit]")
        head.wait_for_selector("text=The invitation is on its way by e-mail.")
        invited = head.locator("table[aria-labelledby=invitations-title] tbody tr td:first-child")
        assert invited.all_inner_texts() == [COORDINATOR]
        shoot(head, "staff-coordinator-invited", phone=True)

        # The coordinator, in a browser of their own, from their e-mail; then out and in again with a password.
        page = new_page()
        page.goto(_invitation_link(mailbox, 2, COORDINATOR, base))
        assert "as issuer. You will sign in with" in page.locator("main").inner_text()
        shoot(page, "coordinator-invitation")
        _accept(page, page.url, "Cora Coordinator")
        page.wait_for_selector("text=Cora Coordinator")
        page.click("button:text-is('Sign out')")
        page.wait_for_url(f"{base}/console/sign-in")
        assert page.locator("text=Cora Coordinator").count() == 0
        page.fill("#field-email", COORDINATOR)
        page.fill("#field-password", PASSWORD)
        shoot(page, "sign-in")
        page.click("form[action='/console/sign-in'] button[type=submit]")
        page.wait_for_url(f"{base}/console")
        assert "Cora Coordinator" in page.locator(".console-account").inner_text()
        assert "(issuer)" in page.locator(".console-account").inner_text()
        shoot(page, "dashboard")

        # A micro-credential in English and Dutch, each version added with the form's own buttons.
        page.goto(f"{base}/console/microcredentials/new")
        page.select_option("#field-add_language", "nl")
        page.click("#add-language")
        page.wait_for_selector("#field-title-nl")
        page.click("#add-outcome")
        page.wait_for_selector("#field-learningOutcomes-1-title-nl")
        _fill_the_form(page)
        page.click(".actions button[value=preview]")
        page.wait_for_selector("#preview-title")
        shoot(page, "microcredential-preview")
        page.click(".preview button[value=create]")
        page.wait_for_selector("text=Created and published in the public catalogue.")
        spec_id = page.url.split("/")[-1].removesuffix("?created=true")
        assert "Installatie van warmtepompen" in page.locator("main").inner_text()
        shoot(page, "microcredential-created", phone=True)

        # The cohort template, filled with 200 learners of whom 3 are wrong, previewed.
        page.goto(f"{base}/console/cohorts")
        with page.expect_download() as template:
            page.click(f"a[href='/console/cohorts/templates/{spec_id}.csv']")
        header = next(csv.reader(io.StringIO(Path(template.value.path()).read_text("utf-8-sig"))))
        assert header == TEMPLATE_HEADER
        page.select_option("#field-spec_id", spec_id)
        cohort = as_csv(header, cohort_rows(200, BAD, not_awarded={}))
        page.set_input_files("#field-file", {"name": "cohort.csv", "mimeType": "text/csv", "buffer": cohort})
        shoot(page, "cohorts-upload")
        page.click("form[action='/console/cohorts/upload'] button[type=submit]")
        page.wait_for_selector("text=Check the cohort before issuing")
        errors = _cells(page, "tr.preview-error")
        assert [(int(row), column) for row, column, _ in errors] == [(n, bad[1]) for n, bad in BAD.items()]
        for (_, _, message), bad in zip(errors, BAD.values(), strict=True):
            assert bad[2] in message, message
        assert (_figure(page, "Will be issued"), _figure(page, "Rows with errors")) == (197, 3)
        assert page.locator("tr.preview-not-awarded, tr.preview-recorded-before").count() == 0
        shoot(page, "cohort-preview", phone=True)

        # Issued, followed live to the end, its result downloaded.
        page.click("form[action$='/issue'] button[type=submit]")
        page.wait_for_selector("progress#job-progress-bar")
        shoot(page, "cohort-issuing")
        page.wait_for_selector("[data-field=state]:text-is('Completed')", timeout=120_000)
        assert page.locator("progress#job-progress-bar").get_attribute("value") == "200"
        assert (_figure(page, "Issued"), _figure(page, "Errors")) == (197, 3)
        shoot(page, "cohort-completed", phone=True)
        with page.expect_download() as result:
            page.click("a[href$='/result.csv']")
        rows = list(csv.DictReader(io.StringIO(Path(result.value.path()).read_text("utf-8-sig"))))
        issued = [row for row in rows if row["outcome"] == "issued"]
        assert len(rows) == 200 and len(issued) == 197
        assert sorted(int(row["row"]) for row in rows if row["outcome"] == "error") == list(BAD)
        assert all(row["verifyUrl"].startswith(f"{base}/v/") for row in issued)
        [learner] = [row for row in issued if row["email"] == LEARNER]

        # One credential found, revoked with a reason after the confirmation, and its public page says so.
        page.goto(f"{base}/console/credentials")
        page.fill("#field-learner", LEARNER)
        page.click("form[role=search] button[type=submit]")
        page.wait_for_selector("#results-heading:not(:text-is('0 credentials'))")
        # The learner's two credentials, one per format, and no other learner's.
        assert page.locator("table tbody tr td:nth-child(2)").all_inner_texts() == ["Zoë Learner 42"] * 2
        formats = page.locator("table tbody tr td[data-label=Format]").all_inner_texts()
        assert sorted(formats) == ["Europass EDC", "Open Badges 3.0"]
        shoot(page, "credentials-search")
        page.locator("table tbody tr", has_text="Open Badges 3.0").locator("a").click()
        verify_url = page.locator("a:text-is('Verification page')").get_attribute("href")
        assert verify_url == learner["verifyUrl"]
        page.click("a[href$='/revoke']")
        page.wait_for_selector("text=Revoke this credential?")
        page.fill("#field-reason", REASON)
        shoot(page, "revoke-confirmation", phone=True)
        page.click("button:text-is('Revoke for good')")
        page.wait_for_selector("text=The credential is revoked. Its verification page now says so.")
        assert REASON in page.locator("section[aria-labelledby=history-heading]").inner_text()
        shoot(page, "credential-revoked", phone=True)
        page.click("a:text-is('Verification page')")
        page.wait_for_url(verify_url)
        assert "Revoked" in page.locator("h1").inner_text()
        assert "The issuer has revoked it." in page.locator("main").inner_text()
        shoot(page, "verification-revoked", phone=True)
        browser.close()
    # The browser's console stays clean (the app has no favicon: Chromium's own request for one is not the app's).
    logged = [f"{m.text} ({m.location['url']})" for m in problems if not m.location["url"].endswith("/favicon.ico")]
    assert not logged, logged
