"""A small city where one person (or address) stands in each audience of the matrix, and bystanders.

`World.fire(kind)` records the event the way the owning service would (actor, payload) and
commits; `World.expected(kind)` says, from the matrix rows of that kind, what each person
should receive on which channel; `World.received(...)` reads what they did receive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.events.service import record_event
from app.extensions import db
from app.notify.audiences import AUDIENCES
from app.notify.matrix import EMAIL, EVENT_TYPES, INAPP, rules_for
from app.notify.models import EmailDelivery, Notification, OrganizationNotificationSettings
from app.requests.models import Comment, Follower
from app.watch.models import WatchAreaFollower
from tests.factories import (
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    WatchAreaFactory,
    WorkOrderFactory,
    make_member,
)

ROUTING = "routing@dept.example"
ESCALATE = "escalate@dept.example"
NOTICE_TO = "clerk@city.example"
NOTICE_CC = "deputy@city.example"
CONFIRM_ADDRESS = "new-address@example.net"
CATCH_ALL = "catch-all@city.example"
INBOUND_SENDER, INBOUND_SUBJECT, INBOUND_BODY = "pat@example.net", "Streetlight out", "The light on Elm Street is out."


@dataclass
class World:
    people: dict = field(default_factory=dict)  # role -> User
    org: object = None
    category: object = None
    request: object = None
    work_order: object = None
    watch_area: object = None

    @classmethod
    def build(cls) -> World:
        w = cls()
        w.org = OrganizationFactory()
        staff = {role: make_member(w.org, "staff", name=role) for role in
                 ("auto_assignee", "assignee", "staff_follower", "mentioned", "wo_assignee", "actor",
                  "staff_bystander")}
        w.people.update(staff)
        w.people["admin"] = make_member(w.org, "admin", name="admin")
        for role in ("reporter", "follower", "wa_owner", "wa_follower", "resident_bystander", "subject"):
            w.people[role] = UserFactory(name=role)
        w.category = CategoryFactory(organization=w.org, auto_assignee=staff["auto_assignee"],
                                     routing_emails=[ROUTING], escalate_to_email=ESCALATE)
        w.request = ServiceRequestFactory(category=w.category, reporter=w.people["reporter"],
                                          assignee=staff["assignee"])
        db.session.add_all([Follower(request_id=w.request.id, user_id=w.people["follower"].id),
                            Follower(request_id=w.request.id, user_id=staff["staff_follower"].id)])
        w.watch_area = WatchAreaFactory(owner=w.people["wa_owner"])
        db.session.add(WatchAreaFollower(watch_area_id=w.watch_area.id, user_id=w.people["wa_follower"].id))
        w.work_order = WorkOrderFactory(organization=w.org, request=w.request, assignee=staff["wo_assignee"])
        db.session.add(OrganizationNotificationSettings(organization_id=w.org.id, inbound_notice_to=NOTICE_TO,
                                                        inbound_notice_cc=NOTICE_CC))
        db.session.commit()
        return w

    # --- who is in which audience here -----------------------------------------------------------
    def members(self, audience: str, kind: str) -> set:
        p = self.people
        staff_roles = {"auto_assignee", "assignee", "staff_follower", "mentioned", "wo_assignee", "actor",
                       "staff_bystander", "admin"}
        members = {
            "reporter": {"reporter"},
            "followers": {"follower", "staff_follower"},
            "assignee": {"assignee"},
            "category_auto_assignee": {"auto_assignee"},
            "category_routing": {ROUTING},
            "escalate_to": {ESCALATE},
            "mentioned": {"mentioned"},
            "work_order_assignee": {"wo_assignee"},
            "watch_area": {"wa_owner", "wa_follower"},
            "watch_area_owner": {"wa_owner"},
            "org_admins": {"admin"},
            "inbound_triagers": staff_roles,
            "payload_user": {"subject"},
            "org_general_address": {NOTICE_TO, NOTICE_CC},
            "payload_address": {CATCH_ALL},
        }[audience]
        if EVENT_TYPES[kind].internal:  # internal content reaches staff only
            members = {m for m in members if m in staff_roles}
        return {m for m in members if m != self.actor_role(kind) or self.is_receipt(kind, audience)} & (
            set(p) | {ROUTING, ESCALATE, NOTICE_TO, NOTICE_CC, CATCH_ALL})

    def actor_role(self, kind: str) -> str:
        """Who does it: staff for organization actions, the person themselves for their own."""
        if kind in ("request.followed", "watch_area.followed") or kind.startswith("account."):
            return "subject"
        if kind == "watch_area.created":
            return "wa_owner"
        if kind == "request.submitted":
            return "reporter"
        return "actor"

    @staticmethod
    def is_receipt(kind: str, audience: str) -> bool:
        return any(r.receipt for r in rules_for(kind) if r.audience == audience)

    def expected(self, kind: str) -> dict[str, set[str]]:
        """Person or address -> channels, from the matrix rows of `kind` (union over their audiences)."""
        out: dict[str, set[str]] = {}
        for rule in rules_for(kind):
            for member in self.members(rule.audience, kind):
                channels = {c for c in rule.channels if not ("@" in member and c == INAPP)}
                if AUDIENCES[rule.audience].addresses_only:
                    channels &= {EMAIL}
                out.setdefault(member, set()).update(channels)
        return out

    def address_of(self, member: str, kind: str) -> str:
        if "@" in member:
            return member
        if member == "subject" and kind == "account.confirm_email":
            return CONFIRM_ADDRESS
        return self.people[member].email

    def everyone(self) -> set[str]:
        return set(self.people) | {ROUTING, ESCALATE, NOTICE_TO, NOTICE_CC, CATCH_ALL}

    # --- doing it ------------------------------------------------------------------------------
    def inbound_message_id(self) -> int:
        """A triaged message of the organization (what the inbound kinds name), from INBOUND_SENDER."""
        from app.inbound.models import InboundEmail, InboundMessage

        raw = InboundEmail(sha256="2" * 64, raw=b"Subject: hello\r\n\r\nHello.", received_via="smtp",
                           organization_id=self.org.id)
        db.session.add(raw)
        db.session.flush()
        message = InboundMessage(organization_id=self.org.id, inbound_email_id=raw.id, sender_email=INBOUND_SENDER,
                                 subject=INBOUND_SUBJECT, body=INBOUND_BODY, reason="no_request",
                                 reason_text="Sent to the organization's address")
        db.session.add(message)
        db.session.flush()
        return message.id

    def invitation_id(self, email: str) -> int:
        """An open invitation of `email` to the organization, as `invitations.invite` makes it."""
        from datetime import timedelta

        from app.accounts.invitations import invitation_token, token_hash
        from app.accounts.models import OrganizationInvitation, Role
        from app.db_types import utcnow

        role = db.session.scalar(select(Role).where(Role.organization_id == self.org.id).order_by(Role.id))
        now = utcnow()
        invitation = OrganizationInvitation(organization_id=self.org.id, email=email, role_id=role.id,
                                            sent_at=now, expires_at=now + timedelta(days=7), token_hash="")
        invitation.token_hash = token_hash(invitation_token(invitation))
        db.session.add(invitation)
        db.session.flush()
        return invitation.id

    def payload(self, kind: str) -> dict:
        subject = self.people["subject"]
        if kind == "inbound.catch_all_copy":
            return {"inbound_message_id": self.inbound_message_id(), "email": CATCH_ALL}
        if kind == "organization.invitation":
            return {"invitation_id": self.invitation_id(CATCH_ALL), "email": CATCH_ALL}
        if kind == "request.merged":
            return {"into_id": self.request.id, "into_public_id": self.request.public_id, "moved_followers": 0}
        if kind == "request.comment_internal":
            comment = Comment(request_id=self.request.id, author_id=self.people["actor"].id, body="Internal: see WO-7",
                              visibility="internal", mentioned_user_ids=[self.people["mentioned"].id])
            db.session.add(comment)
            db.session.flush()
            return {"comment_id": comment.id, "mentioned_user_ids": [self.people["mentioned"].id]}
        if kind in ("request.comment_public", "request.closed"):
            comment = Comment(request_id=self.request.id, author_id=self.people["actor"].id, body="Fixed today.",
                              visibility="public")
            db.session.add(comment)
            db.session.flush()
            return {"comment_id": comment.id, "by_reporter": False} if kind == "request.closed" else \
                {"comment_id": comment.id}
        return {
            "request.assigned": {"assignee_id": self.people["assignee"].id, "previous_assignee_id": None},
            "request.recategorized": {"category_id": self.category.id, "previous_category_id": None},
            "request.reopened": {"by_reporter": False},
            "request.due_date_changed": {"due_at": "2030-01-02T17:00:00+00:00", "previous_due_at": None},
            "request.followed": {"user_id": subject.id},
            "request.sla_breached": {"sla_due_at": "2030-01-01T17:00:00+00:00", "breach_id": 1},
            "work_order.assigned": {"work_order_id": self.work_order.id, "assignee_id": self.people["wo_assignee"].id},
            "work_order.due_changed": {"work_order_id": self.work_order.id, "due_at": "2030-01-03T17:00:00+00:00",
                                       "previous_due_at": None},
            "work_order.overdue": {"work_order_id": self.work_order.id, "due_at": "2030-01-03T17:00:00+00:00"},
            "watch_area.created": {"watch_area_id": self.watch_area.id},
            "watch_area.followed": {"watch_area_id": self.watch_area.id, "user_id": subject.id},
            "account.confirm_email": {"user_id": subject.id, "email": CONFIRM_ADDRESS},
            "account.password_reset": {"user_id": subject.id},
            "account.registration_attempted": {"user_id": subject.id},
            "account.deletion_requested": {"user_id": subject.id},
            "account.invited_new": {"user_id": subject.id},
            "account.invited_existing": {"user_id": subject.id},
            "inbound.message_received": {"inbound_message_id": 1},
        }.get(kind, {})

    def fire(self, kind: str):
        """Record `kind` as its owning service would, and commit (which sends it to the fan-out)."""
        about_request = kind.startswith(("request.", "work_order."))
        event = record_event(kind, request=self.request if about_request else None,
                             organization_id=None if kind in ("account.confirm_email", "account.password_reset",
                                                              "account.registration_attempted",
                                                              "watch_area.created", "watch_area.followed")
                             else self.org.id,
                             actor=self.people[self.actor_role(kind)], payload=self.payload(kind))
        db.session.commit()
        return event

    # --- what happened -------------------------------------------------------------------------
    def received(self, event_id: int) -> dict[str, set[str]]:
        """Person or address -> channels, from the rows the engine wrote and the mail that was sent."""
        db.session.rollback()  # a fresh transaction sees what the worker committed
        by_user = {u.id: role for role, u in self.people.items()}
        by_address = {u.email.lower(): role for role, u in self.people.items()}
        by_address[CONFIRM_ADDRESS] = "subject"  # the address being confirmed is the subject's new one
        out: dict[str, set[str]] = {}
        for (user_id,) in db.session.execute(select(Notification.user_id).where(Notification.event_id == event_id)):
            out.setdefault(by_user[user_id], set()).add(INAPP)
        for email, status in db.session.execute(select(EmailDelivery.email, EmailDelivery.status)
                                                .where(EmailDelivery.event_id == event_id)):
            if status in ("pending", "sending", "sent"):
                who = by_address.get(email.lower(), email.lower())
                out.setdefault(who, set()).add(EMAIL)
        return out
