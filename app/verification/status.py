"""The status check: fetch each Bitstring Status List credential, verify it, and read the credential's bit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from app.errors import FetchError
from app.proofs.dids import KeyResolver
from app.proofs.embedded import verify_proofs
from app.proofs.loader import DocumentLoader
from app.proofs.results import ProofOutcome
from app.status.bitstring import Bitstring, StatusListError
from app.verification.cache import Memo
from app.verification.checks import parse_datetime
from app.verification.report import Check, Outcome

StatusListFetcher = Callable[[str], dict[str, Any]]
NAME = "status"


class _CouldNotCheck(Exception):
    pass


def check_status(
    document: dict[str, Any],
    *,
    fetch: StatusListFetcher,
    resolver: KeyResolver,
    loader: DocumentLoader,
    now: datetime,
    memo: Memo | None = None,
) -> Check:
    """Each entry's list is fetched and its bit read every time; the list's own proof is reused (``memo``) only for
    exactly that list credential, signed with unchanged keys."""
    memo = memo or Memo()
    entries = document.get("credentialStatus")
    if entries is None:
        return Check(NAME, Outcome.NOT_APPLICABLE, "the credential has no status entry: it cannot be revoked")
    entries = entries if isinstance(entries, list) else [entries]
    set_purposes: list[str] = []
    try:
        for entry in entries:
            if _bit_is_set(entry, document, fetch=fetch, resolver=resolver, loader=loader, now=now, memo=memo):
                set_purposes.append(entry.get("statusPurpose", ""))
    except _CouldNotCheck as error:
        return Check(NAME, Outcome.COULD_NOT_CHECK, str(error))
    if "revocation" in set_purposes:
        return Check(NAME, Outcome.FAILED, "the issuer has revoked this credential", code="revoked")
    if "suspension" in set_purposes:
        return Check(NAME, Outcome.FAILED, "the issuer has suspended this credential", code="suspended")
    purposes = ", ".join(str(e.get("statusPurpose")) for e in entries)
    return Check(NAME, Outcome.PASSED, f"not revoked or suspended (checked the issuer's status list: {purposes})")


def _bit_is_set(
    entry: Any,
    document: dict[str, Any],
    *,
    fetch: StatusListFetcher,
    resolver: KeyResolver,
    loader: DocumentLoader,
    now: datetime,
    memo: Memo,
) -> bool:
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        kind = entry.get("type") if isinstance(entry, dict) else type(entry).__name__
        raise _CouldNotCheck(f"status entries of type {kind} are not supported (only BitstringStatusListEntry)")
    purpose = entry.get("statusPurpose")
    if purpose not in ("revocation", "suspension"):
        raise _CouldNotCheck(f"status purpose {purpose!r} is not one this verifier acts on")
    url, index_text = entry.get("statusListCredential"), entry.get("statusListIndex")
    if not isinstance(url, str) or not isinstance(index_text, str) or not index_text.isdigit():
        raise _CouldNotCheck("the status entry lacks a statusListCredential URL or a numeric statusListIndex")
    try:
        list_credential = fetch(url)
    except FetchError as error:
        raise _CouldNotCheck(f"the status list {url} could not be fetched: {error.detail}") from error
    results = memo.reuse(
        "status_list_proof", list_credential, lambda: verify_proofs(list_credential, resolver, loader), subject=url
    )
    refusals = [r for r in results if r.outcome is not ProofOutcome.PASSED]
    if not results or len(refusals) == len(results) or any(r.outcome is ProofOutcome.FAILED for r in refusals):
        reason = refusals[0].reason if refusals else "it has no proof"
        raise _CouldNotCheck(f"the status list {url} does not verify: {reason}")
    _check_list_matches(list_credential, document, url, purpose, now)
    subject = list_credential["credentialSubject"]
    try:
        return _decoded(subject["encodedList"], int(entry.get("statusSize", 1))).get(int(index_text)) != 0
    except (StatusListError, IndexError, ValueError, KeyError, TypeError) as error:
        raise _CouldNotCheck(f"the status list {url} cannot be read: {error}") from error


@lru_cache(maxsize=64)
def _decoded(encoded: str, status_size: int) -> Bitstring:
    """The bitstring an ``encodedList`` holds (16 KiB for a list of 131,072): every credential of a list reads the
    same one, so the last few lists decoded are kept; a changed list is a different ``encoded``."""
    return Bitstring.decode(encoded, status_size)


def _check_list_matches(
    list_credential: dict[str, Any], document: dict[str, Any], url: str, purpose: str, now: datetime
) -> None:
    subject = list_credential.get("credentialSubject")
    if list_credential.get("id") != url or not isinstance(subject, dict):
        raise _CouldNotCheck(f"the document at {url} is not that status list credential")
    if subject.get("statusPurpose") != purpose:
        raise _CouldNotCheck(f"the status list {url} is for {subject.get('statusPurpose')!r}, not {purpose!r}")
    if _issuer_id(list_credential) != _issuer_id(document):
        raise _CouldNotCheck(f"the status list {url} was not issued by the credential's issuer")
    try:
        valid_until = parse_datetime(list_credential.get("validUntil"))
    except ValueError as error:
        raise _CouldNotCheck(f"the status list {url} has a bad validUntil: {error}") from error
    if valid_until and now > valid_until:
        raise _CouldNotCheck(f"the status list {url} expired on {valid_until.isoformat()}")


def _issuer_id(document: dict[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer
