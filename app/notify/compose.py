"""Composing claimed deliveries into MIME messages: a constant number of queries per batch.

`compose_batch(ids)` loads every delivery of the batch with what its template needs (events,
requests, categories, organizations, actors, comments, work orders, watch areas, template
overrides, digest items: one query each), renders with emails/render.py and builds the
message with the headers CONTRACT.md fixes. Internal content (internal comments, work order
notes) is put in the context only for deliveries marked `internal`, which the fan-out makes
for organization staff alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.utils import formatdate

from flask import current_app
from sqlalchemy import select

from app.accounts.links import (
    invitation_token,
    make_confirm_token,
    make_deletion_token,
    make_password_token,
)
from app.accounts.models import Organization, OrganizationInvitation, User
from app.dates import format_when
from app.events.models import Event
from app.extensions import db
from app.i18n import DEFAULT_LOCALE, supported
from app.inbound.models import InboundMessage
from app.links import page_url
from app.notify.audiences import REASONS
from app.notify.matrix import EVENT_TYPES
from app.notify.models import DeliveryStatus, EmailDelivery, EmailTemplate
from app.notify.templates import DIGEST_LABEL, pick_override
from app.notify.unsubscribe import UnsubscribeLinks, unsubscribe_token
from app.requests.anonymity import ANONYMOUS_NAME
from app.requests.models import Comment, RequestCategory, ServiceRequest
from app.watch.models import WatchArea
from app.work.models import WorkOrder
from emails.addresses import reply_address, request_address
from emails.i18n import email_text, translate
from emails.outgoing import address, alternative_message, header_value
from emails.render import OverBudget, render_email
from emails.tokens import make_reply_token

log = logging.getLogger(__name__)

# Why a person got the email, per audience (payload_user's depends on the event).
RECEIPT_REASONS = {
    "request.followed": email_text("you followed this request"),
    "watch_area.followed": email_text("you followed this watch area"),
    "account.confirm_email": email_text("someone (we hope you) gave this address to {org}"),
    "account.password_reset": email_text("someone (we hope you) asked to reset the password of this account"),
    "account.deletion_requested": email_text("you asked to delete your account"),
    "account.invited_new": email_text("a member of {org} invited this address"),
    "account.invited_existing": email_text("a member of {org} added your account to it"),
    "organization.invitation": email_text("a member of {org} invited this address to join it"),
}
DIGEST_REASON = email_text("you chose a daily digest of your notifications")
DEFAULT_REASON = email_text("you are involved in this request")
# A request's status as an email says it (`request.status_text`; `request.status` stays the code).
STATUS_TEXT = {"open": email_text("open"), "acknowledged": email_text("acknowledged"),
               "closed": email_text("closed"), "archived": email_text("archived")}
DIGEST_LINE = email_text("{label}: request {public_id}")
SOMEONE = email_text("Someone")
US = email_text("us")


def recipient_locale(user: User | None, org: Organization | None) -> str:
    """The language of one email: the recipient's profile, else the organization's default, else English."""
    return (supported(user.locale if user else None) or supported(org.default_locale if org else None)
            or DEFAULT_LOCALE)


@dataclass(frozen=True)
class ComposedEmail:
    delivery_id: int
    sender: str
    recipient: str
    message_id: str
    data: bytes
    attempts: int  # before this one
    trace_id: str | None = None  # the request id of the HTTP call that caused the event (for the logs)


def _by_id(model, ids) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def _people(ids) -> dict:
    """The users a batch names, as rows of what its emails say of them (name, address, language):
    a whole ORM user for each recipient cost more than the row of its delivery."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row for row in db.session.execute(
        select(User.id, User.name, User.email, User.locale).where(User.id.in_(ids)))}


