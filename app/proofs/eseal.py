"""E-seal material: a college's RSA key and certificate chain, and what an e-seal certificate declares."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app.errors import InvalidInput, KeyMaterialError

MIN_RSA_BITS = 2048
SELF_ISSUED_RSA_BITS = 3072
SELF_ISSUED_VALIDITY = timedelta(days=730)
# qcStatements (RFC 3739) and the EU statements in it (ETSI EN 319 412-5).
QC_STATEMENTS = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3")
QC_COMPLIANCE = "0.4.0.1862.1.1"
QC_SSCD = "0.4.0.1862.1.4"
QC_TYPE = "0.4.0.1862.1.6"
QC_TYPE_ESEAL = "0.4.0.1862.1.6.2"
# organizationIdentifier (EN 319 412-1 §5.1.4): VAT/NTR/PSD/LEI + country + "-" + id, or country + ":" + scheme id.
_ORGANIZATION_IDENTIFIER = re.compile(r"(?:[A-Z]{3}[A-Z]{2}-|[A-Z]{2}:)\S+")


@dataclass(frozen=True)
class SealCertificate:
    """What a signing certificate says about itself; nothing here is checked against a trusted list.

    ``qc_compliance``/``qc_type_eseal``/``qc_sscd`` are ``None`` when a qcStatements extension is present but cannot
    be parsed, and ``False`` when the extension is absent.
    """

    subject: str
    issuer: str
    organisation: str | None
    organization_identifier: str | None
    not_before: datetime
    not_after: datetime
    self_issued: bool
    qc_statements: bool
    qc_compliance: bool | None
    qc_type_eseal: bool | None
    qc_sscd: bool | None

    @property
    def qualified_eseal(self) -> bool:
        """The certificate *claims* to be an EU qualified certificate for e-seals (EU trusted lists not consulted)."""
        return bool(self.qc_compliance and self.qc_type_eseal)


class SealMaterial:
    """An RSA private key and its certificate chain, leaf first. The key never appears in a repr."""

    __slots__ = ("_private_key", "chain")

    def __init__(self, private_key: rsa.RSAPrivateKey, chain: Sequence[x509.Certificate]) -> None:
        check_chain(private_key, chain)
        self._private_key = private_key
        self.chain: tuple[x509.Certificate, ...] = tuple(chain)

    def __repr__(self) -> str:
        return f"SealMaterial(subject={self.certificate.subject.rfc4514_string()!r}, key=<redacted>)"

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        return self._private_key

    @property
    def certificate(self) -> x509.Certificate:
        """The leaf (signing) certificate."""
        return self.chain[0]

    def private_key_der(self) -> bytes:
        """PKCS#8 DER, unencrypted: the caller encrypts it (``MasterKey.encrypt``) before storing it."""
        return self._private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def chain_der(self) -> list[bytes]:
        """The chain as DER certificates, leaf first."""
        return [certificate.public_bytes(serialization.Encoding.DER) for certificate in self.chain]

    @classmethod
    def from_parts(cls, private_key_der: bytes, chain_der: Sequence[bytes]) -> SealMaterial:
        """The inverse of ``private_key_der()`` + ``chain_der()``; ``KeyMaterialError`` if the parts do not fit."""
        try:
            private_key = serialization.load_der_private_key(private_key_der, password=None)
            chain = [x509.load_der_x509_certificate(der) for der in chain_der]
        except ValueError as error:
            raise KeyMaterialError(f"the stored e-seal key or certificate cannot be decoded: {error}") from error
        return cls(_rsa_key(private_key), chain)


def load_pkcs12(data: bytes, password: bytes | None, *, now: datetime | None = None) -> SealMaterial:
    """The seal material in a PKCS#12 (.p12/.pfx) file, its chain put leaf first.

    Refuses a certificate that is expired or not yet valid at ``now`` (default: the system clock, as an upload
    happens now; tests pass their own).
    """
    try:
        private_key, certificate, additional = pkcs12.load_key_and_certificates(data, password)
    except ValueError as error:
        raise KeyMaterialError(
            "the PKCS#12 file cannot be opened: the password is wrong, or the file is not PKCS#12 (.p12/.pfx)"
        ) from error
    if private_key is None:
        raise KeyMaterialError("the PKCS#12 file holds no private key: export the e-seal with its key")
    if certificate is None:
        raise KeyMaterialError("the PKCS#12 file holds no certificate for its private key")
    key = _rsa_key(private_key)
    material = SealMaterial(key, order_chain(key, [certificate, *additional]))
    require_valid_at(material.certificate, datetime.now(UTC) if now is None else now)
    return material


