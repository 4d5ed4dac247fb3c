"""Is an e-seal's certificate on an EU trusted list, and qualified? (ETSI TS 119 612 service data, TS 119 615 rules.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from app.proofs.eseal import describe_certificate
from app.trust.eu_trusted_lists import TrustedLists
from app.trust.paths import validate_path
from app.trust.tsl import Criteria, ServicePeriod, TrustedList, TrustService

SVC_TYPE = "http://uri.etsi.org/TrstSvc/Svctype/"
CA_QC = SVC_TYPE + "CA/QC"
CA_PKC = SVC_TYPE + "CA/PKC"
STATUS = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
# granted since eIDAS (2016-07-01); the others are what lists kept from Directive 1999/93/EC for earlier periods.
GRANTED = frozenset(STATUS + s for s in ("granted", "undersupervision", "accredited", "supervisionincessation"))
SVC_INFO = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
FOR_ESEALS = SVC_INFO + "ForeSeals"
FOR_USES = frozenset(SVC_INFO + s for s in ("ForeSignatures", "ForeSeals", "ForWebSiteAuthentication"))
KEY_USAGE_BITS = {
    "digitalSignature": "digital_signature",
    "nonRepudiation": "content_commitment",
    "keyEncipherment": "key_encipherment",
    "dataEncipherment": "data_encipherment",
    "keyAgreement": "key_agreement",
    "keyCertSign": "key_cert_sign",
    "crlSign": "crl_sign",
}


@dataclass(frozen=True)
class SealTrust:
    """``status``: ``qualified`` (a qualified e-seal), ``trusted`` (chains to a granted service on a trusted list,
    not qualified for e-seals), ``not_trusted`` (lists loaded, no granted service for it) or ``not_checked``."""

    status: str
    reason: str
    qscd: bool | None = None  # qualified e-seals only: the key is on a qualified signature creation device
    territory: str | None = None
    list_operator: str | None = None
    list_issued: datetime | None = None
    provider: str | None = None
    service: str | None = None
    service_type: str | None = None
    qualifiers: tuple[str, ...] = ()


NOT_CHECKED = SealTrust(
    "not_checked", "not checked against a trusted list: no EU trusted lists are configured (VETCRED_EU_TRUSTED_LISTS)"
)


def assess_seal_trust(
    leaf: x509.Certificate,
    *,
    lists: TrustedLists | None,
    certificates: Sequence[x509.Certificate],
    crls: Sequence[bytes] = (),
    ocsps: Sequence[bytes] = (),
    moment: datetime,
) -> SealTrust:
    """Where ``leaf`` chains (through ``certificates``) to a CA service on ``lists``, what that service was at
    ``moment`` (the signing time) and what its qualifiers and the certificate's QC statements make of the seal.

    The path is validated at ``moment`` (signatures, validity, and revocation where ``crls``/``ocsps`` hold data).
    """
    if lists is None:
        return NOT_CHECKED
    if not lists.lists:
        problems = "; ".join(lists.problems) or "none configured"
        return SealTrust("not_checked", f"not checked: no trusted list could be loaded ({problems})"[:600])
    listed = [(tl, service) for tl, service in lists.services() if service.certificates and _is_ca(service)]
    anchors = [certificate for _, service in listed for certificate in service.certificates]
    names = ", ".join(sorted({tl.territory for tl in lists.lists if not tl.is_lotl})) or "none"
    if not anchors:
        return SealTrust("not_trusted", f"the loaded trusted lists ({names}) list no certificate authority")
    path = validate_path(
        leaf,
        anchors=anchors,
        certificates=certificates,
        crls=crls,
        ocsps=ocsps,
        moment=moment,
        require_revocation=False,
    )
    if not path.valid:
        return SealTrust("not_trusted", f"not on the loaded trusted lists ({names}): {path.reason}")
    assert path.anchor is not None
    anchor = path.anchor.public_bytes(Encoding.DER)
    matches = [
        (tl, service)
        for tl, service in listed
        if any(c.public_bytes(Encoding.DER) == anchor for c in service.certificates)
    ]
    decided = [_decide(leaf, tl, service, moment) for tl, service in matches]
    rank = {"qualified": 0, "trusted": 1, "not_trusted": 2}
    return min(decided, key=lambda trust: rank[trust.status])


def _is_ca(service: TrustService) -> bool:
    return any(period.service_type in (CA_QC, CA_PKC) for period in service.periods)


def _decide(leaf: x509.Certificate, tl: TrustedList, service: TrustService, moment: datetime) -> SealTrust:
    period = service.at(moment)
    where: dict[str, Any] = {"territory": tl.territory, "list_operator": tl.operator, "list_issued": tl.issued}
    where |= {"provider": service.provider, "service": service.name}
    label = f"{service.provider}, {service.name!r} on the {tl.territory} trusted list"
    if period is None:
        return SealTrust("not_trusted", f"{label} was not yet listed at {moment:%Y-%m-%d %H:%M:%SZ}", **where)
    where["service_type"] = period.service_type
    status = period.status.removeprefix(STATUS)
    if period.status not in GRANTED:
        return SealTrust("not_trusted", f"{label} was {status} at {moment:%Y-%m-%d %H:%M:%SZ}", **where)
    qualifiers = _qualifiers(leaf, period)
    where["qualifiers"] = tuple(sorted(q.removeprefix(SVC_INFO) for q in qualifiers))
    reason = _not_qualified_because(leaf, period, qualifiers)
    if reason:
        return SealTrust("trusted", f"issued under {label} ({status}), but not a qualified e-seal: {reason}", **where)
    facts = describe_certificate(leaf)
    qscd = bool(facts.qc_sscd)
    if SVC_INFO + "QCNoQSCD" in qualifiers:
        qscd = False
    elif qualifiers & {SVC_INFO + "QCWithQSCD", SVC_INFO + "QCQSCDManagedOnBehalf"}:
        qscd = True
    device = "on a qualified device (QSCD)" if qscd else "not on a qualified device"
    return SealTrust("qualified", f"a qualified e-seal {device}, issued under {label} ({status})", qscd=qscd, **where)


def _not_qualified_because(leaf: x509.Certificate, period: ServicePeriod, qualifiers: frozenset[str]) -> str | None:
    if period.service_type != CA_QC:
        return "the service does not issue qualified certificates (not CA/QC)"
    uses = period.additional_information & FOR_USES
    if uses and FOR_ESEALS not in uses:
        return "the service issues qualified certificates for other uses than e-seals"
    if SVC_INFO + "NotQualified" in qualifiers:
        return "the trusted list marks such certificates NotQualified"
    facts = describe_certificate(leaf)
    if not (facts.qc_compliance or SVC_INFO + "QCStatement" in qualifiers):
        return "the certificate makes no QcCompliance statement"
    if SVC_INFO + "QCForESeal" in qualifiers:
        return None
    if qualifiers & {SVC_INFO + "QCForESig", SVC_INFO + "QCForWSA"}:
        return "the trusted list qualifies such certificates for other uses than e-seals"
    if not facts.qc_type_eseal:
        return "the certificate does not declare QcType e-seal"
    return None


def _qualifiers(leaf: x509.Certificate, period: ServicePeriod) -> frozenset[str]:
    """The qualifiers of every Qualifications element whose criteria the certificate meets."""
    found: set[str] = set()
    for qualification in period.qualifications:
        if _meets(leaf, qualification.criteria):
            found |= qualification.qualifiers
    return frozenset(found)


def _meets(leaf: x509.Certificate, criteria: Criteria) -> bool:
    try:
        usage: x509.KeyUsage | None = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    try:
        policies = {
            p.policy_identifier.dotted_string
            for p in leaf.extensions.get_extension_for_class(x509.CertificatePolicies).value
        }
    except x509.ExtensionNotFound:
        policies = set()
    results = [
        usage is not None and all(getattr(usage, KEY_USAGE_BITS.get(bit, ""), None) is wanted for bit, wanted in bits)
        for bits in criteria.key_usages
    ]
    results += [policy_set <= policies for policy_set in criteria.policy_sets]
    if criteria.assert_ == "atLeastOne":
        return any(results)
    if criteria.assert_ == "none":
        return not any(results)
    return all(results)
