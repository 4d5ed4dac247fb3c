"""E-seal material: self-issued test seals, PKCS#12 uploads, storage round trips, and what certificates declare."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, NoEncryption, pkcs12
from cryptography.x509.oid import NameOID

from app.errors import InvalidInput, KeyMaterialError
from app.proofs.eseal import (
    QC_STATEMENTS,
    SealMaterial,
    describe_certificate,
    load_pkcs12,
    self_issued_seal_material,
)
from app.proofs.jades import SealReport, seal, verify_seal
from app.proofs.keys import MasterKey

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
PASSWORD = b"correct horse battery staple"
PAYLOAD = '{"id":"urn:credential:2","type":["VerifiableCredential","EuropeanDigitalCredential"]}'


def _verify(document: dict[str, object] | str) -> SealReport:
    return verify_seal(document, trusted_lists=None, now=NOW)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "IE"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _certificate(
    subject: str,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    issuer: tuple[str, rsa.RSAPrivateKey] | None = None,
    *,
    ca: bool = False,
    days: int = 365,
    extensions: tuple[x509.ExtensionType, ...] = (),
) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def keys() -> dict[str, rsa.RSAPrivateKey]:
    return {name: rsa.generate_private_key(public_exponent=65537, key_size=2048) for name in ("root", "ca", "seal")}


@pytest.fixture(scope="module")
def chain(keys: dict[str, rsa.RSAPrivateKey]) -> list[x509.Certificate]:
    """A test QTSP-like chain, leaf first: seal ← issuing CA ← root."""
    root = _certificate("Test Root", keys["root"], ca=True)
    issuing = _certificate("Test Issuing CA", keys["ca"], ("Test Root", keys["root"]), ca=True)
    leaf = _certificate("Test College Seal", keys["seal"], ("Test Issuing CA", keys["ca"]))
    return [leaf, issuing, root]


@pytest.fixture(scope="module")
def self_issued() -> SealMaterial:
    return self_issued_seal_material("Cork College of Further Education", "IE", "NTRIE-123456", NOW)


# Self-issued test seals


def test_self_issued_material_is_a_self_signed_rsa_3072_seal_certificate(self_issued: SealMaterial) -> None:
    certificate = self_issued.certificate
    assert self_issued.private_key.key_size == 3072
    assert len(self_issued.chain) == 1
    assert certificate.subject == certificate.issuer
    certificate.verify_directly_issued_by(certificate)
    assert certificate.not_valid_before_utc == NOW
    assert certificate.not_valid_after_utc - certificate.not_valid_before_utc == timedelta(days=730)
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    facts = describe_certificate(certificate)
    assert (facts.organisation, facts.organization_identifier) == ("Cork College of Further Education", "NTRIE-123456")
    assert "C=IE" in facts.subject and "CN=Cork College of Further Education" in facts.subject
    assert facts.self_issued
    assert not facts.qc_statements and not facts.qualified_eseal


def test_self_issued_material_without_an_organization_identifier() -> None:
    material = self_issued_seal_material("Collège de Test", "FR", None, NOW)
    assert describe_certificate(material.certificate).organization_identifier is None


@pytest.mark.parametrize(
    ("organisation", "country", "identifier", "field"),
    [
        (" ", "IE", None, "organisation"),
        ("College", "IRL", None, "country"),  # the EU NAL country code is alpha-3; X.509 needs alpha-2
        ("College", "ie", None, "country"),
        ("College", "IE", "123456", "organization_identifier"),
    ],
)
def test_self_issued_material_refuses_bad_names(organisation: str, country: str, identifier: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        self_issued_seal_material(organisation, country, identifier, NOW)
    assert caught.value.field == field


def test_the_key_never_appears_in_a_repr(self_issued: SealMaterial) -> None:
    text = repr(self_issued)
    assert "<redacted>" in text
    assert "Cork College" in text
    assert base64.b64encode(self_issued.private_key_der())[:40].decode() not in text
    assert str(self_issued.private_key.private_numbers().p) not in text


# Storage: PKCS#8 DER encrypted with the master key, and back


def test_private_key_der_and_chain_survive_master_key_encryption(self_issued: SealMaterial) -> None:
    master = MasterKey(bytes(range(32)))
    aad = b"vetcred:seal-key:test"
    blob = master.encrypt(self_issued.private_key_der(), aad=aad)
    restored = SealMaterial.from_parts(master.decrypt(blob, aad=aad), self_issued.chain_der())
    assert restored.chain == self_issued.chain
    assert restored.private_key.private_numbers() == self_issued.private_key.private_numbers()
    assert _verify(seal(PAYLOAD, private_key=restored.private_key, chain=restored.chain, now=NOW)).valid


def test_from_parts_refuses_garbage_and_mismatched_parts(
    self_issued: SealMaterial, keys: dict[str, rsa.RSAPrivateKey]
) -> None:
    with pytest.raises(KeyMaterialError, match="cannot be decoded"):
        SealMaterial.from_parts(b"not a key", self_issued.chain_der())
    other = SealMaterial(keys["root"], [_certificate("Other", keys["root"])])
    with pytest.raises(KeyMaterialError, match="no certificate matches the private key"):
        SealMaterial.from_parts(other.private_key_der(), self_issued.chain_der())


# PKCS#12 uploads


def test_pkcs12_round_trip_seals_and_verifies(
    keys: dict[str, rsa.RSAPrivateKey], chain: list[x509.Certificate]
) -> None:
    leaf, issuing, root = chain
    # CA certificates in the "wrong" order, as some exports have them: the loader puts the chain leaf first.
    data = pkcs12.serialize_key_and_certificates(
        b"college seal", keys["seal"], leaf, [root, issuing], BestAvailableEncryption(PASSWORD)
    )
    material = load_pkcs12(data, PASSWORD, now=NOW)
    assert material.chain == (leaf, issuing, root)
    sealed = seal(PAYLOAD, private_key=material.private_key, chain=material.chain, now=NOW)
    protected = sealed["signatures"][0]["protected"]
    header = json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4)))
    assert header["x5c"] == [base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in (leaf, issuing, root)]
    report = _verify(sealed)
    assert report.valid, report.reason
    assert report.chain_length == 3
    assert report.certificate is not None
    assert "CN=Test College Seal" in report.certificate.subject
    assert not report.certificate.self_issued
    assert not report.certificate.qualified_eseal


def test_pkcs12_without_a_password(keys: dict[str, rsa.RSAPrivateKey], chain: list[x509.Certificate]) -> None:
    data = pkcs12.serialize_key_and_certificates(b"seal", keys["seal"], chain[0], chain[1:], NoEncryption())
    assert load_pkcs12(data, None, now=NOW).certificate == chain[0]


def test_pkcs12_wrong_password_is_a_clear_key_material_error(
    keys: dict[str, rsa.RSAPrivateKey], chain: list[x509.Certificate]
) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"seal", keys["seal"], chain[0], None, BestAvailableEncryption(PASSWORD)
    )
    for password in (b"wrong", None):
        with pytest.raises(KeyMaterialError, match="the password is wrong"):
            load_pkcs12(data, password, now=NOW)
    with pytest.raises(KeyMaterialError, match="not PKCS#12"):
        load_pkcs12(b"-----BEGIN CERTIFICATE-----", PASSWORD, now=NOW)


def test_pkcs12_without_a_key_is_refused(chain: list[x509.Certificate]) -> None:
    data = pkcs12.serialize_key_and_certificates(None, None, None, chain, BestAvailableEncryption(PASSWORD))
    with pytest.raises(KeyMaterialError, match="holds no private key"):
        load_pkcs12(data, PASSWORD, now=NOW)


def test_pkcs12_with_an_ec_key_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    data = pkcs12.serialize_key_and_certificates(b"ec", key, _certificate("EC seal", key), None, NoEncryption())
    with pytest.raises(KeyMaterialError, match="must be RSA"):
        load_pkcs12(data, None, now=NOW)


def test_pkcs12_with_an_expired_certificate_is_refused(
    keys: dict[str, rsa.RSAPrivateKey], chain: list[x509.Certificate]
) -> None:
    data = pkcs12.serialize_key_and_certificates(b"seal", keys["seal"], chain[0], None, NoEncryption())
    with pytest.raises(KeyMaterialError, match=r"expired on .*trust service provider"):
        load_pkcs12(data, None, now=NOW + timedelta(days=400))
    with pytest.raises(KeyMaterialError, match="not valid before"):
        load_pkcs12(data, None, now=NOW - timedelta(days=2))


def test_pkcs12_with_an_unrelated_certificate_is_refused(
    keys: dict[str, rsa.RSAPrivateKey], chain: list[x509.Certificate]
) -> None:
    stranger = _certificate("Stranger", keys["root"])
    data = pkcs12.serialize_key_and_certificates(b"seal", keys["seal"], chain[0], [stranger], NoEncryption())
    with pytest.raises(KeyMaterialError, match="'CN=Stranger,C=IE' are not in the issuing chain"):
        load_pkcs12(data, None, now=NOW)


def test_a_chain_that_is_not_leaf_first_is_refused(
    keys: dict[str, rsa.RSAPrivateKey], chain: list[x509.Certificate]
) -> None:
    with pytest.raises(KeyMaterialError, match="leaf first"):
        SealMaterial(keys["seal"], [chain[0], chain[2], chain[1]])


def test_a_forged_link_is_refused(keys: dict[str, rsa.RSAPrivateKey], chain: list[x509.Certificate]) -> None:
    """Same issuer name, wrong issuing key: ordering by names is not enough, each link's signature is checked."""
    forged = _certificate("Test College Seal", keys["seal"], ("Test Issuing CA", keys["root"]))
    with pytest.raises(KeyMaterialError, match="is not signed by"):
        SealMaterial(keys["seal"], [forged, chain[1], chain[2]])


