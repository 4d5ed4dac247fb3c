"""The console's settings (owners only): branding as the public sees it, the e-seal's certificate and its expiry,
signing-key and API-key rotation with a confirmation, each change in the audit trail."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.db.models import AuditEvent
from app.issuers.seals import SealCertificate
from tests.console.conftest import ConsoleClient
from tests.factories import issue, make_achievement

PASSWORD = b"seal-password"


def _name(common_name: str, organisation: str, identifier: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if identifier:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, identifier))
    return x509.Name(attributes)


def _seal_pkcs12(days_left: int) -> bytes:
    """A CA-issued e-seal (as tests/pki.py makes them) valid for ``days_left`` more days, as a PKCS#12 file."""
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("Test Seal CA", "Test PKI")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=300))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("College A e-seal", "College A", "NTRNL-01234567"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=200))
        .not_valid_after(now + timedelta(days=days_left, hours=1))
        .sign(ca_key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"seal", key, leaf, [ca], serialization.BestAvailableEncryption(PASSWORD)
    )


def _events(engine: Engine, issuer_id: str, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.issuer_id == issuer_id, AuditEvent.action == action)
                .order_by(AuditEvent.id)
            )
        )


def _actor(console: ConsoleClient) -> str:
    return f"staff:{console.member_id}:{console.email}"


@pytest.mark.parametrize("role", ["issuer", "viewer"])
def test_settings_are_for_owners_only(role: str, console_as: Callable[..., ConsoleClient]) -> None:
    member = console_as(role)
    assert member.get("/console/settings").status_code == 403
    assert member.get("/console/settings/api-keys/rotate").status_code == 403
    assert member.post_form("/console/settings/api-keys/rotate", {"revoke_live": "yes"}).status_code == 403
    assert member.post_form("/console/settings/branding", {"displayName": "Taken over"}).status_code == 403
    assert member.post_form("/console/settings/signing-key/rotate").status_code == 403
    assert 'href="/console/settings"' not in member.get("/console").text


