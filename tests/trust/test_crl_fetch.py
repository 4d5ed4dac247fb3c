"""CRLs named by a college's certificates are fetched only from public addresses (the college chose those URLs)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI, Response

from app.outbound import OutboundClient, OutboundPolicy
from app.trust.crl_fetch import CrlFetcher
from tests.pki import LocalPki
from tests.servers import serving


def test_a_crl_on_a_private_address_is_never_requested_unless_allowed() -> None:
    hits: list[str] = []

    def make(_base: str) -> FastAPI:
        app = FastAPI()

        @app.get("/ca.crl")
        def crl() -> Response:
            hits.append("crl")
            return Response(pki.crl(), media_type="application/pkix-crl")

        return app

    with serving(make) as (base, _):
        pki = LocalPki(crl_url=f"{base}/ca.crl")
        leaf = pki.issue("College e-seal", organisation="College")
        refused = CrlFetcher(client=OutboundClient(OutboundPolicy(allow_http=True)), clock=lambda: datetime.now(UTC))
        assert refused([leaf.certificate]) == [] and hits == []
        allowed = CrlFetcher(
            client=OutboundClient(OutboundPolicy(allow_http=True, allow_origins=frozenset({base}))),
            clock=lambda: datetime.now(UTC),
        )
        first = allowed([leaf.certificate])
        assert len(first) == 1 and allowed([leaf.certificate]) == first
        assert hits == ["crl"]  # fetched once, then cached until the CRL's nextUpdate