class BatchData:
    """Every row the batch's templates need, each kind loaded in one query."""

    def __init__(self, deliveries: list[EmailDelivery]):
        self.deliveries = deliveries
        self.events = _by_id(Event, [d.event_id for d in deliveries])
        payload_ids = lambda key: [(e.payload or {}).get(key) for e in self.events.values()]  # noqa: E731
        self.requests = _by_id(ServiceRequest, [d.request_id for d in deliveries])
        self.organizations = _by_id(Organization, [d.organization_id for d in deliveries])
        self.categories = _by_id(RequestCategory, [r.category_id for r in self.requests.values()]
                                 + payload_ids("previous_category_id"))
        self.users = _people([d.user_id for d in deliveries] + [e.actor_id for e in self.events.values()]
                             + payload_ids("user_id"))
        self.comments = _by_id(Comment, payload_ids("comment_id"))
        self.users.update(_people([c.author_id for c in self.comments.values() if c.author_id not in self.users]))
        # Account mail signs a link with its user's password fingerprint: those few as whole users.
        self.account_users = _by_id(User, [(self.events[d.event_id].payload or {}).get("user_id")
                                           for d in deliveries if d.kind.startswith("account.")
                                           and d.event_id in self.events])
        self.work_orders = _by_id(WorkOrder, payload_ids("work_order_id"))
        self.watch_areas = _by_id(WatchArea, payload_ids("watch_area_id"))
        self.inbound_messages = _by_id(InboundMessage, payload_ids("inbound_message_id"))
        self.overrides = self._overrides()
        self.digest_items = self._digest_items()
        self.renderings: dict = {}  # shared renderings (emails/render.py) for the batch
        # What every message of the batch shares, made once: each cost as much as a template's
        # rendering, per message (bench/fanout.py --profile).
        self.preferences_url = page_url("preferences")
        self.unsubscribe = UnsubscribeLinks()
        self.date = formatdate(usegmt=True)  # when the batch was composed, as before, not when each is sent
        self._reasons: dict = {}
        self._templates: dict = {}
        self.over_budget: dict = {}  # (organization id, template, language) -> why: rendered over budget once, not again
        self._event_contexts: dict = {}

    def locale(self, delivery: EmailDelivery) -> str:
        """The language the recipient reads (see `recipient_locale`)."""
        return recipient_locale(self.users.get(delivery.user_id), self.organizations.get(delivery.organization_id))

    def template(self, delivery: EmailDelivery) -> tuple[str, dict | None, str]:
        """The template kind, the organization's override to use (None: the built-in) and the language to render in."""
        kind = self.template_kind(delivery)
        key = (delivery.organization_id, kind, self.locale(delivery))
        if key not in self._templates:  # the same for every recipient of a kind who reads that language
            org = self.organizations.get(delivery.organization_id)
            written = {locale: parts for (org_id, k, locale), parts in self.overrides.items()
                       if org_id == delivery.organization_id and k == kind}
            self._templates[key] = (kind, *pick_override(written, key[2], org.default_locale if org else None))
        return self._templates[key]

    def event_context(self, delivery: EmailDelivery, locale: str) -> dict:
        # Account mail signs a link for its one recipient: not shared.
        if delivery.kind.startswith("account."):
            return event_context(delivery, self, locale)
        key = (delivery.event_id, delivery.internal, delivery.kind, delivery.organization_id, locale)
        if key not in self._event_contexts:
            self._event_contexts[key] = event_context(delivery, self, locale)
        return self._event_contexts[key]

    def reason(self, delivery: EmailDelivery, locale: str) -> str:
        """`email_reason`, once per (kind, audience, organization, language) in the batch."""
        key = (delivery.kind, delivery.audience, delivery.organization_id, locale)
        if key not in self._reasons:
            self._reasons[key] = email_reason(delivery, self.organizations.get(delivery.organization_id), locale)
        return self._reasons[key]

    def template_kind(self, delivery: EmailDelivery) -> str:
        """The template a delivery is written with: its kind's, or the one an automation's email names."""
        if delivery.kind == "automation.email":
            event = self.events.get(delivery.event_id)
            return str(((event.payload if event else None) or {}).get("template") or delivery.kind)
        return delivery.kind

    def _overrides(self) -> dict:
        keys = {(d.organization_id, self.template_kind(d)) for d in self.deliveries if d.organization_id}
        if not keys:
            return {}
        rows = db.session.scalars(select(EmailTemplate).where(
            EmailTemplate.organization_id.in_({k[0] for k in keys}),
            EmailTemplate.event_kind.in_({k[1] for k in keys})))
        return {(t.organization_id, t.event_kind, t.locale): {"subject": t.subject, "text": t.text_body,
                                                              "html": t.html_body}
                for t in rows}

    def _digest_items(self) -> dict[int, list[dict]]:
        digest_ids = [d.id for d in self.deliveries if d.kind == "digest"]
        if not digest_ids:
            return {}
        digests = {d.id: d for d in self.deliveries if d.kind == "digest"}
        rows = db.session.execute(
            select(EmailDelivery.digest_id, EmailDelivery.kind, EmailDelivery.created_at, ServiceRequest.public_id,
                   Organization.timezone)
            .outerjoin(ServiceRequest, ServiceRequest.id == EmailDelivery.request_id)
            .outerjoin(Organization, Organization.id == EmailDelivery.organization_id)
            .where(EmailDelivery.digest_id.in_(digest_ids))
            .order_by(EmailDelivery.digest_id, EmailDelivery.id))
        items: dict[int, list[dict]] = {}
        for digest_id, kind, created_at, public_id, timezone in rows:
            locale = self.locale(digests[digest_id])
            label = translate(str(EVENT_TYPES[kind].label), locale) if kind in EVENT_TYPES else kind
            items.setdefault(digest_id, []).append({
                "subject": translate(DIGEST_LINE, locale, label=label, public_id=public_id) if public_id else label,
                "url": page_url("request", public_id=public_id) if public_id else page_url("home"),
                "created_at": format_when(created_at, timezone, locale),
            })
        return items


