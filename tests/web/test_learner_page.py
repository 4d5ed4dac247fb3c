"""The learner's own page: what one college issued to the same e-mail, reached only with a valid claim token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import (
    assessment_row,
    credential_payload,
    issue,
    make_achievement,
    make_issuer,
    make_microcredential,
)


def test_all_credentials_of_the_same_email_and_no_one_elses(client: TestClient) -> None:
    _, headers = make_issuer(client)
    achievement = make_achievement(client, headers)
    first = client.post("/api/v1/credentials", json=credential_payload(achievement["id"]), headers=headers).json()
    spec = make_microcredential(client, headers)
    row = assessment_row(email="Sanne.deVries@learner.example", givenName="Sanne", familyName="de Vries")
    micro = client.post(f"/api/v1/microcredentials/{spec['id']}/assessments", json=row, headers=headers).json()
    other = credential_payload(achievement["id"], recipient={"name": "Someone Else", "email": "else@learner.example"})
    client.post("/api/v1/credentials", json=other, headers=headers).raise_for_status()

    claim_path = first["claimUrl"].removeprefix("https://vetcred.test")
    assert f'href="{claim_path}/all"' in client.get(claim_path).text
    page = client.get(claim_path + "/all")
    assert page.status_code == 200
    assert page.text.count("Verification page") == 3  # the badge, the micro-credential and its EDC twin
    assert "Welding Safety Basics" in page.text and "Heat Pump Installation" in page.text
    assert "Europass EDC" in page.text
    assert "Someone Else" not in page.text and "else@learner.example" not in page.text
    for credential in (first, *micro["credentials"]):
        assert credential["verifyUrl"] in page.text

    assert client.get("/claim/not-a-token/all").status_code == 404
    client.post(f"/api/v1/credentials/{first['id']}/claim/reissue", json={}, headers=headers).raise_for_status()
    assert client.get(claim_path + "/all").status_code == 410  # a replaced link opens nothing any more


def test_another_college_cannot_open_what_the_first_issued(client: TestClient) -> None:
    """College B issues to college A's learner, receives the claim link (no SMTP here), and opens the learner page."""
    _, college_a = make_issuer(client)
    from_a = issue(client, college_a, make_achievement(client, college_a)["id"])
    _, college_b = make_issuer(client, name="Other College", email="registry@other.example")
    achievement_b = make_achievement(client, college_b, name="Forklift Basics")
    from_b = issue(client, college_b, achievement_b["id"])  # the same learner e-mail as from_a
    assert from_b["claimUrl"]  # returned to college B, because no SMTP server is configured

    page = client.get(from_b["claimUrl"].removeprefix("https://vetcred.test") + "/all").text
    assert "Forklift Basics" in page and from_b["verifyUrl"] in page
    assert "Welding Safety Basics" not in page and from_a["verifyUrl"] not in page
    assert "Noorderpoort College" not in page
