"""Each college is an OpenID4VCI credential issuer of its own: its metadata (name, logo, colours) at the path-inserted
well-known URLs, its own endpoints that take only its offers, and the instance-wide identifier still honoured for
offers handed out before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.api.test_branding import GREEN_RECT, svg
from tests.factories import issue, make_achievement, make_issuer
from tests.wallet.wallet import PRE_AUTHORIZED, Clock, Wallet, offer_uri_of, scan_offer_qr

# QR codes are decoded with zbar (libzbar0): each test needs it.
pytestmark = pytest.mark.usefixtures("zbar")

INSTANCE = "https://vetcred.test"
CONFIGURATION = "OpenBadgeCredential_ldp_vc"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(settings: Settings, empty_database: None, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def _college(client: TestClient, name: str, **branding: Any) -> tuple[str, dict[str, str], str]:
    body, headers = make_issuer(client, name=name)
    if branding:
        assert client.put("/api/v1/issuers/me/branding", json=branding, headers=headers).status_code == 200
    return body["id"], headers, make_achievement(client, headers)["id"]


def _offer_link(client: TestClient, headers: dict[str, str], achievement_id: str) -> str:
    claim_url = issue(client, headers, achievement_id)["claimUrl"]
    return scan_offer_qr(client.get(claim_url).text)


def test_a_college_has_its_own_identifier_metadata_and_display(client: TestClient) -> None:
    college_id, headers, _ = _college(
        client, "Noorderpoort College", displayName="Noorderpoort", primaryColour="#006644"
    )
    logo = client.put(
        "/api/v1/issuers/me/branding/logo", content=svg(GREEN_RECT), headers=headers | {"Content-Type": "image/svg+xml"}
    )
    assert logo.status_code == 200
    identifier = f"{INSTANCE}/issuers/{college_id}"
    logo_uri = f"{INSTANCE}/issuers/{college_id}/logo"

    response = client.get(f"/.well-known/openid-credential-issuer/issuers/{college_id}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    metadata = response.json()
    assert metadata["credential_issuer"] == identifier
    assert metadata["credential_endpoint"] == f"{identifier}/oid4vci/credential"
    assert metadata["nonce_endpoint"] == f"{identifier}/oid4vci/nonce"
    assert metadata["display"] == [
        {"name": "Noorderpoort", "locale": "en", "logo": {"uri": logo_uri, "alt_text": "Noorderpoort"}}
    ]
    configuration = metadata["credential_configurations_supported"][CONFIGURATION]
    [display] = configuration["credential_metadata"]["display"]
    assert display == {
        "name": "Open Badge",
        "locale": "en",
        "description": "A micro-credential from Noorderpoort (Open Badges 3.0)",
        "background_color": "#006644",
        "text_color": "#ffffff",
        "logo": {"uri": logo_uri, "alt_text": "Noorderpoort"},
    }
    assert configuration["display"] == [display]
    assert client.get(logo_uri).headers["content-type"] == "image/png"  # what the wallet fetches is a PNG

    server = client.get(f"/.well-known/oauth-authorization-server/issuers/{college_id}").json()
    assert server["issuer"] == identifier and server["token_endpoint"] == f"{identifier}/oid4vci/token"

    # A college without a logo has a name and no logo entry; an unknown college has no metadata.
    other_id, _, _ = _college(client, "Friesland College")
    other = client.get(f"/.well-known/openid-credential-issuer/issuers/{other_id}").json()
    assert other["display"] == [{"name": "Friesland College", "locale": "en"}]
    for path in ("openid-credential-issuer", "oauth-authorization-server"):
        assert client.get(f"/.well-known/{path}/issuers/no-such-college").status_code == 404
    assert client.post("/issuers/no-such-college/oid4vci/nonce").status_code == 404


def test_a_wallet_takes_the_credential_through_the_colleges_own_endpoints(client: TestClient, clock: Clock) -> None:
    college_id, headers, achievement_id = _college(client, "Noorderpoort College")
    link = _offer_link(client, headers, achievement_id)
    wallet = Wallet(client, clock=clock)
    offer = wallet.offer(link)
    identifier = f"{INSTANCE}/issuers/{college_id}"
    assert offer["credential_issuer"] == identifier
    _, server_metadata = wallet.metadata(identifier)
    assert server_metadata["token_endpoint"] == f"{identifier}/oid4vci/token"
    credential = wallet.claim(link)
    assert credential["credentialSubject"]["id"] == wallet.holder.did
    assert credential["issuer"]["id"] == f"did:web:vetcred.test:issuers:{college_id}"


def test_a_colleges_endpoints_take_only_its_own_offers_and_its_own_audience(client: TestClient, clock: Clock) -> None:
    first_id, first_headers, first_achievement = _college(client, "Noorderpoort College")
    second_id, _, _ = _college(client, "Friesland College")
    first, second = f"{INSTANCE}/issuers/{first_id}", f"{INSTANCE}/issuers/{second_id}"
    wallet = Wallet(client, clock=clock)
    code = wallet.offer(_offer_link(client, first_headers, first_achievement))["grants"][PRE_AUTHORIZED]
    code = code["pre-authorized_code"]

    refused = wallet.token(f"{second}/oid4vci/token", code)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert "not issued by this credential issuer" in refused.json()["error_description"]
    token = wallet.token(f"{first}/oid4vci/token", code).json()["access_token"]

    def ask(issuer: str, audience: str) -> Any:
        proof = wallet.holder.proof(
            aud=audience, nonce=wallet.nonce(f"{issuer}/oid4vci/nonce"), iat=clock().timestamp()
        )
        body = {"credential_configuration_id": CONFIGURATION, "proofs": {"jwt": [proof]}}
        return wallet.credential(f"{issuer}/oid4vci/credential", token, body)

    assert ask(second, second).json()["error"] == "invalid_token"  # another college's endpoint
    assert ask(first, INSTANCE).json()["error"] == "invalid_proof"  # the audience is the college's identifier
    response = ask(first, first)
    assert response.status_code == 200, response.text


def test_an_offer_handed_out_with_the_instance_identifier_still_works(client: TestClient, clock: Clock) -> None:
    _, headers, achievement_id = _college(client, "Noorderpoort College")
    link = _offer_link(client, headers, achievement_id)
    # What claim pages showed before colleges had identifiers: the same offer, naming the instance.
    legacy = Wallet(client).offer(link) | {"credential_issuer": INSTANCE}

    wallet = Wallet(client, clock=clock)
    issuer_metadata, server_metadata = wallet.metadata(INSTANCE)
    assert issuer_metadata["display"] == [{"name": "vetcred", "locale": "en"}]
    assert server_metadata["token_endpoint"] == f"{INSTANCE}/oid4vci/token"
    token = wallet.token(server_metadata["token_endpoint"], legacy["grants"][PRE_AUTHORIZED]["pre-authorized_code"])
    assert token.status_code == 200, token.text
    proof = wallet.holder.proof(
        aud=INSTANCE, nonce=wallet.nonce(issuer_metadata["nonce_endpoint"]), iat=clock().timestamp()
    )
    response = wallet.credential(
        issuer_metadata["credential_endpoint"],
        token.json()["access_token"],
        {"credential_configuration_id": CONFIGURATION, "proofs": {"jwt": [proof]}},
    )
    assert response.status_code == 200, response.text
    assert offer_uri_of(link).startswith(f"{INSTANCE}/oid4vci/offers/")  # offer URIs kept their address too
