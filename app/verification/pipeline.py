"""Verify a credential (OB 3.0 / VC with a Data Integrity proof, or a sealed EDC) into a Report of named checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.credentials.facts import is_sealed_edc
from app.proofs.dids import KeyResolver
from app.proofs.loader import DocumentLoader
from app.verification.checks import check_ob3_schema, check_proof, check_structure, check_validity_period
from app.verification.report import Report
from app.verification.sealed_edc import EdcStatusLookup, verify_sealed_edc
from app.verification.status import StatusListFetcher, check_status


def verify_credential(
    document: Any,
    *,
    resolver: KeyResolver,
    loader: DocumentLoader,
    now: datetime,
    fetch: StatusListFetcher,
    edc_status: EdcStatusLookup = lambda _id: None,
) -> Report:
    """Runs every check; ``fetch`` gets status list credentials (this service's own, or remote when enabled).

    A sealed Europass EDC (JAdES JSON) is checked by its seal instead of a Data Integrity proof; ``edc_status``
    tells the status this service keeps for the EDCs it issued (they carry no status entry).
    """
    if is_sealed_edc(document):
        return verify_sealed_edc(document, now=now, status_of=edc_status)
    structure = check_structure(document)
    if structure.outcome != "passed":
        return Report(checks=[structure])
    proof, verification_method = check_proof(document, resolver, loader)
    status = check_status(document, fetch=fetch, resolver=resolver, loader=loader, now=now)
    checks = [structure, proof, status, check_validity_period(document, now), check_ob3_schema(document)]
    issuer = document["issuer"]
    return Report(
        checks=checks,
        credential_id=document.get("id"),
        issuer=issuer.get("id") if isinstance(issuer, dict) else issuer,
        verification_method=verification_method,
    )
