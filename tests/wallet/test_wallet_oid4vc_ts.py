"""OpenWallet Foundation's oid4vc-ts, as a wallet, takes a credential from a college's offer: it resolves that
college's issuer metadata where OpenID4VCI 1.0 puts it, sees the college's name and logo, and receives the credential;
asking with authorization details, it is granted a credential identifier and fetches the credential by it.

Needs Node.js and `npm ci --prefix tests/interop/js`; skips without them, fails without them in CI. It lives here,
not in tests/interop (offline), because the wallet talks HTTP to a server on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from app.proofs.dids import did_key
from app.proofs.public_keys import b64url_decode
from tests.api.test_branding import GREEN_RECT, svg
from tests.factories import ADMIN, achievement_payload, credential_payload, issuer_payload
from tests.interop import node
from tests.servers import serving
from tests.wallet.wallet import scan_offer_qr

pytestmark = [pytest.mark.interop_js, pytest.mark.usefixtures("zbar")]  # QR codes: libzbar0


@pytest.fixture(autouse=True)
def _node() -> None:
    node.require()


@pytest.fixture
def live_server(settings: Settings, empty_database: None) -> Iterator[str]:
    with serving(lambda base: create_app(settings.model_copy(update={"public_url": base}))) as (base, _app):
        yield base


def test_oid4vc_ts_sees_the_colleges_name_and_logo_and_receives_the_credential(live_server: str) -> None:
    base = live_server
    college = httpx.post(f"{base}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
    headers = {"Authorization": f"Bearer {college['apiKey']}"}
    branding = {"displayName": "Noorderpoort", "primaryColour": "#006644"}
    assert httpx.put(f"{base}/api/v1/issuers/me/branding", json=branding, headers=headers).status_code == 200
    logo = httpx.put(
        f"{base}/api/v1/issuers/me/branding/logo",
        content=svg(GREEN_RECT),
        headers=headers | {"Content-Type": "image/svg+xml"},
    )
    assert logo.status_code == 200
    achievement = httpx.post(f"{base}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
    issued = httpx.post(
        f"{base}/api/v1/credentials", json=credential_payload(achievement["id"]), headers=headers
    ).json()
    offer_link = scan_offer_qr(httpx.get(issued["claimUrl"]).text)

    seen = node.run("oid4vci-wallet.js", {"offer": offer_link, "authorizationDetails": False})

    identifier = f"{base}/issuers/{college['id']}"
    logo_uri = f"{identifier}/logo"
    assert seen["credentialIssuer"] == identifier
    assert seen["issuerDisplay"] == [
        {"name": "Noorderpoort", "locale": "en", "logo": {"uri": logo_uri, "alt_text": "Noorderpoort"}}
    ]
    [display] = seen["credentialDisplay"]
    assert display["logo"] == {"uri": logo_uri, "alt_text": "Noorderpoort"} and display["background_color"] == "#006644"
    assert seen["tokenEndpoint"] == f"{identifier}/oid4vci/token"
    # Where the library looked: the well-known suffix between the host and the identifier's path.
    assert f"{base}/.well-known/openid-credential-issuer/issuers/{college['id']}" in seen["fetched"]
    assert f"{base}/.well-known/oauth-authorization-server/issuers/{college['id']}" in seen["fetched"]

    assert seen["authorizationDetails"] is None  # none asked for, none granted
    assert "jwk" in seen["bindingMethods"]  # the wallet's proof carries its bare key

    credential = seen["credential"]
    assert credential["issuer"]["id"] == college["did"]
    assert credential["credentialSubject"]["id"].startswith("did:key:z6Mk")  # bound to the wallet's Ed25519 key
    report = httpx.post(f"{base}/api/v1/verify", json=credential).json()
    assert report["verified"] is True, report
    assert httpx.get(logo_uri).headers["content-type"] == "image/png"


def test_oid4vc_ts_asks_with_authorization_details_and_fetches_by_credential_identifier(live_server: str) -> None:
    base = live_server
    college = httpx.post(f"{base}/api/v1/issuers", json=issuer_payload(), headers=ADMIN).json()
    headers = {"Authorization": f"Bearer {college['apiKey']}"}
    achievement = httpx.post(f"{base}/api/v1/achievements", json=achievement_payload(), headers=headers).json()
    issued = httpx.post(
        f"{base}/api/v1/credentials", json=credential_payload(achievement["id"]), headers=headers
    ).json()

    seen = node.run(
        "oid4vci-wallet.js", {"offer": scan_offer_qr(httpx.get(issued["claimUrl"]).text), "authorizationDetails": True}
    )

    [granted] = seen["authorizationDetails"]
    assert granted["type"] == "openid_credential"
    assert granted["credential_configuration_id"] == "OpenBadgeCredential_ldp_vc"
    assert len(granted["credential_identifiers"]) == 1
    credential = seen["credential"]
    # Bound to the wallet's own key: the did:key of the public JWK its proofs carried.
    assert credential["credentialSubject"]["id"] == did_key(b64url_decode(seen["publicJwk"]["x"]))
    assert httpx.post(f"{base}/api/v1/verify", json=credential).json()["verified"] is True
    claim = httpx.get(f"{base}/api/v1/credentials/{issued['id']}/claim", headers=headers).json()
    assert claim["state"] == "used"
