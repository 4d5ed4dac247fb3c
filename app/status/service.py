"""Status lists of an issuer: allocate random indexes, revoke/suspend/unsuspend, publish the signed list."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Text, bindparam, cast, or_, select
from sqlalchemy.orm import Session

from app.db.models import AuditEvent, Credential, Issuer, StatusList
from app.errors import Conflict, NotFound
from app.issuers.service import lock_issuer
from app.proofs import eddsa_rdfc_2022
from app.proofs.data_integrity import xsd_datetime
from app.proofs.loader import DocumentLoader
from app.proofs.signer import Signer
from app.status.bitstring import MIN_LIST_LENGTH, Bitstring

REVOCATION = "revocation"
SUSPENSION = "suspension"
Action = Literal["revoke", "suspend", "unsuspend"]
LIST_CONTEXT = ["https://www.w3.org/ns/credentials/v2"]
_random = secrets.SystemRandom()


@dataclass(frozen=True)
class StatusEntry:
    purpose: str
    list_id: str
    index: int


@dataclass(frozen=True)
class Publisher:
    """What publishing a list needs: the issuer's signer, the loader, the clock reading and the public URL."""

    signer: Signer
    loader: DocumentLoader
    now: datetime
    public_url: str


def status_list_url(public_url: str, list_id: str) -> str:
    return f"{public_url}/status/{list_id}"


def entry_json(entry: StatusEntry, public_url: str) -> dict[str, Any]:
    url = status_list_url(public_url, entry.list_id)
    return {
        "id": f"{url}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.index),
        "statusListCredential": url,
    }


def credential_status(entries: list[StatusEntry], public_url: str) -> dict[str, Any] | list[dict[str, Any]]:
    """One object for the usual revocation entry (what the strict OB 3.0 schema allows); an array for two."""
    documents = [entry_json(entry, public_url) for entry in entries]
    return documents[0] if len(documents) == 1 else documents


def allocate_entries(session: Session, issuer: Issuer, publisher: Publisher) -> list[StatusEntry]:
    """Status entries for a new credential. The college is locked first, so concurrent issuances share its one
    open list per purpose instead of each starting a list (which would undo herd privacy)."""
    return allocate_many(session, issuer, publisher, 1)[0]


def allocate_many(session: Session, issuer: Issuer, publisher: Publisher, count: int) -> list[list[StatusEntry]]:
    """Status entries for ``count`` new credentials at once (a cohort's chunk), in one short transaction of the
    caller's, instead of one lock of the college's list per credential."""
    lock_issuer(session, issuer)
    purposes = [REVOCATION, SUSPENSION] if issuer.allow_suspension else [REVOCATION]
    per_purpose = [_allocate_many(session, issuer, purpose, publisher, count) for purpose in purposes]
    return [list(entries) for entries in zip(*per_purpose, strict=True)]


def _allocate_many(
    session: Session, issuer: Issuer, purpose: str, publisher: Publisher, count: int
) -> list[StatusEntry]:
    """Random, never-used indexes (herd privacy: an index says nothing about issuance order)."""
    entries: list[StatusEntry] = []
    while len(entries) < count:
        status_list = _open_list(session, issuer, purpose, publisher)
        allocated = Bitstring.from_bytes(status_list.allocated)
        room = min(count - len(entries), status_list.length - status_list.allocated_count)
        for _ in range(room):
            index = allocated.first_clear_from(_random.randrange(status_list.length))
            if index is None:  # cannot happen: the list had room
                raise Conflict(f"status list {status_list.id} is full")
            allocated.set(index, 1)
            entries.append(StatusEntry(purpose=purpose, list_id=status_list.id, index=index))
        status_list.allocated = allocated.to_bytes()
        status_list.allocated_count += room
        session.flush()
    return entries


def _open_list(session: Session, issuer: Issuer, purpose: str, publisher: Publisher) -> StatusList:
    """The college's list for ``purpose`` that has room (locked), or a new one."""
    status_list = session.scalars(
        select(StatusList)
        .where(
            StatusList.issuer_id == issuer.id,
            StatusList.purpose == purpose,
            StatusList.allocated_count < StatusList.length,
        )
        .order_by(StatusList.updated_at)
        .limit(1)
        .with_for_update()
    ).first()
    return status_list if status_list is not None else _new_list(session, issuer, purpose, publisher)


