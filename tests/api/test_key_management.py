"""Keys a college and an operator manage: the master key (found, never silently replaced, rotated), signing keys
(rotated, old credentials still verify), API keys (several, revocable) and colleges (listed, updated, deactivated)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.cli import main
from app.config import Settings
from app.errors import ConfigurationError
from app.main import create_app
from app.proofs.keys import MasterKey
from tests.factories import (
    ADMIN,
    assessment_row,
    issue,
    issuer_payload,
    make_achievement,
    make_issuer,
    make_microcredential,
)


@pytest.fixture
def own_settings(settings: Settings, tmp_path: Path, empty_database: None) -> Settings:
    """The test database, with a master key of this test's own (so replacing it affects no other test)."""
    return settings.model_copy(update={"keys_dir": tmp_path / "keys"})


def _college_with_a_credential(settings: Settings) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    with TestClient(create_app(settings)) as client:
        body, headers = make_issuer(client)
        issued = issue(client, headers, make_achievement(client, headers)["id"])
    return body, headers, issued


def test_a_lost_master_key_stops_the_start_instead_of_being_replaced(own_settings: Settings) -> None:
    _college_with_a_credential(own_settings)
    key_file = own_settings.master_key_path
    key_file.unlink()
    with pytest.raises(ConfigurationError, match="is missing, but the database holds 1 private keys") as caught:
        create_app(own_settings)
    assert "restore" in caught.value.detail and not key_file.exists()  # no new key was made


def test_a_different_master_key_stops_the_start(own_settings: Settings, capsys) -> None:
    _college_with_a_credential(own_settings)
    own_settings.master_key_path.unlink()
    MasterKey.generate().write(own_settings.master_key_path)
    with pytest.raises(ConfigurationError, match="does not open 1 of the 1 private keys"):
        create_app(own_settings)


def test_the_master_key_from_the_environment_or_a_file(own_settings: Settings, tmp_path: Path) -> None:
    _, headers, _ = _college_with_a_credential(own_settings)
    raw = own_settings.master_key_path.read_bytes()
    elsewhere = tmp_path / "secret-store" / "vetcred-master-key"
    elsewhere.parent.mkdir()
    elsewhere.write_text(base64.b64encode(raw).decode())
    for variant in (
        {"master_key": SecretStr(raw.hex())},
        {"master_key": SecretStr(base64.urlsafe_b64encode(raw).decode().rstrip("="))},
        {"master_key_file": elsewhere},
    ):
        with TestClient(create_app(own_settings.model_copy(update=variant))) as client:
            assert issue(client, headers, make_achievement(client, headers)["id"])["credential"]["proof"], variant


def test_rotating_the_master_key_re_encrypts_everything(own_settings: Settings, monkeypatch, capsys) -> None:
    _, headers, issued = _college_with_a_credential(own_settings)
    with TestClient(create_app(own_settings)) as client:  # an EDC: the college's (test) seal key is stored too
        spec = make_microcredential(client, headers)
        sealed = client.post(
            f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers
        )
        assert sealed.status_code == 201, sealed.text
    old = own_settings.master_key_path.read_bytes()
    monkeypatch.setenv("VETCRED_DATABASE_URL", own_settings.database_url)
    monkeypatch.setenv("VETCRED_KEYS_DIR", str(own_settings.keys_dir))
    assert main(["keys", "rotate-master"]) == 0
    assert "re-encrypted 1 signing keys, 1 seal keys" in capsys.readouterr().out
    assert own_settings.master_key_path.read_bytes() != old
    assert (own_settings.keys_dir / "master.key.previous").read_bytes() == old
    with TestClient(create_app(own_settings)) as client:  # the new key opens everything: issuing still works
        report = client.post("/api/v1/verify", json=issued["credential"]).json()
        assert report["verdict"] == "verified"
        achievement = make_achievement(client, headers)
        assert issue(client, headers, achievement["id"])["credential"]["proof"]
        again = client.post(
            f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(2), headers=headers
        )
        assert again.status_code == 201, again.text  # the seal key opens too
    (own_settings.keys_dir / "master.key").unlink()
    (own_settings.keys_dir / "master.key.previous").rename(own_settings.keys_dir / "master.key")
    with pytest.raises(ConfigurationError, match="does not open"):  # the old key no longer opens anything
        create_app(own_settings)