def _person(user: User | None) -> dict | None:
    return {"name": user.name or user.email.split("@")[0], "email": user.email} if user else None


def email_reason(delivery: EmailDelivery, org: Organization | None, locale: str) -> str:
    """Why this delivery reached its recipient, in `locale` (the footer's "You received this email because ...")."""
    org_name = org.name if org else translate(US, locale)
    if delivery.kind == "digest":
        return translate(DIGEST_REASON, locale)
    if delivery.kind in RECEIPT_REASONS and delivery.audience in ("payload_user", "payload_address"):
        return translate(RECEIPT_REASONS[delivery.kind], locale, org=org_name)
    return translate(REASONS.get(delivery.audience, DEFAULT_REASON), locale, org=org_name)


def build_context(delivery: EmailDelivery, data: BatchData, unsubscribe_token: str | None = None,
                  locale: str = DEFAULT_LOCALE) -> dict:
    """The documented template variables for one delivery (see emails/render.py), in `locale`."""
    return {
        **data.event_context(delivery, locale),
        "recipient": _person(data.users.get(delivery.user_id)) or {"name": delivery.email, "email": delivery.email},
        "audience": delivery.audience,
        "reason": data.reason(delivery, locale),
        # An address without an account (routing, escalation, notices) has no preferences page.
        "preferences_url": data.preferences_url if delivery.user_id else None,
        "unsubscribe_url": data.unsubscribe.page(unsubscribe_token) if unsubscribe_token else None,
        "digest_items": data.digest_items.get(delivery.id, []),
    }


