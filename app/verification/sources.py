"""What one verification reads that a reused outcome depends on: the keys this service publishes for its colleges
and documents from other hosts; each read once per verification and logged for the cache (``cache.py``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from app.errors import FetchError
from app.proofs.controller_documents import resolve_remote
from app.proofs.data_integrity import ASSERTION_METHOD
from app.proofs.dids import CompositeResolver, ResolvedKey
from app.proofs.multikey import decode_multikey
from app.verification.cache import SourceLog, digest

# A college's DID -> the (key id, publicKeyMultibase) pairs its DID document lists; None when not hosted here.
LocalKeys = Callable[[str], Sequence[tuple[str, str]] | None]
# A URL -> the JSON object there and the SHA-256 of its bytes (RemoteFetcher.fetch); raises FetchError.
RemoteDocuments = Callable[[str], tuple[dict[str, Any], str]]
ABSENT = "absent"
UNAVAILABLE = "unavailable"


class LiveSources:
    """One verification's key sources: ``resolver()`` resolves through them and logs each source it reads in
    ``log``; ``fingerprint(name)`` is what a source reads now (for checking a cached outcome's sources)."""

    def __init__(self, *, local_keys: LocalKeys, remote: RemoteDocuments) -> None:
        self.log = SourceLog()
        self._local_keys = local_keys
        self._remote = remote
        self._read: dict[str, tuple[Any, str]] = {}

    def resolver(self, relationship: str = ASSERTION_METHOD) -> CompositeResolver:
        """did:key and did:jwk offline; this service's own did:web issuers from their key rows first (their DID
        documents list each key for both relationships); other did:web DID documents and https key documents through
        the remote fetcher (which refuses unless enabled), each key authorized for ``relationship``."""
        remote = partial(resolve_remote, fetch=self._document, relationship=relationship)
        return CompositeResolver(local_did_web=self._local_key, remote=remote)

    def fingerprint(self, name: str) -> str:
        kind, _, key = name.partition(":")
        return self._keys(key)[1] if kind == "keys" else self._fetch(key)[1]

    def _local_key(self, verification_method_id: str) -> ResolvedKey | None:
        did, _, fragment = verification_method_id.partition("#")
        keys, fingerprint = self._keys(did)
        self.log.record(f"keys:{did}", fingerprint)
        for key_id, multibase in keys or ():
            if key_id == fragment:
                return ResolvedKey(id=verification_method_id, controller=did, public_key=decode_multikey(multibase))
        return None

    def _document(self, url: str) -> dict[str, Any]:
        document, fingerprint = self._fetch(url)
        self.log.record(f"url:{url}", fingerprint)
        if isinstance(document, FetchError):
            raise FetchError(document.detail)
        return document  # type: ignore[no-any-return]

    def _keys(self, did: str) -> tuple[Any, str]:
        name = f"keys:{did}"
        if name not in self._read:
            keys = self._local_keys(did)
            self._read[name] = (keys, digest(list(keys)) or ABSENT if keys else ABSENT)
        return self._read[name]

    def _fetch(self, url: str) -> tuple[Any, str]:
        name = f"url:{url}"
        if name not in self._read:
            try:
                self._read[name] = self._remote(url)
            except FetchError as error:
                self._read[name] = (error, UNAVAILABLE)
        return self._read[name]
