"""The master key and the database it opens: found before serving, never silently replaced, rotated in one go.

Every college's Ed25519 key, every e-seal key, every stored offer code, the console's staff secrets (TOTP
secrets, single sign-on client secrets) and the wallets' answers to employers' requests are encrypted under the
master key. A service that loses it and quietly makes a new one would start normally and then fail every issuance, so:

* a missing key file is only created for a database that holds no encrypted keys yet;
* at start every encrypted key is opened once; if any does not open, the start stops and says what to restore;
* ``rotate`` re-encrypts everything under a new key in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import IssuerKey, OidcSettings, PresentationRequest, SealMaterial, StaffMember, WalletOffer
from app.errors import ConfigurationError, KeyMaterialError
from app.issuers.seals import seal_aad
from app.issuers.service import key_aad
from app.proofs.keys import MasterKey
from app.staff.sso import client_secret_aad
from app.staff.totp import totp_aad
from app.wallet.oid4vci import offer_code_aad
from app.wallet.openid4vp import answer_aad

PENDING_SUFFIX = ".new"


@dataclass(frozen=True)
class Rotated:
    issuer_keys: int
    seal_keys: int
    offer_codes: int
    staff_secrets: int
    presentation_answers: int


def open_master_key(settings: Settings, session: Session) -> MasterKey:
    """The configured master key, checked against every key in the database (``ConfigurationError`` otherwise).

    A database without vetcred's tables yet (``vetcred verify`` before any migration) holds no keys to check."""
    if settings.master_key is not None:
        key = MasterKey.from_text(settings.master_key.get_secret_value())
        source = "VETCRED_MASTER_KEY"
    else:
        path = settings.master_key_path
        source = str(path)
        try:
            key = MasterKey.read(path)
        except FileNotFoundError:
            stored = _encrypted_key_count(session)
            if stored or settings.master_key_file is not None:
                raise ConfigurationError(
                    f"the master key file {path} is missing, but the database holds {stored} private keys "
                    f"encrypted under a master key: restore {path} from your backup (or give the key with "
                    "VETCRED_MASTER_KEY or VETCRED_MASTER_KEY_FILE). vetcred does not make a new one: no college "
                    "could issue with it."
                ) from None
            key = MasterKey.load_or_create(path)
    _check_opens_everything(session, key, source, settings)
    return key


def _has_keys_table(session: Session) -> bool:
    return inspect(session.connection()).has_table(IssuerKey.__tablename__)


def _encrypted_key_count(session: Session) -> int:
    if not _has_keys_table(session):
        return 0
    issuer_keys = session.scalar(select(func.count()).select_from(IssuerKey)) or 0
    seal_keys = session.scalar(select(func.count()).select_from(SealMaterial)) or 0
    return issuer_keys + seal_keys


def _check_opens_everything(session: Session, key: MasterKey, source: str, settings: Settings) -> None:
    if not _has_keys_table(session):
        return
    failed: list[str] = []
    total = 0
    for row in session.scalars(select(IssuerKey)):
        total += 1
        if not _opens(key, row.encrypted_private_key, key_aad(row.issuer_id, row.key_id)):
            failed.append(row.issuer_id)
    for seal in session.scalars(select(SealMaterial)):
        total += 1
        if not _opens(key, seal.encrypted_private_key, seal_aad(seal.issuer_id)):
            failed.append(seal.issuer_id)
    if not failed:
        return
    pending = settings.master_key_path.with_name(settings.master_key_path.name + PENDING_SUFFIX)
    hint = (
        f" A master key rotation was interrupted: {pending} is the new key; move it to {settings.master_key_path}."
        if pending.exists() and _opens_all(MasterKey.read(pending), session)
        else ""
    )
    colleges = ", ".join(sorted(set(failed))[:5])
    raise ConfigurationError(
        f"the master key from {source} does not open {len(failed)} of the {total} private keys in the database "
        f"(colleges {colleges}{', ...' if len(set(failed)) > 5 else ''}): it is not the key they were encrypted "
        f"with. Restore the master key of this database from your backup.{hint}"
    )


def _opens(key: MasterKey, blob: bytes, aad: bytes) -> bool:
    try:
        key.decrypt(blob, aad=aad)
    except KeyMaterialError:
        return False
    return True


def _opens_all(key: MasterKey, session: Session) -> bool:
    rows = list(session.scalars(select(IssuerKey)))
    return all(_opens(key, r.encrypted_private_key, key_aad(r.issuer_id, r.key_id)) for r in rows)


def rotate(session: Session, old: MasterKey, new: MasterKey) -> Rotated:
    """Re-encrypts every issuer key, seal key, stored offer code, staff secret and wallet answer under ``new``; the
    caller commits once."""
    issuer_keys = seal_keys = offer_codes = staff_secrets = presentation_answers = 0
    for row in session.scalars(select(IssuerKey).with_for_update()):
        aad = key_aad(row.issuer_id, row.key_id)
        row.encrypted_private_key = new.encrypt(old.decrypt(row.encrypted_private_key, aad=aad), aad=aad)
        issuer_keys += 1
    for seal in session.scalars(select(SealMaterial).with_for_update()):
        aad = seal_aad(seal.issuer_id)
        seal.encrypted_private_key = new.encrypt(old.decrypt(seal.encrypted_private_key, aad=aad), aad=aad)
        seal_keys += 1
    for offer in session.scalars(select(WalletOffer).where(WalletOffer.code_encrypted.is_not(None)).with_for_update()):
        assert offer.code_encrypted is not None
        aad = offer_code_aad(offer.id)
        offer.code_encrypted = new.encrypt(old.decrypt(offer.code_encrypted, aad=aad), aad=aad)
        offer_codes += 1
    staff = select(StaffMember).where(StaffMember.totp_secret_encrypted.is_not(None)).with_for_update()
    for member in session.scalars(staff):
        assert member.totp_secret_encrypted is not None
        aad = totp_aad(member.id)
        member.totp_secret_encrypted = new.encrypt(old.decrypt(member.totp_secret_encrypted, aad=aad), aad=aad)
        staff_secrets += 1
    for sso in session.scalars(select(OidcSettings).with_for_update()):
        aad = client_secret_aad(sso.issuer_id)
        sso.client_secret_encrypted = new.encrypt(old.decrypt(sso.client_secret_encrypted, aad=aad), aad=aad)
        staff_secrets += 1
    answered = select(PresentationRequest).where(PresentationRequest.answer_encrypted.is_not(None))
    for request in session.scalars(answered.with_for_update()):
        assert request.answer_encrypted is not None
        aad = answer_aad(request.id)
        request.answer_encrypted = new.encrypt(old.decrypt(request.answer_encrypted, aad=aad), aad=aad)
        presentation_answers += 1
    session.flush()
    return Rotated(issuer_keys, seal_keys, offer_codes, staff_secrets, presentation_answers)