def self_issued_seal_material(
    organisation: str, country: str, organization_identifier: str | None, now: datetime
) -> SealMaterial:
    """A new RSA-3072 key and a self-signed 2-year e-seal certificate, for tests and demos only.

    Europass cannot chain it to the EU trusted list, so its seal check fails (as the Playground's "mock-seal" does).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not organisation.strip():
        raise InvalidInput("the organisation name is empty", field="organisation")
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidInput(
            f"country must be an ISO 3166 two-letter code such as 'IE', not {country!r}", field="country"
        )
    if organization_identifier is not None and not _ORGANIZATION_IDENTIFIER.fullmatch(organization_identifier):
        raise InvalidInput(
            "organizationIdentifier follows ETSI EN 319 412-1, e.g. 'VATIE-1234567X' or 'NTRIE-123456', "
            f"not {organization_identifier!r}",
            field="organization_identifier",
        )
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if organization_identifier is not None:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organization_identifier))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, organisation))
    name = x509.Name(attributes)
    key = rsa.generate_private_key(public_exponent=65537, key_size=SELF_ISSUED_RSA_BITS)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + SELF_ISSUED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return SealMaterial(key, [certificate])


def order_chain(private_key: rsa.RSAPrivateKey, certificates: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """``certificates`` leaf first: the one holding ``private_key``'s public key, then each one's issuer."""
    public = private_key.public_key().public_numbers()
    leaves = [c for c in certificates if _public_numbers(c) == public]
    if not leaves:
        raise KeyMaterialError("no certificate matches the private key")
    ordered = [leaves[0]]
    rest = [c for c in certificates if c != leaves[0]]
    while rest:
        issuers = [c for c in rest if c.subject == ordered[-1].issuer]
        if not issuers:
            extra = ", ".join(repr(c.subject.rfc4514_string()) for c in rest)
            raise KeyMaterialError(f"certificate(s) {extra} are not in the issuing chain of the seal certificate")
        ordered.append(issuers[0])
        rest.remove(issuers[0])
    return ordered


def check_chain(private_key: rsa.RSAPrivateKey, chain: Sequence[x509.Certificate]) -> None:
    """``KeyMaterialError`` unless ``chain`` is leaf first (the key's certificate), each link signed by the next."""
    _rsa_key(private_key)
    if private_key.key_size < MIN_RSA_BITS:
        raise KeyMaterialError(f"an RSA e-seal key has at least {MIN_RSA_BITS} bits, not {private_key.key_size}")
    if not chain:
        raise KeyMaterialError("an e-seal needs its certificate")
    if list(chain) != order_chain(private_key, chain):
        raise KeyMaterialError("the certificate chain must be leaf first, each certificate followed by its issuer")
    for certificate, issuer in itertools.pairwise(chain):
        try:
            certificate.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature) as error:
            raise KeyMaterialError(
                f"{certificate.subject.rfc4514_string()!r} is not signed by {issuer.subject.rfc4514_string()!r}"
            ) from error
    usage = _key_usage(chain[0])
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise KeyMaterialError("the seal certificate's keyUsage allows neither digitalSignature nor nonRepudiation")


def require_valid_at(certificate: x509.Certificate, now: datetime) -> None:
    """``KeyMaterialError`` if ``certificate`` is expired or not yet valid at ``now``."""
    subject = certificate.subject.rfc4514_string()
    if now < certificate.not_valid_before_utc:
        raise KeyMaterialError(
            f"the e-seal certificate {subject!r} is not valid before {certificate.not_valid_before_utc}"
        )
    if now > certificate.not_valid_after_utc:
        raise KeyMaterialError(
            f"the e-seal certificate {subject!r} expired on {certificate.not_valid_after_utc}: "
            "a new one from the trust service provider is needed"
        )


