"""Deleting a resident's account: personal data goes at once, the city's records stay anonymized.

What happens to each row that names the user is decided by `USER_REFERENCES`, one entry per
foreign key to `users.id` in the whole schema. `delete_account` walks the metadata and refuses
to run when a foreign key has no entry, and tests/privacy/test_erasure.py checks every key has
one, so a new table that points at users cannot silently keep a deleted person's data.

- "keep": the row stays and keeps pointing at the account's remains, a row with no personal
  field whose name reads "a former resident" (requests, public comments, photos the
  organization keeps, the timeline, the audit trail).
- "delete": the row is personal data and goes (tokens, aliases, preferences, watch areas,
  follows, in-app notifications, memberships).
- "clear": the column is set to NULL (staff-side references such as an assignee).

Outgoing deliveries stay as the organization's delivery record with the address replaced and
the stored message removed; those not yet sent are deleted. Raw inbound mail from any of the
person's addresses loses its bytes and sender, and their triage messages are deleted, so
nothing they wrote is reachable through the old address, and a reply from it lands in triage
as mail from someone with no account.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import case, delete, func, or_, select, update

from app.accounts.models import EmailAlias, Membership, User
from app.db_types import utcnow
from app.errors import Conflict
from app.events.models import Event
from app.extensions import db
from app.inbound.models import (
    InboundEmail,
    InboundMessage,
    InboundMessageAttachment,
    SuppressedAddress,
)
from app.notify.models import DeliveryStatus, EmailBody, EmailDelivery
from app.privacy import audit
from app.privacy.models import AuditAction, PhotoPolicy
from app.privacy.retention import policy_for
from app.requests.models import Attachment, Comment, Follower, ServiceRequest

FORMER_RESIDENT = "a former resident"
# RFC 2606 reserves .invalid: the remains' address can never receive mail or be registered.
DELETED_DOMAIN = "deleted.invalid"

KEEP, DELETE, CLEAR = "keep", "delete", "clear"
USER_REFERENCES: dict[tuple[str, str], str] = {
    ("service_requests", "reporter_id"): KEEP,
    ("organization_invitations", "invited_by_id"): KEEP,  # an organization's record of who invited whom
    ("organization_invitations", "accepted_by_id"): CLEAR,  # who accepted: the invitee, whose link goes
    ("comments", "author_id"): KEEP,
    ("attachments", "uploaded_by_id"): KEEP,  # unless the organization removes photos (below)
    ("events", "actor_id"): KEEP,
    ("request_supports", "user_id"): KEEP,  # a "me too" stays counted, by the former resident
    ("audit_entries", "actor_id"): KEEP,
    ("audit_entries", "subject_user_id"): KEEP,
    ("email_deliveries", "user_id"): KEEP,  # address scrubbed, unsent ones deleted (below)
    ("api_tokens", "user_id"): DELETE,
    ("email_aliases", "user_id"): DELETE,
    ("notification_preferences", "user_id"): DELETE,
    ("watch_areas", "owner_id"): DELETE,
    ("watch_area_followers", "user_id"): DELETE,
    ("followers", "user_id"): DELETE,
    ("notifications", "user_id"): DELETE,
    ("memberships", "user_id"): DELETE,
    ("inbound_messages", "sender_user_id"): DELETE,
    ("api_keys", "created_by_id"): CLEAR,
    ("automations", "created_by_id"): CLEAR,
    ("webhook_endpoints", "created_by_id"): CLEAR,
    ("email_templates", "updated_by_id"): CLEAR,
    ("request_categories", "auto_assignee_id"): CLEAR,
    ("retention_policies", "updated_by_id"): CLEAR,
    ("service_requests", "assignee_id"): CLEAR,
    ("work_orders", "created_by_id"): CLEAR,
    ("work_orders", "assignee_id"): CLEAR,
    ("work_order_overdue_alerts", "assignee_id"): CLEAR,
    ("inbound_messages", "deleted_by_id"): CLEAR,
}
# Deliveries still to be sent are the person's mail, not the organization's record.
UNSENT = (DeliveryStatus.PENDING.value, DeliveryStatus.HELD.value, DeliveryStatus.SENDING.value)


def user_references() -> list[tuple[str, str]]:
    """Every (table, column) of the schema that is a foreign key to users.id."""
    found = []
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table.name == "users" and key.column.name == "id":
                found.append((table.name, key.parent.name))
    return sorted(found)


def unhandled_references() -> list[tuple[str, str]]:
    """Foreign keys to users that `USER_REFERENCES` says nothing about (must be empty)."""
    return [ref for ref in user_references() if ref not in USER_REFERENCES]


def former_address(user_id: int) -> str:
    return f"former-resident-{user_id}@{DELETED_DOMAIN}"


def addresses_of(user: User) -> list[str]:
    """The primary address and every alias, confirmed or not, lower-cased."""
    aliases = db.session.scalars(select(EmailAlias.email).where(EmailAlias.user_id == user.id))
    return sorted({user.email.lower(), *(a.lower() for a in aliases)})


def organizations_involved(user_id: int) -> set[int]:
    """Organizations whose requests the user reported, commented on or followed."""
    reported = select(ServiceRequest.organization_id).where(ServiceRequest.reporter_id == user_id)
    commented = (select(ServiceRequest.organization_id).join(Comment, Comment.request_id == ServiceRequest.id)
                 .where(Comment.author_id == user_id))
    followed = (select(ServiceRequest.organization_id).join(Follower, Follower.request_id == ServiceRequest.id)
                .where(Follower.user_id == user_id))
    return set(db.session.scalars(reported.union(commented, followed)))


def check_deletable(user: User) -> None:
    """409 for accounts that hold a role somewhere: an organization must remove them first."""
    if user.deleted_at is not None:
        raise Conflict(_("This account has already been deleted."))
    if user.is_superadmin or db.session.scalar(select(func.count()).select_from(Membership)
                                               .where(Membership.user_id == user.id)):
        raise Conflict(_("Members of an organization cannot delete their account themselves: "
                       "ask an administrator to remove you from the organization first."),
                       code="member_of_organization")


def erase_account(user: User, *, where: str) -> list[str]:
    """Remove the user's personal data in the current transaction (the caller commits).

    Returns the stored files whose rows went: `discard_unreferenced_files` after the commit.
    """
    if unhandled_references():
        raise RuntimeError(f"no deletion policy for user references {unhandled_references()}")
    db.session.refresh(user, with_for_update=True)
    check_deletable(user)
    uid = user.id
    addresses = addresses_of(user)
    organizations = organizations_involved(uid)
    files = _remove_photos(uid) + _remove_inbound_mail(uid, addresses)
    _scrub_deliveries(uid, addresses)
    _expire_bodies_about(uid, [user.name, *addresses])
    _scrub_events(uid)
    db.session.execute(delete(SuppressedAddress).where(func.lower(SuppressedAddress.email).in_(addresses)))
    for (table_name, column_name), policy in USER_REFERENCES.items():
        table = db.metadata.tables[table_name]
        column = table.c[column_name]
        if policy == DELETE:
            db.session.execute(table.delete().where(column == uid))
        elif policy == CLEAR:
            db.session.execute(table.update().where(column == uid).values({column_name: None}))
    db.session.execute(update(User).where(User.id == uid).values(
        email=former_address(uid), name=FORMER_RESIDENT, phone=None, password_hash=None, confirmed=False,
        active=False, is_superadmin=False, email_bounced_at=None, last_seen_at=None, deleted_at=utcnow()))
    for organization_id in sorted(organizations) or [None]:
        audit.record(AuditAction.ACCOUNT_DELETED, organization_id=organization_id, actor_id=uid,
                     subject_user_ids=[uid], where=where)
    db.session.expire(user)
    return files




def _remove_photos(uid: int) -> list[str]:
    """Delete the user's photos on requests of organizations whose policy says to remove them."""
    rows = db.session.execute(
        select(Attachment.id, Attachment.storage_path, ServiceRequest.organization_id)
        .join(ServiceRequest, ServiceRequest.id == Attachment.request_id)
        .where(Attachment.uploaded_by_id == uid)).all()
    doomed = [(row.id, row.storage_path) for row in rows
              if policy_for(row.organization_id)["photos_on_account_deletion"] == PhotoPolicy.REMOVE.value]
    if doomed:
        db.session.execute(delete(Attachment).where(Attachment.id.in_([i for i, _ in doomed])))
    return [path for _, path in doomed]


