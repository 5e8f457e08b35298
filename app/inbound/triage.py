"""The triage queue: opening Inbound Messages, and what staff do with them.

Every change records an Event in the same transaction (the audit trail: who, when, what),
and deleting as spam is a soft delete, so the record of the message and of its deletion remain.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import Organization, User
from app.db_types import utcnow
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.service import record_event
from app.extensions import db
from app.inbound.comment_paths import (
    CommentRefused,
    EmailComment,
    post_email_comment,
)
from app.inbound.models import (
    InboundEmail,
    InboundMessage,
    InboundMessageAttachment,
    InboundMessageStatus,
)
from app.privacy.audit import record_contact_views
from app.requests import service as requests_service
from app.requests.models import Attachment, CommentSource, ServiceRequest
from app.transactions import unit_of_work
from app.uploads import keep_file
from emails.attachments import KeptFile, RefusedFile
from emails.mime import ParsedEmail


def open_inbound_message(stored: InboundEmail, parsed: ParsedEmail, decision, outcome,
                         kept: list[KeptFile], refused: list[RefusedFile]) -> InboundMessage:
    """Put a message in its organization's queue, files stored, and tell the notify engine."""
    message = InboundMessage(
        organization_id=decision.organization_id,
        inbound_email_id=stored.id,
        sender_email=parsed.from_email,
        sender_name=parsed.from_name,
        sender_user_id=decision.sender_user_id,
        recipient=decision.recipient,
        subject=parsed.subject,
        body=parsed.reply,
        full_body=parsed.text,
        status=outcome.triage_status.value,
        reason=decision.situation,
        reason_text=outcome.text + (f" ({decision.detail})" if decision.detail else ""),
        refused_attachments=[r.as_note() for r in refused],
        request_id=decision.request_id,
    )
    for file in kept:
        message.attachments.append(InboundMessageAttachment(**keep_file(file.data, file.filename,
                                                                        file.content_type)))
    db.session.add(message)
    db.session.flush()
    record_event("inbound.message_received", organization_id=message.organization_id,
                 payload={"inbound_message_id": message.id})
    organization = db.session.get(Organization, message.organization_id)
    catch_all = (organization.settings or {}).get("triage_catch_all")
    if catch_all:
        # The notify engine sends the copy (it owns outgoing mail and its log).
        record_event("inbound.catch_all_copy", organization_id=message.organization_id,
                     payload={"inbound_message_id": message.id, "email": catch_all})
    return message


def messages_query(organization: Organization, *, status: str | None = None, unread: bool | None = None,
                   request_id: int | None = None):
    """The organization's visible messages, newest first, optionally filtered (by the request they are linked to, too)."""
    query = select(InboundMessage).where(InboundMessage.organization_id == organization.id,
                                         InboundMessage.deleted_at.is_(None))
    if request_id is not None:
        query = query.where(InboundMessage.request_id == request_id)
    if status:
        query = query.where(InboundMessage.status == status)
    if unread is not None:
        query = query.where(InboundMessage.read_at.is_(None) if unread else InboundMessage.read_at.is_not(None))
    return query.order_by(InboundMessage.created_at.desc(), InboundMessage.id.desc())


def queue_counts(organization: Organization) -> dict:
    """For the dashboard's Inbound Message Watcher: unread, and not yet closed."""
    visible = (InboundMessage.organization_id == organization.id) & InboundMessage.deleted_at.is_(None)
    unread = db.session.scalar(select(func.count()).where(visible, InboundMessage.read_at.is_(None)))
    open_ = db.session.scalar(select(func.count()).where(
        visible, InboundMessage.status != InboundMessageStatus.CLOSED.value))
    return {"unread": unread, "open": open_}


def get_message(organization: Organization, message_id: int, *, for_update: bool = False) -> InboundMessage:
    query = select(InboundMessage).where(InboundMessage.id == message_id,
                                         InboundMessage.organization_id == organization.id,
                                         InboundMessage.deleted_at.is_(None))
    message = db.session.scalar(query.with_for_update() if for_update else query)
    if message is None:
        raise NotFound(_("No inbound message %(message_id)s.", message_id=message_id), {"id": message_id})
    return message