def test_uploading_an_e_seal_shows_its_certificate_and_warns_near_expiry(
    console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    owner = console_as("owner")
    assert "No e-seal yet" in owner.get("/console/settings").text

    wrong = owner.post_form(
        "/console/settings/seal", {"password": "not it"}, files={"file": ("seal.p12", _seal_pkcs12(400))}
    )
    assert wrong.status_code == 422
    assert 'id="field-file-error"' in wrong.text and "the password is wrong" in wrong.text
    missing = owner.post_form("/console/settings/seal", {"password": PASSWORD.decode()})
    assert missing.status_code == 422 and "choose the PKCS#12 file" in missing.text

    soon = owner.post_form(
        "/console/settings/seal", {"password": PASSWORD.decode()}, files={"file": ("seal.p12", _seal_pkcs12(30))}
    )
    assert soon.status_code == 303 and soon.headers["location"] == "/console/settings?done=seal"
    page = html.unescape(owner.get("/console/settings").text)
    assert "CN=College A e-seal" in page and "O=College A" in page  # the subject
    assert "CN=Test Seal CA" in page  # its issuer
    valid_until = (datetime.now(UTC) + timedelta(days=30, hours=1)).date()
    assert f'datetime="{valid_until.isoformat()}' in page
    assert "expires in 30 days" in page

    later = owner.post_form(
        "/console/settings/seal", {"password": PASSWORD.decode()}, files={"file": ("seal.p12", _seal_pkcs12(400))}
    )
    assert later.status_code == 303
    assert "expires in" not in owner.get("/console/settings").text
    assert [e.actor for e in _events(engine, owner.issuer_id, "settings.seal")] == [_actor(owner)] * 2
    # The API reads the same seal.
    assert "College A e-seal" in owner.get("/api/v1/issuers/me/seal", headers=owner.api_headers).json()["subject"]


def test_an_expired_seal_is_called_expired() -> None:
    now = datetime.now(UTC)
    seal = SealCertificate("CN=x", "CN=ca", now - timedelta(days=400), now - timedelta(days=1), False, None)
    assert seal.expired(now) and not seal.expires_soon(now)
    fresh = SealCertificate("CN=x", "CN=ca", now, now + timedelta(days=61), False, None)
    assert not fresh.expired(now) and not fresh.expires_soon(now)
    assert SealCertificate("CN=x", "CN=ca", now, now + timedelta(days=59), False, None).expires_soon(now)


def test_api_key_rotation_shows_the_new_key_once_and_the_old_one_stops_working(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    owner = console_as("owner")
    old = owner.api_headers
    assert client.get("/api/v1/issuers/me", headers=old).status_code == 200

    confirm = owner.get("/console/settings/api-keys/rotate")
    assert confirm.status_code == 200 and "The 1 key in use now" in confirm.text
    assert client.get("/api/v1/issuers/me", headers=old).status_code == 200  # the confirmation changed nothing

    made = owner.post_form("/console/settings/api-keys/rotate", {"label": "student records", "revoke_live": "yes"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    key = re.search(r'id="new-api-key" class="secret" type="text" readonly value="(vck_[^"]+)"', made.text)
    assert key is not None
    new = {"Authorization": f"Bearer {key.group(1)}"}
    assert client.get("/api/v1/issuers/me", headers=old).status_code == 401
    assert client.get("/api/v1/issuers/me", headers=new).json()["id"] == owner.issuer_id
    # Shown once: the settings page lists the key by its label, never the key itself.
    settings = owner.get("/console/settings").text
    assert "student records" in settings and key.group(1) not in settings
    events = _events(engine, owner.issuer_id, "settings.api_key.rotate")
    assert [e.actor for e in events] == [_actor(owner)] and key.group(1) not in str(events[0].detail)

    # Keeping the live keys working (zero-downtime rotation), then revoking one after a confirmation.
    second = owner.post_form("/console/settings/api-keys/rotate", {"label": "new system", "revoke_live": "no"})
    assert second.status_code == 200 and "still work" in second.text
    assert client.get("/api/v1/issuers/me", headers=new).status_code == 200
    live = [k for k in client.get("/api/v1/issuers/me/api-keys", headers=new).json() if k["label"] == "student records"]
    assert owner.get(f"/console/settings/api-keys/{live[0]['id']}/revoke").status_code == 200
    revoked = owner.post_form(f"/console/settings/api-keys/{live[0]['id']}/revoke")
    assert revoked.status_code == 303
    assert client.get("/api/v1/issuers/me", headers=new).status_code == 401


def test_signing_key_rotation_after_a_confirmation(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    owner = console_as("owner")
    before = client.get("/api/v1/issuers/me", headers=owner.api_headers).json()["verificationMethod"]
    confirm = owner.get("/console/settings/signing-key/rotate")
    assert confirm.status_code == 200 and html.escape(before) in confirm.text
    rotated = owner.post_form("/console/settings/signing-key/rotate")
    assert rotated.status_code == 303
    me = client.get("/api/v1/issuers/me", headers=owner.api_headers).json()
    assert me["verificationMethod"] != before and before in me["verificationMethods"]
    assert html.escape(me["verificationMethod"]) in owner.get("/console/settings").text
    assert [e.actor for e in _events(engine, owner.issuer_id, "settings.signing_key.rotate")] == [_actor(owner)]


def test_branding_change_shows_on_the_public_page(
    client: TestClient, console_as: Callable[..., ConsoleClient], engine: Engine
) -> None:
    owner = console_as("owner")
    issued = issue(client, owner.api_headers, make_achievement(client, owner.api_headers)["id"])
    public = httpx.URL(issued["verifyUrl"]).path
    assert "Noorderpoort Vakschool" not in client.get(public).text

    pale = owner.post_form(
        "/console/settings/branding", {"displayName": "Noorderpoort Vakschool", "primaryColour": "#ffff00"}
    )
    assert pale.status_code == 422
    assert 'id="field-primaryColour-error"' in pale.text and "contrast ratio of 1.07:1" in pale.text
    assert 'value="Noorderpoort Vakschool"' in pale.text  # what was typed is kept
    malformed = owner.post_form("/console/settings/branding", {"accentColour": "blue", "replyTo": "nobody"})
    assert malformed.status_code == 422
    assert 'id="field-accentColour-error"' in malformed.text and 'id="field-replyTo-error"' in malformed.text

    saved = owner.post_form(
        "/console/settings/branding", {"displayName": "Noorderpoort Vakschool", "primaryColour": "#7A1F3D"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/console/settings?done=branding"
    page = client.get(public).text
    assert "Noorderpoort Vakschool" in page
    assert "#7a1f3d" in client.get(f"/issuers/{owner.issuer_id}/theme.css").text
    assert client.get("/api/v1/issuers/me/branding", headers=owner.api_headers).json()["displayName"] == (
        "Noorderpoort Vakschool"
    )
    events = _events(engine, owner.issuer_id, "settings.branding")
    assert [(e.actor, e.detail["displayName"]) for e in events] == [(_actor(owner), "Noorderpoort Vakschool")]


def test_logo_upload_and_removal(client: TestClient, console_as: Callable[..., ConsoleClient]) -> None:
    owner = console_as("owner")
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="40" height="20" fill="#123"/></svg>'
    )
    not_png = owner.post_form("/console/settings/logo", files={"logo": ("logo.png", b"GIF89a", "image/png")})
    assert not_png.status_code == 422 and 'id="field-logo-error"' in not_png.text and "PNG signature" in not_png.text
    uploaded = owner.post_form("/console/settings/logo", files={"logo": ("logo.svg", svg, "image/svg+xml")})
    assert uploaded.status_code == 303
    logo = client.get(f"/issuers/{owner.issuer_id}/logo")
    assert logo.status_code == 200 and logo.headers["content-type"] == "image/png"
    assert f'src="https://vetcred.test/issuers/{owner.issuer_id}/logo"' in owner.get("/console/settings").text
    assert owner.post_form("/console/settings/logo/remove").status_code == 303
    assert client.get(f"/issuers/{owner.issuer_id}/logo").status_code == 404
