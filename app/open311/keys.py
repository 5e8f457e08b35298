"""Open311 API keys: issued and revoked by organization admins, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update

from app.accounts.models import Organization, User
from app.db_types import utcnow
from app.errors import NotFound
from app.extensions import db
from app.open311.models import ApiKey
from app.transactions import unit_of_work

KEY_PREFIX = "o311_"


def key_digest(plaintext: str) -> str:
    """The SHA-256 a key is stored and rate-limited under (never the plaintext)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


@unit_of_work()
def issue_api_key(organization: Organization, created_by: User, name: str) -> tuple[ApiKey, str]:
    """Create a key for `organization` (a unit of work); return it and its only plaintext copy."""
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(organization_id=organization.id, name=name.strip(), key_hash=key_digest(plaintext),
                 created_by_id=created_by.id)
    db.session.add(key)
    db.session.flush()
    return key, plaintext


def organization_keys(organization: Organization):
    """The statement listing an organization's keys, newest first (revoked ones included)."""
    return select(ApiKey).where(ApiKey.organization_id == organization.id).order_by(
        ApiKey.created_at.desc(), ApiKey.id.desc())


@unit_of_work()
def revoke_api_key(organization: Organization, key_id: int) -> ApiKey:
    """Revoke one of the organization's keys; revoking twice keeps the first revocation time."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.organization_id == organization.id))
    if key is None:
        raise NotFound(f"No API key {key_id} in {organization.slug!r}.", {"api_key_id": key_id})
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def live_key(plaintext: str) -> ApiKey | None:
    """The unrevoked key with this plaintext, marked as used now; None for anything else."""
    if not plaintext.startswith(KEY_PREFIX):
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_digest(plaintext),
                                                 ApiKey.revoked_at.is_(None)))
    if key is not None:
        db.session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=utcnow()))
    return key
