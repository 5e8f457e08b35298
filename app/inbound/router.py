"""Deciding what an inbound email becomes: a situation from OUTCOMES, and who it concerns.

`route(parsed, envelope_to, envelope_from)` looks facts up (organizations, requests,
users, the delivery a reply token names) and returns a `Decision`; it changes nothing.
The order of the checks is the product's: nobody's address, then bounces, then automatic
mail and loops, then by the kind of address it was sent to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import or_, select

from app.accounts.models import EmailAlias, Membership, Organization, User
from app.extensions import db
from app.inbound.comment_paths import DeliveryRef, delivery_for
from app.inbound.sender_proof import sender_proof
from app.notify.unsubscribe import describe as describe_unsubscribe
from app.requests.models import ServiceRequest
from app.requests.service import find_by_public_id
from emails.addresses import MAILBOX, PREFIXED, InboundAddress, classify
from emails.autoreply import auto_reply_reason
from emails.dsn import FailedRecipient, failed_recipients, is_delivery_report
from emails.mime import ParsedEmail
from emails.senderauth import SenderProof
from emails.tokens import claimed_delivery_id, read_reply_token


@dataclass
class Decision:
    situation: str  # a key of app.inbound.outcomes.OUTCOMES
    organization_id: int | None = None
    request_id: int | None = None
    sender_user_id: int | None = None
    recipient: str = ""
    visibility: str = "public"
    detail: str = ""
    failures: list[FailedRecipient] = field(default_factory=list)
    unsubscribe_token: str = ""  # the "unsubscribe" situation: what to stop


def replies_enabled(organization: Organization) -> bool:
    """The organization's "email update replies" setting (on unless turned off)."""
    return bool((organization.settings or {}).get("email_update_replies", True))


def find_sender(address: str) -> User | None:
    """The active user who sends from `address`: their own email or a confirmed alias."""
    if not address:
        return None
    return db.session.scalar(
        select(User).outerjoin(EmailAlias, EmailAlias.user_id == User.id).where(
            User.active.is_(True),
            or_(User.email == address, (EmailAlias.email == address) & EmailAlias.confirmed_at.is_not(None)),
        ).limit(1)
    )


def reply_situation(delivery: DeliveryRef, sender: User | None, request: ServiceRequest | None) -> tuple[str, str]:
    """The situation and visibility for a genuine reply token: the reference's rules."""
    if delivery.recipient_user_id is None:
        return "recipient_without_account", ""
    if sender is None:
        return "unknown_sender", ""
    if sender.id != delivery.recipient_user_id:
        return "not_a_recipient", ""
    if request is None:
        return "missing_request", ""
    # Whether a closed request takes comments is the requests policy's rule, as on the web:
    # the comment path asks it (a refusal is `comment_refused`, with the policy's reason).
    return "reply_comment", "internal" if delivery.internal else "public"


def request_address_situation(sender: User | None, is_member: bool) -> tuple[str, str]:
    """Mail to request-<id>@ from a person: a comment by a known user (staff: internal)."""
    if sender is None:
        return "unknown_sender", ""
    # Staff mail to a request's address stays internal: publishing is a deliberate act.
    return "request_address_comment", "internal" if is_member else "public"


def sender_is(user_id: int | None, address: str) -> bool:
    """`address` is that user's own email or one of their confirmed aliases."""
    sender = find_sender(address)
    return user_id is not None and sender is not None and sender.id == user_id


