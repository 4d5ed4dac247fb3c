"""Reusing the expensive, deterministic parts of a verification while nothing they were computed from has changed.

What is reused is only what a pure function of known inputs computed: a credential's proofs (or its VC-JWT
signature, or its JAdES seal) for exactly these document bytes, a status list's own proof for exactly that list
credential, the advisory OB 3.0 JSON Schema and the EDC shapes for exactly that payload. The inputs are named by
a SHA-256 digest of the document's canonical JSON, and by the **sources** the key resolvers read while computing
it (this service's key rows of an issuer, a remote DID or key document): each source is recorded with a digest of
what was read, and an outcome is reused only when every one of its sources reads the same now. Everything that is
cheap and can change with time or records stays live: the clock (validity period), the status bit, the EDC status
record, who the signer is.

The store is a byte-bounded LRU per process, safe under the thread pool that runs verifications.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from cachetools import LRUCache

T = TypeVar("T")
# (source name, digest of what was read): "keys:did:web:...", "url:https://...".
Source = tuple[str, str]
# The digest a source has now (read live; the same reading for the rest of one verification).
SourceReader = Callable[[str], str]

# Stored documents whose canonical digest is known by the SHA-256 of their text (64 bytes of key and value each).
TEXT_DIGESTS = 16_384
# What an entry weighs when it holds only outcomes (a few proof results or checks: short strings and small objects;
# measured with their keys and sources at 1.6 KiB for a check and 3.3 KiB for an eddsa-rdfc-2022 proof).
OUTCOME_WEIGHT = 4096


class MustCompute(Exception):
    """A verification asked not to compute (or fetch) anything met something it would have to compute: the caller
    runs it again where that may take time (the page: in the thread pool rather than on the event loop).

    Deliberately not a ``VetcredError``: the proof checks turn those into failed outcomes, and this must never be
    one."""


def digest(value: Any) -> str | None:
    """SHA-256 of ``value``'s canonical JSON (sorted keys, no spaces), or of a string's UTF-8; ``None`` when it
    cannot be serialized (it is then not cached)."""
    try:
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    except (TypeError, ValueError, RecursionError):
        return None


@dataclass(frozen=True)
class Reused:
    """A part of a report taken from an earlier verification: which part, of what, and when it was computed."""

    part: str  # "proof", "seal", "status_list_proof", "ob3_schema", "edc_format"
    computed_at: datetime
    subject: str | None = None  # the status list's URL, for status_list_proof

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "subject": self.subject, "computedAt": self.computed_at.isoformat()}


@dataclass(frozen=True)
class _Entry:
    value: Any
    sources: tuple[Source, ...]
    computed_at: datetime
    weight: int


class VerificationCache:
    """The outcomes of one process, at most ``max_bytes`` by their estimated weight, least recently used first out."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: LRUCache[tuple[str, str], _Entry] = LRUCache(maxsize=max_bytes, getsizeof=_weight)
        self._lock = threading.Lock()
        self._computing: dict[tuple[str, str], threading.Lock] = {}
        self._text_digests: LRUCache[str, str | None] = LRUCache(maxsize=TEXT_DIGESTS)

    def text_digest(self, text: str, document: Any) -> str | None:
        """``digest(document)`` for ``document`` parsed from the stored JSON ``text``, without serializing it again
        when the same text was seen before (hashing the text is ten times cheaper)."""
        seen = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            if seen in self._text_digests:
                return self._text_digests[seen]
        known = digest(document)
        with self._lock:
            self._text_digests[seen] = known
        return known

    @contextmanager
    def computing(self, key: tuple[str, str]) -> Iterator[None]:
        """Held while one thread computes ``key``: the others wait for its outcome instead of computing it too (a
        page viewed by many at once right after a change costs one canonicalization, not one per viewer)."""
        with self._lock:
            lock = self._computing.setdefault(key, threading.Lock())
        try:
            with lock:
                yield
        finally:
            with self._lock:
                if self._computing.get(key) is lock and not lock.locked():
                    del self._computing[key]

    def get(self, key: tuple[str, str]) -> _Entry | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple[str, str], entry: _Entry) -> None:
        if entry.weight > self._entries.maxsize:
            return
        with self._lock:
            self._entries[key] = entry

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def weight(self) -> int:
        """The estimated bytes held now."""
        return int(self._entries.currsize)


