"""CRLs from certificates' CRL distribution points, for the long-term validation data of seals (JAdES B-LT)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from cryptography import x509

from app.errors import FetchError
from app.outbound import OutboundClient

log = logging.getLogger(__name__)
MAX_CRL_BYTES = 10_000_000


class CrlFetcher:
    """For each certificate, the first CRL its (http) distribution points serve for its issuer; cached per URL
    until the CRL's nextUpdate. Unreachable points are logged and skipped: the seal then stays B-T.

    The URLs come from certificates a college uploaded, so they go through an ``OutboundClient``: public addresses
    only, no redirects, at most 10 MB."""

    def __init__(self, *, client: OutboundClient, clock: Callable[[], datetime]) -> None:
        self._client = client
        self._clock = clock
        self._cache: dict[str, tuple[bytes, datetime]] = {}
        self._lock = threading.Lock()

    def __call__(self, certificates: Sequence[x509.Certificate]) -> list[bytes]:
        found: list[bytes] = []
        for certificate in certificates:
            for url in _distribution_points(certificate):
                crl = self._crl(url, certificate.issuer)
                if crl is not None:
                    if crl not in found:
                        found.append(crl)
                    break
        return found

    def _crl(self, url: str, issuer: x509.Name) -> bytes | None:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            content = self._client.get(url, accept="application/pkix-crl")
            crl = x509.load_der_x509_crl(content)
        except FetchError as error:
            log.warning("CRL %s cannot be fetched: %s", url, error.detail)
            return None
        except ValueError as error:
            log.warning("CRL %s is not a CRL: %s", url, error)
            return None
        if crl.issuer != issuer or crl.next_update_utc is None:
            log.warning("CRL %s is not a usable CRL of %s", url, issuer.rfc4514_string())
            return None
        with self._lock:
            self._cache[url] = (content, crl.next_update_utc)
        return content


def _distribution_points(certificate: x509.Certificate) -> list[str]:
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [
        name.value
        for point in points
        for name in point.full_name or []
        if isinstance(name, x509.UniformResourceIdentifier) and name.value.startswith(("http://", "https://"))
    ]
