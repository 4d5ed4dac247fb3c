"""Who signed, and whether that signer is known: the issuer identity a verification report states.

A credential names its issuer itself (``issuer.name``), and anyone can write any name into a credential they sign
with a throw-away key. A name is shown as fact only when a source the operator trusts gives it: a college
registered on this service, or an entry in one of the operator's trust registries (or, for sealed EDCs, an EU
trusted list). Otherwise the identity is "not confirmed", and the credential's own name is only quoted as a claim.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from app.trust.registries import Registry, RegistryEntry, TrustRegistries

# How reports name this service's own source (pages name it in the reader's language: app/web/presenter.py).
THIS_SERVICE_SOURCE = "colleges registered on this service (%(host)s)"


class SourceKind(StrEnum):
    THIS_SERVICE = "this_service"
    REGISTRY = "registry"
    EU_TRUSTED_LIST = "eu_trusted_list"


@dataclass(frozen=True)
class TrustSource:
    """Where a signer was looked up: its name, kind, and how current it is (``updated``: the source's own date)."""

    name: str
    kind: SourceKind
    updated: datetime | None = None
    loaded_at: datetime | None = None
    host: str | None = None  # this service's own source: its host, which pages name in the reader's language


@dataclass(frozen=True)
class IssuerIdentity:
    """The signer (a DID, a key-controller URL or a certificate subject) and what trusted sources say about it.

    ``name``, ``url``, ``logo`` and ``location`` come from ``listed_in[0]`` (the most authoritative source that
    lists the signer), never from the credential, and ``listed_as`` is the identifier that source lists it under
    (for a college of this service, its DID, also when it signed with its seal certificate). ``consulted`` is
    every source that was asked.
    """

    signer: str
    confirmed: bool
    name: str | None = None
    url: str | None = None
    logo: str | None = None
    location: str | None = None
    listed_as: str | None = None
    listed_in: tuple[TrustSource, ...] = ()
    consulted: tuple[TrustSource, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def college_did(self) -> str | None:
        """The DID of this service's college that signed, when this service itself confirms the signer."""
        if not self.confirmed or not self.listed_in or self.listed_in[0].kind is not SourceKind.THIS_SERVICE:
            return None
        return self.listed_as

    def with_source(self, source: TrustSource | None, *, name: str, problem: str | None) -> IssuerIdentity:
        """This identity after one more source was consulted: ``source`` lists the signer under ``name`` (or, when
        ``None``, does not, for the reason ``problem``)."""
        consulted = self.consulted if source is None else (*self.consulted, source)
        problems = self.problems if problem is None else (*self.problems, problem)
        if source is None:
            return replace(self, consulted=consulted, problems=problems)
        return replace(
            self,
            confirmed=True,
            name=self.name or name,
            listed_in=(*self.listed_in, source),
            consulted=consulted,
            problems=problems,
        )

    def reason(self) -> str:
        """One sentence for the report and the pages."""
        if self.confirmed:
            where = ", ".join(source.name for source in self.listed_in)
            return f"{self.name} ({self.signer}) is listed in: {where}"
        looked = ", ".join(source.name for source in self.consulted) or "no trust source"
        text = f"the signer {self.signer} is not in any source this service trusts (looked in: {looked})"
        return text + "".join(f"; {problem}" for problem in self.problems)


Identify = Callable[[str], IssuerIdentity]


class IssuerDirectory:
    """Answers "who is this signer?": this service's own colleges first, then the operator's registries in order.

    ``local`` finds a college of this service by the identifier (DID) it signs with.
    """

    def __init__(
        self,
        *,
        local: Callable[[str], RegistryEntry | None],
        local_certificate: Callable[[bytes, str], RegistryEntry | None],
        registries: TrustRegistries,
        service_name: str,
        now: datetime,
        service_host: str | None = None,
    ) -> None:
        self._local = local
        self._local_certificate = local_certificate
        self._registries = registries
        self._this_service = TrustSource(name=service_name, kind=SourceKind.THIS_SERVICE, host=service_host)
        self._now = now

    def identify_certificate(self, certificate_der: bytes, subject: str) -> IssuerIdentity:
        """A seal certificate is known when it is the one a college of this service seals with."""
        college = self._local_certificate(certificate_der, subject)
        if college is None:
            return IssuerIdentity(signer=subject, confirmed=False, consulted=(self._this_service,))
        return self._identity(subject, [(self._this_service, college)])

    def identify(self, signer: str) -> IssuerIdentity:
        listed: list[tuple[TrustSource, RegistryEntry]] = []
        college = self._local(signer)
        if college is not None:
            listed.append((self._this_service, college))
        listed.extend((_source(registry), entry) for registry, entry in self._registries.lookup(signer, self._now))
        consulted = (self._this_service, *(_source(r) for r in self._registries.loaded(self._now)))
        problems = tuple(self._registries.errors())
        if not listed:
            return IssuerIdentity(signer=signer, confirmed=False, consulted=consulted, problems=problems)
        return self._identity(signer, listed, consulted, problems)

    def _identity(
        self,
        signer: str,
        listed: list[tuple[TrustSource, RegistryEntry]],
        consulted: tuple[TrustSource, ...] = (),
        problems: tuple[str, ...] = (),
    ) -> IssuerIdentity:
        _, entry = listed[0]
        return IssuerIdentity(
            signer=signer,
            confirmed=True,
            name=entry.name,
            url=entry.url,
            logo=entry.logo,
            location=entry.location,
            listed_as=entry.id,
            listed_in=tuple(source for source, _ in listed),
            consulted=consulted or tuple(source for source, _ in listed),
            problems=problems,
        )


def _source(registry: Registry) -> TrustSource:
    return TrustSource(registry.name, SourceKind.REGISTRY, registry.updated, registry.loaded_at)
