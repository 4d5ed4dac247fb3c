"""Verify a credential (OB 3.0 / VC with a Data Integrity proof, or a sealed EDC) into a Report of named checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.credentials.facts import is_sealed_edc
from app.proofs.dids import KeyResolver
from app.proofs.loader import DocumentLoader
from app.trust.eu_trusted_lists import TrustedLists
from app.trust.identity import Identify
from app.verification.checks import (
    check_issuer,
    check_ob3_schema,
    check_proof,
    check_structure,
    check_validity_period,
)
from app.verification.report import STATUS, Check, Outcome, Report, Signer
from app.verification.sealed_edc import EdcStatusLookup, IdentifyCertificate, verify_sealed_edc
from app.verification.status import StatusListFetcher, check_status


def verify_credential(
    document: Any,
    *,
    resolver: KeyResolver,
    loader: DocumentLoader,
    now: datetime,
    fetch: StatusListFetcher,
    identify: Identify,
    identify_certificate: IdentifyCertificate | None = None,
    edc_status: EdcStatusLookup = lambda _id: None,
    trusted_lists: TrustedLists | None = None,
) -> Report:
    """Runs every check; ``fetch`` gets status list credentials (this service's own, or remote when enabled);
    ``identify`` says whether a trusted source knows the signer.

    A sealed Europass EDC (JAdES JSON) is checked by its seal instead of a Data Integrity proof; ``edc_status``
    tells the status this service keeps for the EDCs it issued (they carry no status entry),
    ``identify_certificate`` recognises the seal certificates of this service's colleges, and ``trusted_lists`` are
    the EU trusted lists seals are checked against.
    """
    if is_sealed_edc(document):
        return verify_sealed_edc(
            document,
            now=now,
            status_of=edc_status,
            identify_certificate=identify_certificate or (lambda _der, subject: identify(subject)),
            trusted_lists=trusted_lists,
        )
    structure = check_structure(document)
    if structure.outcome is not Outcome.PASSED:
        return Report(checks=[structure], format="vc")
    proof, verified = check_proof(document, resolver, loader)
    signer = (
        Signer(id=verified.controller, method=verified.cryptosuite, verification_method=verified.verification_method)
        if verified
        else None
    )
    identity = identify(signer.id) if signer else None
    # The status list is fetched only for a credential whose proof passed: nobody can make this service request
    # URLs by sending it unsigned or forged documents.
    if signer is not None or "credentialStatus" not in document:
        status = check_status(document, fetch=fetch, resolver=resolver, loader=loader, now=now)
    else:
        status = Check(STATUS, Outcome.COULD_NOT_CHECK, "not checked: the status is only read once the proof passes")
    checks = [structure, proof, status, check_validity_period(document, now), check_issuer(identity)]
    checks.append(check_ob3_schema(document))
    issuer = document["issuer"]
    return Report(
        checks=checks,
        credential_id=document.get("id"),
        issuer=issuer.get("id") if isinstance(issuer, dict) else issuer,
        signer=signer,
        identity=identity,
        format="vc",
    )