def describe_certificate(certificate: x509.Certificate) -> SealCertificate:
    """Subject, organisation, validity, self-issuance and qcStatements of a signing certificate."""
    qc = _qc_statements(certificate)
    return SealCertificate(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        organisation=_attribute(certificate.subject, NameOID.ORGANIZATION_NAME),
        organization_identifier=_attribute(certificate.subject, NameOID.ORGANIZATION_IDENTIFIER),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        self_issued=_self_issued(certificate),
        qc_statements=qc is not None,
        qc_compliance=False if qc is None else qc.get(QC_COMPLIANCE),
        qc_type_eseal=False if qc is None else qc.get(QC_TYPE_ESEAL),
        qc_sscd=False if qc is None else qc.get(QC_SSCD),
    )


def issuer_serial_der(certificate: x509.Certificate) -> bytes:
    """DER ``IssuerSerial`` (RFC 5035): the JAdES ``kid`` is its base64. GeneralNames holds one directoryName."""
    general_names = _der(0x30, _der(0xA4, certificate.issuer.public_bytes()))
    serial = certificate.serial_number
    length = (serial + (serial < 0)).bit_length() // 8 + 1
    return _der(0x30, general_names + _der(0x02, serial.to_bytes(length, "big", signed=True)))


def _rsa_key(private_key: object) -> rsa.RSAPrivateKey:
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise KeyMaterialError(f"an e-seal key must be RSA (JAdES RS256), not {type(private_key).__name__}")
    return private_key


def _public_numbers(certificate: x509.Certificate) -> rsa.RSAPublicNumbers | None:
    key = certificate.public_key()
    return key.public_numbers() if isinstance(key, rsa.RSAPublicKey) else None


def _key_usage(certificate: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _self_issued(certificate: x509.Certificate) -> bool:
    if certificate.subject != certificate.issuer:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _qc_statements(certificate: x509.Certificate) -> dict[str, bool | None] | None:
    """``None`` without the extension; else which statements it makes (values ``None`` when it cannot be parsed)."""
    try:
        extension = certificate.extensions.get_extension_for_oid(QC_STATEMENTS)
    except x509.ExtensionNotFound:
        return None
    found: set[str] = set()
    try:
        # QCStatements ::= SEQUENCE OF SEQUENCE { statementId OID, statementInfo ANY OPTIONAL }
        [(tag, statements)] = _der_items(extension.value.public_bytes())
        if tag != 0x30:
            raise ValueError("QCStatements is a SEQUENCE")
        for statement_tag, statement in _der_items(statements):
            parts = _der_items(statement)
            if statement_tag != 0x30 or not parts or parts[0][0] != 0x06:
                raise ValueError("a QCStatement is a SEQUENCE starting with an OID")
            found.add(_oid(parts[0][1]))
            if _oid(parts[0][1]) == QC_TYPE and len(parts) > 1:  # QcType ::= SEQUENCE OF OID
                found.update(_oid(content) for item_tag, content in _der_items(parts[1][1]) if item_tag == 0x06)
    except ValueError:
        return dict.fromkeys((QC_COMPLIANCE, QC_TYPE_ESEAL, QC_SSCD))
    return {oid: oid in found for oid in (QC_COMPLIANCE, QC_TYPE_ESEAL, QC_SSCD)}


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def _der_items(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) pairs of consecutive DER elements; ``ValueError`` on anything malformed."""
    items: list[tuple[int, bytes]] = []
    position = 0
    while position < len(data):
        if position + 2 > len(data) or data[position] & 0x1F == 0x1F:
            raise ValueError("truncated DER, or a high tag number")
        tag, length = data[position], data[position + 1]
        position += 2
        if length & 0x80:
            count = length & 0x7F
            if not 0 < count <= 4 or position + count > len(data):
                raise ValueError("bad DER length")
            length = int.from_bytes(data[position : position + count], "big")
            position += count
        if position + length > len(data):
            raise ValueError("truncated DER")
        items.append((tag, data[position : position + length]))
        position += length
    return items


def _oid(content: bytes) -> str:
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = value << 7 | byte & 0x7F
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs or content[-1] & 0x80:
        raise ValueError("bad OBJECT IDENTIFIER")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in [first, arcs[0] - 40 * first, *arcs[1:]])
