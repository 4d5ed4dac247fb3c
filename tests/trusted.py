"""Trust sources for tests: an issuer directory whose operator registry lists the given signers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from app.trust.identity import IssuerDirectory
from app.trust.registries import RegistryDefinition, RegistrySource, TrustRegistries

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def registry_source(name: str, issuers: dict[str, str], *, updated: str = "2026-11-01T00:00:00Z") -> RegistrySource:
    """A plain-format registry (``{"issuers": [...]}``) listing ``issuers`` (signer id -> name), read from memory."""
    document = {"name": name, "updated": updated, "issuers": [{"id": i, "name": n} for i, n in issuers.items()]}
    body = json.dumps(document).encode()
    return RegistrySource(
        definition=RegistryDefinition(name=name, location=f"memory:{name}"),
        read=lambda _location: body,
        refresh=timedelta(hours=1),
    )


def directory(issuers: dict[str, str] | None = None, *, now: datetime = NOW) -> IssuerDirectory:
    """No college of this service; one operator registry, "Test registry", listing ``issuers``."""
    sources = [registry_source("Test registry", issuers)] if issuers else []
    return IssuerDirectory(
        local=lambda _did: None,
        local_certificate=lambda _der, _subject: None,
        registries=TrustRegistries(sources),
        service_name="colleges registered on this service (test)",
        now=now,
    )
