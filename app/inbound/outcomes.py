"""What can become of an inbound email: the product's routing table, as data.

Each situation the router can recognise maps to one action and the words the email log
and the triage queue show. The router decides the situation; this table decides the rest.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.inbound.models import InboundEmailStatus, InboundMessageStatus


class Action(enum.StrEnum):
    IGNORE = "ignore"  # log it, create nothing, send nothing
    BOUNCE = "bounce"  # a delivery report: suppress the failed addresses
    TRIAGE = "triage"  # an Inbound Message for staff
    COMMENT = "comment"  # a comment on the request (through app/inbound/comment_paths.py)
    UNSUBSCRIBE = "unsubscribe"  # stop a subscription, as the one-click POST does


@dataclass(frozen=True)
class Outcome:
    action: Action
    text: str
    triage_status: InboundMessageStatus = InboundMessageStatus.AWAITING_REVIEW

    @property
    def email_status(self) -> InboundEmailStatus:
        return {
            Action.IGNORE: InboundEmailStatus.IGNORED,
            Action.BOUNCE: InboundEmailStatus.PROCESSED,
            Action.TRIAGE: InboundEmailStatus.TRIAGED,
            Action.COMMENT: InboundEmailStatus.PROCESSED,
            Action.UNSUBSCRIBE: InboundEmailStatus.PROCESSED,
        }[self.action]


_SUSPICIOUS = InboundMessageStatus.NEEDS_ATTENTION

OUTCOMES: dict[str, Outcome] = {
    # Noise: logged with the reason, nothing created, nothing ever sent in answer.
    "auto_reply": Outcome(Action.IGNORE, "automatic mail"),
    "own_address": Outcome(Action.IGNORE, "sent from one of our own addresses (a mail loop)"),
    "not_our_domain": Outcome(Action.IGNORE, "not addressed to any address at the inbound domain"),
    "no_organization": Outcome(Action.IGNORE, "no organization could be found for this address"),
    "soft_bounce": Outcome(Action.IGNORE, "a delivery report with no permanent failure"),
    "bad_unsubscribe_token": Outcome(Action.IGNORE, "the unsubscribe address failed verification"),
    # List-Unsubscribe's mailto (RFC 2369): the same as its one-click POST.
    "unsubscribe": Outcome(Action.UNSUBSCRIBE, "unsubscribed by mail to its List-Unsubscribe address"),
    # Bounces: the failed addresses are suppressed so the notification engine stops.
    "hard_bounce": Outcome(Action.BOUNCE, "a delivery report: permanently failed addresses suppressed"),
    # Triage: a person decides.
    "general_address": Outcome(Action.TRIAGE, "sent to the organization's general address"),
    "sender_address": Outcome(Action.TRIAGE, "sent to the organization's notifications address"),
    "unknown_address": Outcome(Action.TRIAGE, "sent to an address at our domain that names nothing"),
    "bad_token": Outcome(Action.TRIAGE, "the reply address failed verification", _SUSPICIOUS),
    "sender_not_authenticated": Outcome(
        Action.TRIAGE, "the sender's domain failed authentication (DMARC/SPF), so the sender is unproven", _SUSPICIOUS
    ),
    "sender_unproven": Outcome(
        Action.TRIAGE, "the sender is not proven: mail to a request's address needs DKIM or SPF aligned with "
                       "the From domain (DMARC)", _SUSPICIOUS
    ),
    "unknown_sender": Outcome(Action.TRIAGE, "the sender has no account"),
    "not_a_recipient": Outcome(Action.TRIAGE, "the sender was not a recipient of that notification (forwarded?)"),
    "recipient_without_account": Outcome(Action.TRIAGE, "the notification went to an address with no account"),
    "missing_request": Outcome(Action.TRIAGE, "no request has this address"),
    "empty_reply": Outcome(Action.TRIAGE, "nothing was left after quoted text and signatures were removed"),
    "replies_disabled": Outcome(Action.TRIAGE, "email update replies are turned off for this organization"),
    "comment_refused": Outcome(Action.TRIAGE, "the comment was refused"),
    # Comments: the same validation and notifications as a comment posted on the web.
    "reply_comment": Outcome(Action.COMMENT, "posted as a comment by the notification's recipient"),
    "request_address_comment": Outcome(Action.COMMENT, "posted as a comment on the request it was addressed to"),
}
