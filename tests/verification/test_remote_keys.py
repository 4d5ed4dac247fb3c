"""Keys fetched from other hosts (did:web DID documents, https key documents) through RemoteFetcher, from a real
HTTP server on the loopback interface; and Runtime.resolver fetching them only when VETCRED_FETCH_REMOTE is on."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.config import Settings
from app.outbound import OutboundClient, OutboundPolicy
from app.proofs import eddsa_rdfc_2022
from app.proofs.controller_documents import DocumentFetcher, resolve_remote
from app.proofs.dids import CompositeResolver, did_document
from app.proofs.embedded import verify_proofs
from app.proofs.keys import generate_signing_key, public_key_bytes
from app.proofs.loader import default_loader
from app.proofs.multikey import encode_public_key
from app.proofs.results import ProofOutcome, ProofResult
from app.proofs.signer import Ed25519Signer
from app.runtime import Runtime
from app.verification.remote import RemoteFetcher
from tests.servers import serving

CREDENTIAL = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "ob3-proof-vector.json").read_text("utf-8"))[
    "credential"
]
CREATED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
# https keys are published at this made-up origin; the test fetcher sends its requests to the loopback server.
ORIGIN = "https://college.test"
KEY = generate_signing_key()
MULTIBASE = encode_public_key(public_key_bytes(KEY))


def _documents(base: str) -> dict[str, dict[str, Any]]:
    """Path -> JSON served: a did:web DID document, an https controller document, an https key document."""
    did = "did:web:" + base.removeprefix("http://").replace(":", "%3A") + ":issuers:7"
    issuer = f"{ORIGIN}/issuers/9"
    return {
        "/issuers/7/did.json": did_document(did, "key-1", MULTIBASE),
        "/issuers/9": {
            "@context": ["https://www.w3.org/ns/cid/v1"],
            "id": issuer,
            "verificationMethod": [
                {"id": f"{issuer}#key-1", "type": "Multikey", "controller": issuer, "publicKeyMultibase": MULTIBASE}
            ],
            "assertionMethod": [f"{issuer}#key-1", f"{ORIGIN}/keys/9"],
        },
        "/keys/9": {
            "@context": ["https://www.w3.org/ns/cid/v1"],
            "id": f"{ORIGIN}/keys/9",
            "type": "Multikey",
            "controller": issuer,
            "publicKeyMultibase": MULTIBASE,
        },
    }


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    def make_app(base: str) -> Starlette:
        documents = _documents(base)

        async def document(request: Request) -> Response:
            found = documents.get(request.url.path)
            return JSONResponse(found) if found is not None else Response(status_code=404)

        return Starlette(routes=[Route("/{path:path}", document)])

    with serving(make_app) as (base, _app):
        yield base


def _remote(base: str, *, enabled: bool = True) -> RemoteFetcher:
    """RemoteFetcher whose outbound client allows the loopback server's origin (as only tests can, in code)."""
    return RemoteFetcher(enabled=enabled, client=OutboundClient(OutboundPolicy(allow_origins=frozenset({base}))))


def _loopback(base: str, fetcher: RemoteFetcher) -> DocumentFetcher:
    """``fetcher``, with the made-up https origin and the did:web's https URL mapped onto the loopback server (which
    speaks plain http); its rules stay as they are."""
    https_base = base.replace("http://", "https://", 1)

    def fetch(url: str) -> dict[str, Any]:
        for origin in (ORIGIN, https_base):
            if url.startswith(origin + "/"):
                return fetcher(base + url.removeprefix(origin))
        return fetcher(url)

    return fetch


def _signed(method: str, issuer: str) -> dict[str, Any]:
    credential = copy.deepcopy(CREDENTIAL)
    credential["issuer"]["id"] = issuer
    return eddsa_rdfc_2022.sign(credential, Ed25519Signer(KEY, method), default_loader(), CREATED)


def _did(base: str) -> str:
    return str(_documents(base)["/issuers/7/did.json"]["id"])


def _verify(document: dict[str, Any], fetch: DocumentFetcher) -> ProofResult:
    resolver = CompositeResolver(lambda _vm: None, remote=partial(resolve_remote, fetch=fetch))
    [result] = verify_proofs(document, resolver, default_loader())
    return result


@pytest.mark.parametrize(
    ("method", "issuer"),
    [
        ("{did}#key-1", "{did}"),
        (f"{ORIGIN}/issuers/9#key-1", f"{ORIGIN}/issuers/9"),
        (f"{ORIGIN}/keys/9", f"{ORIGIN}/issuers/9"),
    ],
    ids=["did:web", "https controller document", "https key document"],
)
def test_remote_keys_verify(server: str, method: str, issuer: str) -> None:
    did = _did(server)
    document = _signed(method.format(did=did), issuer.format(did=did))
    result = _verify(document, _loopback(server, _remote(server)))
    assert result.outcome is ProofOutcome.PASSED, result.reason
    assert result.verified is not None and result.verified.controller == issuer.format(did=did)

    off = _verify(document, _loopback(server, _remote(server, enabled=False)))
    assert off.outcome is ProofOutcome.COULD_NOT_CHECK and "turned off" in off.reason


def test_a_key_of_another_controller_fails(server: str) -> None:
    document = _signed(f"{ORIGIN}/keys/9", f"{ORIGIN}/issuers/10")
    result = _verify(document, _loopback(server, _remote(server)))
    assert result.outcome is ProofOutcome.FAILED and "does not match issuer" in result.reason


def test_a_missing_key_document_cannot_be_checked(server: str) -> None:
    document = _signed(f"{ORIGIN}/keys/404", f"{ORIGIN}/issuers/9")
    result = _verify(document, _loopback(server, _remote(server)))
    assert result.outcome is ProofOutcome.COULD_NOT_CHECK and "HTTP 404" in result.reason


@pytest.mark.parametrize("fetch_remote", [True, False])
def test_runtime_resolver_fetches_only_when_enabled(server: str, settings: Settings, fetch_remote: bool) -> None:
    did = _did(server)
    document = _signed(f"{did}#key-1", did)
    runtime = Runtime.start(settings.model_copy(update={"fetch_remote": fetch_remote}))
    try:
        with runtime.transaction() as session:
            [result] = verify_proofs(document, runtime.resolver(session), runtime.loader)
    finally:
        runtime.close()
    assert result.outcome is ProofOutcome.COULD_NOT_CHECK
    if fetch_remote:  # fetched through the outbound policy: a loopback host is refused before any connection
        assert "private, loopback or reserved address" in result.reason, result.reason
    else:
        assert "VETCRED_FETCH_REMOTE=false" in result.reason
