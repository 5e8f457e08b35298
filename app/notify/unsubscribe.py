"""One-click unsubscribe (RFC 8058): signed per-delivery tokens, the headers, and the action.

The token names one delivery (HMAC, lowercase base32 like reply tokens, with its own purpose
key), so it works from a browser, a mail client's POST or a mail to
`unsubscribe+<token>@INBOUND_DOMAIN` (app/inbound/router.py routes it to `apply_unsubscribe`).
A user's token turns that group's email off; an outside address is suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.extensions import db
from app.links import page_url_filler
from app.notify.audiences import GROUPS
from app.notify.models import EmailDelivery, EmailFrequency
from app.notify.preferences import mute, set_email_frequency
from app.notify.suppression import suppress_address
from app.transactions import unit_of_work
from emails import addresses
from emails.tokens import make_reply_token, read_reply_token

PURPOSE = "unsubscribe"
DIGEST_GROUP = "digest"


@dataclass(frozen=True)
class Unsubscription:
    email: str
    group: str | None  # None: the address itself is suppressed
    description: str
    organization_id: int | None = None  # whose mail it was (the email log it belongs in)


def unsubscribe_token(delivery_id: int) -> str:
    return make_reply_token(delivery_id, current_app.config["SECRET_KEY"], purpose=PURPOSE)


def unsubscribe_address(token: str) -> str:
    return addresses.unsubscribe_address(token, current_app.config["INBOUND_DOMAIN"])


class UnsubscribeLinks:
    """A batch's unsubscribe links: the page (for the footer) and the headers, each address built once."""

    def __init__(self) -> None:
        self.page = page_url_filler("unsubscribe", "token")
        self.one_click = page_url_filler("one_click_unsubscribe", "token")

    def headers(self, token: str) -> dict[str, str]:
        """List-Unsubscribe (one-click URL and mailto) and List-Unsubscribe-Post for one delivery's token."""
        return {
            "List-Unsubscribe": f"<{self.one_click(token)}>, <mailto:{unsubscribe_address(token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }


def _delivery(token: str) -> EmailDelivery | None:
    delivery_id = read_reply_token(token, current_app.config["SECRET_KEY"], purpose=PURPOSE)
    return db.session.get(EmailDelivery, delivery_id) if delivery_id is not None else None


def describe(token: str) -> Unsubscription | None:
    """What `unsubscribe(token)` would do, without doing it (for the confirmation page)."""
    delivery = _delivery(token)
    if delivery is None:
        return None
    if delivery.user_id is None:
        return Unsubscription(delivery.email, None, f"all email to {delivery.email}", delivery.organization_id)
    if delivery.kind == "digest":
        return Unsubscription(delivery.email, DIGEST_GROUP, f"your daily digest to {delivery.email}",
                              delivery.organization_id)
    label = GROUPS.get(delivery.pref_group, (delivery.pref_group,))[0]
    return Unsubscription(delivery.email, delivery.pref_group, f"emails about “{label}” to {delivery.email}",
                          delivery.organization_id)


def apply_unsubscribe(token: str, how: str) -> Unsubscription | None:
    """Stop what this delivery's token names, in the caller's transaction; None for a forged token.

    `how` says by which channel ("one-click", "by email"): the suppression's reason keeps it.
    """
    described = describe(token)
    if described is None:
        return None
    delivery = _delivery(token)
    if described.group is None:
        suppress_address(delivery.email, f"unsubscribed ({how})")
    elif described.group == DIGEST_GROUP:
        set_email_frequency(delivery.user_id, EmailFrequency.NEVER.value)
    else:
        mute(delivery.user_id, described.group, "email")
    return described


@unit_of_work()
def unsubscribe(token: str) -> Unsubscription | None:
    """The one-click POST and the page's button: stop what the token names and commit."""
    described = apply_unsubscribe(token, "one-click")
    return described
