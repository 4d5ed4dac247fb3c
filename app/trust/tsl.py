"""ETSI TS 119 612 trusted lists (the EU LOTL and national TSLs): verify the XML signature, then read what it signs."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from lxml import etree
from signxml import InvalidInput as SignxmlInvalidInput
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature as SignxmlInvalidSignature
from signxml.verifier import SignatureConfiguration

from app.errors import VetcredError

NS = {
    "tsl": "http://uri.etsi.org/02231/v2#",
    "tslx": "http://uri.etsi.org/02231/v2/additionaltypes#",
    "ecc": "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#",
    "xades": "http://uri.etsi.org/01903/v1.3.2#",
}
LOTL_TYPE = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists"
TSL_MIME_TYPE = "application/vnd.etsi.tsl+xml"


class TrustedListError(VetcredError):
    """A trusted list that cannot be read, or whose signature does not verify with the expected certificates."""

    code = "trusted_list_error"


@dataclass(frozen=True)
class Criteria:
    """A Qualifications CriteriaList: which certificates a qualifier applies to (TS 119 612 §5.5.9.2)."""

    assert_: str  # all, atLeastOne, none
    key_usages: tuple[tuple[tuple[str, bool], ...], ...]  # each KeyUsage: (KeyUsageBit name, required value)
    policy_sets: tuple[frozenset[str], ...]  # each PolicySet: certificate policy OIDs that must all be present


@dataclass(frozen=True)
class Qualification:
    qualifiers: frozenset[str]  # URIs such as .../SvcInfoExt/QCForESeal, QCWithQSCD, NotQualified
    criteria: Criteria


@dataclass(frozen=True)
class ServicePeriod:
    """What a service was from ``since`` on: the current ServiceInformation or a ServiceHistoryInstance."""

    service_type: str
    name: str
    status: str
    since: datetime
    additional_information: frozenset[str]  # AdditionalServiceInformation URIs, e.g. .../SvcInfoExt/ForeSeals
    qualifications: tuple[Qualification, ...]


@dataclass(frozen=True)
class TrustService:
    provider: str
    certificates: tuple[x509.Certificate, ...]  # ServiceDigitalIdentity: the trust anchors of this service
    periods: tuple[ServicePeriod, ...]  # newest first

    @property
    def name(self) -> str:
        return self.periods[0].name

    def at(self, moment: datetime) -> ServicePeriod | None:
        """The period in force at ``moment``; ``None`` before the service was first listed."""
        return next((period for period in self.periods if period.since <= moment), None)


@dataclass(frozen=True)
class Pointer:
    """A LOTL's OtherTSLPointer: where a Member State's list is and which certificates may sign it."""

    territory: str
    location: str
    mime_type: str
    signers: tuple[x509.Certificate, ...]


@dataclass(frozen=True)
class TrustedList:
    territory: str
    operator: str
    tsl_type: str
    sequence_number: int
    issued: datetime
    next_update: datetime | None
    services: tuple[TrustService, ...]
    pointers: tuple[Pointer, ...]
    location: str
    signed_by: str  # the subject of the certificate the signature verified with

    @property
    def is_lotl(self) -> bool:
        return self.tsl_type == LOTL_TYPE


def read_trusted_list(data: bytes, *, signers: Sequence[x509.Certificate], location: str) -> TrustedList:
    """The list in ``data`` once its enveloped XML signature verifies with one of ``signers``.

    Only what the signature covers is read (the element signxml returns for the whole-document reference); a
    XAdES SignedProperties reference may sit beside it. ``TrustedListError`` says what failed.
    """
    if not signers:
        raise TrustedListError(f"{location}: no certificate is known that may sign this list")
    failures = []
    for signer in signers:
        try:
            results = XMLVerifier().verify(
                data, x509_cert=signer, expect_config=SignatureConfiguration(expect_references=True)
            )
        except (SignxmlInvalidSignature, SignxmlInvalidInput, ValueError) as error:
            failures.append(str(error))
            continue
        results = results if isinstance(results, list) else [results]
        signed = [result.signed_xml for result in results if _is_list(result.signed_xml)]
        if not signed:
            raise TrustedListError(f"{location}: the signature does not cover the whole list")
        return _read(signed[0], location, signer)
    raise TrustedListError(
        f"{location}: the XML signature does not verify with the {len(signers)} expected certificate(s): "
        + "; ".join(sorted(set(failures)))[:500]
    )


def _is_list(element: etree._Element | None) -> bool:
    return element is not None and element.tag == f"{{{NS['tsl']}}}TrustServiceStatusList"


def _read(root: etree._Element, location: str, signer: x509.Certificate) -> TrustedList:
    scheme = _one(root, "tsl:SchemeInformation", location)
    next_update = scheme.findtext("tsl:NextUpdate/tsl:dateTime", namespaces=NS)
    return TrustedList(
        territory=_text(scheme, "tsl:SchemeTerritory", location),
        operator=_name(scheme, "tsl:SchemeOperatorName"),
        tsl_type=_text(scheme, "tsl:TSLType", location),
        sequence_number=int(_text(scheme, "tsl:TSLSequenceNumber", location)),
        issued=_time(_text(scheme, "tsl:ListIssueDateTime", location), location),
        next_update=_time(next_update, location) if next_update else None,
        services=tuple(
            _service(provider, service, location)
            for provider in root.iterfind("tsl:TrustServiceProviderList/tsl:TrustServiceProvider", NS)
            for service in provider.iterfind("tsl:TSPServices/tsl:TSPService", NS)
        ),
        pointers=tuple(
            _pointer(pointer, location) for pointer in scheme.iterfind("tsl:PointersToOtherTSL/tsl:OtherTSLPointer", NS)
        ),
        location=location,
        signed_by=signer.subject.rfc4514_string(),
    )


def _service(provider: etree._Element, service: etree._Element, location: str) -> TrustService:
    information = _one(service, "tsl:ServiceInformation", location)
    history = service.iterfind("tsl:ServiceHistory/tsl:ServiceHistoryInstance", NS)
    periods = sorted((_period(item, location) for item in [information, *history]), key=lambda p: p.since)
    return TrustService(
        provider=_name(provider, "tsl:TSPInformation/tsl:TSPName"),
        certificates=_certificates(information.find("tsl:ServiceDigitalIdentity", NS), location),
        periods=tuple(reversed(periods)),
    )


def _period(element: etree._Element, location: str) -> ServicePeriod:
    extensions = element.find("tsl:ServiceInformationExtensions", NS)
    additional: frozenset[str] = frozenset()
    qualifications: tuple[Qualification, ...] = ()
    if extensions is not None:
        additional = frozenset(
            (uri.text or "").strip()
            for uri in extensions.iterfind("tsl:Extension/tsl:AdditionalServiceInformation/tsl:URI", NS)
        )
        qualifications = tuple(
            _qualification(item)
            for item in extensions.iterfind("tsl:Extension/ecc:Qualifications/ecc:QualificationElement", NS)
        )
    return ServicePeriod(
        service_type=_text(element, "tsl:ServiceTypeIdentifier", location),
        name=_name(element, "tsl:ServiceName"),
        status=_text(element, "tsl:ServiceStatus", location),
        since=_time(_text(element, "tsl:StatusStartingTime", location), location),
        additional_information=additional,
        qualifications=qualifications,
    )


def _qualification(element: etree._Element) -> Qualification:
    criteria = element.find("ecc:CriteriaList", NS)
    key_usages: list[tuple[tuple[str, bool], ...]] = []
    policy_sets: list[frozenset[str]] = []
    if criteria is not None:
        for usage in criteria.iterfind("ecc:KeyUsage", NS):
            bits = usage.iterfind("ecc:KeyUsageBit", NS)
            key_usages.append(tuple((bit.get("name", ""), (bit.text or "").strip() == "true") for bit in bits))
        for policy_set in criteria.iterfind("ecc:PolicySet", NS):
            identifiers = policy_set.iterfind("ecc:PolicyIdentifier/xades:Identifier", NS)
            policy_sets.append(frozenset((i.text or "").strip().removeprefix("urn:oid:") for i in identifiers))
    return Qualification(
        qualifiers=frozenset(q.get("uri", "") for q in element.iterfind("ecc:Qualifiers/ecc:Qualifier", NS)),
        criteria=Criteria(
            assert_=criteria.get("assert", "all") if criteria is not None else "all",
            key_usages=tuple(key_usages),
            policy_sets=tuple(policy_sets),
        ),
    )


def _pointer(element: etree._Element, location: str) -> Pointer:
    information = element.find("tsl:AdditionalInformation", NS)
    territory = mime_type = ""
    if information is not None:
        territory = (information.findtext("tsl:OtherInformation/tsl:SchemeTerritory", "", NS)).strip()
        mime_type = (information.findtext("tsl:OtherInformation/tslx:MimeType", "", NS)).strip()
    return Pointer(
        territory=territory,
        location=_text(element, "tsl:TSLLocation", location),
        mime_type=mime_type,
        signers=tuple(
            certificate
            for identity in element.iterfind("tsl:ServiceDigitalIdentities/tsl:ServiceDigitalIdentity", NS)
            for certificate in _certificates(identity, location)
        ),
    )


def _certificates(identity: etree._Element | None, location: str) -> tuple[x509.Certificate, ...]:
    if identity is None:
        return ()
    found = []
    for value in identity.iterfind("tsl:DigitalId/tsl:X509Certificate", NS):
        try:
            found.append(x509.load_der_x509_certificate(base64.b64decode("".join((value.text or "").split()))))
        except (binascii.Error, ValueError) as error:
            raise TrustedListError(f"{location}: a ServiceDigitalIdentity certificate cannot be read") from error
    return tuple(found)


def _one(element: etree._Element, path: str, location: str) -> etree._Element:
    found = element.find(path, NS)
    if found is None:
        raise TrustedListError(f"{location}: {path.split(':')[-1]} is missing")
    return found


def _text(element: etree._Element, path: str, location: str) -> str:
    return (_one(element, path, location).text or "").strip()


def _name(element: etree._Element, path: str) -> str:
    """A multilingual name: the English one, else the first."""
    names = element.findall(f"{path}/tsl:Name", NS)
    english = [n for n in names if n.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"]
    chosen = english or names
    return (chosen[0].text or "").strip() if chosen else ""


def _time(value: str, location: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise TrustedListError(f"{location}: {value!r} is not a date and time") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
