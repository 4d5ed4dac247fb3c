"""A test PKI made in the test session: a CA, e-seal and TSA certificates, CRLs, and a real TSA (`openssl ts`)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.servers import serving

# QCStatements (ETSI EN 319 412-5): QcCompliance, QcType { id-etsi-qct-eseal }, QcSSCD.
_STATEMENTS = (
    bytes.fromhex("3008060604008e460101")
    + bytes.fromhex("3013060604008e4601063009060704008e46010602")
    + bytes.fromhex("3008060604008e460104")
)
QC_ESEAL_QSCD = bytes([0x30, len(_STATEMENTS)]) + _STATEMENTS


def _name(common_name: str, organisation: str = "Test PKI") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


@dataclass
class Issued:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass
class LocalPki:
    """A root CA whose CRL is served at ``crl_url``; issues TSA and e-seal certificates pointing there."""

    crl_url: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    revoked: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = _name("Test Root CA")
        certificate = (
            self._builder(name, name, key.public_key(), days=3650)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        self.ca = Issued(key, certificate)

    def _builder(
        self, subject: x509.Name, issuer: x509.Name, public_key: rsa.RSAPublicKey, *, days: int
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - timedelta(days=1))
            .not_valid_after(self.now + timedelta(days=days))
        )

    def issue(self, common_name: str, *, organisation: str = "Test PKI", tsa: bool = False, qc: bool = False) -> Issued:
        """An end-entity certificate: a TSA's (critical timeStamping EKU) or an e-seal's (optionally with QC
        statements for a qualified e-seal on a QSCD)."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        builder = (
            self._builder(_name(common_name, organisation), self.ca.certificate.subject, key.public_key(), days=365)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signature=True), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca.key.public_key()), critical=False)
            .add_extension(
                x509.CRLDistributionPoints(
                    [x509.DistributionPoint([x509.UniformResourceIdentifier(self.crl_url)], None, None, None)]
                ),
                critical=False,
            )
        )
        if tsa:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        if qc:
            builder = builder.add_extension(
                x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3"), QC_ESEAL_QSCD), critical=False
            )
        return Issued(key, builder.sign(self.ca.key, hashes.SHA256()))

    def crl(self) -> bytes:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.ca.certificate.subject)
            .last_update(datetime.now(UTC) - timedelta(minutes=5))
            .next_update(datetime.now(UTC) + timedelta(days=7))
        )
        for serial in self.revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(datetime.now(UTC) - timedelta(minutes=1))
                .build()
            )
        return builder.sign(self.ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _key_usage(*, signature: bool = False, cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signature,
        content_commitment=signature,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class LocalTsa:
    """``openssl ts -reply`` behind HTTP. ``mode``: "ok", "error" (HTTP 500) or "garbage" (not a response);
    ``crl_available`` False makes the CA's CRL answer 404."""

    url: str
    pki: LocalPki
    certificate: x509.Certificate
    mode: str = "ok"
    crl_available: bool = True
    requests: int = 0


def _openssl_config(directory: Path) -> Path:
    config = directory / "tsa.cnf"
    config.write_text(
        "[ tsa ]\n"
        "default_tsa = vetcred_test_tsa\n"
        "[ vetcred_test_tsa ]\n"
        f"serial = {directory / 'serial'}\n"
        "crypto_device = builtin\n"
        f"signer_cert = {directory / 'tsa.pem'}\n"
        f"certs = {directory / 'ca.pem'}\n"
        f"signer_key = {directory / 'tsa.key'}\n"
        "signer_digest = sha256\n"
        "default_policy = 1.3.6.1.4.1.99999.1\n"
        "digests = sha256, sha384, sha512\n"
        "accuracy = secs:1\n"
        "ordering = no\n"
        "tsa_name = yes\n"
        "ess_cert_id_alg = sha256\n"
    )
    (directory / "serial").write_text("01\n")
    return config


@contextmanager
def local_tsa(directory: Path) -> Iterator[LocalTsa]:
    """A test CA (its CRL at ``/ca.crl``) and a TSA (``POST /tsa``) on a free loopback port, for one test."""
    holder: dict[str, LocalTsa] = {}

    async def reply(request: Request) -> Response:
        tsa = holder["tsa"]
        tsa.requests += 1
        if tsa.mode == "error":
            return Response(b"down for maintenance", status_code=500)
        if tsa.mode == "garbage":
            return Response(b"not a time-stamp", media_type="application/timestamp-reply")
        answer = subprocess.run(
            ["openssl", "ts", "-reply", "-config", str(config), "-queryfile", "/dev/stdin", "-out", "/dev/stdout"],
            input=await request.body(),
            capture_output=True,
            check=True,
        )
        return Response(answer.stdout, media_type="application/timestamp-reply")

    async def crl(_request: Request) -> Response:
        if not holder["tsa"].crl_available:
            return Response(b"gone", status_code=404)
        return Response(holder["tsa"].pki.crl(), media_type="application/pkix-crl")

    app = Starlette(routes=[Route("/tsa", reply, methods=["POST"]), Route("/ca.crl", crl)])
    with serving(lambda _base: app) as (base, _app):
        pki = LocalPki(crl_url=f"{base}/ca.crl")
        signer = pki.issue("Test TSA", tsa=True)
        (directory / "ca.pem").write_bytes(pki.ca.pem())
        (directory / "tsa.pem").write_bytes(signer.pem())
        (directory / "tsa.key").write_bytes(
            signer.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        config = _openssl_config(directory)
        holder["tsa"] = LocalTsa(url=f"{base}/tsa", pki=pki, certificate=signer.certificate)
        yield holder["tsa"]
