"""What a running vetcred holds: settings, database, master key, document loader and clock (built once, passed in)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.credentials.microcredential_issuance import IssuanceContext
from app.db.models import Credential
from app.db.session import make_engine, make_session_factory
from app.errors import FetchError, NotFound
from app.issuers.service import resolve_local_key
from app.proofs.controller_documents import resolve_remote
from app.proofs.dids import CompositeResolver
from app.proofs.keys import MasterKey
from app.proofs.loader import DocumentLoader, default_loader
from app.status.service import published_list
from app.verification.pipeline import verify_credential
from app.verification.remote import RemoteFetcher
from app.verification.report import Report
from app.verification.status import StatusListFetcher


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    master_key: MasterKey
    loader: DocumentLoader
    clock: Callable[[], datetime]
    remote: RemoteFetcher

    @classmethod
    def start(cls, settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Runtime:
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            master_key=MasterKey.load_or_create(settings.master_key_path),
            loader=default_loader(),
            clock=clock,
            remote=RemoteFetcher(enabled=settings.fetch_remote),
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends normally, rolled back otherwise."""
        with self.session_factory() as session, session.begin():
            yield session

    def resolver(self, session: Session) -> CompositeResolver:
        """did:key and did:jwk offline; this service's own did:web issuers from the database first; other did:web
        DID documents and https key documents over HTTPS only when VETCRED_FETCH_REMOTE is on (when it is off,
        the fetcher refuses and the proof is reported as could-not-check with that reason)."""
        return CompositeResolver(
            local_did_web=lambda verification_method_id: resolve_local_key(session, verification_method_id),
            remote=partial(resolve_remote, fetch=self.remote),
        )

    def status_fetcher(self, session: Session) -> StatusListFetcher:
        """This service's own status lists straight from the database; others over the network when enabled."""
        own_prefix = f"{self.settings.public_url}/status/"

        def fetch(url: str) -> dict[str, Any]:
            if url.startswith(own_prefix):
                try:
                    return published_list(session, url.removeprefix(own_prefix)).document
                except NotFound as error:
                    raise FetchError(error.detail) from error
            return self.remote(url)

        return fetch

    def edc_status(self, session: Session) -> Callable[[str], str | None]:
        """The status of an EDC this service issued, by its id (``urn:credential:<uuid of the OB 3.0 twin>``)."""

        def status_of(edc_id: str) -> str | None:
            twin = session.get(Credential, edc_id.removeprefix("urn:credential:"))
            return twin.status if twin is not None else None

        return status_of

    def verify(self, document: Any, session: Session) -> Report:
        """The full verification of ``document`` with this service's keys, status lists and records."""
        return verify_credential(
            document,
            resolver=self.resolver(session),
            loader=self.loader,
            now=self.clock(),
            fetch=self.status_fetcher(session),
            edc_status=self.edc_status(session),
        )

    def issuance_context(self) -> IssuanceContext:
        """What issuing a micro-credential needs besides the session, read now (one clock reading per issuance)."""
        return IssuanceContext(
            master_key=self.master_key,
            loader=self.loader,
            now=self.clock(),
            public_url=self.settings.public_url,
            shacl_sample_rate=self.settings.edc_shacl_sample_rate,
        )

    def close(self) -> None:
        self.engine.dispose()
