"""What a running vetcred holds: settings, database, master key, document loader and clock (built once, passed in)."""

from __future__ import annotations

import gc
import json
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
from app.db.models import Credential, Issuer
from app.db.session import make_engine, make_session_factory
from app.db.verification_generation import GenerationReader
from app.errors import ConfigurationError, FetchError, NotFound
from app.issuers.master_key import open_master_key
from app.issuers.seals import college_by_seal_certificate
from app.issuers.service import college_entry, published_keys, signer_for
from app.jobs.queue import InProcessQueue, Queue, make_queue
from app.outbound import OutboundClient
from app.proofs.data_integrity import AUTHENTICATION
from app.proofs.dids import CompositeResolver
from app.proofs.jades import RevocationSource
from app.proofs.keys import MasterKey
from app.proofs.loader import DocumentLoader, default_loader
from app.proofs.tsa_client import HttpTimeStamper, Stamper
from app.staff.invitations import IssuedInvitation, invitation_url
from app.status.service import Publisher, published_list_text
from app.trust.crl_fetch import MAX_CRL_BYTES, CrlFetcher
from app.trust.eu_trusted_lists import TrustedLists, TrustedListStore, trusted_list_store
from app.trust.identity import THIS_SERVICE_SOURCE, IssuerDirectory
from app.trust.registries import Registry, RegistrySource, TrustRegistries, parse_definitions, read_location
from app.verification.cache import Memo, MustCompute, VerificationCache
from app.verification.pipeline import verify_credential
from app.verification.presentations import PresentationReport, verify_presentation
from app.verification.remote import RemoteFetcher
from app.verification.report import Report
from app.verification.sources import LiveSources
from app.verification.status import StatusListFetcher
from app.wallet.delivery import new_claim_link

logger = logging.getLogger(__name__)

# The trust sources as they are in memory: each registry with its last load error, then the EU trusted lists; None
# while one is due for reloading (a verification then reads them anew).
TrustState = tuple[tuple[tuple[Registry | None, str | None], ...], TrustedLists | None] | None


def utc_now() -> datetime:
    return datetime.now(UTC)