def _new_list(session: Session, issuer: Issuer, purpose: str, publisher: Publisher) -> StatusList:
    empty = Bitstring(MIN_LIST_LENGTH).to_bytes()
    status_list = StatusList(
        id=str(uuid.uuid4()),
        issuer_id=issuer.id,
        purpose=purpose,
        length=MIN_LIST_LENGTH,
        bits=empty,
        allocated=empty,
        allocated_count=0,
        document={},
    )
    _publish(status_list, issuer, publisher)
    session.add(status_list)
    session.flush()
    return status_list


def _publish(status_list: StatusList, issuer: Issuer, publisher: Publisher) -> None:
    """Re-signs the BitstringStatusListCredential; done in the same transaction as the change it publishes."""
    url = status_list_url(publisher.public_url, status_list.id)
    unsigned = {
        "@context": list(LIST_CONTEXT),
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": xsd_datetime(publisher.now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": Bitstring.from_bytes(status_list.bits).encode(),
        },
    }
    status_list.document = eddsa_rdfc_2022.sign(unsigned, publisher.signer, publisher.loader, publisher.now)
    status_list.updated_at = publisher.now


def change_status(
    session: Session,
    issuer: Issuer,
    credential: Credential,
    action: Action,
    *,
    reason: str,
    actor: str,
    publisher: Publisher,
) -> bool:
    """Applies ``action``; returns False when the credential was already in that state (a safe retry).

    Status changes of one credential are serialised: the credential's row is locked and read again before the state
    machine is consulted, so a revocation racing an unsuspension cannot both succeed and leave "active" behind a
    set revocation bit (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the write transaction's database lock).
    """
    session.scalars(
        select(Credential)
        .where(Credential.id == credential.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if credential.status == "revoked":
        if action == "revoke":
            return False
        raise Conflict("the credential is revoked, and revocation is final")
    if action in ("suspend", "unsuspend") and credential.suspension_list_id is None:
        raise Conflict(
            "this credential carries no suspension entry, so it cannot be suspended: suspension is opt-in per "
            "issuer (allowSuspension) and applies to credentials issued after opting in; revoke it instead"
        )
    target = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "active"}[action]
    if credential.status == target:
        return False
    if action == "revoke":
        list_id, index = credential.revocation_list_id, credential.revocation_index
    else:
        list_id, index = credential.suspension_list_id, credential.suspension_index
    status_list = session.scalars(select(StatusList).where(StatusList.id == list_id).with_for_update()).one()
    bits = Bitstring.from_bytes(status_list.bits)
    assert index is not None
    bits.set(index, 0 if action == "unsuspend" else 1)
    status_list.bits = bits.to_bytes()
    _publish(status_list, issuer, publisher)
    credential.status = target
    for twin in _twins(session, credential):  # the EDC twin has no status entry of its own: it shares this one
        twin.status = target
    session.add(
        AuditEvent(
            issuer_id=issuer.id,
            credential_id=credential.id,
            action=action,
            reason=reason,
            actor=actor,
            at=publisher.now,
        )
    )
    session.flush()
    return True


def _twins(session: Session, credential: Credential) -> list[Credential]:
    if credential.revocation_list_id is None:
        return []
    return list(
        session.scalars(
            select(Credential).where(
                Credential.revocation_list_id == credential.revocation_list_id,
                Credential.revocation_index == credential.revocation_index,
                Credential.id != credential.id,
            )
        )
    )


# Read on every verification of a credential of this service: built once.
_LISTS = StatusList.__table__.c
_LIST_TEXT = select(cast(_LISTS.document, Text)).where(_LISTS.id == bindparam("id"))


def published_list_text(session: Session, list_id: str) -> str:
    """The stored JSON text of list ``list_id``'s signed BitstringStatusListCredential (not the row's bitstrings,
    and not parsed: the verification cache names it by its text); NotFound."""
    text: str | None = session.scalar(_LIST_TEXT, {"id": list_id})
    if text is None:
        raise NotFound(f"status list {list_id} not found")
    return text


def published_list(session: Session, list_id: str) -> StatusList:
    status_list = session.get(StatusList, list_id)
    if status_list is None:
        raise NotFound(f"status list {list_id} not found")
    return status_list


def audit_trail(session: Session, credential: Credential) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.credential_id == credential.id).order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def credential_history(session: Session, credential: Credential) -> list[AuditEvent]:
    """Everything the college's audit trail holds about the credential, oldest first: its status changes, and the
    staff actions recorded with the subject ``credential:<id>`` (a claim link re-sent, say)."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.issuer_id == credential.issuer_id,
                or_(AuditEvent.credential_id == credential.id, AuditEvent.subject == f"credential:{credential.id}"),
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
