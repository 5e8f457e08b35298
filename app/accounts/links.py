"""Signed, expiring links in account emails: confirm an address, reset or set a password.

Nothing is stored: the link carries the user id and a fingerprint of the state it may
change, so it stops working once used (the password hash or the confirmed address moves on).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts.models import OrganizationInvitation, User
from app.extensions import db

CONFIRM_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 2 * 3600
SET_PASSWORD_MAX_AGE = 14 * 24 * 3600
# Deleting an account by emailed link: fresh, so an old email in a mailbox cannot do it.
DELETE_ACCOUNT_MAX_AGE = 3600
PASSWORD_PURPOSES = ("reset", "set")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}")


def password_fingerprint(user: User) -> str:
    """A short digest of the user's password hash: it changes whenever the password does."""
    return hashlib.sha256((user.password_hash or "no-password").encode()).hexdigest()[:16]


def make_confirm_token(user: User, email: str) -> str:
    return _serializer("confirm").dumps({"uid": user.id, "email": email.lower()})


def make_password_token(user: User, purpose: str = "reset") -> str:
    """`purpose` is "reset" (forgot password) or "set" (an invited account's first password)."""
    return _serializer(purpose).dumps({"uid": user.id, "fp": password_fingerprint(user)})


def read_confirm_token(token: str) -> tuple[User, str] | None:
    """The user and the address a genuine, unexpired confirm token names, or None."""
    try:
        data = _serializer("confirm").loads(token, max_age=CONFIRM_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid"))
    return (user, data.get("email", "")) if user is not None else None


def read_password_token(token: str, purpose: str = "reset") -> User | None:
    """The user of a genuine, unexpired, unused password token, or None."""
    max_age = RESET_MAX_AGE if purpose == "reset" else SET_PASSWORD_MAX_AGE
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or data.get("fp") != password_fingerprint(user):
        return None
    return user


def make_deletion_token(user: User) -> str:
    """A link that confirms deleting the account; it dies after an hour or a password change."""
    return _serializer("delete").dumps({"uid": user.id, "fp": password_fingerprint(user)})


def read_deletion_token(token: str) -> User | None:
    """The active user a genuine, fresh deletion token names, or None."""
    try:
        data = _serializer("delete").loads(token, max_age=DELETE_ACCOUNT_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or data.get("fp") != password_fingerprint(user):
        return None
    return user


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def invitation_token(invitation: OrganizationInvitation) -> str:
    """The token the invitation's email carries (recomputed, never stored)."""
    micros = (invitation.sent_at - _EPOCH) // timedelta(microseconds=1)
    message = f"organization-invitation:{invitation.organization_id}:{invitation.email.lower()}:{micros}"
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).hexdigest()
