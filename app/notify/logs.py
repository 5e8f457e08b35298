"""What was sent: each user's notification log and an organization's email log.

The email log has a direction: "out" is ours (email_deliveries); "in" is every message the
organization received (app.inbound.log), with its status and what it did.
"""

from __future__ import annotations

from sqlalchemy import Text, case, cast, literal, null, select, union_all

from app.notify.models import EmailDelivery, Notification
from app.pagination import paginate


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



def email_log_page(organization_id: int, direction: str, page: int, per_page: int) -> dict:
    """One page of the organization's email log: outgoing deliveries, or incoming mail (app.inbound)."""
    if direction == "in":
        from app.inbound.log import incoming_log, log_entry

        result = paginate(incoming_log(organization_id), page, per_page, scalars=False)
        result["items"] = [log_entry(row) for row in result["items"]]
        return result
    return paginate(outgoing_email_log(organization_id), page, per_page)
