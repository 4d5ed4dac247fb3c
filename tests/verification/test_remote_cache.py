"""Documents from other hosts are reused as their HTTP caching headers allow, never past the ceiling; the outcome
cache stays within its byte budget. A real HTTP server on the loopback interface counts what is asked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.outbound import OutboundClient, OutboundPolicy
from app.verification.cache import OUTCOME_WEIGHT, Memo, VerificationCache
from app.verification.freshness import freshness
from app.verification.remote import RemoteFetcher
from app.verification.sources import LiveSources
from tests.servers import serving

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CEILING = timedelta(minutes=5)


@dataclass
class Served:
    """What the server answers at /doc (headers and a version number), and what it was asked."""

    headers: dict[str, str] = field(default_factory=dict)
    version: int = 1
    requests: list[str | None] = field(default_factory=list)  # the If-None-Match of each request


@pytest.fixture
def served() -> Iterator[tuple[str, Served]]:
    state = Served()

    def make_app(_base: str) -> Starlette:
        async def document(request: Request) -> Response:
            asked = request.headers.get("if-none-match")
            state.requests.append(asked)
            etag = state.headers.get("ETag")
            if etag and asked == etag:
                return Response(status_code=304, headers=state.headers)
            return JSONResponse({"id": "list", "version": state.version}, headers=state.headers)

        return Starlette(routes=[Route("/doc", document)])

    with serving(make_app) as (base, _app):
        yield base + "/doc", state


class Clock:
    def __init__(self) -> None:
        self.moment = NOW

    def __call__(self) -> datetime:
        return self.moment


def _fetcher(url: str, clock: Clock, max_age: timedelta = CEILING) -> RemoteFetcher:
    origin = url.rsplit("/", 1)[0]
    client = OutboundClient(OutboundPolicy(allow_origins=frozenset({origin})))
    return RemoteFetcher(enabled=True, client=client, max_age=max_age, clock=clock)


def test_a_document_is_kept_for_its_max_age(served) -> None:
    url, state = served
    state.headers = {"Cache-Control": "public, max-age=60"}
    clock = Clock()
    fetcher = _fetcher(url, clock)
    first = fetcher.fetch(url)
    state.version = 2
    clock.moment += timedelta(seconds=59)
    assert fetcher.fetch(url) == first and len(state.requests) == 1
    clock.moment += timedelta(seconds=2)
    document, digest = fetcher.fetch(url)
    assert document["version"] == 2 and digest != first[1] and len(state.requests) == 2


def test_no_document_is_kept_past_the_ceiling(served) -> None:
    url, state = served
    state.headers = {"Cache-Control": "max-age=31536000"}
    clock = Clock()
    fetcher = _fetcher(url, clock)
    fetcher(url)
    clock.moment += CEILING - timedelta(seconds=1)
    fetcher(url)
    assert len(state.requests) == 1
    clock.moment += timedelta(seconds=2)
    fetcher(url)
    assert len(state.requests) == 2


@pytest.mark.parametrize("cache_control", ["no-store", "private, max-age=600", None])
def test_what_may_not_be_kept_is_fetched_every_time(served, cache_control: str | None) -> None:
    url, state = served
    state.headers = {"Cache-Control": cache_control} if cache_control else {}
    fetcher = _fetcher(url, Clock())
    fetcher(url)
    fetcher(url)
    assert state.requests == [None, None]


def test_a_ceiling_of_zero_keeps_nothing(served) -> None:
    url, state = served
    state.headers = {"Cache-Control": "max-age=60", "ETag": '"v1"'}
    fetcher = _fetcher(url, Clock(), max_age=timedelta(0))
    fetcher(url)
    fetcher(url)
    assert state.requests == [None, None]


def test_a_stale_document_with_an_etag_is_revalidated(served) -> None:
    url, state = served
    state.headers = {"Cache-Control": "no-cache", "ETag": '"v1"'}
    fetcher = _fetcher(url, Clock())
    first = fetcher.fetch(url)
    assert fetcher.fetch(url) == first
    assert state.requests == [None, '"v1"']  # the second answer was a 304 without a body
    state.version, state.headers = 2, {"Cache-Control": "no-cache", "ETag": '"v2"'}
    document, _ = fetcher.fetch(url)
    assert document["version"] == 2 and state.requests[-1] == '"v1"'


def test_remote_fetching_off_fetches_nothing(served) -> None:
    url, state = served
    fetcher = RemoteFetcher(enabled=False)
    with pytest.raises(Exception, match="turned off"):
        fetcher(url)
    assert state.requests == []


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"cache-control": "public, max-age=60"}, 60),
        ({"cache-control": "max-age=60, s-maxage=30"}, 30),  # a shared cache takes s-maxage
        ({"cache-control": "max-age=60", "age": "45"}, 15),
        ({"cache-control": "max-age=60", "age": "90"}, 0),
        ({"cache-control": 'max-age="120"'}, 120),
        ({"cache-control": "max-age=abc"}, 0),
        ({"cache-control": "max-age=86400"}, 300),  # the ceiling
        ({"cache-control": "no-cache, max-age=60"}, 0),
        ({"expires": "Sun, 22 Nov 2026 12:10:00 GMT", "date": "Sun, 22 Nov 2026 12:00:00 GMT"}, 300),
        ({"expires": "Sun, 22 Nov 2026 12:01:00 GMT", "date": "Sun, 22 Nov 2026 12:00:00 GMT"}, 60),
        ({"expires": "Sun, 22 Nov 2026 12:01:00 GMT"}, 60),  # no Date: counted from now
        ({"expires": "0"}, 0),  # an unreadable Expires is already expired
        ({"cache-control": "max-age=10", "expires": "Sun, 22 Nov 2026 12:01:00 GMT"}, 10),  # max-age wins
        ({}, 0),  # no lifetime is guessed
    ],
)
def test_freshness_from_headers(headers: dict[str, str], seconds: int) -> None:
    assert freshness(headers, now=NOW, ceiling=CEILING) == timedelta(seconds=seconds)


@pytest.mark.parametrize("cache_control", ["no-store", "private", "Private, max-age=60", "max-age=60, NO-STORE"])
def test_what_is_never_stored(cache_control: str) -> None:
    assert freshness({"cache-control": cache_control}, now=NOW, ceiling=CEILING) is None


def test_the_outcome_cache_stays_within_its_budget() -> None:
    cache = VerificationCache(max_bytes=10 * OUTCOME_WEIGHT)
    for n in range(100):
        Memo(cache, now=NOW).reuse("proof", {"n": n}, lambda: ["outcome"])
    assert len(cache) == 10 and cache.weight <= 10 * OUTCOME_WEIGHT
    # The most recently used stay; the oldest went first.
    memo = Memo(cache, now=NOW)
    memo.reuse("proof", {"n": 99}, lambda: ["recomputed"])
    assert [r.part for r in memo.reused] == ["proof"]
    memo = Memo(cache, now=NOW)
    assert memo.reuse("proof", {"n": 0}, lambda: ["recomputed"]) == ["recomputed"] and memo.reused == []


def test_an_entry_larger_than_the_whole_budget_is_not_kept() -> None:
    cache = VerificationCache(max_bytes=OUTCOME_WEIGHT)
    Memo(cache, now=NOW).reuse("proof", "a very large JWT", lambda: "outcome", weight=OUTCOME_WEIGHT + 1)
    assert len(cache) == 0


def test_an_outcome_is_reused_only_while_its_sources_read_the_same() -> None:
    cache = VerificationCache(max_bytes=1 << 20)
    keys = {"keys:did:web:college.test": "rows-1"}

    def compute(memo: Memo) -> str:
        memo.log.record("keys:did:web:college.test", keys["keys:did:web:college.test"])
        return "checked with rows-1"

    first = Memo(cache, current=keys.__getitem__, now=NOW)
    first.reuse("proof", {"doc": 1}, lambda: compute(first))
    again = Memo(cache, current=keys.__getitem__, now=NOW)
    again.reuse("proof", {"doc": 1}, lambda: "recomputed")
    assert [r.part for r in again.reused] == ["proof"]
    keys["keys:did:web:college.test"] = "rows-2"
    changed = Memo(cache, current=keys.__getitem__, now=NOW)
    assert changed.reuse("proof", {"doc": 1}, lambda: "recomputed") == "recomputed" and changed.reused == []
    # A clock set back does not make an outcome from its future current.
    earlier = Memo(cache, current=keys.__getitem__, now=NOW - timedelta(days=1))
    assert earlier.reuse("proof", {"doc": 1}, lambda: "again") == "again"


def test_one_thread_computes_an_outcome_while_the_others_wait_for_it() -> None:
    cache = VerificationCache(max_bytes=1 << 20)
    computed: list[int] = []

    def slow() -> str:
        computed.append(1)
        time.sleep(0.05)
        return "outcome"

    def view() -> str:
        return Memo(cache, now=NOW).reuse("proof", {"doc": "viewed by many at once"}, slow)

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: view(), range(8)))
    assert outcomes == ["outcome"] * 8 and len(computed) == 1


def test_a_remote_source_reads_differently_once_its_document_changed(served) -> None:
    url, state = served
    state.headers = {"Cache-Control": "max-age=60"}
    clock = Clock()
    fetcher = _fetcher(url, clock)

    def fingerprint() -> str:
        return LiveSources(local_keys=lambda _did: None, remote=fetcher.fetch).fingerprint(f"url:{url}")

    before = fingerprint()
    state.version = 2
    assert fingerprint() == before  # still fresh: the same bytes, by the document's own headers
    clock.moment += timedelta(seconds=61)
    assert fingerprint() != before
