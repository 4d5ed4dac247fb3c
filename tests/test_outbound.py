"""Outbound requests: nothing reaches loopback, private or reserved addresses unless a test allow-lists the origin."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.errors import DidResolutionError, FetchError
from app.outbound import OutboundClient, OutboundPolicy, RefusedDestination, is_public_address
from app.proofs.controller_documents import resolve_did_web
from app.proofs.dids import did_web_document_url
from app.verification.remote import RemoteFetcher


class _Recorder(BaseHTTPRequestHandler):
    """Answers every GET with a small JSON object (or a redirect / a big body) and records the path."""

    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/internal")
            self.end_headers()
            return
        body = b'{"id": "secret-internal-document", "padding": "' + b"x" * (5000 if "big" in self.path else 0) + b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ssrf_target() -> Iterator[tuple[int, list[str]]]:
    """A server on loopback standing in for an internal service; yields its port and the paths it was asked for."""
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def _fetcher(policy: OutboundPolicy | None = None) -> RemoteFetcher:
    return RemoteFetcher(enabled=True, client=OutboundClient(policy or OutboundPolicy(timeout=2)))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/internal",
        "https://127.0.0.1:{port}/internal",
        "https://127.0.0.2:{port}/internal",
        "https://localhost:{port}/internal",
        "https://[::1]:{port}/internal",
        "https://[::ffff:127.0.0.1]:{port}/internal",
        "https://0.0.0.0:{port}/internal",
        "https://user:pw@example.org/x",
        "ftp://example.org/x",
        "file:///etc/passwd",
    ],
)
def test_the_verifier_never_reaches_private_or_loopback_addresses(ssrf_target, url: str) -> None:
    port, hits = ssrf_target
    with pytest.raises(FetchError) as caught:
        _fetcher()(url.format(port=port))
    assert hits == []
    assert "secret-internal-document" not in caught.value.detail


def test_a_host_name_that_resolves_to_loopback_is_refused_before_connecting(ssrf_target) -> None:
    port, hits = ssrf_target
    rebinding = OutboundPolicy(timeout=2, resolver=lambda host, _port: ["203.0.113.9", "127.0.0.1"])
    with pytest.raises(RefusedDestination):
        _fetcher(rebinding)(f"https://college.example:{port}/did.json")
    assert hits == []


def test_the_connection_goes_to_the_vetted_address_not_a_second_lookup(ssrf_target) -> None:
    """DNS rebinding: the first answer is public, a later one would be loopback; only the first is ever used."""
    port, hits = ssrf_target
    answers = iter([["8.8.8.8"], ["127.0.0.1"], ["127.0.0.1"]])
    policy = OutboundPolicy(timeout=1, resolver=lambda host, _port: next(answers))
    with pytest.raises(FetchError) as caught:  # the public address does not answer in this closed network
        _fetcher(policy)(f"https://rebinding.example:{port}/internal")
    assert not isinstance(caught.value, RefusedDestination)
    assert hits == []  # the loopback answer of a second lookup was never used


def test_refusals_for_closed_and_open_ports_read_the_same(ssrf_target) -> None:
    port, _ = ssrf_target
    closed = port + 1 if port < 65535 else port - 1
    messages = []
    for target in (port, closed):
        with pytest.raises(FetchError) as caught:
            _fetcher()(f"https://127.0.0.1:{target}/")
        messages.append(caught.value.detail.replace(str(target), "PORT"))
    assert messages[0] == messages[1]


@pytest.mark.parametrize(
    "did",
    [
        "did:web:127.0.0.1%3A8080%2Finternal%2Fadmin%3Fsecret%3D1",
        "did:web:college.example%2Fadmin",
        "did:web:college.example%40evil.example",
        "did:web:college.example:issuers%2F..%2Fadmin",
        "did:web:college.example%3A99999",
        "did:web:college.example%3A",
        "did:web:-college.example",
    ],
)
def test_did_web_decodes_only_the_port(did: str) -> None:
    with pytest.raises(DidResolutionError):
        did_web_document_url(did)


def test_an_injected_did_web_sends_no_request(ssrf_target) -> None:
    port, hits = ssrf_target
    did = f"did:web:127.0.0.1%3A{port}:internal:admin"
    with pytest.raises(DidResolutionError) as caught:
        resolve_did_web(f"{did}#key-1", _fetcher())
    assert hits == []
    assert "secret-internal-document" not in caught.value.detail


def test_an_allow_listed_origin_is_fetched_without_redirects_and_within_the_size_cap(ssrf_target) -> None:
    port, hits = ssrf_target
    origin = f"http://127.0.0.1:{port}"
    fetch = _fetcher(OutboundPolicy(timeout=2, max_bytes=1000, allow_origins=frozenset({origin})))
    assert fetch(f"{origin}/status/1")["id"] == "secret-internal-document"
    with pytest.raises(FetchError, match="HTTP 302"):
        fetch(f"{origin}/redirect")
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetch(f"{origin}/big")
    assert hits == ["/status/1", "/redirect", "/big"]  # the redirect was not followed to /internal


def test_a_document_whose_id_is_not_the_did_is_not_echoed(ssrf_target) -> None:
    port, _ = ssrf_target
    origin = f"http://127.0.0.1:{port}"

    def fetch(url: str) -> dict[str, object]:  # serves the allow-listed test server in place of the DID's host
        return _fetcher(OutboundPolicy(timeout=2, allow_origins=frozenset({origin})))(f"{origin}/did.json")

    with pytest.raises(DidResolutionError) as caught:
        resolve_did_web("did:web:college.example#key-1", fetch)  # type: ignore[arg-type]
    assert "secret-internal-document" not in caught.value.detail


def test_remote_fetching_off_sends_nothing(ssrf_target) -> None:
    port, hits = ssrf_target
    with pytest.raises(FetchError, match="turned off"):
        RemoteFetcher(enabled=False)(f"https://127.0.0.1:{port}/")
    assert hits == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2a00:1450:4001:80b::200e", True),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("127.0.0.2", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:8.8.8.8", False),
        ("64:ff9b::7f00:1", False),
        ("2002:7f00:1::", False),
        ("not-an-address", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public
