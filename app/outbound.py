"""Requests to URLs that others chose: HTTPS only, public addresses only, bounded in time and size.

Verifying a credential makes the server fetch URLs that the credential (so anyone) chose: DID documents, key
documents, status lists; sealing fetches the CRLs that a college's certificates name. Without care that is a
server-side request forgery tool: an attacker could make vetcred call its own loopback services, the cloud metadata
address or the college's intranet. (Services the operator configures - SMTP, a time-stamp authority, EU trusted
lists, a Europass wallet - are reached as configured.) So:

* only ``https`` URLs (plain ``http`` only where a protocol needs it, CRLs, and then still only to public
  addresses; loopback origins only on an explicit allow-list that tests construct in code, there is no setting);
* the host name is resolved once, every address must be a global unicast address (no loopback, private,
  link-local, shared, multicast, reserved or IPv4-mapped/embedded ones), and the connection goes to exactly that
  vetted address, whose peer is checked again on the connected socket: a DNS answer that changes between the
  check and the connection (DNS rebinding) cannot steer it elsewhere;
* no redirects, no proxies from the environment, a timeout and a size cap;
* error messages say that a URL could not be fetched, never why at the network level, so they do not reveal
  what listens where.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from app.errors import FetchError

Resolver = Callable[[str, int], list[str]]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), in the system's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: str) -> bool:
    """Whether ``address`` is a global unicast address that an outbound request may go to."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.is_multicast or ip.is_reserved or not ip.is_global:
        return False
    # IPv4 addresses tucked into IPv6 ones could reach 127.0.0.1 through a translating network.
    return not (
        isinstance(ip, ipaddress.IPv6Address)
        and (ip.ipv4_mapped or ip.teredo or ip.sixtofour or ip in _NAT64 or ip in _SIX_TO_FOUR)
    )


class RefusedDestination(FetchError):
    """A URL vetcred will not request: not https, or a host that is not a public address."""

    code = "refused_destination"


@dataclass(frozen=True)
class OutboundPolicy:
    """Where requests may go. ``allow_origins`` (``http://127.0.0.1:8123``...) exempts exact origins from the
    https and public-address rules; only tests set it, in code."""

    timeout: float = 5.0
    max_bytes: int = 2_000_000
    allow_origins: frozenset[str] = field(default_factory=frozenset)
    allow_http: bool = False  # CRL distribution points are conventionally plain http (RFC 5280 §4.2.1.13)
    resolver: Resolver = system_resolver

    def allows_origin(self, scheme: str, host: str, port: int | None) -> bool:
        default = 443 if scheme == "https" else 80
        return f"{scheme}://{host}:{port or default}" in self.allow_origins or (
            port is None and f"{scheme}://{host}" in self.allow_origins
        )

    def check_url(self, url: str) -> None:
        """Refuses a URL before any connection: scheme, credentials in the URL, and the shape of the host."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise RefusedDestination(f"{url!r} is not a valid URL") from error
        host = parts.hostname or ""
        if self.allows_origin(parts.scheme, host, port):
            return
        if parts.scheme != "https" and not (self.allow_http and parts.scheme == "http"):
            raise RefusedDestination(f"only https URLs are fetched, not {url}")
        if not host or parts.username or parts.password:
            raise RefusedDestination(f"{url} has no host name, or carries credentials")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None and not is_public_address(str(literal)):
            raise RefusedDestination(f"{url} points at a private, loopback or reserved address")

    def vetted_addresses(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` a connection may use; ``RefusedDestination`` unless every one is public."""
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as error:
            raise FetchError(f"the host {host} could not be resolved") from error
        if not addresses:
            raise FetchError(f"the host {host} could not be resolved")
        if not all(is_public_address(address) for address in addresses):
            # All, not any: a host that answers with one public and one private address is not trusted either.
            raise RefusedDestination(f"the host {host} resolves to a private, loopback or reserved address")
        return addresses


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to vetted addresses, then checks the connected socket's peer once more."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        exempt = any(origin.rsplit("//", 1)[-1] == f"{host}:{port}" for origin in self._policy.allow_origins)
        addresses = [host] if exempt else self._policy.vetted_addresses(host, port)
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue
            peer = stream.get_extra_info("socket").getpeername()[0]
            if exempt or is_public_address(peer):
                return stream
            stream.close()
            raise RefusedDestination(f"the connection to {host} reached a private address")
        raise httpcore.ConnectError(f"no address of {host} accepted a connection")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport on a connection pool that only uses ``_GuardedBackend``.

    httpx does not take a network backend, so the pool it built is replaced by one with the same settings and
    ours (``trust_env=False``: an ``HTTPS_PROXY`` variable would otherwise move the connection out of our hands).
    """

    def __init__(self, policy: OutboundPolicy) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(),
            max_connections=10,
            network_backend=_GuardedBackend(policy),
        )


@dataclass(frozen=True)
class Fetched:
    """A 200 answer's body, or (``not_modified``, no body) a 304 to a conditional request; and the answer's headers,
    for the caller's caching (``app/verification/remote.py``)."""

    body: bytes
    headers: Mapping[str, str]
    not_modified: bool = False


class OutboundClient:
    """GETs and POSTs to other hosts under an ``OutboundPolicy``; one client (and connection pool) per process."""

    def __init__(self, policy: OutboundPolicy | None = None) -> None:
        self.policy = policy or OutboundPolicy()
        self._client = httpx.Client(
            transport=_GuardedTransport(self.policy),
            timeout=self.policy.timeout,
            follow_redirects=False,
            trust_env=False,
        )

    def get(self, url: str, *, accept: str) -> bytes:
        """The body of a 200 answer to ``GET url``; ``FetchError`` (``RefusedDestination``) otherwise."""
        return self._request("GET", url, headers={"Accept": accept}).body

    def get_fetched(self, url: str, *, accept: str, etag: str | None = None) -> Fetched:
        """``GET url`` with its answer's headers; with ``etag``, a conditional request that a 304 may answer."""
        headers = {"Accept": accept} | ({"If-None-Match": etag} if etag else {})
        return self._request("GET", url, headers=headers, not_modified_ok=etag is not None)

    def post(
        self, url: str, body: bytes, *, content_type: str, accept: str, headers: Mapping[str, str] | None = None
    ) -> bytes:
        """The body of a 200 answer to ``POST url`` (for services such as a time-stamp authority, or a college's
        OpenID provider); ``headers`` adds to the request's (an ``Authorization``)."""
        sent = {**(headers or {}), "Content-Type": content_type, "Accept": accept}
        return self._request("POST", url, headers=sent, content=body).body

    def _request(self, method: str, url: str, *, not_modified_ok: bool = False, **kwargs: Any) -> Fetched:
        self.policy.check_url(url)
        try:
            with self._client.stream(method, url, **kwargs) as response:
                if response.status_code == 304 and not_modified_ok:
                    return Fetched(b"", response.headers, not_modified=True)
                if response.status_code != 200:
                    raise FetchError(f"{url} answered HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.policy.max_bytes:
                        raise FetchError(f"{url} is larger than {self.policy.max_bytes} bytes")
        except FetchError:
            raise
        except (httpx.HTTPError, httpcore.NetworkError, OSError) as error:
            # One message for refused, reset, timed out and TLS failures alike.
            raise FetchError(f"{url} could not be fetched") from error
        return Fetched(bytes(body), response.headers)

    def close(self) -> None:
        self._client.close()
