"""Regression: the loader's context cache under the web server's thread pool.

With one cache shared by all threads, concurrent canonicalization raised KeyError inside cachetools' LRU
(seen as HTTP 500s under wrk). Each thread now has its own cache.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.proofs.canonical import canonize
from app.proofs.loader import DocumentLoader

EXAMPLE = Path(__file__).resolve().parent.parent / "vectors" / "ob3" / "examples" / "completeOpenBadgeCredential.json"


def test_concurrent_canonicalization_with_one_loader_agrees_and_does_not_fail() -> None:
    loader = DocumentLoader()
    document = json.loads(EXAMPLE.read_text())
    expected = canonize(document, loader)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: canonize(document, loader), range(48)))
    assert results == [expected] * 48


def test_each_thread_gets_its_own_context_cache() -> None:
    loader = DocumentLoader()
    barrier = threading.Barrier(2)

    def cache_of_this_thread(_: int) -> object:
        barrier.wait(timeout=5)  # both threads alive at once, so they are two different threads
        return loader.context_cache

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(cache_of_this_thread, range(2))
    assert first is not second
    assert loader.context_cache is loader.context_cache
