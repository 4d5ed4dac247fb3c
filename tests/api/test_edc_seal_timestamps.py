"""EDCs sealed through the real app with a college's TSA (a local `openssl ts` behind HTTP): B-T, B-LT, failures."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.outbound import OutboundClient, OutboundPolicy
from app.proofs.jades import SealReport, verify_seal
from tests.factories import assessment_row, make_issuer, make_microcredential
from tests.pki import LocalTsa, local_tsa


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[LocalTsa]:
    with local_tsa(tmp_path) as running:
        yield running


@pytest.fixture
def college(settings: Settings, empty_database: None, tsa: LocalTsa) -> Iterator[tuple[TestClient, dict[str, str]]]:
    # The CA's CRL is served on loopback: the test allows that origin (outbound requests go to public hosts only).
    outbound = OutboundClient(OutboundPolicy(allow_origins=frozenset({tsa.url.removesuffix("/tsa")})))
    with TestClient(create_app(settings.model_copy(update={"tsa_url": tsa.url}), outbound=outbound)) as client:
        _, headers = make_issuer(client)
        yield client, headers


def _issue(client: TestClient, headers: dict[str, str], n: int = 1) -> dict[str, Any]:
    """Issues one micro-credential; returns the sealed EDC."""
    spec = make_microcredential(client, headers)
    response = client.post(
        f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(n), headers=headers
    )
    assert response.status_code == 201, response.text
    edc_id = response.json()["credentials"][1]["id"]
    return client.get(f"/api/v1/credentials/{edc_id}", headers=headers).json()["sealed"]


def _verify(sealed: dict[str, Any] | str) -> SealReport:
    return verify_seal(sealed, trusted_lists=None, now=datetime.now(UTC))


def _etsiu(sealed: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        json.loads(base64.urlsafe_b64decode(item + "=" * (-len(item) % 4)))
        for item in sealed["signatures"][0]["header"]["etsiU"]
    ]


def test_an_edc_is_sealed_with_a_time_stamp_and_long_term_data(
    college: tuple[TestClient, dict[str, str]], tsa: LocalTsa
) -> None:
    client, headers = college
    sealed = _issue(client, headers)
    assert [next(iter(item)) for item in _etsiu(sealed)] == ["sigTst", "xVals", "rVals"]
    report = _verify(sealed)
    assert report.valid, report.reason
    assert report.level == "LT", report.level_reason
    stamp = report.signature_timestamp
    assert stamp is not None and stamp.valid and stamp.tsa == "CN=Test TSA,O=Test PKI,C=NL"
    assert report.timestamp_time is not None
    assert abs(report.timestamp_time - datetime.now(UTC)) < timedelta(minutes=1)
    assert report.signing_time is not None and report.timestamp_time >= report.signing_time
    assert "time-stamped" in report.summary and "self-issued test seal" in report.summary
    verified = client.post("/api/v1/verify", json=sealed).json()
    assert verified["verdict"] == "verified"
    assert "JAdES-LT" in {c["name"]: c for c in verified["checks"]}["seal"]["reason"]
    assert tsa.requests == 1


def test_without_the_cas_crl_the_seal_stays_b_t(college: tuple[TestClient, dict[str, str]], tsa: LocalTsa) -> None:
    tsa.crl_available = False
    client, headers = college
    sealed = _issue(client, headers)
    assert [next(iter(item)) for item in _etsiu(sealed)] == ["sigTst"]
    report = _verify(sealed)
    assert report.level == "T" and "no long-term validation data" in report.level_reason
    assert report.timestamp_time is not None


def test_a_revoked_tsa_certificate_keeps_the_seal_at_b_t(
    college: tuple[TestClient, dict[str, str]], tsa: LocalTsa
) -> None:
    tsa.pki.revoked.append(tsa.certificate.serial_number)
    client, headers = college
    sealed = _issue(client, headers)
    assert [next(iter(item)) for item in _etsiu(sealed)] == ["sigTst"]  # the CRL says revoked: no B-LT
    assert _verify(sealed).level == "T"


def test_a_changed_signature_or_token_fails(college: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = college
    sealed = _issue(client, headers)
    signature = sealed["signatures"][0]["signature"]
    changed = json.loads(json.dumps(sealed))
    changed["signatures"][0]["signature"] = ("A" if signature[10] != "A" else "B").join(
        (signature[:10], signature[11:])
    )
    assert not _verify(changed).valid

    items = _etsiu(sealed)
    token = bytearray(base64.b64decode(items[0]["sigTst"]["tstTokens"][0]["val"]))
    token[80] ^= 0x01  # inside the TSTInfo the TSA signed
    items[0]["sigTst"]["tstTokens"][0]["val"] = base64.b64encode(bytes(token)).decode()
    changed = json.loads(json.dumps(sealed))
    changed["signatures"][0]["header"]["etsiU"] = [
        base64.urlsafe_b64encode(json.dumps(item).encode()).rstrip(b"=").decode() for item in items
    ]
    report = _verify(changed)
    assert report.valid  # the seal's own signature is untouched
    assert report.level == "B" and "time-stamp" in report.level_reason
    assert report.signature_timestamp is not None and not report.signature_timestamp.valid


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_a_failing_tsa_fails_issuance_which_can_be_retried(
    college: tuple[TestClient, dict[str, str]], tsa: LocalTsa, mode: str
) -> None:
    client, headers = college
    spec = make_microcredential(client, headers)
    tsa.mode = mode
    refused = client.post(f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers)
    assert refused.status_code == 502 and refused.json()["error"] == "timestamp_error"
    assert "time-stamp authority" in refused.json()["detail"]
    cohort = client.post(
        f"/api/v1/microcredentials/{spec['id']}/cohort?wait=true", json={"rows": [assessment_row(2)]}, headers=headers
    )
    assert cohort.json()["issued"] == 0 and "time-stamp authority" in cohort.json()["errors"][0]["message"]

    tsa.mode = "ok"
    again = client.post(
        f"/api/v1/microcredentials/{spec['id']}/cohort?wait=true", json={"rows": [assessment_row(2)]}, headers=headers
    )
    assert again.json()["issued"] == 1 and not again.json()["errors"]
    retried = client.post(f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers)
    assert retried.status_code == 201
