"""Certificate path validation at a point in time (pyhanko-certvalidator): signatures, validity and revocation."""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

T = TypeVar("T")


@dataclass(frozen=True)
class PathResult:
    """``valid`` when ``path`` (leaf first, ending at ``anchor``) verifies at the moment asked about."""

    valid: bool
    reason: str
    path: tuple[x509.Certificate, ...] = ()

    @property
    def anchor(self) -> x509.Certificate | None:
        return self.path[-1] if self.path else None


def validate_path(
    target: x509.Certificate,
    *,
    anchors: Sequence[x509.Certificate],
    certificates: Sequence[x509.Certificate] = (),
    crls: Sequence[bytes] = (),
    ocsps: Sequence[bytes] = (),
    moment: datetime,
    require_revocation: bool,
) -> PathResult:
    """A path from ``target`` to one of ``anchors`` through ``certificates``, valid at ``moment``.

    Nothing is fetched: revocation is decided from ``crls`` and ``ocsps`` only. With ``require_revocation`` every
    certificate below the anchor needs revocation data that says it was not revoked (what JAdES B-LT promises);
    otherwise data that is present is used and missing data is not an error. An anchor need not be self-signed
    (a trusted list names issuing CAs as well as roots).
    """
    if not anchors:
        return PathResult(False, "no trust anchor to validate the certificate against")
    target_der = target.public_bytes(Encoding.DER)
    if any(anchor.public_bytes(Encoding.DER) == target_der for anchor in anchors):
        if not target.not_valid_before_utc <= moment <= target.not_valid_after_utc:
            return PathResult(False, f"{_subject(target)} was not valid at {moment:%Y-%m-%d %H:%M:%SZ}")
        return PathResult(True, f"{_subject(target)} is itself the trust anchor", (target,))
    context = ValidationContext(
        trust_roots=[_asn1(anchor) for anchor in anchors],
        other_certs=[_asn1(certificate) for certificate in certificates],
        crls=list(crls),
        ocsps=list(ocsps),
        moment=moment,
        allow_fetching=False,
        revocation_mode="require" if require_revocation else "soft-fail",
        retroactive_revinfo=True,  # data fetched after the moment (as B-LT collects it) still speaks for it
    )
    validator = CertificateValidator(_asn1(target), validation_context=context)
    try:
        path = _run(validator.async_validate_path())
    except (PathBuildingError, PathValidationError, ValidationError) as error:
        return PathResult(False, str(error))
    chain = tuple(reversed([x509.load_der_x509_certificate(item.dump()) for item in path]))
    return PathResult(True, f"{_subject(target)} chains to {_subject(chain[-1])}", chain)


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


def _subject(certificate: x509.Certificate) -> str:
    return repr(certificate.subject.rfc4514_string())


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs pyhanko-certvalidator's (async-only) validation to completion without an event loop.

    With fetching off it never waits for I/O, so one step finishes it; no loop means no thread or socket pair per
    call and no clash with a caller's running loop.
    """
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return cast(T, finished.value)
    coroutine.close()
    raise RuntimeError("certificate path validation waited for I/O, which it must not do with fetching off")