class _Facts:
    """Lookups shared by the routes, each done once."""

    def __init__(self, parsed: ParsedEmail, ours: list[InboundAddress], proof: SenderProof):
        self.parsed = parsed
        self.ours = ours
        self.proof = proof
        self.sender = find_sender(parsed.from_email)

    def proven_sender_id(self) -> int | None:
        """Whom the mail may be attributed to without a reply token: only a proven sender."""
        return self.sender.id if self.sender is not None and self.proof.proven else None

    def organization_for_mailbox(self, address: str) -> tuple[Organization | None, str]:
        org = db.session.scalar(select(Organization).where(Organization.general_email == address))
        if org is not None:
            return org, "general_address"
        org = db.session.scalar(select(Organization).where(Organization.sender_email == address).limit(1))
        return org, "sender_address"

    def fallback_organization_id(self) -> int | None:
        """For mail that names no organization itself: another of its addresses, or the only one."""
        for address in self.ours:
            if address.kind == "mailbox":
                org, _ = self.organization_for_mailbox(address.value)
                if org is not None:
                    return org.id
            elif address.kind == "request":
                request = _request(address.value)
                if request is not None:
                    return request.organization_id
        ids = db.session.scalars(select(Organization.id).limit(2)).all()
        return ids[0] if len(ids) == 1 else None


def _request(public_id: str) -> ServiceRequest | None:
    return find_by_public_id(public_id)  # the one lookup, as the request page's


def _is_member(user: User, organization_id: int) -> bool:
    return db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.organization_id == organization_id)) is not None


def _our_addresses(recipients: list[str], domain: str) -> list[InboundAddress]:
    found = [a for a in (classify(r, domain) for r in recipients) if a is not None]
    unique = list({(a.kind, a.value): a for a in found}.values())
    return sorted(unique, key=lambda a: _PRIORITY[a.kind])


def _own_addresses() -> set[str]:
    rows = db.session.execute(select(Organization.general_email, Organization.sender_email)).all()
    own = {address.lower() for row in rows for address in row if address}
    own.add(current_app.config["MAIL_DEFAULT_SENDER"].lower())
    return own


def _from_us(address: str, domain: str) -> bool:
    return bool(address) and (address.rpartition("@")[2] == domain.lower() or address in _own_addresses())


def _delivery(delivery_id: int | None) -> DeliveryRef | None:
    return delivery_for(delivery_id) if delivery_id is not None else None


def _route_reply(target: InboundAddress, facts: _Facts) -> Decision:
    parsed = facts.parsed
    delivery_id = read_reply_token(target.value, current_app.config["SECRET_KEY"])
    # A forged token's claimed delivery only tells which queue the mail belongs in.
    delivery = _delivery(delivery_id if delivery_id is not None else claimed_delivery_id(target.value))
    org_id = delivery.organization_id if delivery is not None else facts.fallback_organization_id()
    base = {"recipient": f"reply+{target.value}", "sender_user_id": facts.proven_sender_id()}
    if org_id is None:
        return Decision("no_organization", **base)
    if delivery_id is None or delivery is None:
        return Decision("bad_token", org_id, **base)
    if facts.proof.verdict == "fail":
        return Decision("sender_not_authenticated", org_id, detail=facts.proof.reason, **base)
    # A genuine token: the author is the delivery's recipient (GitLab's rule), provided the
    # From is their address or a confirmed alias of theirs.
    if sender_is(delivery.recipient_user_id, parsed.from_email):
        base["sender_user_id"] = delivery.recipient_user_id
    if not replies_enabled(db.session.get(Organization, org_id)):
        return Decision("replies_disabled", org_id, **base)
    if not parsed.reply:
        return Decision("empty_reply", org_id, **base)
    request = db.session.get(ServiceRequest, delivery.request_id) if delivery.request_id else None
    situation, visibility = reply_situation(delivery, facts.sender, request)
    return Decision(situation, org_id, delivery.request_id, visibility=visibility, **base)


