"""Staff sign-in with OpenID Connect, configured per organization.

An organization names its provider (issuer, client id and secret), the email domains it
accepts, and whether a first sign-in of an address it does not know may create the account
(and membership, with `new_member_role`). A sign-in maps the provider's *verified* email
(`email_verified` true) to an account by its primary address or a confirmed alias; that
account must be a member of the organization, unless new members are allowed.
The protocol itself (discovery, state, nonce, the ID token's signature, issuer and audience)
is Authlib's, in app/portal/sso.py.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Boolean, ForeignKey, String, Text, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import Membership, Organization, Role, User
from app.accounts.roles import ensure_default_roles
from app.accounts.service import lock_address, user_for_address
from app.db_types import updated_at_column, utcnow
from app.errors import Forbidden, NotFound, ValidationFailed
from app.events.service import record_event
from app.extensions import db
from app.transactions import unit_of_work

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class OrganizationSso(db.Model):
    """One organization's OpenID Connect provider."""

    __tablename__ = "organization_sso"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default="true")
    issuer: Mapped[str] = mapped_column(Text, nullable=False)
    client_id: Mapped[str] = mapped_column(Text, nullable=False)
    client_secret: Mapped[str] = mapped_column(Text, nullable=False)
    allowed_domains: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, server_default="{}")
    allow_new_accounts: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    new_member_role: Mapped[str] = mapped_column(String(64), nullable=False, default="staff", server_default="staff")
    updated_at: Mapped[datetime] = updated_at_column()


def settings_for(organization: Organization) -> OrganizationSso | None:
    return db.session.get(OrganizationSso, organization.id)


def enabled_settings(organization: Organization) -> OrganizationSso:
    settings = settings_for(organization)
    if settings is None or not settings.enabled:
        raise NotFound(_("%(name)s has no single sign-on.", name=organization.name), {"org": organization.slug})
    return settings


def _issuer(value: str) -> str:
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed(_("The issuer must be an https URL."), {"issuer": [_("Must be an https URL.")]})
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:  # a provider on this machine (tests, dev)
        raise ValidationFailed(_("The issuer must use https."), {"issuer": [_("Must use https.")]})
    return value.strip().rstrip("/")


@unit_of_work()
def save_settings(organization: Organization, *, issuer: str, client_id: str, client_secret: str | None = None,
                  allowed_domains: list[str] | None = None, allow_new_accounts: bool = False,
                  new_member_role: str = "staff", enabled: bool = True) -> OrganizationSso:
    """Create or replace the organization's settings (flushed); a missing secret keeps the stored one."""
    settings = settings_for(organization)
    if not client_id.strip():
        raise ValidationFailed(_("A client id is needed."), {"client_id": [_("Required.")]})
    if not client_secret and settings is None:
        raise ValidationFailed(_("A client secret is needed."), {"client_secret": [_("Required.")]})
    if new_member_role not in ensure_default_roles(organization) and db.session.scalar(select(Role).where(
            Role.organization_id == organization.id, Role.name == new_member_role)) is None:
        raise ValidationFailed(_("No role %(new_member_role)s.", new_member_role=repr(new_member_role)), {"new_member_role": [_("No such role.")]})
    domains = sorted({d.strip().lower().lstrip("@") for d in allowed_domains or [] if d.strip()})
    issuer = _issuer(issuer)  # every check before anything is added to the session
    if settings is None:
        settings = OrganizationSso(organization_id=organization.id)
        db.session.add(settings)
    settings.issuer, settings.client_id = issuer, client_id.strip()
    if client_secret:
        settings.client_secret = client_secret
    settings.allowed_domains, settings.allow_new_accounts = domains, allow_new_accounts
    settings.new_member_role, settings.enabled = new_member_role, enabled
    settings.updated_at = utcnow()
    db.session.flush()
    return settings


@unit_of_work()
def member_for_claims(organization: Organization, settings: OrganizationSso, claims: dict) -> User:
    """The member the provider's claims name (flushed; created only when the organization allows it)."""
    email = str(claims.get("email") or "").strip()
    if not email or claims.get("email_verified") is not True:
        raise Forbidden(_("Your identity provider did not vouch for your email address (email_verified)."),
                        {"email": email or None}, code="email_not_verified")
    domain = email.rsplit("@", 1)[-1].lower()
    if settings.allowed_domains and domain not in settings.allowed_domains:
        raise Forbidden(_("Addresses at %(domain)s cannot sign in to %(name)s.", domain=domain, name=organization.name), {"email": email},
                        code="domain_not_allowed")
    lock_address(email)
    user = user_for_address(email)
    if user is not None and not user.active:
        raise Forbidden(_("This account is disabled."), {"email": email}, code="account_disabled")
    member = user is not None and db.session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.organization_id == organization.id)) is not None
    if member:
        return user
    if not settings.allow_new_accounts:
        raise Forbidden(_("%(email)s is not a member of %(name)s; ask an administrator to invite you.", email=email, name=organization.name),
                        {"email": email}, code="not_a_member")
    if user is None:
        user = User(email=email, name=str(claims.get("name") or "")[:200], confirmed=True, active=True)
        db.session.add(user)
        db.session.flush()
    role = ensure_default_roles(organization).get(settings.new_member_role) or db.session.scalar(
        select(Role).where(Role.organization_id == organization.id, Role.name == settings.new_member_role))
    db.session.add(Membership(user_id=user.id, organization_id=organization.id, role_id=role.id))
    db.session.flush()
    record_event("membership.role_changed", organization_id=organization.id, actor=user,
                 payload={"user_id": user.id, "role": role.name, "previous_role": None})
    return user