def event_context(delivery: EmailDelivery, data: BatchData, locale: str = DEFAULT_LOCALE) -> dict:
    """The variables every recipient of the delivery's event (with its `internal` flag and language) shares."""
    event = data.events.get(delivery.event_id)
    payload = (event.payload if event else None) or {}
    org = data.organizations.get(delivery.organization_id)
    tz = org.timezone if org else "UTC"
    request = data.requests.get(delivery.request_id)
    # An anonymous reporter's name reaches staff only (internal deliveries); the context is
    # shared by every recipient of the event with the same `internal` flag, so nobody else sees it.
    hidden = request is not None and request.anonymous and not delivery.internal
    shown = lambda user_id: ({"name": translate(ANONYMOUS_NAME, locale), "email": ""}  # noqa: E731
                             if hidden and user_id == request.reporter_id else _person(data.users.get(user_id)))
    context: dict = {
        "organization": {"name": org.name, "slug": org.slug} if org else None,
        "actor": shown(event.actor_id) if event else None,
        "event": {"kind": delivery.kind, "label": translate(str(EVENT_TYPES[delivery.kind].label), locale)
                  if delivery.kind in EVENT_TYPES else translate(DIGEST_LABEL, locale),
                  "created_at": format_when(event.created_at if event else None, tz, locale)},
        "app_url": page_url("home"),
        "by_reporter": bool(payload.get("by_reporter")),
        "due_at": format_when(payload.get("due_at") or payload.get("sla_due_at"), tz, locale),
        "previous_due_at": format_when(payload.get("previous_due_at"), tz, locale),
    }
    if request is not None:
        category = data.categories.get(request.category_id)
        context["request"] = {
            "public_id": request.public_id, "description": request.description, "address": request.address,
            "status": request.status, "status_text": translate(STATUS_TEXT.get(request.status), locale)
            or request.status, "category": category.name if category else "",
            "url": page_url("request", public_id=request.public_id),
            "created_at": format_when(request.created_at, tz, locale),
            "due_at": format_when(request.due_at, tz, locale),
            # Staff deliveries (the only ones marked internal) also open the request in the staff portal.
            "staff_url": page_url("staff_request", org=org.slug, request_id=request.id)
            if delivery.internal and org is not None else None}
        context["request_email"] = request_address(request.public_id, current_app.config["INBOUND_DOMAIN"])
    if delivery.kind == "request.merged" and payload.get("into_public_id"):
        context["merged_into"] = {"public_id": payload["into_public_id"],
                                  "url": page_url("request", public_id=payload["into_public_id"])}
    previous = data.categories.get(payload.get("previous_category_id"))
    context["previous_category"] = previous.name if previous else None
    comment = data.comments.get(payload.get("comment_id"))
    if comment is not None and (comment.visibility == "public" or delivery.internal):
        context["comment"] = {"body": comment.body, "visibility": comment.visibility,
                              "author": (shown(comment.author_id) or {"name": translate(SOMEONE, locale)})["name"]}
    work_order = data.work_orders.get(payload.get("work_order_id"))
    if work_order is not None and delivery.internal:
        context["work_order"] = {"title": work_order.title, "due_at": format_when(work_order.due_at, tz, locale),
                                 "notes": work_order.notes,
                                 "url": page_url("staff_work_order", org=org.slug, work_order_id=work_order.id)}
    area = data.watch_areas.get(payload.get("watch_area_id"))
    if area is not None:
        context["watch_area"] = {"name": area.name, "url": page_url("watch_area", area_id=area.id)}
    message = data.inbound_messages.get(payload.get("inbound_message_id"))
    if message is not None and org is not None and delivery.kind.startswith("inbound."):
        context["inbound_message"] = {
            "id": message.id, "url": page_url("staff_inbound", org=org.slug, message_id=message.id),
            "sender": message.sender_email, "sender_name": message.sender_name, "subject": message.subject,
            "body": message.body, "received_at": format_when(message.created_at, tz, locale)}
    context["link"] = _account_link(delivery, data.account_users.get(payload.get("user_id")), org)
    if delivery.kind == "organization.invitation":
        context.update(_invitation_context(payload, tz, locale))
    return context


def _invitation_context(payload: dict, tz: str, locale: str) -> dict:
    """The invitation's role, expiry and accept link (its token recomputed, never stored)."""
    invitation = db.session.get(OrganizationInvitation, payload.get("invitation_id"))
    if invitation is None:
        return {}
    return {"invitation": {"role": invitation.role.name, "expires_at": format_when(invitation.expires_at, tz, locale)},
            "link": page_url("invitation", token=invitation_token(invitation)),
            "register_url": page_url("register")}


