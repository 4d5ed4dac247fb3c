"""The cohort pages in a real Chromium: an upload previewed and issued, the job page following the job live through
its one script (under the page's Content-Security-Policy), and axe-core finding no serious or critical WCAG 2.1 AA
violation on any cohort or assessment page, on a desktop and a phone."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.console.conftest import PASSWORD
from tests.console.test_console_cohorts import TEMPLATE_HEADER, as_csv, cohort_rows
from tests.factories import ADMIN, issuer_payload, microcredential_payload
from tests.servers import CHROMIUM, CHROMIUM_ARGS, serving
from tests.web.test_accessibility import AXE, VIEWPORTS, _require, _violations

# Set on each page load; a count changed by the script (not by a reload) is noted in the tab's sessionStorage.
WATCH_LIVE_UPDATES = """
addEventListener('DOMContentLoaded', () => {
  const done = document.querySelector('[data-field="rowsDone"]');
  if (done) new MutationObserver(() => sessionStorage.setItem('live', done.textContent))
    .observe(done, {childList: true, characterData: true, subtree: true});
});"""


@pytest.fixture
def live_server(settings: Settings, empty_database: None) -> Iterator[str]:
    update = {"edc_shacl_sample_rate": 0.01, "job_chunk_rows": 10}
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base} | update))) as (base, _):
        yield base


def _college(base: str) -> tuple[str, str]:
    """A college with a micro-credential and its first owner's invitation: (the specification's id, the link)."""
    with httpx.Client(base_url=base, timeout=60) as http:
        college = http.post("/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
        headers = {"Authorization": f"Bearer {college['apiKey']}"}
        spec = http.post("/api/v1/microcredentials", json=microcredential_payload(), headers=headers).json()
        owner = http.post(
            f"/api/v1/issuers/{college['id']}/owner", json={"email": "head@college.example"}, headers=ADMIN
        )
        return spec["id"], owner.json()["invitationUrl"]


def _accessible(page: Any, name: str, found: list[str]) -> None:
    for viewport_name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        found += [f"{name} ({viewport_name}): {v['id']}: {v['help']} {v['nodes']}" for v in _violations(page)]
    page.set_viewport_size(VIEWPORTS["desktop"])


def test_a_cohort_is_uploaded_issued_and_followed_live_on_accessible_pages(live_server: str) -> None:
    _require()
    from playwright.sync_api import sync_playwright

    spec_id, invitation = _college(live_server)
    found: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # The pages' own Content-Security-Policy stays on (the job page's script must work under it); axe comes in
        # as an init script, which the policy does not govern.
        context = browser.new_context(viewport=VIEWPORTS["desktop"])  # type: ignore[arg-type]
        context.add_init_script(path=AXE)
        page = context.new_page()
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.goto(invitation)
        page.fill("#field-name", "Hanna Head")
        page.fill("#field-password", PASSWORD)
        page.fill("#field-password_confirmation", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server}/console/cohorts")
        _accessible(page, "cohorts", found)

        page.select_option("#field-spec_id", spec_id)
        csv_file = as_csv(TEMPLATE_HEADER, cohort_rows(150, {5: ({"email": "nope"}, "email", "")}))
        page.set_input_files("#field-file", {"name": "cohort.csv", "mimeType": "text/csv", "buffer": csv_file})
        page.click("form[action='/console/cohorts/upload'] button[type=submit]")
        page.wait_for_selector("text=Check the cohort before issuing")
        _accessible(page, "preview", found)

        context.add_init_script(WATCH_LIVE_UPDATES)
        page.click("form[action$='/issue'] button[type=submit]")
        page.wait_for_selector("progress#job-progress-bar")
        page.wait_for_selector("text=Completed", timeout=120_000)  # the script reloads the page when the job ends
        assert page.evaluate("sessionStorage.getItem('live')") is not None, "the counts never changed in place"
        assert page.locator("progress#job-progress-bar").get_attribute("value") == "150"
        _accessible(page, "job", found)

        page.goto(f"{live_server}/console/assessments/new?spec={spec_id}")
        page.click("form[action='/console/assessments/new'] button[type=submit]")  # empty: errors in place
        _accessible(page, "assessment form with errors", found)
        page.fill("#field-givenName", "Sanne")
        page.fill("#field-familyName", "de Vries")
        page.fill("#field-email", "sanne@learner.example")
        page.fill("#field-reference", "ONE-1")
        page.fill("#field-assessedOn", "2026-11-02")
        page.check("#outcome-1")
        page.check("#outcome-2")
        page.click("form[action='/console/assessments/new'] button[type=submit]")
        page.wait_for_selector("text=Result recorded")
        _accessible(page, "assessment result", found)
        browser.close()
    assert not found, "\n".join(found)
    assert not [p for p in problems if "Content Security Policy" in p or "EventSource" in p], problems


def test_the_job_page_without_javascript_refreshes_itself(live_server: str) -> None:
    """Without scripts the <noscript> refresh takes over: the page reaches the job's end by itself."""
    _require()
    from playwright.sync_api import sync_playwright

    spec_id, invitation = _college(live_server)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(invitation)
        page.fill("#field-name", "Hanna Head")
        page.fill("#field-password", PASSWORD)
        page.fill("#field-password_confirmation", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server}/console/cohorts")
        page.select_option("#field-spec_id", spec_id)
        buffer = io.BytesIO(as_csv(TEMPLATE_HEADER, cohort_rows(60))).getvalue()
        page.set_input_files("#field-file", {"name": "cohort.csv", "mimeType": "text/csv", "buffer": buffer})
        page.click("form[action='/console/cohorts/upload'] button[type=submit]")
        page.click("form[action$='/issue'] button[type=submit]")
        page.wait_for_selector("text=Completed", timeout=120_000)
        assert page.locator("progress#job-progress-bar").get_attribute("value") == "60"
        browser.close()
