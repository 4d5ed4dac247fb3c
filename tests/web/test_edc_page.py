"""The verification page of a sealed EDC: the seal is checked on each view and a test seal is named as such."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import assessment_row, make_issuer, make_microcredential


def test_the_edc_page_verifies_the_seal_and_warns_about_a_test_seal(client: TestClient) -> None:
    _, headers = make_issuer(client)
    spec = make_microcredential(client, headers)
    issued = client.post(
        f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers
    ).json()
    edc = issued["credentials"][1]
    path = edc["verifyUrl"].removeprefix("https://vetcred.test")
    html = client.get(path).text
    for text in (
        "Verified",
        "Heat Pump Installation",
        "Zoë Learner 1",
        "Noorderpoort College",
        "Sizes a heat pump for a dwelling",
        "3 ECTS credits",
        "Electronic seal (JAdES)",
        "self-issued test certificate",
        "Confirmed by",
        "Europass Digital Credential format",
    ):
        assert text in html, text
    # One message: the test seal is named inside the green banner, and no check below is marked failed.
    banner = html.split('<section class="verdict verdict-verified"', 1)[1].split("</section>", 1)[0]
    assert "self-issued test certificate" in banner and "Europass viewer will not accept it" in banner
    assert "outcome-failed" not in html
    sealed = client.get(path + ".json").json()
    assert set(sealed) == {"payload", "signatures"}
    pdf = client.get(path + "/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    client.post(f"/api/v1/credentials/{edc['id']}/revoke", json={"reason": "annulled"}, headers=headers)
    assert "Revoked" in client.get(path).text
