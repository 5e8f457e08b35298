"""Bearer tokens for the mobile API: random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

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


def known_user(values: dict) -> User:
    """The session's User for the row a read has just fetched with `user_by_digest` inside it
    (every column, by key), without a query: the ORM's loading of one entity costs more than the
    read's own columns (bench/http_path.py). An instance the session holds already is the one,
    given what it lacks, as a query would."""
    session = db.session()
    held = session.identity_map.get(identity_key(User, values["id"]))
    if held is not None:  # as the ORM loads a row into it: what it has not loaded, or expired
        for key in inspect(held).unloaded & values.keys():
            set_committed_value(held, key, values[key])
        return held
    user = User(**values)
    make_transient_to_detached(user)  # as if loaded: no pending change, nothing to flush
    session.add(user)
    return user


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
