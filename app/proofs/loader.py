"""Offline JSON-LD document loader: serves the contexts shipped in schemas/contexts, never the network."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from app.config import CONTEXTS_DIR
from app.errors import UnknownContext
from app.proofs.shape_templates import PerThreadTemplates

# Published @context URL -> file in CONTEXTS_DIR (the table in schemas/SOURCES.md; a test keeps them equal).
SHIPPED_CONTEXTS: Mapping[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "bitstring-status-list-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-2020-v1.jsonld",
    # 1EdTech added `jti` and `endorsementJwt` to 3.0.3 in place; that URL now serves the amended file.
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "context-3.0.3.amended.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "extensions.json",
}


class DocumentLoader:
    """A pyld ``documentLoader`` that knows a fixed set of URLs and raises ``UnknownContext`` for any other.

    Each shipped file is parsed on first use and kept; every call returns a deep copy because pyld
    rewrites parts of a loaded context in place. The documents are immutable, so they are tagged ``static``
    and each loader keeps its own cache of resolved contexts (``context_cache``, for pyld's ContextResolver):
    processing the OB 3.0 context and its scoped contexts once per process instead of once per expansion is
    what makes canonicalization fast. The cache belongs to this loader, never to the whole process, and to one
    thread: pyld's caches are not thread-safe, and the web server signs and verifies in a thread pool.
    """

    def __init__(
        self,
        extra: Mapping[str, dict[str, Any]] | None = None,
        contexts_dir: Path = CONTEXTS_DIR,
        *,
        shape_templates: bool = True,
    ) -> None:
        self._contexts_dir = contexts_dir
        self._documents: dict[str, dict[str, Any]] = {url: copy.deepcopy(doc) for url, doc in (extra or {}).items()}
        self._per_thread = threading.local()
        # Canonicalization from per-shape templates (app/proofs/shape_templates.py); False: pyld alone, the reference.
        self.shape_templates = PerThreadTemplates() if shape_templates else None

    @property
    def context_cache(self) -> LRUCache[str, Any]:
        """This thread's cache of resolved contexts (see the class docstring)."""
        cache: LRUCache[str, Any] | None = getattr(self._per_thread, "cache", None)
        if cache is None:
            cache = self._per_thread.cache = LRUCache(maxsize=100)
        return cache

    def urls(self) -> frozenset[str]:
        """Every URL this loader serves."""
        return frozenset(SHIPPED_CONTEXTS) | frozenset(self._documents)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        document = copy.deepcopy(self._document(url))
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    def _document(self, url: str) -> dict[str, Any]:
        document = self._documents.get(url)
        if document is None:
            filename = SHIPPED_CONTEXTS.get(url)
            if filename is None:
                raise UnknownContext(f"the JSON-LD context {url!r} is not one vetcred ships; it is never fetched")
            with open(self._contexts_dir / filename, encoding="utf-8") as file:
                document = json.load(file)
            self._documents[url] = document
        return document


@cache
def default_loader() -> DocumentLoader:
    """The process-wide loader of the shipped contexts."""
    return DocumentLoader()