def _route_request(target: InboundAddress, facts: _Facts) -> Decision:
    base = {"recipient": f"request-{target.value}", "sender_user_id": facts.proven_sender_id()}
    request = _request(target.value)
    if request is None:
        org_id = facts.fallback_organization_id()
        return Decision("missing_request" if org_id else "no_organization", org_id, **base)
    org_id, request_id = request.organization_id, request.id
    # Every request's address is public, so only a proven From may speak on it.
    if not facts.proof.proven:
        situation = "sender_not_authenticated" if facts.proof.verdict == "fail" else "sender_unproven"
        return Decision(situation, org_id, request_id, detail=facts.proof.reason, **base)
    if not facts.parsed.reply:
        return Decision("empty_reply", org_id, request_id, **base)
    is_member = facts.sender is not None and _is_member(facts.sender, org_id)
    situation, visibility = request_address_situation(facts.sender, is_member)
    return Decision(situation, org_id, request_id, visibility=visibility, **base)


def _route_mailbox(target: InboundAddress, facts: _Facts) -> Decision:
    base = {"recipient": target.value, "sender_user_id": facts.proven_sender_id()}
    org, situation = facts.organization_for_mailbox(target.value)
    if org is not None:
        return Decision(situation, org.id, **base)
    org_id = facts.fallback_organization_id()
    return Decision("unknown_address" if org_id else "no_organization", org_id, **base)


def _route_unsubscribe(target: InboundAddress, facts: _Facts) -> Decision:
    # RFC 2369's mailto: the signed token is the proof, as for the one-click POST; no sender check.
    base = {"recipient": f"unsubscribe+{target.value}", "sender_user_id": facts.sender.id if facts.sender else None}
    described = describe_unsubscribe(target.value)
    if described is None:
        return Decision("bad_unsubscribe_token", facts.fallback_organization_id(), **base)
    return Decision("unsubscribe", described.organization_id, detail=described.description,
                    unsubscribe_token=target.value, **base)


def _route_bounce(parsed: ParsedEmail) -> Decision:
    hard = [f for f in failed_recipients(parsed) if f.permanent]
    detail = ", ".join(f"{f.email} {f.status}" for f in hard)
    return Decision("hard_bounce" if hard else "soft_bounce", detail=detail, failures=hard)


# The inbound address kinds and their handlers, in the order that wins when mail names several
# (a reply beats a request's address, which beats a mailbox). The address formats are
# emails/addresses.py's. Bounces are the one kind known by content, not by address: a delivery
# report (RFC 3464) to any of our addresses is a bounce (`_route_bounce`), checked first.
ADDRESS_KINDS = {
    "reply": _route_reply,  # reply+<token>@: a comment by the delivery's recipient
    "request": _route_request,  # request-<public id>@: a comment on that request
    "unsubscribe": _route_unsubscribe,  # unsubscribe+<token>@: stops that subscription
    MAILBOX: _route_mailbox,  # each organization's general and sender addresses; anything else: triage
}
_PRIORITY = {kind: rank for rank, kind in enumerate(ADDRESS_KINDS)}
if set(ADDRESS_KINDS) != {*PREFIXED, MAILBOX}:
    raise RuntimeError("every address kind of emails/addresses.py needs a handler in ADDRESS_KINDS")


def route(parsed: ParsedEmail, envelope_to: list[str], envelope_from: str | None,
          authentication: str | None = None) -> Decision:
    """Decide what `parsed` becomes. Reads the database; changes nothing.

    `authentication` is the listener's own DKIM/SPF verdict, when it received the mail as the edge.
    """
    domain = current_app.config["INBOUND_DOMAIN"]
    # The SMTP envelope says who it was delivered to; headers only when there is none.
    ours = _our_addresses(envelope_to, domain) or _our_addresses(parsed.recipients, domain)
    if not ours:
        return Decision("not_our_domain", detail=", ".join(envelope_to or parsed.recipients)[:200])
    if is_delivery_report(parsed):
        return _route_bounce(parsed)
    reason = auto_reply_reason(parsed, envelope_from)
    if reason:
        return Decision("auto_reply", detail=reason)
    if _from_us(parsed.from_email, domain):
        return Decision("own_address", detail=parsed.from_email)
    target = ours[0]
    facts = _Facts(parsed, ours, sender_proof(parsed, authentication))
    return ADDRESS_KINDS[target.kind](target, facts)
