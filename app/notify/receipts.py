"""Delivery receipts of a comment (OneDesk's icons under each message), from records already kept.

A comment is told through its event (`request.comment_public`, `request.comment_internal`, or
`request.closed` with a closing comment): the fan-out wrote one in-app notification and at most
one email delivery per recipient for it, and the delivery run stored the SMTP reply. Nothing
new is recorded here; this module only reads those rows and says what they mean.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Integer, func, select

from app.accounts.models import User
from app.errors import NotFound
from app.events.models import Event
from app.extensions import db
from app.notify.audiences import members_with
from app.notify.models import DeliveryStatus, EmailDelivery, Notification
from app.requests import policy
from app.requests.models import Comment
from app.requests.service import get_request

# The events that tell people about a comment (their payload names it as comment_id).
COMMENT_EVENT_KINDS = ("request.comment_public", "request.comment_internal", "request.closed")

S = DeliveryStatus
# What a delivery's status means to the person reading the receipt: (outcome code, words).
OUTCOMES: dict[str, tuple[str, str]] = {
    S.SENT: ("delivered", "delivered: the mail server accepted it"),
    S.FAILED: ("bounced", "bounced: the mail server refused it"),
    S.SUPPRESSED: ("suppressed", "not sent: the address bounced before or unsubscribed"),
    S.SKIPPED: ("not_needed", "not emailed: seen in the app in time"),
    S.HELD: ("held", "waiting for the daily digest"),
    S.DIGESTED: ("digested", "sent in the daily digest"),
    S.SENDING: ("sending", "being sent"),
    S.PENDING: ("queued", "queued"),
}
# A pending delivery that was already tried got a temporary (4xx) refusal: it will be retried.
DEFERRED = ("deferred", "deferred: the mail server asked to try again later")
# A pending delivery waiting for the fallback delay: the recipient may still see it in the app.
WAITING = ("waiting", "waiting: emailed only if not seen in the app within the delay")


def _outcome(delivery: EmailDelivery) -> tuple[str, str]:
    if delivery.status == S.PENDING and delivery.attempts > 0:
        return DEFERRED
    if delivery.status == S.PENDING and delivery.awaits_seen:
        return WAITING
    if delivery.status == S.FAILED and not (delivery.smtp_code or 0) >= 500:
        return ("failed", "failed: " + (delivery.smtp_reply or "could not be sent"))
    return OUTCOMES[delivery.status]


def comment_event_ids(request_id: int, comment_ids: list[int]) -> dict[int, int]:
    """comment id -> the id of the event that told people about it."""
    if not comment_ids:
        return {}
    comment_id = Event.payload["comment_id"].as_string().cast(Integer)
    rows = db.session.execute(
        select(comment_id, Event.id).where(
            Event.request_id == request_id, Event.kind.in_(COMMENT_EVENT_KINDS),
            Event.payload["comment_id"].as_string().in_([str(c) for c in comment_ids])))
    return {cid: event_id for cid, event_id in rows}


def _person(user: User | None) -> dict | None:
    return {"id": user.id, "name": user.name or user.email.split("@")[0]} if user else None


def _receipts_of_events(event_ids: list[int]) -> dict[int, list[dict]]:
    """event id -> one entry per recipient, in three queries whatever the number of events."""
    if not event_ids:
        return {}
    notes = db.session.scalars(select(Notification).where(Notification.event_id.in_(event_ids))).all()
    mails = db.session.scalars(select(EmailDelivery).where(EmailDelivery.event_id.in_(event_ids))).all()
    user_ids = {n.user_id for n in notes} | {m.user_id for m in mails if m.user_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    entries: dict[tuple, dict] = {}
    for note in notes:
        entry = entries.setdefault((note.event_id, note.user_id), _blank(users.get(note.user_id), note.audience))
        entry["in_app"] = {"notified_at": note.created_at, "seen_at": note.seen_at}
    for mail in mails:
        key = (mail.event_id, mail.user_id if mail.user_id else f"address:{mail.email}")
        entry = entries.setdefault(key, _blank(users.get(mail.user_id), mail.audience))
        code, words = _outcome(mail)
        entry["address"] = mail.email
        entry["email"] = {"status": mail.status, "outcome": code, "outcome_text": words,
                          "smtp_code": mail.smtp_code, "smtp_reply": mail.smtp_reply,
                          "sent_at": mail.sent_at, "attempts": mail.attempts}
    grouped: dict[int, list[dict]] = {}
    for (event_id, _recipient), entry in entries.items():
        entry["summary"] = _summary(entry)
        grouped.setdefault(event_id, []).append(entry)
    for recipients in grouped.values():
        recipients.sort(key=lambda e: ((e["user"] or {}).get("name") or e["address"] or "").lower())
    return grouped


def comment_receipts(request_id: int, comment_id: int) -> list[dict]:
    """Everyone told of the comment: in the app (and when they saw it), by email (and the SMTP reply)."""
    return receipts_by_comment(request_id, [comment_id]).get(comment_id, [])


def receipts_by_comment(request_id: int, comment_ids: list[int]) -> dict[int, list[dict]]:
    """comment id -> its receipts, for a page listing many comments (comments nobody was told of are absent)."""
    events = comment_event_ids(request_id, comment_ids)
    by_event = _receipts_of_events(list(events.values()))
    return {cid: by_event[event_id] for cid, event_id in events.items() if event_id in by_event}


def _blank(user: User | None, audience: str) -> dict:
    return {"user": _person(user), "address": None, "audience": audience, "in_app": None, "email": None}


def _summary(entry: dict) -> str:
    """One phrase for the receipt: seen in the app, or emailed instead with the outcome."""
    seen = (entry["in_app"] or {}).get("seen_at")
    mail = entry["email"]
    if seen is not None and (mail is None or mail["outcome"] in ("not_needed", "waiting")):
        return "seen in the app"
    if mail is not None and mail["outcome"] not in ("not_needed",):
        prefix = "seen in the app, and emailed" if seen else "emailed"
        return f"{prefix}: {mail['outcome_text']}"
    return "notified in the app, not seen yet"


def seen_by_staff(request_id: int, organization_id: int, comment_ids: list[int]) -> dict[int, datetime]:
    """comment id -> when a member of the organization first saw it in the app (absent: not yet)."""
    events = comment_event_ids(request_id, comment_ids)
    if not events:
        return {}
    rows = db.session.execute(
        select(Notification.event_id, func.min(Notification.seen_at))
        .where(Notification.event_id.in_(events.values()), Notification.seen_at.isnot(None),
               Notification.user_id.in_(members_with(organization_id, "view_requests")))
        .group_by(Notification.event_id))
    seen = dict(rows.all())
    return {cid: seen[event_id] for cid, event_id in events.items() if event_id in seen}


def comment_deliveries(request_id: int, comment_id: int, actor) -> dict:
    """The receipts of one comment for staff of the request's organization (401/403/404 otherwise)."""
    request = get_request(request_id)
    policy.require_permission(request.organization, actor, policy.SEE_INTERNAL_PERMISSION)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.request_id != request.id:
        raise NotFound(_("No comment %(comment_id)s on request %(request_id)s.", comment_id=comment_id, request_id=request_id), {"comment_id": comment_id})
    return {"comment_id": comment.id, "recipients": comment_receipts(request.id, comment.id)}

