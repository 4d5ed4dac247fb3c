"""A college's own e-seal (PKCS#12 upload) and delivery of sealed EDCs to a Europass wallet (a local stand-in)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.config import Settings
from app.credentials.edc_shacl import validate_edc
from app.db.models import Issuer
from app.issuers.seals import store_seal
from app.main import create_app
from app.proofs.eseal import self_issued_seal_material
from tests.factories import assessment_row, make_issuer, make_microcredential, wait_for_job
from tests.servers import serving


def _pkcs12(
    password: bytes,
    organisation: str = "Noorderpoort College",
    organization_identifier: str | None = "NTRNL-01234567",
    country: str = "NL",
) -> bytes:
    """A CA-issued e-seal certificate (not self-issued), as a college or its mandated sealer would upload."""
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Seal CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attributes = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} e-seal"),
    ]
    if organization_identifier:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organization_identifier))
    subject = x509.Name(attributes)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(ca_key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"seal", key, leaf, [ca], serialization.BestAvailableEncryption(password)
    )


def test_an_uploaded_seal_is_used_and_reported(client: TestClient) -> None:
    _, headers = make_issuer(client)
    assert client.get("/api/v1/issuers/me/seal", headers=headers).status_code == 404
    wrong = client.put(
        "/api/v1/issuers/me/seal",
        files={"file": ("seal.p12", _pkcs12(b"secret"))},
        data={"password": "not-it"},
        headers=headers,
    )
    assert wrong.status_code == 422 and "password" in wrong.json()["detail"].lower()
    uploaded = client.put(
        "/api/v1/issuers/me/seal",
        files={"file": ("seal.p12", _pkcs12(b"secret"))},
        data={"password": "secret"},
        headers=headers,
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["selfIssued"] is False and "Noorderpoort College" in uploaded.json()["subject"]
    assert "PRIVATE" not in uploaded.text

    spec = make_microcredential(client, headers)
    issued = client.post(
        f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers
    ).json()
    assert issued["sealNotice"] is None
    sealed = client.get(f"/api/v1/credentials/{issued['credentials'][1]['id']}", headers=headers).json()["sealed"]
    report = client.post("/api/v1/verify", json=sealed).json()
    checks = {c["name"]: c for c in report["checks"]}
    assert report["verdict"] == "verified"
    assert "Noorderpoort College e-seal" in checks["seal"]["reason"]
    # The uploaded certificate is this college's own: the issuer is confirmed by this service, and it is no test seal.
    assert checks["issuer"]["outcome"] == "passed" and report["issuerIdentity"]["name"] == "Noorderpoort College"
    assert report["notices"] == []
    edc = json.loads(sealed["payload"])
    assert edc["issuer"]["eIDASIdentifier"]["notation"] == "NTRNL-01234567"  # the certificate's, not the DID
    assert "evidence" not in edc  # sealed by the college itself: no mandate to state


def _upload(client: TestClient, headers: dict[str, str], p12: bytes, **form: str) -> Any:
    return client.put(
        "/api/v1/issuers/me/seal",
        files={"file": ("seal.p12", p12)},
        data={"password": "secret", **form},
        headers=headers,
    )


def test_a_seal_that_cannot_name_the_issuer_is_refused(client: TestClient) -> None:
    _, headers = make_issuer(client)
    anonymous = _pkcs12(b"secret", organization_identifier=None)
    refused = _upload(client, headers, anonymous)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "file"
    assert "organizationIdentifier" in refused.json()["detail"]
    _, registered = make_issuer(client, name="Alfa College", legalIdentifier="NTRNL-7654321")
    assert _upload(client, registered, anonymous).status_code == 200  # the registered identifier names it
    mandated = _upload(client, headers, anonymous, mandateStatement="Seals on behalf of Noorderpoort College.")
    assert mandated.status_code == 422 and "mandated sealer" in mandated.json()["detail"]


def test_a_mandated_sealer_issues_on_the_colleges_behalf(client: TestClient) -> None:
    _, headers = make_issuer(client, legalIdentifier="NTRNL-01234567")
    statement = (
        "By applying its electronic seal, the signing organisation certifies the correctness of origin of each "
        "claim, as having been made by the indicated awarding body."
    )
    p12 = _pkcs12(b"secret", organisation="Sello Seguro SA", organization_identifier="VATES-A00000000", country="ES")
    uploaded = _upload(client, headers, p12, mandateStatement=statement)
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["mandateStatement"] == statement
    spec = make_microcredential(client, headers)
    issued = client.post(
        f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers
    ).json()
    sealed = client.get(f"/api/v1/credentials/{issued['credentials'][1]['id']}", headers=headers).json()["sealed"]
    edc = json.loads(sealed["payload"])
    assert edc["issuer"]["legalName"] == {"en": "Sello Seguro SA"}
    assert edc["issuer"]["eIDASIdentifier"]["notation"] == "VATES-A00000000"
    assert edc["evidence"][0]["evidenceStatement"] == statement
    assert [p["id"].rsplit("/", 1)[1] for p in edc["credentialProfiles"]] == ["e34929035b", "c_9a31f32a"]
    assert validate_edc(edc) == []
    report = client.post("/api/v1/verify", json=sealed).json()
    assert report["verdict"] == "verified", report


@pytest.fixture
def europass_stand_in() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local stand-in for the EDCI wallet REST API: records what it receives."""
    received: list[dict[str, Any]] = []

    async def deposit(request: Request) -> JSONResponse:
        form = await request.form()
        upload = form["_credential"]
        received.append(
            {
                "email": request.path_params["email"],
                "sendEmail": request.query_params.get("sendEmail"),
                "credential": (await upload.read()).decode(),
            }
        )  # type: ignore[union-attr]
        return JSONResponse({"uuid": "stand-in-1"}, status_code=201)

    app = Starlette(routes=[Route("/v1/wallets/email/{email}/credentials", deposit, methods=["POST"])])
    with serving(lambda _base: app) as (base, _app):
        yield base, received


