"""JAdES seals: the Commission's sealed EDCs verify, tampering is caught, our own seals verify (also with jwcrypto)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from jwcrypto import jwk, jws
from jwcrypto.common import JWSEHeaderParameter

from app.errors import KeyMaterialError
from app.proofs.eseal import SealMaterial, issuer_serial_der, self_issued_seal_material
from app.proofs.jades import SealReport, seal, verify_seal
from app.trust.seal_trust import NOT_CHECKED

EDC = Path(__file__).resolve().parents[1] / "vectors" / "edc"
NOW = datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=UTC)
PAYLOAD = (
    '{"@context":["https://www.w3.org/2018/credentials/v1"],"id":"urn:credential:1","name":"Schweißen für Einsteiger"}'
)
SAMPLES = {
    # file: (subject CN, organisation, organizationIdentifier, level)
    "Sample-MC-Annex1-signed.jsonld": ("TEST SEAL", "ORGANIZACION TEST", "VATES-A00000000", "LTA"),
    "Sample-CertOfPart-signed.jsonld": ("TEST SEAL", "ORGANIZACION TEST", "VATES-A00000000", "LTA"),
    # NOTES §2.4 calls this one JAdES-B; its etsiU holds sigTst, xVals, rVals and arcTst, but the rVals lack the
    # revocation data of its intermediate CA (Halcom CA PO e-seal 2), so what verifies is B-T.
    "mynextid-edc-mc-signed.jsonld": ("VELOCERT OU", "VELOCERT OU", "NTREE-17207834", "T"),
}


def _verify(document: dict[str, Any] | str) -> SealReport:
    """Offline: no trusted lists, the clock at NOW."""
    return verify_seal(document, trusted_lists=None, now=NOW)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _header(document: dict[str, Any]) -> dict[str, Any]:
    protected = document["signatures"][0]["protected"]
    return json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4)))


def _with_header(document: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """A copy whose protected header is changed and re-encoded, keeping the old signature."""
    header = _header(document)
    change(header)
    changed = copy.deepcopy(document)
    changed["signatures"][0]["protected"] = _b64url(json.dumps(header, separators=(",", ":")).encode())
    return changed


def _signed(header: dict[str, Any], payload: str, key: Any) -> dict[str, Any]:
    """A seal made by hand, to reach the checks after the signature and the algorithms ``seal`` does not use."""
    protected = _b64url(json.dumps(header, separators=(",", ":")).encode())
    data = protected.encode() + b"." + payload.encode()
    if header["alg"] == "ES256":
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif header["alg"] == "PS256":
        signature = key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    else:
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return {"payload": payload, "signatures": [{"protected": protected, "signature": _b64url(signature)}]}


def _resigned(document: dict[str, Any], key: Any, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    header = _header(document)
    change(header)
    return _signed(header, document["payload"], key)


def _one_byte_changed(text: str) -> str:
    middle = len(text) // 2
    return text[:middle] + ("X" if text[middle] != "X" else "Y") + text[middle + 1 :]


@pytest.fixture(scope="module")
def material() -> SealMaterial:
    return self_issued_seal_material("Cork College of Further Education", "IE", "NTRIE-123456", NOW)


@pytest.fixture(scope="module")
def ours(material: SealMaterial) -> dict[str, Any]:
    return seal(PAYLOAD, private_key=material.private_key, chain=list(material.chain), now=NOW)


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def sample(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.param, json.loads((EDC / request.param).read_text(encoding="utf-8"))


# The Commission's (and MyNextID's) sealed EDCs


def test_sealed_samples_verify(sample: tuple[str, dict[str, Any]]) -> None:
    name, document = sample
    common_name, organisation, organization_identifier, level = SAMPLES[name]
    report = _verify(document)
    assert report.valid, report.reason
    assert report.algorithm == "RS256"
    assert report.level == level
    assert report.x5t_s256_matches is True
    assert report.kid_matches is True
    assert report.certificate is not None
    assert f"CN={common_name}" in report.certificate.subject
    assert report.certificate.organisation == organisation
    assert report.certificate.organization_identifier == organization_identifier
    assert not report.certificate.self_issued
    assert report.certificate.qc_statements
    assert report.certificate.qualified_eseal  # QcCompliance + QcType eseal, as the certificate claims
    assert report.trust == NOT_CHECKED
    assert report.present_level == "LTA"


def test_samples_are_read_from_their_text_as_well() -> None:
    text = (EDC / "Sample-MC-Annex1-signed.jsonld").read_text(encoding="utf-8")
    report = _verify(text)
    assert report.valid
    assert report.signing_time == datetime(2023, 9, 27, 11, 54, 17, tzinfo=UTC)
    assert report.content_timestamp is not None and report.content_timestamp.valid  # adoTst, protected header
    assert report.content_timestamp.time == datetime(2023, 9, 27, 11, 54, 17, tzinfo=UTC)
    assert report.certificate is not None
    assert "ANF AC Qualified Certificates for eSeal" in report.certificate.issuer


def test_eu_samples_kid_is_base64_der_issuer_serial(sample: tuple[str, dict[str, Any]]) -> None:
    header = _header(sample[1])
    leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    assert header["kid"] == base64.b64encode(issuer_serial_der(leaf)).decode()
    assert (header["cty"], header["typ"], header["crit"][:2]) == ("octet-stream", "jose+json", ["b64", "sigT"])


def test_sample_with_one_payload_byte_changed_is_invalid(sample: tuple[str, dict[str, Any]]) -> None:
    changed = dict(sample[1], payload=_one_byte_changed(sample[1]["payload"]))
    report = _verify(changed)
    assert not report.valid
    assert "does not verify" in report.reason
    assert report.certificate is not None  # still says who sealed it


def test_sample_with_a_changed_protected_header_is_invalid(sample: tuple[str, dict[str, Any]]) -> None:
    report = _verify(_with_header(sample[1], lambda header: header.update(sigT="2023-09-27T11:54:18Z")))
    assert not report.valid
    assert "does not verify" in report.reason


def test_sample_with_a_wrong_x5t_s256_is_invalid(sample: tuple[str, dict[str, Any]]) -> None:
    report = _verify(_with_header(sample[1], lambda header: header.update({"x5t#S256": _b64url(bytes(32))})))
    assert not report.valid
    assert report.x5t_s256_matches is False
    assert "x5t#S256" in report.reason


def test_sample_with_an_unknown_critical_header_is_invalid(sample: tuple[str, dict[str, Any]]) -> None:
    def add_critical(header: dict[str, Any]) -> None:
        header["exp"] = 1
        header["crit"] = [*header["crit"], "exp"]

    report = _verify(_with_header(sample[1], add_critical))
    assert not report.valid
    assert "unknown critical header(s) ['exp']" in report.reason


def test_the_readme_payload_object_form_is_refused_with_a_reason() -> None:
    document = json.loads((EDC / "Sample-CertOfPart-signed.jsonld").read_text(encoding="utf-8"))
    document["payload"] = json.loads(document["payload"])
    report = _verify(document)
    assert not report.valid
    assert "not the signed string" in report.reason


# Our own seals


def test_our_seal_has_the_samples_header_layout(ours: dict[str, Any], material: SealMaterial) -> None:
    header = _header(ours)
    eu = _header(json.loads((EDC / "Sample-MC-Annex1-signed.jsonld").read_text(encoding="utf-8")))
    assert list(header) == [name for name in eu if name != "adoTst"]
    assert header["alg"] == "RS256"
    assert (header["cty"], header["typ"], header["b64"]) == (eu["cty"], eu["typ"], False)
    assert header["sigT"] == "2026-11-22T09:30:15Z"
    assert header["crit"] == ["b64", "sigT"]
    leaf_der = material.certificate.public_bytes(Encoding.DER)
    assert header["x5c"] == [base64.b64encode(leaf_der).decode()]
    assert header["x5t#S256"] == _b64url(hashlib.sha256(leaf_der).digest())
    assert base64.b64decode(header["kid"]) == issuer_serial_der(material.certificate)
    assert ours["payload"] == PAYLOAD  # unencoded and byte for byte
    assert set(ours["signatures"][0]) == {"protected", "signature"}


def test_our_seal_verifies_as_self_issued_and_not_qualified(ours: dict[str, Any]) -> None:
    report = _verify(json.dumps(ours, ensure_ascii=False))
    assert report.valid, report.reason
    assert report.level == "B"
    assert report.signing_time == NOW.replace(microsecond=0)
    assert report.certificate is not None
    assert report.certificate.self_issued
    assert not report.certificate.qc_statements
    assert not report.certificate.qualified_eseal
    assert report.certificate.organization_identifier == "NTRIE-123456"


def test_our_seal_with_one_payload_byte_changed_is_invalid(ours: dict[str, Any]) -> None:
    assert not _verify(dict(ours, payload=_one_byte_changed(ours["payload"]))).valid
    assert not _verify(dict(ours, payload=ours["payload"].replace("ß", "ss"))).valid


def test_seal_refuses_a_certificate_outside_its_validity(material: SealMaterial) -> None:
    with pytest.raises(KeyMaterialError, match="expired"):
        seal(PAYLOAD, private_key=material.private_key, chain=material.chain, now=NOW + timedelta(days=731))


def test_seal_refuses_a_key_that_is_not_the_certificates(material: SealMaterial) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(KeyMaterialError, match="no certificate matches the private key"):
        seal(PAYLOAD, private_key=other, chain=material.chain, now=NOW)


def test_a_signing_time_outside_the_certificate_validity_is_invalid(
    ours: dict[str, Any], material: SealMaterial
) -> None:
    late = _resigned(ours, material.private_key, lambda header: header.update(sigT="2030-01-01T00:00:00Z"))
    report = _verify(late)
    assert not report.valid
    assert "not valid at the claimed signing time" in report.reason


def test_ps256_verifies(ours: dict[str, Any], material: SealMaterial) -> None:
    assert _verify(_resigned(ours, material.private_key, lambda header: header.update(alg="PS256"))).valid


def test_es256_verifies() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EC seal")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    der = certificate.public_bytes(Encoding.DER)
    header = {
        "alg": "ES256",
        "x5t#S256": _b64url(hashlib.sha256(der).digest()),
        "x5c": [base64.b64encode(der).decode()],
        "b64": False,
        "sigT": "2026-11-22T09:30:15Z",
        "crit": ["b64", "sigT"],
    }
    document = _signed(header, PAYLOAD, key)
    report = _verify(document)
    assert report.valid, report.reason
    assert report.kid_matches is None


Document = dict[str, Any]


def _entry(ours: Document, **change: Any) -> Document:
    return dict(ours, signatures=[dict(ours["signatures"][0], **change)])


def _changed(change: Callable[[Document], None]) -> Callable[[Document], Document]:
    return lambda ours: _with_header(ours, change)


# (case, bad input made from our seal, words the reason must contain)
MALFORMED: list[tuple[str, Callable[[Document], Any], str]] = [
    ("not JSON", lambda ours: "{", "not JSON"),
    ("a JSON list", lambda ours: "[]", "JSON object"),
    ("no seal", lambda ours: {"payload": PAYLOAD}, "no signatures"),
    ("a Data Integrity proof", lambda ours: {"proof": {}}, "Data Integrity"),
    ("flattened", lambda ours: {"payload": PAYLOAD, **ours["signatures"][0]}, "flattened"),
    ("no payload", lambda ours: {"signatures": ours["signatures"]}, "payload is missing"),
    ("no signatures", lambda ours: dict(ours, signatures=[]), "exactly one"),
    ("two signatures", lambda ours: dict(ours, signatures=ours["signatures"] * 2), "exactly one"),
    ("protected not base64url", lambda ours: _entry(ours, protected="e30="), "base64url"),
    ("signature not base64url", lambda ours: _entry(ours, signature="a+b"), "base64url"),
    ("header not an object", lambda ours: _entry(ours, protected=_b64url(b"[1]")), "JSON object"),
    ("duplicate header name", lambda ours: _entry(ours, protected=_b64url(b'{"alg":"RS256","alg":"none"}')), "repeats"),
    ("name both protected and not", lambda ours: _entry(ours, header={"alg": "RS256"}), "both protected and"),
    (
        "crit unprotected",
        lambda ours: _entry(_with_header(ours, lambda h: h.pop("crit")), header={"crit": ["b64", "sigT"]}),
        "crit must be in the protected",
    ),
    ("etsiU not base64url", lambda ours: _entry(ours, header={"etsiU": ["@"]}), "etsiU"),
    ("alg none", _changed(lambda h: h.update(alg="none")), "alg 'none'"),
    ("alg HS256", _changed(lambda h: h.update(alg="HS256")), "alg 'HS256'"),
    ("b64 true", _changed(lambda h: h.update(b64=True)), "b64 must be false"),
    ("b64 not critical", _changed(lambda h: h.update(crit=["sigT"])), "b64 and sigT"),
    ("crit names an absent header", _changed(lambda h: h.update(crit=["b64", "sigT", "adoTst"])), "not in"),
    ("empty crit", _changed(lambda h: h.update(crit=[])), "non-empty"),
    ("sigD", _changed(lambda h: h.update(sigD={}, crit=["b64", "sigT", "sigD"])), "sigD"),
    ("no sigT", _changed(lambda h: h.pop("sigT")), "sigT"),
    ("sigT with an offset", _changed(lambda h: h.update(sigT="2026-11-22T09:30:15+01:00")), "sigT"),
    ("sigT not a date", _changed(lambda h: h.update(sigT="2026-13-22T09:30:15Z")), "not a valid date"),
    ("no x5c", _changed(lambda h: h.pop("x5c")), "x5c"),
    ("x5c not a certificate", _changed(lambda h: h.update(x5c=["AAAA"])), "x5c[0]"),
    ("no x5t#S256", _changed(lambda h: h.pop("x5t#S256")), "x5t#S256"),
]


@pytest.mark.parametrize(("make", "words"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_bad_input_gives_an_invalid_report_with_a_reason(
    ours: Document, make: Callable[[Document], Any], words: str
) -> None:
    report = _verify(make(ours))
    assert not report.valid
    assert words in report.reason


def test_a_wrong_argument_type_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        _verify(b"{}")  # type: ignore[arg-type]


# Interop: an independent JOSE library agrees


def _jwcrypto_verify(document: dict[str, Any]) -> None:
    """jwcrypto knows RFC 7797 but not JAdES: sigT and adoTst must be registered as understood critical headers."""
    leaf = x509.load_der_x509_certificate(base64.b64decode(_header(document)["x5c"][0]))
    registry = {
        "sigT": JWSEHeaderParameter("JAdES claimed signing time", True, True, None),
        "adoTst": JWSEHeaderParameter("JAdES content timestamp", True, True, None),
    }
    jws.JWS(header_registry=registry).deserialize(json.dumps(document), jwk.JWK.from_pyca(leaf.public_key()))


def test_jwcrypto_verifies_our_seal(ours: dict[str, Any]) -> None:
    _jwcrypto_verify(ours)
    with pytest.raises(jws.InvalidJWSSignature):
        _jwcrypto_verify(dict(ours, payload=_one_byte_changed(ours["payload"])))


def test_jwcrypto_agrees_on_the_samples(sample: tuple[str, dict[str, Any]]) -> None:
    _jwcrypto_verify(sample[1])
