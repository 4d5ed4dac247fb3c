"""Verify a credential into a Report of named checks: a VC with embedded proofs (eddsa-rdfc-2022, eddsa-2022,
Ed25519Signature2020), a VC-JWT or EnvelopedVerifiableCredential, or a sealed EDC (JAdES)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from app.credentials.facts import is_sealed_edc
from app.proofs.dids import KeyResolver
from app.proofs.embedded import verify_proofs
from app.proofs.loader import DocumentLoader
from app.proofs.results import ProofResult
from app.proofs.vc_jwt import is_jwt_credential, verify_jwt_credential
from app.trust.eu_trusted_lists import TrustedLists
from app.trust.identity import Identify
from app.verification.cache import OUTCOME_WEIGHT, Memo
from app.verification.checks import (
    check_issuer,
    check_ob3_schema,
    check_proofs,
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
    memo: Memo | None = None,
) -> Report:
    """Runs every check; ``fetch`` gets status list credentials (this service's own, or remote when enabled);
    ``identify`` says whether a trusted source knows the signer.

    A sealed Europass EDC (JAdES JSON) is checked by its seal instead of a Data Integrity proof; ``edc_status``
    tells the status this service keeps for the EDCs it issued (they carry no status entry),
    ``identify_certificate`` recognises the seal certificates of this service's colleges, and ``trusted_lists`` are
    the EU trusted lists seals are checked against. ``memo`` reuses earlier outcomes of the expensive checks
    (``app/verification/cache.py``); the report says when it was made and what it reused.
    """
    memo = memo or Memo()
    if is_sealed_edc(document):
        report = verify_sealed_edc(
            document,
            now=now,
            status_of=edc_status,
            identify_certificate=identify_certificate or (lambda _der, subject: identify(subject)),
            trusted_lists=trusted_lists,
            memo=memo,
        )
    else:
        report = _verify_vc(
            document, resolver=resolver, loader=loader, now=now, fetch=fetch, identify=identify, memo=memo
        )
    return replace(report, checked_at=now, reused=tuple(memo.reused))


def _verify_vc(
    document: Any,
    *,
    resolver: KeyResolver,
    loader: DocumentLoader,
    now: datetime,
    fetch: StatusListFetcher,
    identify: Identify,
    memo: Memo,
) -> Report:
    results: list[ProofResult] | None = None  # a JWT's is known once it is read; embedded ones after the structure
    if is_jwt_credential(document):
        # A JWT entry keeps the decoded credential: weighed as a few times its text.
        weight = OUTCOME_WEIGHT + 4 * len(document if isinstance(document, str) else str(document))
        jwt = memo.reuse(
            "proof", ("vc-jwt", document), lambda: verify_jwt_credential(document, resolver), weight=weight
        )
        credential: Any = jwt.credential
        claims, form, results = jwt.claims, "vc-jwt", [jwt.result]
        structure = (
            check_structure(credential)
            if credential is not None
            else Check("structure", Outcome.FAILED, "the JWT carries no readable credential")
        )
    else:
        credential, claims, form = document, None, "vc"
        structure = memo.reuse("structure", document, lambda: check_structure(document))
    if structure.outcome is not Outcome.PASSED:
        return Report(checks=[structure, *check_proofs(results)[0]] if results else [structure], format=form)
    if results is None:
        results = memo.reuse("proof", credential, lambda: verify_proofs(credential, resolver, loader))
    proofs, verified = check_proofs(results)
    signer = (
        Signer(
            id=verified.controller or verified.verification_method,
            method=verified.cryptosuite,
            verification_method=verified.verification_method,
        )
        if verified
        else None
    )
    identity = identify(signer.id) if signer else None
    # The status list is fetched only for a credential whose proof passed: nobody can make this service request
    # URLs by sending it unsigned or forged documents.
    if signer is not None or "credentialStatus" not in credential:
        status = check_status(credential, fetch=fetch, resolver=resolver, loader=loader, now=now, memo=memo)
    else:
        status = Check(STATUS, Outcome.COULD_NOT_CHECK, "not checked: the status is only read once the proof passes")
    checks = [structure, *proofs, status, check_validity_period(credential, now, claims), check_issuer(identity)]
    checks.append(memo.reuse("ob3_schema", credential, lambda: check_ob3_schema(credential)))
    issuer = credential["issuer"]
    return Report(
        checks=checks,
        credential_id=credential.get("id"),
        issuer=issuer.get("id") if isinstance(issuer, dict) else issuer,
        signer=signer,
        identity=identity,
        format=form,
        credential=credential if form == "vc-jwt" else None,
    )