def _weight(entry: _Entry) -> int:
    return entry.weight


class SourceLog:
    """The sources the key resolvers read during one verification, in order of reading."""

    def __init__(self) -> None:
        self._read: list[Source] = []

    def record(self, name: str, fingerprint: str) -> None:
        self._read.append((name, fingerprint))

    def mark(self) -> int:
        return len(self._read)

    def since(self, mark: int) -> tuple[Source, ...]:
        return tuple(dict.fromkeys(self._read[mark:]))


@dataclass
class Memo:
    """One verification's use of the cache: an outcome is reused when every source it was computed from reads the
    same now; ``reused`` notes what was, for the report. Without a ``cache`` everything is computed."""

    cache: VerificationCache | None = None
    log: SourceLog = field(default_factory=SourceLog)
    current: SourceReader = lambda _name: ""
    now: datetime | None = None
    compute: bool = True  # False: raise MustCompute instead of computing what cannot be reused
    reused: list[Reused] = field(default_factory=list)
    # The digests of the documents of this verification (each is digested once), with the documents themselves, so
    # that their ids stay theirs.
    _digests: dict[int, tuple[Any, str | None]] = field(default_factory=dict)

    def reuse(
        self,
        part: str,
        inputs: Any,
        compute: Callable[[], T],
        *,
        subject: str | None = None,
        weight: int = OUTCOME_WEIGHT,
        keep: Callable[[T], bool] = lambda _value: True,
    ) -> T:
        """``compute()``, or its earlier result for the same ``inputs`` (a document, or a tuple naming everything
        the computation reads besides the key resolvers) when its sources are unchanged. ``keep`` says whether a
        result may be reused later (not, say, one that the passing of time could change)."""
        key = self._digest(inputs) if self.cache is not None and self.now is not None else None
        if self.cache is None or key is None:
            return self._compute(compute)
        entry = self._fresh((part, key))
        if entry is None:
            if not self.compute:
                raise MustCompute
            with self.cache.computing((part, key)):
                entry = self._fresh((part, key))
                if entry is None:
                    mark = self.log.mark()
                    value = compute()
                    if keep(value):
                        assert self.now is not None
                        self.cache.put((part, key), _Entry(value, self.log.since(mark), self.now, weight))
                    return value
        self.reused.append(Reused(part, entry.computed_at, subject))
        return entry.value  # type: ignore[no-any-return]

    def known(self, document: Any, text: str) -> None:
        """``document`` was parsed from the stored JSON ``text``: its digest is taken from the text's."""
        if self.cache is not None and isinstance(document, dict | list):
            self._digests[id(document)] = (document, self.cache.text_digest(text, document))

    def _fresh(self, key: tuple[str, str]) -> _Entry | None:
        """The cached entry for ``key`` if every source it was computed from reads the same now."""
        assert self.cache is not None and self.now is not None
        entry = self.cache.get(key)
        if (
            entry is not None
            and entry.computed_at <= self.now  # a clock set back makes no entry from its future current
            and all(self.current(name) == fingerprint for name, fingerprint in entry.sources)
        ):
            return entry
        return None

    def _digest(self, inputs: Any) -> str | None:
        """``digest(inputs)``; a tuple's members are digested one by one, each document once per verification."""
        if isinstance(inputs, tuple):
            parts = [self._digest(member) for member in inputs]
            return None if None in parts else digest(parts)
        if not isinstance(inputs, dict | list):
            return digest(inputs)
        known = self._digests.get(id(inputs))
        if known is None or known[0] is not inputs:
            known = self._digests[id(inputs)] = (inputs, digest(inputs))
        return known[1]

    def _compute(self, compute: Callable[[], T]) -> T:
        if not self.compute:
            raise MustCompute
        return compute()
