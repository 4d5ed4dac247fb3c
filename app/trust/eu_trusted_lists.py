"""The EU trusted lists an operator configures: loaded from files or URLs, signatures checked, cached in memory."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
from cryptography import x509
from lxml import etree

from app.config import Settings
from app.errors import ConfigurationError, FetchError
from app.trust.tsl import LOTL_TYPE, NS, TSL_MIME_TYPE, TrustedList, TrustedListError, TrustService, read_trusted_list

log = logging.getLogger(__name__)
MAX_LIST_BYTES = 20_000_000
Fetch = Callable[[str], bytes]


@dataclass(frozen=True)
class TrustedLists:
    """The lists that loaded and verified (LOTLs and national lists), and what went wrong with the others."""

    lists: tuple[TrustedList, ...]
    problems: tuple[str, ...]
    loaded_at: datetime

    def services(self) -> Iterator[tuple[TrustedList, TrustService]]:
        for trusted_list in self.lists:
            for service in trusted_list.services:
                yield trusted_list, service


def load_trusted_lists(
    locations: Sequence[str],
    *,
    lotl_signers: Sequence[x509.Certificate],
    fetch: Fetch,
    now: datetime,
    territories: frozenset[str] = frozenset(),
) -> TrustedLists:
    """Each location's list, signature verified; a LOTL's pointers to national lists are followed.

    A LOTL must verify with one of ``lotl_signers`` (the certificates the Official Journal publishes). A national
    list named by a loaded LOTL must verify with the certificates that LOTL gives for it; one given directly, with
    no LOTL naming it, must verify with ``lotl_signers`` (the operator pins its signer there). ``territories``
    limits the followed pointers (e.g. {"ES", "NL"}); empty follows all XML pointers.
    """
    problems: list[str] = []
    raw: dict[str, bytes] = {}
    for location in locations:
        try:
            raw[location] = fetch(location)
        except FetchError as error:
            problems.append(error.detail)
    lotls: list[TrustedList] = []
    for location, data in raw.items():
        if _list_type(data) == LOTL_TYPE:
            try:
                lotls.append(read_trusted_list(data, signers=lotl_signers, location=location))
            except TrustedListError as error:
                problems.append(error.detail)
    pointers = {
        pointer.location: pointer
        for lotl in lotls
        for pointer in lotl.pointers
        if pointer.mime_type == TSL_MIME_TYPE and (not territories or pointer.territory in territories)
    }
    nationals: list[TrustedList] = []
    for location in [*[loc for loc in raw if _list_type(raw[loc]) != LOTL_TYPE], *pointers]:
        if any(national.location == location for national in nationals):
            continue
        pointer = pointers.get(location)
        try:
            data = raw[location] if location in raw else fetch(location)
            national = read_trusted_list(data, signers=pointer.signers if pointer else lotl_signers, location=location)
        except (FetchError, TrustedListError) as error:
            problems.append(error.detail)
            continue
        if pointer and pointer.territory and national.territory != pointer.territory:
            problems.append(f"{location}: the LOTL points here for {pointer.territory}, not {national.territory}")
            continue
        nationals.append(national)
    for trusted_list in [*lotls, *nationals]:
        if trusted_list.next_update is not None and trusted_list.next_update < now:
            problems.append(f"{trusted_list.location}: expired (its next update was due {trusted_list.next_update})")
    return TrustedLists(lists=(*lotls, *nationals), problems=tuple(problems), loaded_at=now)


class TrustedListStore:
    """The configured lists, loaded on first use and again once ``refresh`` has passed; thread-safe.

    A reload that loads nothing keeps the previous lists (a network hiccup must not turn qualified seals into
    "not trusted"), and its problems are logged.
    """

    def __init__(
        self,
        locations: Sequence[str],
        *,
        lotl_signers: Sequence[x509.Certificate],
        fetch: Fetch,
        refresh: timedelta,
        clock: Callable[[], datetime],
        territories: frozenset[str] = frozenset(),
    ) -> None:
        self._locations = tuple(locations)
        self._lotl_signers = tuple(lotl_signers)
        self._fetch = fetch
        self._refresh = refresh
        self._clock = clock
        self._territories = territories
        self._lock = threading.Lock()
        self._current: TrustedLists | None = None

    def current(self) -> TrustedLists:
        with self._lock:
            now = self._clock()
            if self._current is None or self._due(now):
                loaded = load_trusted_lists(
                    self._locations,
                    lotl_signers=self._lotl_signers,
                    fetch=self._fetch,
                    now=now,
                    territories=self._territories,
                )
                for problem in loaded.problems:
                    log.warning("EU trusted lists: %s", problem)
                if loaded.lists or self._current is None:
                    self._current = loaded
            return self._current

    def due(self) -> bool:
        """Whether ``current`` would load the lists (network requests) rather than answer from memory."""
        with self._lock:
            return self._due(self._clock())

    def _due(self, now: datetime) -> bool:
        return self._current is None or now - self._current.loaded_at >= self._refresh


def trusted_list_store(settings: Settings, *, clock: Callable[[], datetime]) -> TrustedListStore | None:
    """The store ``VETCRED_EU_TRUSTED_LISTS`` asks for, or ``None`` when no list is configured."""
    if not settings.eu_trusted_lists:
        return None
    path = settings.eu_trusted_list_signers
    if path is None:
        raise ConfigurationError(
            "VETCRED_EU_TRUSTED_LISTS needs VETCRED_EU_TRUSTED_LIST_SIGNERS: a PEM file with the certificates that "
            "may sign the LOTL (published in the Official Journal of the EU), or the lists given directly"
        )
    try:
        signers = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"VETCRED_EU_TRUSTED_LIST_SIGNERS {path} cannot be read: {error}") from error
    return TrustedListStore(
        settings.eu_trusted_lists,
        lotl_signers=signers,
        fetch=lambda location: fetch_list(location, timeout=settings.eu_trusted_lists_timeout_seconds),
        refresh=timedelta(seconds=settings.eu_trusted_lists_refresh_seconds),
        clock=clock,
        territories=frozenset(settings.eu_trusted_list_territories),
    )


def fetch_list(location: str, *, timeout: float) -> bytes:
    """A list's bytes from a file path, a file: URL or an http(s) URL; ``FetchError`` when it cannot be had."""
    parts = urlsplit(location)
    try:
        if parts.scheme in ("http", "https"):
            with httpx.stream("GET", location, timeout=timeout, follow_redirects=True) as response:
                response.raise_for_status()
                data = b""
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_LIST_BYTES:
                        raise FetchError(f"{location}: a trusted list larger than 20 MB is refused")
                return data
        path = Path(unquote(parts.path)) if parts.scheme == "file" else Path(location)
        return path.read_bytes()
    except (OSError, httpx.HTTPError) as error:
        raise FetchError(f"{location}: cannot be read: {error}") from error


def _list_type(data: bytes) -> str | None:
    """The TSLType, read before the signature is checked only to choose which certificates must have signed it."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    return root.findtext("tsl:SchemeInformation/tsl:TSLType", namespaces=NS)