@unit_of_work()
def read_message(organization: Organization, message_id: int, viewer: User | None = None) -> InboundMessage:
    """The message, marked read the first time staff open it; a resident sender's address shown
    to `viewer` goes into the audit trail."""
    message = get_message(organization, message_id)
    if message.read_at is None:
        message.read_at = utcnow()
    if viewer is not None and message.sender_user_id not in (None, viewer.id):
        record_contact_views(organization.id, viewer.id, [(message.sender_user_id, message.request_id)])
    return message


def _change_status(message: InboundMessage, status: InboundMessageStatus, actor: User) -> None:
    previous = message.status
    if previous == status.value:
        return
    message.status = status.value
    record_event("inbound.message_status_changed", organization_id=message.organization_id, actor=actor,
                 payload={"inbound_message_id": message.id, "status": status.value, "previous_status": previous})


@unit_of_work()
def set_status(organization: Organization, actor: User, message_id: int, status: str) -> InboundMessage:
    """Mark as Closed, Needs Attention or back to Awaiting Review."""
    message = get_message(organization, message_id, for_update=True)
    _change_status(message, InboundMessageStatus(status), actor)
    return message


@unit_of_work()
def delete_as_spam(organization: Organization, actor: User, message_id: int) -> None:
    """Hide the message for good; the row and the event saying who deleted it remain."""
    message = get_message(organization, message_id, for_update=True)
    message.deleted_at = utcnow()
    message.deleted_by_id = actor.id
    record_event("inbound.message_deleted", organization_id=organization.id, actor=actor,
                 payload={"inbound_message_id": message.id, "reason": "spam"})


def _link(message: InboundMessage, request: ServiceRequest, actor: User) -> None:
    message.request_id = request.id
    record_event("inbound.message_linked", organization_id=message.organization_id, actor=actor,
                 payload={"inbound_message_id": message.id, "request_id": request.id})


@unit_of_work()
def create_request(organization: Organization, actor: User, message_id: int, *, category_id: int,
                   lat: float, lng: float, address: str = "", description: str | None = None) -> ServiceRequest:
    """A request from the message, through the requests service (boundary, SLA, routing, events):
    sender as reporter if they have an account, body as description, attachments copied; the
    message is linked and closed, all in one transaction."""
    message = get_message(organization, message_id, for_update=True)
    if message.request_id is not None:
        raise Conflict(_("This message is already linked to a request."), {"request_id": message.request_id})
    text = (description if description is not None else (message.body or message.full_body)).strip()
    if not text:
        raise ValidationFailed(_("The message has no text; give a description."), {"description": "required"})
    request = requests_service.submit_on_behalf(
        actor, message.sender_user_id, category_id=category_id, organization=organization, lat=lat, lng=lng,
        description=text, address=address, source=CommentSource.EMAIL.value)
    for file in message.attachments:
        db.session.add(Attachment(request_id=request.id, uploaded_by_id=message.sender_user_id,
                                  **file.stored_file()))
    _link(message, request, actor)
    _change_status(message, InboundMessageStatus.CLOSED, actor)
    return request


@unit_of_work()
def attach_to_request(organization: Organization, actor: User, message_id: int, request_id: int) -> int:
    """Find request: link the message to it, add it as a comment (attachments too), close it.

    A known sender's message becomes their public comment; an unknown sender's, an internal
    comment by the staff member acting (a resident's words must not go public unvetted).
    Returns the comment id.
    """
    message = get_message(organization, message_id, for_update=True)
    request = db.session.get(ServiceRequest, request_id)
    if request is None or request.organization_id != organization.id:
        raise NotFound(_("No request %(request_id)s in this organization.", request_id=request_id), {"request_id": request_id})
    if message.request_id != request.id:
        _link(message, request, actor)
    author_id = message.sender_user_id or actor.id
    visibility = "public" if message.sender_user_id else "internal"
    files = [KeptFile(f.filename, f.content_type, _read(f.storage_path)) for f in message.attachments]
    try:
        comment_id = post_email_comment(EmailComment(request.id, author_id, message.body or message.full_body,
                                                     visibility, message.inbound_email_id, files))
    except CommentRefused as refused:
        raise Conflict(_("The comment was refused: %(reason)s", reason=refused.reason), {"request_id": request_id}) from refused
    _change_status(message, InboundMessageStatus.CLOSED, actor)
    return comment_id


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()
