"""Argon2id password hashing, and the password policy every password field obeys."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

# NIST SP 800-63B: at least 8 characters, accept at least 64; anything past a few hundred is
# not a password but an attempt to make the server hash megabytes.
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256

_hasher = PasswordHasher()


def password_problem(password: str) -> str | None:
    """Why `password` breaks the policy, or None when it is acceptable."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return _("Use at least %(count)s characters.", count=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        return _("Use at most %(count)s characters.", count=PASSWORD_MAX_LENGTH)
    if len(set(password)) < 3:
        return _("Use more than one or two different characters.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing or corrupt hash never matches."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