def settle_heap() -> None:
    """For a serving process once it has started (``vetcred serve``, ``app.asgi``, ``vetcred worker``; the app,
    its schemas, contexts and catalogues loaded): collects once, then moves every object left into the collector's
    permanent generation, for good (so not for apps made and dropped, as tests do). Otherwise each full collection
    walks those some 280,000 objects again: 130 ms on this machine, during which the event loop and every request
    on it wait (bench/verify_page.py with uvloop: p99 83-182 ms before, 24-30 ms after; bench/cohort.py, 3,000 rows
    on PostgreSQL: median 14.6 s against 15.6 s)."""
    gc.collect()
    gc.freeze()


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    writer_factory: sessionmaker[Session]
    # The event loop's own reads (verification pages whose slow parts are all reused): one connection that no thread
    # holds, so the loop never waits for the pool (threads release theirs only once the loop runs again).
    loop_engine: Engine
    # The verification generation, read on its own for each page served again (app/web/verified_pages.py).
    generation: GenerationReader
    master_key: MasterKey
    loader: DocumentLoader
    clock: Callable[[], datetime]
    outbound: OutboundClient
    remote: RemoteFetcher
    registries: TrustRegistries
    verification_cache: VerificationCache
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
            loop_engine=make_engine(settings.database_url, connections=1),
            generation=GenerationReader(settings.database_url),
            writer_factory=make_session_factory(engine, writes=True),
            master_key=master_key,
            loader=default_loader(),
            clock=clock,
            outbound=outbound,
            remote=RemoteFetcher(
                enabled=settings.fetch_remote,
                client=outbound,
                max_age=timedelta(seconds=settings.remote_cache_max_seconds),
                clock=clock,
            ),
            registries=registries,
            verification_cache=VerificationCache(settings.verification_cache_mb * 1024 * 1024),
            stamper=stamper,
            revocation=_crl_fetcher(settings, outbound, clock) if stamper else None,
            trusted_lists=trusted_list_store(settings, clock=clock),
            queue=make_queue(settings.database_url),
        )

    @contextmanager
    def loop_reads(self) -> Iterator[Session]:
        """A read-only transaction on the event loop's own connection: only for work that never awaits inside it."""
        with Session(self.loop_engine, expire_on_commit=False) as session, session.begin():
            yield session

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
        return self._sources(session).resolver()

    def _sources(self, session: Session, *, compute: bool = True) -> LiveSources:
        return LiveSources(
            local_keys=partial(published_keys, session), remote=self.remote.fetch if compute else _must_compute
        )

    def status_fetcher(self, session: Session, *, compute: bool = True, memo: Memo | None = None) -> StatusListFetcher:
        """This service's own status lists straight from the database; others over the network when enabled (not
        at all without ``compute``: ``MustCompute``). ``memo`` learns the own lists' digests from their text."""
        own_prefix = f"{self.settings.public_url}/status/"

        def fetch(url: str) -> dict[str, Any]:
            if url.startswith(own_prefix):
                try:
                    text = published_list_text(session, url.removeprefix(own_prefix))
                except NotFound as error:
                    raise FetchError(error.detail) from error
                document: dict[str, Any] = json.loads(text)
                if memo is not None:
                    memo.known(document, text)
                return document
            if not compute:
                raise MustCompute
            return self.remote(url)

        return fetch

    def edc_status(self, session: Session) -> Callable[[str], str | None]:
        """The status of an EDC this service issued, by its id (``urn:credential:<uuid of the OB 3.0 twin>``)."""

        def status_of(edc_id: str) -> str | None:
            twin = session.get(Credential, edc_id.removeprefix("urn:credential:"))
            return twin.status if twin is not None else None

        return status_of

    def directory(self, session: Session, now: datetime | None = None) -> IssuerDirectory:
        """Who signers are: this service's colleges, then the operator's trust registries."""
        host = urlsplit(self.settings.public_url).netloc
        return IssuerDirectory(
            local=lambda did: college_entry(session, did),
            local_certificate=lambda der, subject: college_by_seal_certificate(session, der, subject),
            registries=self.registries,
            service_name=THIS_SERVICE_SOURCE % {"host": host},
            service_host=host,
            now=now or self.clock(),
        )

    def verify(
        self,
        document: Any,
        session: Session,
        *,
        compute: bool = True,
        text: str | None = None,
        now: datetime | None = None,
    ) -> Report:
        """The full verification of ``document`` with this service's keys, status lists, records and trust sources.

        The proofs, seals, status lists' own proofs and schema checks are reused from earlier verifications of the
        same bytes while the keys they were checked with are unchanged (``app/verification/cache.py``). Without
        ``compute`` nothing slow happens: no canonicalization, no request to another host, no registry or trusted
        list (re)load; ``MustCompute`` is raised instead, so that the caller can run it where that may take time.
        ``text``: the stored JSON text ``document`` was parsed from, if it was (it names the document more cheaply).
        ``now``: the clock reading to use (a presentation checks all its credentials at one moment)."""
        now = now or self.clock()
        if not compute and self._trust_due(now):
            raise MustCompute
        directory = self.directory(session, now)
        sources = self._sources(session, compute=compute)
        memo = Memo(self.verification_cache, log=sources.log, current=sources.fingerprint, now=now, compute=compute)
        if text is not None:
            memo.known(document, text)
        return verify_credential(
            document,
            resolver=sources.resolver(),
            loader=self.loader,
            now=now,
            fetch=self.status_fetcher(session, compute=compute, memo=memo),
            identify=directory.identify,
            identify_certificate=directory.identify_certificate,
            edc_status=self.edc_status(session),
            trusted_lists=self.trusted_lists.current() if self.trusted_lists else None,
            memo=memo,
        )

    def trust_state(self, now: datetime) -> TrustState:
        """What the trust sources hold now, to tell later whether a verification made from them still stands (equal
        states: the same objects, or equal ones reloaded)."""
        if self._trust_due(now):
            return None
        registries = tuple((source.registry, source.error) for source in self.registries.sources)
        return registries, self.trusted_lists.current() if self.trusted_lists else None

    def _trust_due(self, now: datetime) -> bool:
        """Whether a trust registry or the EU trusted lists would be (re)loaded by a verification now."""
        return self.registries.due(now) or bool(self.trusted_lists and self.trusted_lists.due())

    def verify_presentation(
        self,
        document: Any,
        session: Session,
        *,
        challenge: str | None = None,
        domain: str | None = None,
        presented_at: datetime | None = None,
    ) -> PresentationReport:
        """A presentation's holder proof, with the holder's keys resolved for ``authentication`` the way issuers'
        keys are (did:key, did:jwk offline; did:web from this service or, when enabled, over the guarded remote
        fetcher), and each credential it carries verified in full by ``verify``, all at one clock reading
        (the holder's proof's own times at ``presented_at``, when it was received earlier)."""
        now = self.clock()
        return verify_presentation(
            document,
            challenge=challenge,
            domain=domain,
            resolver=self._sources(session).resolver(AUTHENTICATION),
            loader=self.loader,
            now=now,
            check_credential=lambda credential: self.verify(credential, session, now=now),
            presented_at=presented_at,
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

    def publisher(self, issuer: Issuer) -> Publisher:
        """What changing a credential's status needs to re-sign ``issuer``'s status list, read now."""
        return Publisher(signer_for(issuer, self.master_key), self.loader, self.clock(), self.settings.public_url)

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

    def deliver_invitation(self, session: Session, invitation: IssuedInvitation) -> str | None:
        """A staff invitation goes out by e-mail (a job, with SMTP: None is returned), or its link is returned to be
        shown once to whoever invited."""
        if self.settings.smtp_configured:
            self.queue.defer(session, "staff_invitation_email", invitation_id=invitation.row.id)
            return None
        return invitation_url(self.settings.public_url, invitation.token)

    def close(self) -> None:
        self.engine.dispose()
        self.loop_engine.dispose()
        self.generation.close()
        self.outbound.close()


def _must_compute(_url: str) -> tuple[dict[str, Any], str]:
    raise MustCompute


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
