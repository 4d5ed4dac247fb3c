"""The Commission's sealed EDC samples through POST /api/v1/verify: they verify; one changed byte breaks them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

SAMPLES = Path(__file__).resolve().parent.parent / "vectors" / "edc"


@pytest.mark.parametrize("name", ["Sample-MC-Annex1-signed.jsonld", "Sample-CertOfPart-signed.jsonld"])
def test_commission_samples_verify_and_fail_when_tampered(client: TestClient, name: str) -> None:
    sealed = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    report = client.post("/api/v1/verify", json=sealed).json()
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["seal"]["outcome"] == "passed", checks["seal"]
    assert "TEST SEAL" in checks["seal"]["reason"] and "LTA" in checks["seal"]["reason"]
    assert checks["edc_format"]["outcome"] == "passed"
    assert checks["status"]["outcome"] == "not_applicable"  # not ours: the report says to ask the issuer
    # A valid seal, but no trusted list is configured and the certificate is no college's of this service.
    assert report["verdict"] == "issuer_not_confirmed" and checks["issuer"]["outcome"] == "not_confirmed"
    assert "EU trusted lists: not checked against a trusted list" in checks["issuer"]["reason"]

    tampered = dict(sealed)
    position = sealed["payload"].index('"validFrom":"') + len('"validFrom":"')
    changed = "1" if sealed["payload"][position + 3] != "1" else "2"  # one byte: the last digit of the year
    tampered["payload"] = sealed["payload"][: position + 3] + changed + sealed["payload"][position + 4 :]
    report = client.post("/api/v1/verify", json=tampered).json()
    assert report["verdict"] == "not_valid"
    assert next(c for c in report["checks"] if c["name"] == "seal")["outcome"] == "failed"
