"""Bearer tokens for the mobile API: random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, select, update

from app.accounts.models import ApiToken, User
from app.db_types import utcnow
from app.extensions import db
from app.transactions import unit_of_work

TOKEN_PREFIX = "c311_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> str:
    """Create a token for `user` (flushed, not committed) and return its only plaintext copy."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), name=name[:100]))
    db.session.flush()
    return token


@cache
def user_by_digest():
    """The active user of the live token whose digest is bound as `digest`: a statement built once
    (every authenticated call runs it, and building one costs more than running it), to run
    alone or inside a read that identifies its caller in the same round trip."""
    return (select(User).join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None), User.active.is_(True)))


class Caller(NamedTuple):
    """The user of a live token as a read that checked the token in its own statement knows them
    (`user_by_digest` inside it): who they are, and when they were last seen (app/notify/presence.py).
    The policy and the audit need no more; `app.api.auth.current_user` loads the User if asked."""

    id: int
    last_seen_at: datetime | None

    @classmethod
    def of(cls, user: User) -> Caller:
        """A loaded user as a caller, without a query (a `last_seen_at` expired since is unknown: None)."""
        return cls(user.id, user.__dict__.get("last_seen_at"))


def token_digest(token: str) -> str | None:
    """What `user_by_digest` is given for a token, or None for a string that is no token of ours."""
    return _digest(token) if token.startswith(TOKEN_PREFIX) else None


def user_for_token(token: str) -> User | None:
    """The active user a live token belongs to, or None."""
    digest = token_digest(token)
    if digest is None:
        return None
    return db.session.scalars(user_by_digest(), {"digest": digest}).first()


@unit_of_work()
def revoke_token(token: str) -> bool:
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount > 0


def revoke_all_tokens(user_id: int) -> None:
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
