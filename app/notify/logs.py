"""What was sent: each user's notification log and an organization's email log.

The email log has a direction: "out" is ours (email_deliveries). "in" is the inbound
helper's: it registers a statement builder with `register_email_log("in", build)` where
`build(organization_id)` returns a SELECT of rows with the columns its schema dumps. Until
then asking for "in" answers 404 `not_available`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Text, case, cast, literal, null, select, union_all

from app.errors import NotFound
from app.notify.models import EmailDelivery, Notification

EMAIL_LOG_SOURCES: dict[str, Callable[[int], object]] = {}


def register_email_log(direction: str, build: Callable[[int], object]) -> None:
    EMAIL_LOG_SOURCES[direction] = build


def user_notification_log(user_id: int):
    """Every notification of the user on every channel, newest first: what, when, channel, status."""
    in_app = select(
        literal("inapp", Text).label("channel"), Notification.id, Notification.kind.label("event"),
        Notification.request_id, Notification.created_at,
        case((Notification.seen_at.isnot(None), "seen"), else_="unseen").label("status"),
        Notification.seen_at.label("status_at"), cast(null(), Text).label("email"),
    ).where(Notification.user_id == user_id)
    email = select(
        literal("email", Text).label("channel"), EmailDelivery.id, EmailDelivery.kind.label("event"),
        EmailDelivery.request_id, EmailDelivery.created_at, EmailDelivery.status,
        EmailDelivery.sent_at.label("status_at"), cast(EmailDelivery.email, Text).label("email"),
    ).where(EmailDelivery.user_id == user_id)
    both = union_all(in_app, email).subquery("log")
    return select(both).order_by(both.c.created_at.desc(), both.c.channel, both.c.id.desc())


def outgoing_email_log(organization_id: int):
    """The organization's outgoing deliveries with their statuses and SMTP replies, newest first."""
    return (select(EmailDelivery).where(EmailDelivery.organization_id == organization_id)
            .order_by(EmailDelivery.id.desc()))


register_email_log("out", outgoing_email_log)


def email_log(organization_id: int, direction: str):
    build = EMAIL_LOG_SOURCES.get(direction)
    if build is None:
        raise NotFound(f"The {direction!r} email log is not available yet.", {"direction": direction},
                       code="not_available")
    return build(organization_id)