def test_an_interrupted_rotation_says_where_the_new_key_is(own_settings: Settings, monkeypatch) -> None:
    _college_with_a_credential(own_settings)
    monkeypatch.setenv("VETCRED_DATABASE_URL", own_settings.database_url)
    monkeypatch.setenv("VETCRED_KEYS_DIR", str(own_settings.keys_dir))
    assert main(["keys", "rotate-master"]) == 0
    # As if the process had stopped after the commit, before swapping the files:
    current = own_settings.master_key_path
    (current.with_name("master.key.new")).write_bytes(current.read_bytes())
    current.unlink()
    (current.with_name("master.key.previous")).rename(current)
    with pytest.raises(ConfigurationError, match=r"rotation was interrupted: .*master\.key\.new is the new key"):
        create_app(own_settings)


def test_a_rotated_signing_key_signs_new_credentials_and_old_ones_still_verify(client: TestClient) -> None:
    body, headers = make_issuer(client)
    achievement = make_achievement(client, headers)
    before = issue(client, headers, achievement["id"])
    rotated = client.post("/api/v1/issuers/me/keys/rotate", headers=headers).json()
    assert rotated["verificationMethod"] != body["verificationMethod"]
    assert rotated["verificationMethods"] == [rotated["verificationMethod"], body["verificationMethod"]]
    after = issue(client, headers, achievement["id"])
    assert after["credential"]["proof"][0]["verificationMethod"] == rotated["verificationMethod"]
    document = client.get(f"/issuers/{body['id']}/did.json").json()
    assert [m["id"] for m in document["verificationMethod"]] == rotated["verificationMethods"]
    assert document["assertionMethod"] == rotated["verificationMethods"]
    # The status list is re-signed with the new key when a credential signed with the old one is revoked.
    client.post(f"/api/v1/credentials/{before['id']}/revoke", json={"reason": "test"}, headers=headers)
    assert client.post("/api/v1/verify", json=before["credential"]).json()["verdict"] == "revoked"
    assert client.post("/api/v1/verify", json=after["credential"]).json()["verdict"] == "verified"


def test_api_keys_are_rotated_and_revoked(client: TestClient) -> None:
    _, first = make_issuer(client)
    made = client.post("/api/v1/issuers/me/api-keys", json={"label": "student records"}, headers=first)
    assert made.status_code == 201 and made.json()["apiKey"].startswith("vck_")
    second = {"Authorization": f"Bearer {made.json()['apiKey']}"}
    listed = client.get("/api/v1/issuers/me/api-keys", headers=second).json()
    assert [k["label"] for k in listed] == ["first key", "student records"] and "apiKey" not in listed[0]
    assert client.get("/api/v1/issuers/me", headers=first).status_code == 200  # both live during the switch
    assert client.delete(f"/api/v1/issuers/me/api-keys/{listed[0]['id']}", headers=second).status_code == 204
    assert client.get("/api/v1/issuers/me", headers=first).status_code == 401
    last = client.delete(f"/api/v1/issuers/me/api-keys/{listed[1]['id']}", headers=second)
    assert last.status_code == 409 and "last live API key" in last.json()["detail"]
    _, stranger = make_issuer(client, name="Other College")
    assert client.delete(f"/api/v1/issuers/me/api-keys/{listed[1]['id']}", headers=stranger).status_code == 404


def test_the_operator_lists_updates_deactivates_and_reactivates_colleges(client: TestClient) -> None:
    body, headers = make_issuer(client)
    achievement = make_achievement(client, headers)
    issued = issue(client, headers, achievement["id"])
    make_issuer(client, name="Second College")
    page = client.get("/api/v1/issuers?limit=1", headers=ADMIN).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["items"][0]["id"] == body["id"]
    assert client.get("/api/v1/issuers", headers=headers).status_code == 401  # not for colleges

    renamed = client.put(f"/api/v1/issuers/{body['id']}", json=issuer_payload(name="Noorderpoort MBO"), headers=ADMIN)
    assert renamed.status_code == 200 and renamed.json()["profile"]["name"] == "Noorderpoort MBO"
    assert issue(client, headers, achievement["id"])["credential"]["issuer"]["name"] == "Noorderpoort MBO"

    off = client.post(f"/api/v1/issuers/{body['id']}/deactivate", headers=ADMIN).json()
    assert off["deactivatedAt"] is not None
    refused = client.get("/api/v1/issuers/me", headers=headers)
    assert refused.status_code == 401 and "deactivated" in refused.json()["detail"]
    assert client.get(f"/issuers/{body['id']}/did.json").status_code == 200
    assert client.post("/api/v1/verify", json=issued["credential"]).json()["verdict"] == "verified"
    made = client.post(f"/api/v1/issuers/{body['id']}/api-keys", headers=ADMIN)
    assert made.status_code == 201
    client.post(f"/api/v1/issuers/{body['id']}/reactivate", headers=ADMIN).raise_for_status()
    assert client.get("/api/v1/issuers/me", headers=headers).status_code == 200
