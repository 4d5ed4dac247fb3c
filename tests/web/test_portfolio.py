"""Portfolio links: a learner picks their credentials and uploads others', shares one link, and withdraws it."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.logs import redact
from app.main import create_app
from tests.factories import assessment_row, issue, make_achievement, make_issuer, make_microcredential

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PORTFOLIO_LINK = re.compile(r'href="(https://vetcred\.test/p/([\w-]+))"')


def _path(url: str) -> str:
    return url.removeprefix("https://vetcred.test")


def _two_colleges(client: TestClient) -> dict[str, Any]:
    """College A issues two credentials to the learner (and one to someone else); college B issues one to her."""
    _, college_a = make_issuer(client)
    achievement = make_achievement(client, college_a)
    first = issue(client, college_a, achievement["id"])
    second = issue(client, college_a, make_achievement(client, college_a, name="Pipe Fitting")["id"])
    stranger = issue(
        client, college_a, achievement["id"], recipient={"name": "Someone Else", "email": "else@learner.example"}
    )
    _, college_b = make_issuer(client, name="Other College", email="registry@other.example")
    from_b = issue(client, college_b, make_achievement(client, college_b, name="Forklift Basics")["id"])
    return {
        "college_a": college_a,
        "first": first,
        "second": second,
        "stranger": stranger,
        "from_b": from_b,
        "from_b_json": client.get(f"{_path(from_b['verifyUrl'])}.json").text,
    }


def _assess(client: TestClient, headers: dict[str, str], spec_id: str, reference: str) -> Any:
    row = assessment_row(reference=reference)
    response = client.post(f"/api/v1/microcredentials/{spec_id}/assessments", json=row, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _make(client: TestClient, claim_url: str, picked: list[str], uploads: list[str], pasted: str = "") -> Any:
    files = [("files", (f"credential-{n}.json", text.encode(), "application/json")) for n, text in enumerate(uploads)]
    data = {"credential": picked, "pasted": pasted}
    return client.post(f"{_path(claim_url)}/portfolio", data=data, files=files or None)


def test_three_credentials_of_two_colleges_verified_then_one_revoked_then_withdrawn(client: TestClient) -> None:
    made = _two_colleges(client)
    claim = made["first"]["claimUrl"]
    learner_page = client.get(f"{_path(claim)}/all").text
    assert f'value="{made["first"]["id"]}"' in learner_page and f'value="{made["second"]["id"]}"' in learner_page
    assert made["stranger"]["id"] not in learner_page

    created = _make(client, claim, [made["first"]["id"], made["second"]["id"]], [made["from_b_json"]])
    assert created.status_code == 201, created.text
    url, token = PORTFOLIO_LINK.search(created.text).groups()  # type: ignore[union-attr]
    assert "data:image/png;base64," in created.text and f"{url}/qr.svg" in created.text
    assert "Sanne" not in url and "learner.example" not in url  # the link carries no personal data
    qr = client.get(f"/p/{token}/qr.svg")
    assert qr.status_code == 200 and qr.text.lstrip().startswith("<?xml")

    page = client.get(f"/p/{token}")
    assert page.status_code == 200
    assert page.text.count('class="verdict verdict-verified"') == 3
    assert "Credentials shared by Sanne de Vries" in page.text
    assert "Welding Safety Basics" in page.text and "Pipe Fitting" in page.text and "Forklift Basics" in page.text
    assert "Other College" in page.text
    assert "Weld metal" in page.text and "http://data.europa.eu/esco/skill/demo-weld" in page.text  # its skill
    assert made["first"]["verifyUrl"] in page.text and made["stranger"]["verifyUrl"] not in page.text
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert page.headers["Cache-Control"] == "no-store"
    assert EMAIL.findall(page.text) == []
    assert "Someone Else" not in page.text

    revoked = client.post(
        f"/api/v1/credentials/{made['second']['id']}/revoke", json={"reason": "x"}, headers=made["college_a"]
    )
    assert revoked.status_code == 200, revoked.text
    page = client.get(f"/p/{token}").text  # verified again on this view: no stored verdict
    assert page.count('class="verdict verdict-verified"') == 2
    assert page.count('class="verdict verdict-revoked"') == 1
    assert "<li>Verified: 2</li>" in page and "<li>Revoked: 1</li>" in page

    learner_page = client.get(f"{_path(claim)}/all").text
    portfolio_id = re.search(r"/portfolio/([\w-]+)/withdraw", learner_page).group(1)  # type: ignore[union-attr]
    assert "with 3 credentials" in learner_page
    withdrawn = client.post(f"{_path(claim)}/portfolio/{portfolio_id}/withdraw", follow_redirects=False)
    assert withdrawn.status_code == 303
    gone = client.get(f"/p/{token}")
    assert gone.status_code == 410
    assert "This portfolio was withdrawn" in gone.text and "Forklift Basics" not in gone.text
    assert client.get(f"/p/{token}/qr.svg").status_code == 410
    assert "/withdraw" not in client.get(f"{_path(claim)}/all").text
    assert client.get("/p/no-such-portfolio").status_code == 404


def test_another_learners_credential_cannot_be_picked_by_id(client: TestClient) -> None:
    made = _two_colleges(client)
    claim = made["first"]["claimUrl"]
    refused = _make(client, claim, [made["first"]["id"], made["stranger"]["id"]], [])
    assert refused.status_code == 422
    assert f"{made['stranger']['id']!r} is not one of your credentials" in refused.text.replace("&#39;", "'")
    assert "Your portfolio links" not in client.get(f"{_path(claim)}/all").text  # nothing was made

    # Nor one of hers from another college by id: those are added by upload only.
    assert _make(client, claim, [made["from_b"]["id"]], []).status_code == 422
    assert _make(client, claim, [], []).status_code == 422  # nothing picked


def test_a_tampered_or_broken_upload_is_refused_with_a_reason(client: TestClient) -> None:
    made = _two_colleges(client)
    claim = made["first"]["claimUrl"]
    tampered = json.loads(made["from_b_json"])
    tampered["credentialSubject"]["name"] = "Someone Better"
    refused = _make(client, claim, [made["first"]["id"]], [json.dumps(tampered)])
    assert refused.status_code == 422
    assert "No portfolio link was made: it does not verify (proof)" in refused.text
    assert "upload[1]" in refused.text
    assert f'value="{made["first"]["id"]}" id="pick-' in refused.text and " checked>" in refused.text  # picks kept

    pasted = _make(client, claim, [], [], pasted="{not json")
    assert pasted.status_code == 422 and "neither JSON nor a VC-JWT" in pasted.text
    assert "Your portfolio links" not in client.get(f"{_path(claim)}/all").text


def test_a_pasted_credential_alone_makes_a_portfolio_and_only_its_owner_withdraws_it(client: TestClient) -> None:
    made = _two_colleges(client)
    created = _make(client, made["first"]["claimUrl"], [], [], pasted=made["from_b_json"])
    assert created.status_code == 201, created.text
    token = PORTFOLIO_LINK.search(created.text).group(2)  # type: ignore[union-attr]
    page = client.get(f"/p/{token}").text
    assert page.count('class="verdict verdict-verified"') == 1 and "Forklift Basics" in page
    assert "Welding Safety Basics" not in page  # nothing shared that was not picked

    owner = client.get(f"{_path(made['first']['claimUrl'])}/all").text
    portfolio_id = re.search(r"/portfolio/([\w-]+)/withdraw", owner).group(1)  # type: ignore[union-attr]
    stranger_claim = _path(made["stranger"]["claimUrl"])
    assert client.post(f"{stranger_claim}/portfolio/{portfolio_id}/withdraw").status_code == 404
    assert client.get(f"/p/{token}").status_code == 200


def test_a_stacked_credential_is_shown_with_its_parts_under_its_eqf_level(client: TestClient) -> None:
    _, headers = make_issuer(client)
    part_a = make_microcredential(client, headers, title="Heat Pumps I")
    part_b = make_microcredential(client, headers, title="Heat Pumps II")
    larger = make_microcredential(client, headers, title="Renewable Heating Technician")
    pathway = {"parts": [part_a["id"], part_b["id"]]}
    client.put(f"/api/v1/microcredentials/{larger['id']}/pathway", json=pathway, headers=headers).raise_for_status()
    assessed = _assess(client, headers, part_a["id"], "A-1")
    first = assessed["credentials"][0]
    second = _assess(client, headers, part_b["id"], "B-1")
    [stacked] = second["largerCredentials"]
    picked = [stacked["id"], first["id"], second["credentials"][0]["id"]]

    created = _make(client, assessed["claimUrl"], picked, [])
    assert created.status_code == 201, created.text
    page = client.get(f"/p/{PORTFOLIO_LINK.search(created.text).group(2)}").text  # type: ignore[union-attr]
    assert page.count('class="verdict verdict-verified"') == 3
    level = page.index('<h2 id="level-1">EQF level 4</h2>')
    parts = page.index("Made of 2 credentials shared here")
    assert (
        level
        < page.index("Renewable Heating Technician")
        < parts
        < page.index("Heat Pumps I")
        < page.index("Heat Pumps II")
    )
    assert page.count('<article class="portfolio-credential"') == 1  # the parts are inside the larger one
    assert page.count('<div class="portfolio-part">') == 2


def test_access_logs_never_show_a_portfolio_token() -> None:
    line = '127.0.0.1 - "GET /p/Zq9-secret_token/qr.svg HTTP/1.1" 200'
    assert redact(line) == '127.0.0.1 - "GET /p/<redacted>/qr.svg HTTP/1.1" 200'


def test_guessing_portfolio_links_is_rate_limited(settings: Settings, empty_database: None) -> None:
    off = {
        "rate_limit_verify": "",
        "rate_limit_token": "",
        "rate_limit_auth_failures": "",
        "rate_limit_claim": "2/minute",
    }
    with TestClient(create_app(settings.model_copy(update=off))) as client:
        assert [client.get("/p/guess-1").status_code, client.get("/p/guess-2/qr.svg").status_code] == [404, 404]
        assert client.get("/p/guess-3").status_code == 429


def test_an_uploaded_credential_awarded_to_another_name_is_marked(client: TestClient) -> None:
    made = _two_colleges(client)
    someone_elses = client.get(f"{_path(made['stranger']['verifyUrl'])}.json").text
    created = _make(client, made["first"]["claimUrl"], [made["first"]["id"]], [someone_elses])
    assert created.status_code == 201, created.text
    page = client.get(f"/p/{PORTFOLIO_LINK.search(created.text).group(2)}").text  # type: ignore[union-attr]
    assert "Credentials shared by Sanne de Vries" in page
    assert page.count("This credential was awarded to Someone Else, not under the name Sanne de Vries") == 1
