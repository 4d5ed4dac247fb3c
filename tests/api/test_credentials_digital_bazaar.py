"""Digital Bazaar's verifier (@digitalbazaar/vc, what DCC's VerifierPlus and the Learner Credential Wallet build on)
accepts the OB 3.0 credentials vetcred issues through its API, and refuses them once changed.

Needs Node.js and `npm ci --prefix tests/interop/js`; skips without them, fails without them in CI
(VETCRED_REQUIRE_INTEROP=1). One Node process verifies every credential of the test.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import assessment_row, issue, make_achievement, make_issuer, make_microcredential
from tests.interop import node

pytestmark = pytest.mark.interop_js


@pytest.fixture(autouse=True)
def _node() -> None:
    node.require()


def _issued(client: TestClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A college's DID document and two OB 3.0 credentials it issued: a badge and an Annex I micro-credential."""
    issuer, headers = make_issuer(client)
    badge = issue(client, headers, make_achievement(client, headers)["id"])["credential"]
    spec = make_microcredential(client, headers)
    assessed = client.post(f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers)
    assert assessed.status_code == 201, assessed.text
    ob3_id = assessed.json()["credentials"][0]["id"]
    micro = client.get(f"/api/v1/credentials/{ob3_id}", headers=headers).json()["credential"]
    did_document = client.get(issuer["didDocumentUrl"].removeprefix("https://vetcred.test")).json()
    return did_document, [badge, micro]


def test_digital_bazaar_verifies_what_vetcred_issues(client: TestClient) -> None:
    did_document, credentials = _issued(client)
    tampered = copy.deepcopy(credentials[0])
    tampered["credentialSubject"]["achievement"]["name"] = "Master Welder"
    other_issuer = copy.deepcopy(credentials[1])
    other_issuer["issuer"]["id"] = "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"
    results = node.run(
        "verify.js",
        {
            "documents": {did_document["id"]: did_document},
            "credentials": [*credentials, tampered, other_issuer],
            "now": datetime.now(UTC).isoformat(),
        },
    )
    assert [r["verified"] for r in results] == [True, True, False, False], results
    assert results[0]["errors"] == [] and results[1]["errors"] == []
    assert "Invalid signature." in results[2]["errors"], results[2]


def test_text_with_control_characters_is_signed_as_digital_bazaar_checks_it(client: TestClient) -> None:
    """RDFC-1.0 escapes \\b, \\f, U+0001 and U+007F in literals; pyld alone wrote them raw, and such a credential
    was an invalid signature in Digital Bazaar's verifier (rdf-canon test060c)."""
    issuer, headers = make_issuer(client)
    achievement = make_achievement(client, headers, description="Bell\b, feed\f, start\u0001 and delete\u007f.")
    credential = issue(client, headers, achievement["id"])["credential"]
    assert "\b" in credential["credentialSubject"]["achievement"]["description"]
    did_document = client.get(issuer["didDocumentUrl"].removeprefix("https://vetcred.test")).json()
    [result] = node.run(
        "verify.js",
        {
            "documents": {did_document["id"]: did_document},
            "credentials": [credential],
            "now": datetime.now(UTC).isoformat(),
        },
    )
    assert result["verified"] is True, result
    assert client.post("/api/v1/verify", json=credential).json()["verdict"] == "verified"
