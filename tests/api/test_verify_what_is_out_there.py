"""The public verifier on what learners' wallets hold: legacy suites, VC-JWTs (as text, or enveloped), unknown
suites and several proofs - through the API, the /verify page and the CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jwcrypto import jwk

from app.cli import main
from tests.proofs.test_proofs_vc_jwt import did_key, ob3_jwt

INDEPENDENT = Path(__file__).resolve().parents[1] / "vectors" / "independent"
SIGNER = "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"  # RFC 8032 TEST 1 key (README there)


def _vector(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((INDEPENDENT / name).read_text(encoding="utf-8"))
    return document


def _checks(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [c for c in report["checks"] if c["name"] == name]


@pytest.mark.parametrize(
    ("name", "legacy"),
    [
        ("ed25519-signature-2020-ob3-vc2.json", "legacy suite"),
        ("ed25519-signature-2020-ob3-vc1.json", "legacy suite"),
        ("eddsa-2022-ob3-vc2.json", "eddsa-2022"),
        ("eddsa-rdfc-2022-ob3-vc2.json", None),
    ],
)
def test_credentials_signed_by_digital_bazaars_libraries_verify(
    client: TestClient, name: str, legacy: str | None
) -> None:
    report = client.post("/api/v1/verify", json=_vector(name)).json()
    [proof] = _checks(report, "proof")
    assert proof["outcome"] == "passed", proof
    assert report["signer"]["id"] == SIGNER
    assert report["verdict"] == "issuer_not_confirmed"  # a valid signature; nobody vouches for this did:key
    if legacy:
        assert legacy in proof["reason"]


def test_a_changed_legacy_credential_is_not_valid(client: TestClient) -> None:
    tampered = _vector("ed25519-signature-2020-ob3-vc2.json")
    tampered["credentialSubject"]["achievement"]["name"] += "!"
    report = client.post("/api/v1/verify", json=tampered).json()
    assert report["verdict"] == "not_valid" and _checks(report, "proof")[0]["outcome"] == "failed"


def test_an_unknown_suite_could_not_be_checked_never_not_valid(client: TestClient) -> None:
    document = _vector("eddsa-rdfc-2022-ob3-vc2.json")
    document["proof"]["cryptosuite"] = "ecdsa-sd-2023"
    report = client.post("/api/v1/verify", json=document).json()
    assert report["verdict"] == "could_not_check", report
    assert _checks(report, "proof")[0]["outcome"] == "could_not_check"


def test_with_several_proofs_an_unknown_one_decides_nothing_when_another_passed(client: TestClient) -> None:
    document = _vector("eddsa-rdfc-2022-ob3-vc2.json")
    unknown = copy.deepcopy(document["proof"]) | {"cryptosuite": "ecdsa-sd-2023"}
    document["proof"] = [document["proof"], unknown]
    report = client.post("/api/v1/verify", json=document).json()
    passed, other = _checks(report, "proof")
    assert passed["outcome"] == "passed" and passed["required"] is True
    assert other["outcome"] == "could_not_check" and other["required"] is False
    assert report["verdict"] == "issuer_not_confirmed"
    failing = copy.deepcopy(document["proof"][0]) | {"proofValue": document["proof"][0]["proofValue"][:-2] + "11"}
    document["proof"] = [document["proof"][0], failing]
    assert client.post("/api/v1/verify", json=document).json()["verdict"] == "not_valid"  # one that fails decides


@pytest.fixture(scope="module")
def es256() -> jwk.JWK:
    return jwk.JWK.generate(kty="EC", crv="P-256")


def test_a_vc_jwt_sent_as_text_verifies(client: TestClient, es256: jwk.JWK) -> None:
    token = ob3_jwt(did_key(es256), es256, "ES256")
    for content_type in ("application/vc+jwt", "text/plain", "application/jwt"):
        response = client.post("/api/v1/verify", content=token, headers={"Content-Type": content_type})
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["format"] == "vc-jwt" and _checks(report, "proof")[0]["outcome"] == "passed"
        assert report["verdict"] == "issuer_not_confirmed" and report["signer"]["id"] == did_key(es256)
    broken = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    report = client.post("/api/v1/verify", content=broken, headers={"Content-Type": "text/plain"}).json()
    assert report["verdict"] == "not_valid"


def test_an_enveloped_credential_and_the_page_show_what_the_jwt_carries(client: TestClient, es256: jwk.JWK) -> None:
    token = ob3_jwt(did_key(es256), es256, "ES256")
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"data:application/vc+jwt,{token}",
        "type": "EnvelopedVerifiableCredential",
    }
    report = client.post("/api/v1/verify", json=enveloped).json()
    assert report["format"] == "vc-jwt" and _checks(report, "proof")[0]["outcome"] == "passed"
    page = client.post("/verify", data={"credential": token}).text
    assert "Signature valid — issuer not confirmed" in page
    claimed = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claimed["credentialSubject"]["achievement"]["name"] in page


def test_garbage_is_a_clear_422(client: TestClient) -> None:
    response = client.post("/api/v1/verify", content="not json, not a jwt", headers={"Content-Type": "text/plain"})
    assert response.status_code == 422 and "neither JSON nor a VC-JWT" in response.json()["detail"]


def test_the_cli_verifies_a_jwt_file(tmp_path: Path, monkeypatch, capsys, es256: jwk.JWK) -> None:
    monkeypatch.setenv("VETCRED_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.setenv("VETCRED_KEYS_DIR", str(tmp_path / "keys"))
    (tmp_path / "badge.jwt").write_text(ob3_jwt(did_key(es256), es256, "ES256") + "\n")
    assert main(["verify", str(tmp_path / "badge.jwt")]) == 1  # a valid signature, an unconfirmed issuer
    printed = capsys.readouterr()
    assert printed.err == f"vetcred: {tmp_path / 'badge.jwt'} holds a VC-JWT; verifying the credential it carries\n"
    report = json.loads(printed.out)
    assert report["format"] == "vc-jwt" and report["verdict"] == "issuer_not_confirmed"
