"""Operator trust registries: which DIDs and key-controller URLs belong to which organisation.

Two formats are read:

* the Digital Credentials Consortium's "known issuer" registry (what VerifierPlus and the Learner Credential
  Wallet load): ``{"meta": {"created", "updated"}, "registry": {"<DID>": {"name", "location", "url"}}}``; older
  files call the map ``entries``;
* a plain file an operator keeps by hand: ``{"name": ..., "updated": ..., "issuers": [{"id": "<DID or URL>",
  "name": ..., "url": ..., "logo": ..., "location": ...}]}``.

Each registry comes from a file or an https URL and is kept for a refresh interval; one that cannot be refreshed
keeps its last good copy, and the report says when that copy was loaded. Registries are listed in order of
authority: an identifier in several takes its entry from the first, and the report names every one that lists it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.errors import ConfigurationError, FetchError
from app.outbound import OutboundClient

RETRY_AFTER_FAILURE = timedelta(minutes=1)


class RegistryError(ConfigurationError):
    """A registry, or the list of registries, that cannot be read."""

    code = "registry_error"


@dataclass(frozen=True)
class RegistryEntry:
    """What a registry says about one identifier."""

    id: str
    name: str
    url: str | None = None
    location: str | None = None
    logo: str | None = None


@dataclass(frozen=True)
class Registry:
    """A loaded registry: its entries, its own last-updated time (when it states one) and when it was loaded."""

    name: str
    source: str
    entries: Mapping[str, RegistryEntry]
    loaded_at: datetime
    updated: datetime | None = None


@dataclass(frozen=True)
class RegistryDefinition:
    """One configured registry: a name to show, and a file path or https URL."""

    name: str
    location: str


def parse_registry(document: Any, *, name: str, source: str, loaded_at: datetime) -> Registry:
    """A ``Registry`` from either format; ``RegistryError`` naming what is wrong otherwise."""
    if not isinstance(document, dict):
        raise RegistryError(f"the registry {name!r} ({source}) is not a JSON object")
    if isinstance(document.get("issuers"), list):
        entries = [_plain_entry(item, name, index) for index, item in enumerate(document["issuers"])]
        updated = document.get("updated")
    else:
        table = document.get("registry", document.get("entries"))
        if not isinstance(table, dict):
            raise RegistryError(
                f"the registry {name!r} ({source}) has neither an 'issuers' list (plain format) nor a "
                "'registry'/'entries' map (Digital Credentials Consortium format)"
            )
        entries = [_dcc_entry(identifier, item, name) for identifier, item in table.items()]
        meta = document.get("meta")
        updated = meta.get("updated") if isinstance(meta, dict) else None
    return Registry(
        name=name,
        source=source,
        entries={entry.id: entry for entry in entries},
        loaded_at=loaded_at,
        updated=_timestamp(updated),
    )


def _dcc_entry(identifier: str, item: Any, registry: str) -> RegistryEntry:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
        raise RegistryError(f"the registry {registry!r}: the entry for {identifier!r} has no name")
    return RegistryEntry(
        id=identifier,
        name=item["name"].strip(),
        url=_text(item.get("url")),
        location=_text(item.get("location")),
        logo=_text(item.get("logo")),
    )


def _plain_entry(item: Any, registry: str, index: int) -> RegistryEntry:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"].strip():
        raise RegistryError(f"the registry {registry!r}: issuers[{index}] has no id (a DID or URL)")
    return _dcc_entry(item["id"].strip(), item, registry)


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        # DCC registries write "+0000" as well as "+00:00".
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return None
    return moment if moment.tzinfo else None


def parse_definitions(value: str, *, read: Callable[[str], bytes]) -> list[RegistryDefinition]:
    """``VETCRED_TRUST_REGISTRIES``: a JSON list ``[{"name": ..., "url": ...}]`` (the list format DCC verifiers use),
    given inline or as a file path or https URL that ``read`` returns the bytes of."""
    text = value.strip()
    if not text.startswith("["):
        try:
            text = read(text).decode("utf-8")
        except (OSError, FetchError, UnicodeDecodeError) as error:
            raise RegistryError(f"VETCRED_TRUST_REGISTRIES: {value} cannot be read: {error}") from error
    try:
        items = json.loads(text)
    except ValueError as error:
        raise RegistryError(f"VETCRED_TRUST_REGISTRIES is not a JSON list: {error}") from error
    if not isinstance(items, list):
        raise RegistryError("VETCRED_TRUST_REGISTRIES must be a JSON list of {name, url} objects")
    definitions = []
    for index, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        location = item.get("url") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip() or not isinstance(location, str) or not location.strip():
            raise RegistryError(f"VETCRED_TRUST_REGISTRIES[{index}] needs a name and a url (an https URL or a file)")
        definitions.append(RegistryDefinition(name=name.strip(), location=location.strip()))
    return definitions


def read_location(location: str, client: OutboundClient) -> bytes:
    """The bytes at an https URL (through ``client``) or in a file (a path or a ``file:`` URL)."""
    if location.startswith(("https://", "http://")):
        return client.get(location, accept="application/json")
    return Path(location.removeprefix("file://")).read_bytes()


@dataclass
class RegistrySource:
    """One registry, loaded on first use and again after ``refresh``; a failed refresh keeps the last good copy."""

    definition: RegistryDefinition
    read: Callable[[str], bytes]
    refresh: timedelta
    registry: Registry | None = None
    error: str | None = None
    _next_load: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self, now: datetime) -> Registry | None:
        with self._lock:
            if self.due(now):
                self._load(now)
            return self.registry

    def due(self, now: datetime) -> bool:
        """Whether ``current`` would read the registry (a file or a network request) rather than answer from memory."""
        return self._next_load is None or now >= self._next_load

    def _load(self, now: datetime) -> None:
        name, location = self.definition.name, self.definition.location
        try:
            document = json.loads(self.read(location))
            self.registry = parse_registry(document, name=name, source=location, loaded_at=now)
            self.error = None
            self._next_load = now + self.refresh
        except (OSError, ValueError, FetchError, RegistryError) as error:
            detail = error.detail if isinstance(error, FetchError | RegistryError) else str(error)
            self.error = f"the registry {name!r} could not be loaded from {location}: {detail}"
            self._next_load = now + min(self.refresh, RETRY_AFTER_FAILURE)


class TrustRegistries:
    """The operator's registries in order of authority."""

    def __init__(self, sources: Sequence[RegistrySource]) -> None:
        self.sources = list(sources)

    def lookup(self, identifier: str, now: datetime) -> list[tuple[Registry, RegistryEntry]]:
        """Every registry that lists ``identifier``, most authoritative first, with its entry."""
        found = []
        for source in self.sources:
            registry = source.current(now)
            if registry is not None and identifier in registry.entries:
                found.append((registry, registry.entries[identifier]))
        return found

    def loaded(self, now: datetime) -> list[Registry]:
        """The registries that could be loaded (for a report's "looked in ..." line)."""
        return [registry for source in self.sources if (registry := source.current(now)) is not None]

    def errors(self) -> list[str]:
        return [source.error for source in self.sources if source.error]

    def due(self, now: datetime) -> bool:
        """Whether looking up a signer now would read a registry rather than answer from memory."""
        return any(source.due(now) for source in self.sources)
