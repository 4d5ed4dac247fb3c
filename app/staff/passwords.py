"""Passwords: argon2id hashes (argon2-cffi's RFC 9106 parameters), the length rule, and timing that does not tell
whether an account exists."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.errors import InvalidInput

MIN_LENGTH = 12
# Hashing cost does not depend on length, but a megabyte "password" is no password: refuse it early.
MAX_LENGTH = 256

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when there is no account (or no password), so that a wrong e-mail costs what a wrong
    password does (made on first use, not at import)."""
    return _hasher.hash("vetcred: no such account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str | None, given: str) -> bool:
    """True when ``given`` matches ``stored``; always spends one argon2 verification."""
    try:
        return _hasher.verify(stored or _dummy_hash(), given) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with weaker parameters than today's (it is re-hashed at the next sign-in)."""
    return _hasher.check_needs_rehash(stored)


def check_new_password(password: str, confirmation: str, *, email: str, field: str = "password") -> str:
    """A new password as given, or InvalidInput naming the field: long enough, not the e-mail address, typed twice
    the same (NIST SP 800-63B: length over composition rules)."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"must be at least {MIN_LENGTH} characters long", field=field)
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"must be at most {MAX_LENGTH} characters long", field=field)
    if password.strip().lower() == email.strip().lower():
        raise InvalidInput("must not be your e-mail address", field=field)
    if password != confirmation:
        raise InvalidInput("the two passwords differ", field=f"{field}_confirmation")
    return password
