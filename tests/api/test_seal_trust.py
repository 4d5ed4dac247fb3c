"""Who sealed an EDC, as an employer's verifier elsewhere sees it: confirmed by an EU trusted list, or not at all.

A college seals with a certificate from a CA (the test PKI) that a national trusted list names as a qualified
service for e-seals; a separate vetcred instance, which knows nothing of that college, verifies the EDC.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
from fastapi.testclient import TestClient

from app.config import Settings
from app.db.migrate import upgrade
from app.main import create_app
from tests.factories import assessment_row, make_issuer, make_microcredential
from tests.pki import Issued, LocalPki
from tests.trusted_lists import CA_PKC, Service, lotl, national_list


@pytest.fixture(scope="module")
def pki() -> LocalPki:
    return LocalPki(crl_url="http://127.0.0.1:9/unused.crl")


@pytest.fixture
def sealed_edc(client: TestClient, pki: LocalPki) -> dict[str, Any]:
    _, headers = make_issuer(client, legalIdentifier="NTRNL-01234567")
    leaf = pki.issue("Noorderpoort e-seal", organisation="Noorderpoort College", qc=True)
    p12 = pkcs12.serialize_key_and_certificates(
        b"seal", leaf.key, leaf.certificate, [pki.ca.certificate], NoEncryption()
    )
    uploaded = client.put("/api/v1/issuers/me/seal", files={"file": ("seal.p12", p12)}, headers=headers)
    assert uploaded.status_code == 200, uploaded.text
    spec = make_microcredential(client, headers)
    issued = client.post(f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers)
    edc_id = issued.json()["credentials"][1]["id"]
    sealed: dict[str, Any] = client.get(f"/api/v1/credentials/{edc_id}", headers=headers).json()["sealed"]
    return sealed


def _verifier(settings: Settings, tmp_path: Path, pki: LocalPki, services: list[Service]) -> TestClient:
    """Another vetcred instance (its own empty database) that checks seals against the given national list."""
    signers = {"lotl": pki.issue("LOTL signer", organisation="European Commission"), "nl": pki.issue("NL signer")}
    (tmp_path / "nl.xml").write_bytes(national_list("NL", services, signers["nl"]))
    (tmp_path / "lotl.xml").write_bytes(lotl([("NL", str(tmp_path / "nl.xml"), signers["nl"])], signers["lotl"]))
    (tmp_path / "lotl-signers.pem").write_bytes(signers["lotl"].pem())
    database = f"sqlite:///{tmp_path / 'verifier.db'}"
    upgrade(database)
    verifier = settings.model_copy(
        update={
            "database_url": database,
            "keys_dir": tmp_path / "keys",
            "eu_trusted_lists": [str(tmp_path / "lotl.xml")],
            "eu_trusted_list_signers": tmp_path / "lotl-signers.pem",
        }
    )
    return TestClient(create_app(verifier))


def _issuer_check(report: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["name"] == "issuer")


def test_a_seal_from_a_qualified_service_on_the_eu_list_confirms_the_issuer(
    settings: Settings, tmp_path: Path, pki: LocalPki, sealed_edc: dict[str, Any]
) -> None:
    with _verifier(settings, tmp_path, pki, [Service("Test QTSP", pki.ca)]) as verifier:
        report = verifier.post("/api/v1/verify", json=sealed_edc).json()
    assert report["verdict"] == "verified", report
    identity = report["issuerIdentity"]
    assert identity["confirmed"] is True and identity["name"] == "Noorderpoort College"
    assert [(s["kind"], s["name"]) for s in identity["listedIn"]] == [
        ("eu_trusted_list", "EU trusted list of NL (Test QTSP provider)")
    ]
    seal = next(c for c in report["checks"] if c["name"] == "seal")
    assert "with a qualified e-seal" in seal["reason"]


def test_a_non_qualified_service_confirms_the_name_but_not_a_qualified_seal(
    settings: Settings, tmp_path: Path, pki: LocalPki, sealed_edc: dict[str, Any]
) -> None:
    with _verifier(settings, tmp_path, pki, [Service("Test CA", pki.ca, service_type=CA_PKC)]) as verifier:
        report = verifier.post("/api/v1/verify", json=sealed_edc).json()
    assert report["verdict"] == "verified" and report["issuerIdentity"]["listedIn"][0]["kind"] == "eu_trusted_list"
    seal = next(c for c in report["checks"] if c["name"] == "seal")
    assert "qualified e-seal certificate (not confirmed by a trusted list)" in seal["reason"]


def test_a_list_without_the_ca_leaves_the_issuer_unconfirmed(
    settings: Settings, tmp_path: Path, pki: LocalPki, sealed_edc: dict[str, Any]
) -> None:
    other_ca = Issued(pki.ca.key, pki.issue("Some other CA").certificate)
    with _verifier(settings, tmp_path, pki, [Service("Other TSP", other_ca)]) as verifier:
        report = verifier.post("/api/v1/verify", json=sealed_edc).json()
        page = verifier.post("/verify", data={"credential": __import__("json").dumps(sealed_edc)}).text
    assert report["verdict"] == "issuer_not_confirmed"
    assert "EU trusted lists: " in _issuer_check(report)["reason"]
    assert "Signature valid — issuer not confirmed" in page and 'class="issuer-name"' not in page