def _remove_inbound_mail(uid: int, addresses: list[str]) -> list[str]:
    """Their triage messages go; raw mail from their addresses loses its bytes and sender."""
    from_them = or_(func.lower(InboundEmail.sender_email).in_(addresses),
                    func.lower(InboundEmail.envelope_from).in_(addresses))
    message_ids = select(InboundMessage.id).where(or_(
        InboundMessage.sender_user_id == uid, func.lower(InboundMessage.sender_email).in_(addresses),
        InboundMessage.inbound_email_id.in_(select(InboundEmail.id).where(from_them))))
    files = list(db.session.scalars(select(InboundMessageAttachment.storage_path)
                                    .where(InboundMessageAttachment.inbound_message_id.in_(message_ids))))
    db.session.execute(delete(InboundMessage).where(InboundMessage.id.in_(message_ids)))
    db.session.execute(update(InboundEmail).where(from_them).values(
        raw=None, raw_expired_at=func.coalesce(InboundEmail.raw_expired_at, utcnow()), sender_email=None,
        envelope_from=None, subject=None, authentication=None))  # SPF/DKIM results name the sender
    return files


def _scrub_deliveries(uid: int, addresses: list[str]) -> None:
    theirs = or_(EmailDelivery.user_id == uid, func.lower(EmailDelivery.email).in_(addresses))
    db.session.execute(delete(EmailDelivery).where(theirs, EmailDelivery.status.in_(UNSENT)))
    db.session.execute(delete(EmailBody).where(EmailBody.delivery_id.in_(select(EmailDelivery.id).where(theirs))))
    mentions_address = or_(*(EmailDelivery.smtp_reply.ilike(f"%{address}%") for address in addresses))
    db.session.execute(update(EmailDelivery).where(theirs).values(
        email=former_address(uid),
        # A refusal often quotes the address ("550 <ann@...>: no such user"): such replies go.
        smtp_reply=case((mentions_address, None), else_=EmailDelivery.smtp_reply)))


def _expire_bodies_about(uid: int, words: list[str]) -> None:
    """Messages to other people that told of what they did ("Ann commented: ...") are expired now."""
    by_them = select(EmailDelivery.id).join(Event, Event.id == EmailDelivery.event_id).where(Event.actor_id == uid)
    # A backstop for mail that names them otherwise; encoded headers or parts may still hide a name.
    mentions = [func.position(func.convert_to(word, "UTF8").op("IN")(EmailBody.message)) > 0
                for word in words if word]
    db.session.execute(update(EmailBody).where(EmailBody.message.is_not(None),
                                               or_(EmailBody.delivery_id.in_(by_them), *mentions))
                       .values(message=None, expired_at=utcnow()))


def _scrub_events(uid: int) -> None:
    """Account and watch-area events are about the person: they go. Others lose any address."""
    about_them = or_(Event.actor_id == uid, Event.payload["user_id"].astext == str(uid))
    db.session.execute(delete(Event).where(
        about_them, Event.request_id.is_(None),
        or_(Event.kind.like("account.%"), Event.kind.like("watch_area.%"))))
    db.session.execute(update(Event).where(about_them, Event.payload.has_key("email"))
                       .values(payload=Event.payload.op("-")("email")))