# What a certificate declares (qcStatements, ETSI EN 319 412-5)


def _qc_statements(der: bytes) -> x509.UnrecognizedExtension:
    return x509.UnrecognizedExtension(QC_STATEMENTS, der)


def test_qc_statements_are_read_and_only_claim_qualification(keys: dict[str, rsa.RSAPrivateKey]) -> None:
    # QCStatement SEQUENCEs: QcCompliance; QcType { id-etsi-qct-eseal }; QcSSCD
    compliance = bytes.fromhex("3008060604008e460101")
    qc_type = bytes.fromhex("3013060604008e4601063009060704008e46010602")
    sscd = bytes.fromhex("3008060604008e460104")
    statements = compliance + qc_type + sscd
    der = bytes([0x30, len(statements)]) + statements
    facts = describe_certificate(_certificate("Claims", keys["seal"], extensions=(_qc_statements(der),)))
    assert facts.qc_statements and facts.qc_compliance and facts.qc_type_eseal and facts.qc_sscd
    assert facts.qualified_eseal  # what it claims: a self-signed certificate can claim it too
    assert facts.self_issued


def test_unparseable_qc_statements_are_reported_as_unknown(keys: dict[str, rsa.RSAPrivateKey]) -> None:
    facts = describe_certificate(
        _certificate("Broken", keys["seal"], extensions=(_qc_statements(b"\x30\x03\x06\x01"),))
    )
    assert facts.qc_statements
    assert (facts.qc_compliance, facts.qc_type_eseal, facts.qc_sscd) == (None, None, None)
    assert not facts.qualified_eseal