def _account_link(delivery: EmailDelivery, user: User | None, org: Organization | None) -> str | None:
    # Signed at render time: nothing secret is stored, and a link dies once used (app/accounts/links.py).
    if user is None or not delivery.kind.startswith("account."):
        return None
    if delivery.kind == "account.confirm_email":
        return page_url("confirm_email", token=make_confirm_token(user, delivery.email))
    if delivery.kind in ("account.password_reset", "account.registration_attempted"):
        return page_url("reset_password", token=make_password_token(user, "reset"))
    if delivery.kind == "account.deletion_requested":
        return page_url("delete_account", token=make_deletion_token(user))
    if delivery.kind == "account.invited_new":
        return page_url("set_password", token=make_password_token(user, "set"))
    return page_url("staff_home", org=org.slug) if org else page_url("home")


def build_message(delivery: EmailDelivery, data: BatchData) -> ComposedEmail:
    """Render and assemble one delivery's message: text and HTML parts, threading and list headers."""
    config = current_app.config
    domain = config["INBOUND_DOMAIN"]
    org = data.organizations.get(delivery.organization_id)
    token = unsubscribe_token(delivery.id) if delivery.subscription else None
    template, override, locale = data.template(delivery)
    context = build_context(delivery, data, token, locale)
    key = (delivery.organization_id, template, locale)
    if key in data.over_budget:  # the batch's other deliveries of that template do not wait for it again
        raise OverBudget(data.over_budget[key])
    try:
        rendered = render_email(template, context, override, memo=data.renderings, locale=locale)
    except OverBudget as exc:
        data.over_budget[key] = exc.reason
        raise
    sender = (org.sender_email if org and org.sender_email else None) or config["MAIL_DEFAULT_SENDER"]
    message_id = f"<delivery-{delivery.id}@{domain}>"  # the same on a retry: receivers can drop a duplicate
    headers = [
        ("From", address(org.name if org else None, sender)),
        ("To", address(context["recipient"]["name"] if delivery.user_id else None, delivery.email)),
        ("Subject", header_value(rendered.subject)),
        ("Date", data.date),
        ("Message-ID", message_id),
        ("Reply-To", reply_address(make_reply_token(delivery.id, config["SECRET_KEY"]), domain)),
    ]
    if context.get("request"):
        root = f"<request-{context['request']['public_id']}@{domain}>"
        headers += [("In-Reply-To", root), ("References", root)]
    headers += [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")]
    if token:
        headers += list(data.unsubscribe.headers(token).items())
    event = data.events.get(delivery.event_id)
    return ComposedEmail(delivery.id, sender, delivery.email, message_id,
                         alternative_message(headers, rendered.text, rendered.html), delivery.attempts,
                         event.trace_id if event else None)


def compose_batch(delivery_ids: list[int]) -> tuple[list[ComposedEmail], dict[int, str]]:
    """Messages for the claimed deliveries, and the ids that could not be composed with why."""
    # Rows, not ORM objects (read only, and the batch's largest part): neither the stored body of a
    # retry (loaded with every delivery by default, for the email log; it is written anew) nor
    # an instance to build, track and expire at the commit for each message.
    deliveries = list(db.session.execute(
        select(EmailDelivery.__table__).where(EmailDelivery.id.in_(delivery_ids),
                                              EmailDelivery.status == DeliveryStatus.SENDING.value)
        .order_by(EmailDelivery.id)))
    data = BatchData(deliveries)
    composed, failures = [], {}
    for delivery in deliveries:
        try:
            composed.append(build_message(delivery, data))
        except OverBudget as exc:  # an organization's template that would hold the worker: refused, said why
            log.warning("delivery %s: its template is over the render budget: %s", delivery.id, exc.reason)
            failures[delivery.id] = f"template over the render budget: {exc.reason}"[:500]
        except Exception as exc:  # one broken template must not hold up the rest of the batch
            log.exception("could not compose delivery %s", delivery.id)
            failures[delivery.id] = f"could not compose: {type(exc).__name__}: {exc}"[:500]
    db.session.commit()  # end the transaction so no snapshot (or lock) is held while sending
    return composed, failures
