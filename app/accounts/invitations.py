"""Invitations to join an organization: nobody becomes a member without accepting (issue 14).

An admin invites an address as typed; whether an account holds it changes nothing in the answer
nor in the email (it goes to the address, asking its owner to log in, or register, and accept).
The emailed token is an HMAC of the invitation's organization, address and send time under
SECRET_KEY, so the worker can put it in the mail without it being stored; only its SHA-256 is.
Accepting needs a logged-in account whose confirmed primary address or confirmed alias is the
invited address. SSO first sign-in and `users create-admin --org` create memberships directly.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.links import invitation_token  # noqa: F401  (the accept page checks it)
from app.accounts.models import (
    EmailAlias,
    Membership,
    Organization,
    OrganizationInvitation,
    Role,
    User,
)
from app.accounts.service import lock_address
from app.db_types import utcnow
from app.errors import Forbidden, NotFound, ValidationFailed
from app.events.service import record_event
from app.extensions import db
from app.transactions import unit_of_work

INVITATION_DAYS = 7
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def pending_query(org: Organization):
    """The organization's open invitations (expired ones included, so they can be revoked), newest first."""
    return (select(OrganizationInvitation)
            .where(OrganizationInvitation.organization_id == org.id, OrganizationInvitation.accepted_at.is_(None),
                   OrganizationInvitation.declined_at.is_(None), OrganizationInvitation.revoked_at.is_(None))
            .order_by(OrganizationInvitation.sent_at.desc(), OrganizationInvitation.id.desc()))


def invite(org: Organization, actor: User, email: str, role: Role) -> OrganizationInvitation:
    """Invite `email` as `role` and mail it; inviting an open invitation's address again refreshes it.

    The same whether or not an account holds the address, or is already a member (its owner is
    mailed alike and accepting changes nothing): the answer tells nothing about accounts.
    """
    email = email.strip()
    with unit_of_work():
        lock_address(email)
        invitation = db.session.scalar(pending_query(org).where(OrganizationInvitation.email == email))
        now = utcnow()
        if invitation is None:
            invitation = OrganizationInvitation(organization_id=org.id, email=email)
            db.session.add(invitation)
        invitation.role_id, invitation.invited_by_id = role.id, actor.id
        invitation.sent_at, invitation.expires_at = now, now + timedelta(days=INVITATION_DAYS)
        invitation.token_hash = token_hash(invitation_token(invitation))
        db.session.flush()
        record_event("organization.invitation", organization_id=org.id, actor=actor,
                     payload={"invitation_id": invitation.id, "email": invitation.email})
    return invitation


def revoke(org: Organization, actor: User, invitation_id: int) -> None:
    """Withdraw an open invitation: its link stops working."""
    with unit_of_work():
        invitation = db.session.scalar(pending_query(org).where(OrganizationInvitation.id == invitation_id)
                                       .with_for_update())
        if invitation is None:
            raise NotFound(_("No such open invitation in this organization."), {"invitation_id": invitation_id})
        invitation.revoked_at = utcnow()
        record_event("organization.invitation_revoked", organization_id=org.id, actor=actor,
                     payload={"invitation_id": invitation.id})


def open_invitation(token: str, *, lock: bool = False) -> OrganizationInvitation:
    """The open, unexpired invitation of an emailed token (404 with a readable message otherwise)."""
    query = select(OrganizationInvitation).where(OrganizationInvitation.token_hash == token_hash(token))
    invitation = db.session.scalar(query.with_for_update() if lock else query)
    if invitation is None or not invitation.is_open or invitation.expires_at <= utcnow():
        raise NotFound(_("This invitation is no longer valid: it has expired, was already answered or was "
                         "withdrawn. Ask the organization to invite you again."), {"token": "invalid"})
    return invitation


def holds_address(user: User, email: str) -> bool:
    """Whether `email` is the user's confirmed primary address or one of their confirmed aliases."""
    if user.confirmed and user.email.lower() == email.lower():
        return True
    return db.session.scalar(select(EmailAlias.id).where(
        EmailAlias.user_id == user.id, EmailAlias.email == email, EmailAlias.confirmed_at.is_not(None))) is not None


def _addressee(invitation: OrganizationInvitation, user: User) -> None:
    if not holds_address(user, invitation.email):
        raise Forbidden(_("This invitation was sent to another address. Log in with the account of that "
                          "address (confirmed), or add and confirm it as one of your addresses first."),
                        {"token": "other_address"})


def accept(token: str, user: User) -> Membership:
    """Join the organization with the invited role (a member already keeps their role)."""
    with unit_of_work():
        invitation = open_invitation(token, lock=True)
        _addressee(invitation, user)
        org_id = invitation.organization_id
        db.session.execute(select(Organization.id).where(Organization.id == org_id).with_for_update())
        invitation.accepted_at, invitation.accepted_by_id = utcnow(), user.id
        membership = db.session.scalar(select(Membership).where(
            Membership.organization_id == org_id, Membership.user_id == user.id))
        if membership is None:
            membership = Membership(user_id=user.id, organization_id=org_id, role_id=invitation.role_id)
            db.session.add(membership)
            db.session.flush()
            record_event("membership.role_changed", organization_id=org_id, actor=user,
                         payload={"user_id": user.id, "role": invitation.role.name, "previous_role": None})
    return membership


def decline(token: str, user: User) -> None:
    """Refuse an invitation (only its addressee may)."""
    with unit_of_work():
        invitation = open_invitation(token, lock=True)
        _addressee(invitation, user)
        invitation.declined_at = utcnow()
        record_event("organization.invitation_declined", organization_id=invitation.organization_id, actor=user,
                     payload={"invitation_id": invitation.id})


def refuse_by_id() -> None:
    """Adding an account by its id is not allowed: it would skip its owner's consent."""
    raise ValidationFailed(_("Accounts join only by accepting an invitation: invite them by email address."),
                           {"json": {"user_id": [_("Invite by email address instead.")]}})
