"""What a running vetcred holds: settings, database, master key, document loader and clock (built once, passed in)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.credentials.microcredential_issuance import IssuanceContext
from app.db.models import Credential
from app.db.session import make_engine, make_session_factory
from app.errors import ConfigurationError, FetchError, NotFound
from app.issuers.master_key import open_master_key
from app.issuers.seals import college_by_seal_certificate
from app.issuers.service import college_entry, resolve_local_key
from app.jobs.queue import InProcessQueue, Queue, make_queue
from app.outbound import OutboundClient
from app.proofs.controller_documents import resolve_remote
from app.proofs.dids import CompositeResolver
from app.proofs.jades import RevocationSource
from app.proofs.keys import MasterKey
from app.proofs.loader import DocumentLoader, default_loader
from app.proofs.tsa_client import HttpTimeStamper, Stamper
from app.status.service import published_list
from app.trust.crl_fetch import MAX_CRL_BYTES, CrlFetcher
from app.trust.eu_trusted_lists import TrustedListStore, trusted_list_store
from app.trust.identity import IssuerDirectory
from app.trust.registries import RegistrySource, TrustRegistries, parse_definitions, read_location
from app.verification.pipeline import verify_credential
from app.verification.remote import RemoteFetcher
from app.verification.report import Report
from app.verification.status import StatusListFetcher
from app.wallet.delivery import new_claim_link

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    writer_factory: sessionmaker[Session]
    master_key: MasterKey
    loader: DocumentLoader
    clock: Callable[[], datetime]
    outbound: OutboundClient
    remote: RemoteFetcher
    registries: TrustRegistries
    stamper: Stamper | None = None  # VETCRED_TSA_URL
    revocation: RevocationSource | None = None  # CRLs for B-LT seals, with a TSA
    trusted_lists: TrustedListStore | None = None  # VETCRED_EU_TRUSTED_LISTS; .current() for verify_seal
    queue: Queue = field(default_factory=InProcessQueue)  # where jobs go (docs/jobs.md)

    @classmethod
    def start(
        cls,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        outbound: OutboundClient | None = None,
    ) -> Runtime:
        """``outbound``: how the service reaches other hosts (tests pass one that allows their loopback servers)."""
        outbound = outbound or OutboundClient()
        registries = load_registries(settings, outbound, clock())
        engine = make_engine(settings.database_url)
        session_factory = make_session_factory(engine)
        try:
            with session_factory() as session:
                master_key = open_master_key(settings, session)
        except Exception:
            engine.dispose()
            raise
        stamper = HttpTimeStamper(settings.tsa_url, timeout=settings.tsa_timeout_seconds) if settings.tsa_url else None
        return cls(
            settings=settings,
            engine=engine,
            session_factory=session_factory,
            writer_factory=make_session_factory(engine, writes=True),
            master_key=master_key,
            loader=default_loader(),
            clock=clock,
            outbound=outbound,
            remote=RemoteFetcher(enabled=settings.fetch_remote, client=outbound),
            registries=registries,
            stamper=stamper,
            revocation=_crl_fetcher(settings, outbound, clock) if stamper else None,
            trusted_lists=trusted_list_store(settings, clock=clock),
            queue=make_queue(settings.database_url),
        )

    @contextmanager
    def transaction(self, *, writes: bool = True) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends normally, rolled back otherwise.

        ``writes=False`` for work that only reads (verification pages), which then never waits for writers."""
        factory = self.writer_factory if writes else self.session_factory
        with factory() as session, session.begin():
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

    def directory(self, session: Session) -> IssuerDirectory:
        """Who signers are: this service's colleges, then the operator's trust registries."""
        return IssuerDirectory(
            local=lambda did: college_entry(session, did),
            local_certificate=lambda der, subject: college_by_seal_certificate(session, der, subject),
            registries=self.registries,
            service_name=f"colleges registered on this service ({urlsplit(self.settings.public_url).netloc})",
            now=self.clock(),
        )

    def verify(self, document: Any, session: Session) -> Report:
        """The full verification of ``document`` with this service's keys, status lists, records and trust sources."""
        directory = self.directory(session)
        return verify_credential(
            document,
            resolver=self.resolver(session),
            loader=self.loader,
            now=self.clock(),
            fetch=self.status_fetcher(session),
            identify=directory.identify,
            identify_certificate=directory.identify_certificate,
            edc_status=self.edc_status(session),
            trusted_lists=self.trusted_lists.current() if self.trusted_lists else None,
        )

    def issuance_context(self) -> IssuanceContext:
        """What issuing a micro-credential needs besides the session, read now (one clock reading per issuance)."""
        return IssuanceContext(
            master_key=self.master_key,
            loader=self.loader,
            now=self.clock(),
            public_url=self.settings.public_url,
            shacl_sample_rate=self.settings.edc_shacl_sample_rate,
            stamper=self.stamper,
            revocation=self.revocation,
        )

    def new_claim_link(self, session: Session, credential: Credential, email: str | None) -> dict[str, Any]:
        """The claim link of a just-issued credential: e-mailed by a job (with SMTP), else the response's fields."""
        return new_claim_link(
            session,
            credential,
            email,
            settings=self.settings,
            now=self.clock(),
            send_later=lambda link_id: self.queue.defer(session, "claim_email", link_id=link_id),
        )

    def close(self) -> None:
        self.engine.dispose()
        self.outbound.close()


def _crl_fetcher(settings: Settings, outbound: OutboundClient, clock: Callable[[], datetime]) -> CrlFetcher:
    """CRLs over plain http too (as CRL distribution points are), still only from public addresses."""
    policy = replace(outbound.policy, allow_http=True, max_bytes=MAX_CRL_BYTES, timeout=settings.tsa_timeout_seconds)
    return CrlFetcher(client=OutboundClient(policy), clock=clock)


def load_registries(settings: Settings, outbound: OutboundClient, now: datetime) -> TrustRegistries:
    """The operator's trust registries, each loaded once now: a registry file that cannot be read stops the
    start (a typo must not silently make every issuer unconfirmed); a URL that does not answer is retried later."""
    if not settings.trust_registries:
        return TrustRegistries([])

    def read(location: str) -> bytes:
        return read_location(location, outbound)

    refresh = timedelta(seconds=settings.trust_registry_refresh_seconds)
    sources = [
        RegistrySource(definition=definition, read=read, refresh=refresh)
        for definition in parse_definitions(settings.trust_registries, read=read)
    ]
    for source in sources:
        source.current(now)
        if source.error:
            if not source.definition.location.startswith(("https://", "http://")):
                raise ConfigurationError(source.error)
            logger.warning("%s; it will be tried again", source.error)
    return TrustRegistries(sources)