def test_a_sealed_edc_goes_to_the_learners_europass_wallet(
    settings: Settings, empty_database: None, europass_stand_in
) -> None:
    base_url, received = europass_stand_in
    with TestClient(create_app(settings.model_copy(update={"europass_wallet_url": base_url}))) as client:
        _, headers = make_issuer(client)
        spec = make_microcredential(client, headers)
        issued = client.post(
            f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers
        ).json()
        ob3_id, edc_id = (c["id"] for c in issued["credentials"])
        refused = client.post(f"/api/v1/credentials/{ob3_id}/europass", headers=headers)
        assert refused.status_code == 409
        queued = client.post(f"/api/v1/credentials/{edc_id}/europass", headers=headers)
        assert queued.status_code == 202, queued.text
        assert queued.json()["kind"] == "europass" and queued.headers["location"] == queued.json()["links"]["self"]
        delivered = wait_for_job(client, headers, queued.json()["id"])
        assert (delivered["state"], delivered["outcome"]["walletStatus"]) == ("completed", 201), delivered
        sealed = client.get(f"/api/v1/credentials/{edc_id}", headers=headers).json()["sealed"]
    [deposit] = received
    assert deposit["email"] == "learner1@learner.example" and deposit["sendEmail"] == "true"
    assert json.loads(deposit["credential"]) == sealed


def test_without_a_wallet_url_delivery_is_refused_plainly(client: TestClient) -> None:
    _, headers = make_issuer(client)
    spec = make_microcredential(client, headers)
    issued = client.post(
        f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers
    ).json()
    response = client.post(f"/api/v1/credentials/{issued['credentials'][1]['id']}/europass", headers=headers)
    assert response.status_code == 409 and "VETCRED_EUROPASS_WALLET_URL" in response.json()["detail"]


def test_a_test_seal_made_before_eidas_identifiers_is_replaced(client: TestClient) -> None:
    """Regression: a college's self-issued test seal from before EDCs named an eIDAS identifier has none in its
    certificate; its next EDC gets a new test seal with a marked test identifier, never the college's DID."""
    issuer, headers = make_issuer(client)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.transaction() as session:
        college = session.get(Issuer, issuer["id"])
        old = self_issued_seal_material(college.name, "NL", organization_identifier=None, now=datetime.now(UTC))
        store_seal(session, college, old, runtime.master_key, self_issued=True)
    spec = make_microcredential(client, headers)
    issued = client.post(
        f"/api/v1/microcredentials/{spec['id']}/assessments", json=assessment_row(), headers=headers
    ).json()
    edc = client.get(f"/api/v1/credentials/{issued['credentials'][1]['id']}", headers=headers).json()["credential"]
    assert edc["issuer"]["eIDASIdentifier"]["notation"] == f"NL:VETCRED-TEST-ONLY-{issuer['id'][:8]}"
    assert issuer["did"] not in json.dumps(edc)
    assert "VETCRED-TEST-ONLY" in client.get("/api/v1/issuers/me/seal", headers=headers).json()["subject"]
