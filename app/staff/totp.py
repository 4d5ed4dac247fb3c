"""The optional second factor: TOTP (RFC 6238, pyotp) with the secret encrypted under the master key, each code good
once, and single-use recovery codes for a lost phone (kept as SHA-256)."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy.orm import Session

from app.db.models import StaffMember
from app.errors import Conflict, InvalidInput
from app.proofs.keys import MasterKey
from app.wallet.claims import hash_secret

ISSUER_NAME = "vetcred"
RECOVERY_CODES = 10
# A code of the step before or after the current one still counts (phones' clocks drift; RFC 6238 §5.2).
DRIFT_STEPS = 1


def totp_aad(member_id: str) -> bytes:
    return f"vetcred:staff-totp:{member_id}".encode()


def start_enrolment(session: Session, member: StaffMember, master_key: MasterKey) -> None:
    """A new secret, not in force until a code from it is confirmed (``confirm_enrolment``)."""
    if member.totp_enabled_at is not None:
        raise Conflict("two-step sign-in is on already: turn it off first to set up another phone")
    secret = pyotp.random_base32()
    member.totp_secret_encrypted = master_key.encrypt(secret.encode(), aad=totp_aad(member.id))
    member.totp_last_step = None
    session.flush()


def pending_secret(member: StaffMember, master_key: MasterKey) -> str | None:
    """The secret being set up (shown as a QR code and as text), or None."""
    if member.totp_enabled_at is not None or member.totp_secret_encrypted is None:
        return None
    return _secret(member, master_key)


def provisioning_uri(secret: str, email: str, college: str) -> str:
    """The ``otpauth://`` URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=f"{ISSUER_NAME} ({college})")


def confirm_enrolment(
    session: Session, member: StaffMember, code: str, master_key: MasterKey, now: datetime
) -> list[str]:
    """Turns two-step sign-in on when ``code`` is right (InvalidInput naming ``code`` otherwise); returns the
    recovery codes, shown once."""
    if member.totp_enabled_at is not None or member.totp_secret_encrypted is None:
        raise Conflict("there is no two-step sign-in being set up: start again")
    if not check_code(member, code, master_key, now):
        raise InvalidInput("this code is not right: type the 6 digits your app shows now", field="code")
    member.totp_enabled_at = now
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    member.recovery_codes = [hash_secret(_normalise(code)) for code in codes]
    session.flush()
    return codes


def disable(session: Session, member: StaffMember) -> None:
    member.totp_secret_encrypted = None
    member.totp_enabled_at = None
    member.totp_last_step = None
    member.recovery_codes = None
    session.flush()


def check_code(member: StaffMember, code: str, master_key: MasterKey, now: datetime) -> bool:
    """Whether ``code`` is a current TOTP code of ``member`` not used before (it then is), or, once enrolled, an
    unused recovery code (it is then spent)."""
    if member.totp_secret_encrypted is None:
        return False
    given = _normalise(code)
    if given.isdigit() and len(given) == 6:
        totp = pyotp.TOTP(_secret(member, master_key))
        current = totp.timecode(now)
        for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
            if hmac.compare_digest(totp.generate_otp(step), given):
                if member.totp_last_step is not None and step <= member.totp_last_step:
                    return False  # replayed
                member.totp_last_step = step
                return True
        return False
    if member.totp_enabled_at is None or not member.recovery_codes:
        return False
    digest = hash_secret(given)
    if digest in member.recovery_codes:
        member.recovery_codes = [kept for kept in member.recovery_codes if kept != digest]
        return True
    return False


def recovery_codes_left(member: StaffMember) -> int:
    return len(member.recovery_codes or [])


def _secret(member: StaffMember, master_key: MasterKey) -> str:
    assert member.totp_secret_encrypted is not None
    return master_key.decrypt(member.totp_secret_encrypted, aad=totp_aad(member.id)).decode()


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()
