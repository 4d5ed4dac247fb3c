"""A college's single sign-on: its OpenID provider settings (the client secret encrypted under the master key), the
sign-ins on their way (state, nonce and PKCE verifier, single-use), and who a provider's identity is here: an
existing, active staff member of that college with that verified e-mail address. It never makes an account."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db.models import Issuer, OidcSettings, OidcSignIn, StaffMember
from app.errors import InvalidInput
from app.fields import HttpUrl, ShortText, StrictInput
from app.proofs.keys import MasterKey
from app.staff.members import member_by_email, normalise_email
from app.staff.oidc import Identity, SsoError
from app.wallet.claims import hash_secret

# How long a browser may spend at the provider before coming back.
SIGN_IN_TTL = timedelta(minutes=10)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _domain(value: str) -> str:
    domain = value.strip().lower().removeprefix("@")
    if not _DOMAIN.match(domain):
        raise ValueError("must be an e-mail domain such as college.example")
    return domain


class SsoSettingsInput(StrictInput):
    """What an owner sets; an empty ``client_secret`` keeps the stored one."""

    provider_url: HttpUrl = Field(description="The provider's issuer URL (its discovery document is below it)")
    client_id: ShortText
    client_secret: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    email_domain: Annotated[str, AfterValidator(_domain)]
    enabled: bool = False


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in sent to the provider: ``state`` goes in the URL and in a cookie, the rest stays here."""

    state: str
    nonce: str
    code_verifier: str


def client_secret_aad(issuer_id: str) -> bytes:
    return f"vetcred:staff-oidc-client-secret:{issuer_id}".encode()


def settings_of(session: Session, issuer_id: str) -> OidcSettings | None:
    return session.get(OidcSettings, issuer_id)


def save_settings(
    session: Session, issuer_id: str, data: SsoSettingsInput, *, master_key: MasterKey, now: datetime
) -> OidcSettings:
    row = session.get(OidcSettings, issuer_id)
    if row is None and not data.client_secret:
        raise InvalidInput("the provider gives a client secret with the client id: enter it", field="client_secret")
    if row is None:
        row = OidcSettings(issuer_id=issuer_id)
        session.add(row)
    row.provider_url = data.provider_url.rstrip("/")
    row.client_id = data.client_id
    row.email_domain = data.email_domain
    row.enabled = data.enabled
    row.updated_at = now
    if data.client_secret:
        row.client_secret_encrypted = master_key.encrypt(data.client_secret.encode(), aad=client_secret_aad(issuer_id))
    session.flush()
    return row


def remove_settings(session: Session, issuer_id: str) -> bool:
    row = session.get(OidcSettings, issuer_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def client_secret(row: OidcSettings, master_key: MasterKey) -> str:
    return master_key.decrypt(row.client_secret_encrypted, aad=client_secret_aad(row.issuer_id)).decode()


def any_enabled(session: Session) -> bool:
    """Whether some college signs its staff in through its provider (the sign-in page then offers it)."""
    return (
        session.scalars(select(OidcSettings.issuer_id).where(OidcSettings.enabled.is_(True)).limit(1)).first()
        is not None
    )


def college_for_email(session: Session, email: str) -> str | None:
    """The college whose enabled single sign-on covers ``email``'s domain (the first, if several)."""
    domain = normalise_email(email).rpartition("@")[2]
    return session.scalars(
        select(OidcSettings.issuer_id)
        .join(Issuer, Issuer.id == OidcSettings.issuer_id)
        .where(OidcSettings.email_domain == domain, OidcSettings.enabled.is_(True), Issuer.deactivated_at.is_(None))
        .order_by(OidcSettings.issuer_id)
    ).first()


def begin(session: Session, issuer_id: str, *, next_path: str, now: datetime) -> PendingSignIn:
    """Remembers a sign-in about to go to the provider (and forgets those that never came back)."""
    session.execute(delete(OidcSignIn).where(OidcSignIn.expires_at <= now))
    pending = PendingSignIn(
        state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), code_verifier=secrets.token_urlsafe(64)
    )
    session.add(
        OidcSignIn(
            state_hash=hash_secret(pending.state),
            issuer_id=issuer_id,
            code_verifier=pending.code_verifier,
            nonce=pending.nonce,
            next_path=next_path,
            expires_at=now + SIGN_IN_TTL,
        )
    )
    session.flush()
    return pending


def take(session: Session, state: str, now: datetime) -> OidcSignIn:
    """The sign-in ``state`` belongs to, used up; SsoError when there is none (unknown, used or too old)."""
    row = session.get(OidcSignIn, hash_secret(state))
    if row is None or row.expires_at <= now:
        raise SsoError("this sign-in is unknown, used or too old: start it again")
    session.delete(row)
    session.flush()
    return row


def member_for(session: Session, settings: OidcSettings, identity: Identity) -> StaffMember:
    """The active staff member of the college that ``identity`` is: by the provider's verified e-mail address, in the
    college's domain. SsoError otherwise (single sign-on never makes an account, let alone an owner)."""
    if not identity.email or not identity.email_verified:
        raise SsoError("the provider did not give a verified e-mail address")
    email = normalise_email(identity.email)
    if email.rpartition("@")[2] != settings.email_domain:
        raise SsoError(f"single sign-on is for addresses at {settings.email_domain} only")
    member = member_by_email(session, email)
    if member is None or member.issuer_id != settings.issuer_id or member.deactivated_at is not None:
        raise SsoError(
            f"{email} has no active staff account at this college: an owner invites staff in the console first"
        )
    return member
