"""Test EU trusted lists: a LOTL and national TSLs written as ETSI TS 119 612 XML and signed with signxml."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import XMLSigner

from tests.pki import Issued

TSL = "http://uri.etsi.org/02231/v2#"
TSLX = "http://uri.etsi.org/02231/v2/additionaltypes#"
ECC = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SVC = "http://uri.etsi.org/TrstSvc/"
CA_QC = SVC + "Svctype/CA/QC"
CA_PKC = SVC + "Svctype/CA/PKC"
GRANTED = SVC + "TrustedList/Svcstatus/granted"
WITHDRAWN = SVC + "TrustedList/Svcstatus/withdrawn"
FOR_ESEALS = SVC + "TrustedList/SvcInfoExt/ForeSeals"
FOR_ESIGNATURES = SVC + "TrustedList/SvcInfoExt/ForeSignatures"
QUALIFIER = SVC + "TrustedList/SvcInfoExt/"


@dataclass
class Service:
    """A TSPService; ``history`` holds earlier (status, since) periods."""

    name: str
    anchor: Issued
    service_type: str = CA_QC
    status: str = GRANTED
    since: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(days=30))
    additional: tuple[str, ...] = (FOR_ESEALS,)
    qualifiers: tuple[str, ...] = ()
    history: tuple[tuple[str, datetime], ...] = ()


def _sub(parent: etree._Element, tag: str, text: str | None = None, ns: str = TSL) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _name(parent: etree._Element, tag: str, text: str) -> None:
    _sub(_sub(parent, tag), "Name", text).set(XML_LANG, "en")


def _identity(parent: etree._Element, issued: Issued, tag: str = "ServiceDigitalIdentity") -> None:
    der = issued.certificate.public_bytes(Encoding.DER)
    _sub(_sub(_sub(parent, tag), "DigitalId"), "X509Certificate", base64.b64encode(der).decode())


def _scheme(root: etree._Element, territory: str, tsl_type: str) -> etree._Element:
    scheme = _sub(root, "SchemeInformation")
    _sub(scheme, "TSLVersionIdentifier", "5")
    _sub(scheme, "TSLSequenceNumber", "7")
    _sub(scheme, "TSLType", SVC + f"TrustedList/TSLType/{tsl_type}")
    _name(scheme, "SchemeOperatorName", f"Test supervisory body {territory}")
    _sub(scheme, "SchemeTerritory", territory)
    _sub(scheme, "ListIssueDateTime", (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    _sub(
        _sub(scheme, "NextUpdate"), "dateTime", (datetime.now(UTC) + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    return scheme


def _period(parent: etree._Element, service: Service, status: str, since: datetime) -> None:
    _sub(parent, "ServiceTypeIdentifier", service.service_type)
    _name(parent, "ServiceName", service.name)
    _sub(parent, "ServiceStatus", status)
    _sub(parent, "StatusStartingTime", since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    extensions = _sub(parent, "ServiceInformationExtensions")
    for uri in service.additional:
        _sub(_sub(_sub(extensions, "Extension"), "AdditionalServiceInformation"), "URI", uri)
    if service.qualifiers:
        element = _sub(_sub(_sub(extensions, "Extension"), "Qualifications", ns=ECC), "QualificationElement", ns=ECC)
        qualifiers = _sub(element, "Qualifiers", ns=ECC)
        for qualifier in service.qualifiers:
            _sub(qualifiers, "Qualifier", ns=ECC).set("uri", QUALIFIER + qualifier)
        criteria = _sub(element, "CriteriaList", ns=ECC)
        criteria.set("assert", "atLeastOne")
        _sub(_sub(criteria, "KeyUsage", ns=ECC), "KeyUsageBit", "true", ns=ECC).set("name", "nonRepudiation")


def national_list(territory: str, services: list[Service], signer: Issued) -> bytes:
    root = etree.Element(
        f"{{{TSL}}}TrustServiceStatusList", nsmap={None: TSL, "ecc": ECC}, TSLTag="http://uri.etsi.org/19612/TSLTag"
    )
    _scheme(root, territory, "EUgeneric")
    if services:
        providers = _sub(root, "TrustServiceProviderList")
        for service in services:
            provider = _sub(providers, "TrustServiceProvider")
            _name(_sub(provider, "TSPInformation"), "TSPName", f"{service.name} provider")
            entry = _sub(_sub(provider, "TSPServices"), "TSPService")
            information = _sub(entry, "ServiceInformation")
            _period(information, service, service.status, service.since)
            _identity(information, service.anchor)
            information.insert(2, information[-1])  # ServiceDigitalIdentity comes after ServiceName
            if service.history:
                history = _sub(entry, "ServiceHistory")
                for status, since in service.history:
                    _period(_sub(history, "ServiceHistoryInstance"), service, status, since)
    return _signed(root, signer)


def lotl(pointers: list[tuple[str, str, Issued]], signer: Issued) -> bytes:
    """The LOTL: for each (territory, location, signer of that list) an OtherTSLPointer to its XML."""
    root = etree.Element(
        f"{{{TSL}}}TrustServiceStatusList", nsmap={None: TSL, "tslx": TSLX}, TSLTag="http://uri.etsi.org/19612/TSLTag"
    )
    scheme = _scheme(root, "EU", "EUlistofthelists")
    others = _sub(scheme, "PointersToOtherTSL")
    for territory, location, list_signer in pointers:
        pointer = _sub(others, "OtherTSLPointer")
        identities = _sub(pointer, "ServiceDigitalIdentities")
        _identity(identities, list_signer)
        _sub(pointer, "TSLLocation", location)
        information = _sub(pointer, "AdditionalInformation")
        _sub(_sub(information, "OtherInformation"), "SchemeTerritory", territory)
        _sub(_sub(information, "OtherInformation"), "MimeType", "application/vnd.etsi.tsl+xml", ns=TSLX)
    return _signed(root, signer)


def _signed(root: etree._Element, signer: Issued) -> bytes:
    signed = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(
        root, key=signer.key, cert=[signer.certificate]
    )
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
