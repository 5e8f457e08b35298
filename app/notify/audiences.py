"""Audiences: who a matrix row names, each a SELECT of (user_id, address) for one event.

Every builder returns a statement with exactly two columns, `user_id` (NULL for an outside
address) and `address` (NULL means the user's own email), so the fan-out can UNION ALL
them into one set-based recipient query. Builders take no arguments: what varies per event
is a bound parameter (`EventContext.params()`), so the fan-out builds each statement shape
once and reuses it. `staff_only` audiences are organization members by nature;
`subscription` audiences get List-Unsubscribe (they chose to hear, and may stop).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Integer, Text, bindparam, cast, func, null, select
from sqlalchemy.dialects.postgresql import ARRAY, array

from app.accounts.models import Membership, Organization, Permission, role_permissions
from app.notify.models import OrganizationNotificationSettings
from app.requests.models import Follower, RequestCategory, ServiceRequest
from app.watch.lookup import watch_area_subscribers
from app.watch.models import WatchArea
from app.work.models import WorkOrder
from emails.i18n import shared_text

# The event's values every statement may bind (EventContext.params() gives them all).
REQUEST_ID = bindparam("request_id", type_=BigInteger)
CATEGORY_ID = bindparam("category_id", type_=Integer)
ORGANIZATION_ID = bindparam("organization_id", type_=Integer)
NAMED_ASSIGNEE_ID = bindparam("named_assignee_id", type_=Integer)
MENTIONED_IDS = bindparam("mentioned_ids", type_=ARRAY(Integer))
WORK_ORDER_ID = bindparam("work_order_id", type_=BigInteger)
WATCH_AREA_ID = bindparam("watch_area_id", type_=Integer)
PAYLOAD_USER_ID = bindparam("payload_user_id", type_=Integer)
PAYLOAD_EMAIL = bindparam("payload_email", type_=Text)
PAYLOAD_ADDRESS = bindparam("payload_address", type_=Text)


def _int(value) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


@dataclass(frozen=True)
class EventContext:
    """What the audience builders need to know about one event (loaded once per fan-out)."""

    event_id: int
    kind: str
    organization_id: int | None
    request_id: int | None
    category_id: int | None
    actor_id: int | None
    actor_email: str | None
    payload: dict = field(default_factory=dict)

    def params(self) -> dict:
        """The bound values of every audience statement for this event."""
        payload = self.payload
        named = _int(payload.get("assignee_id"))
        return {
            "event_id": self.event_id, "kind": self.kind, "organization_id": self.organization_id,
            "request_id": self.request_id, "category_id": self.category_id,
            "actor_id": self.actor_id, "actor_email": self.actor_email,
            # request.assigned / work_order.assigned name the new assignee: a later reassignment
            # must not steal the notice.
            "named_assignee_id": named if self.kind == "request.assigned" else None,
            "named_wo_assignee_id": named if self.kind == "work_order.assigned" else None,
            "mentioned_ids": [int(i) for i in payload.get("mentioned_user_ids") or [] if _int(i) is not None],
            "work_order_id": _int(payload.get("work_order_id")),
            "watch_area_id": _int(payload.get("watch_area_id")),
            "payload_user_id": _int(payload.get("user_id")),
            # account.confirm_email names the address to confirm, which may not be the current one.
            "payload_email": payload.get("email") if self.kind == "account.confirm_email" else None,
            # An outside address the event itself names (inbound.catch_all_copy's `email`).
            "payload_address": payload.get("email") if isinstance(payload.get("email"), str) else None,
        }


@dataclass(frozen=True)
class Audience:
    name: str
    label: str
    group: str  # the preference group (see GROUPS) a user in this audience is governed by
    build: Callable[[], object]
    scope: str = "request"  # what it needs: "request", "organization", or the event's own "payload"
    staff_only: bool = False
    subscription: bool = False
    addresses_only: bool = False  # outside addresses: only channels that reach an address


def _users(column):
    return select(column.label("user_id"), cast(null(), Text).label("address"))


def _addresses(column):
    return select(cast(null(), Integer).label("user_id"), cast(column, Text).label("address"))


def members_with(organization_id, permission: str):
    """SELECT user_id of the organization's members whose role holds `permission`."""
    return (
        select(Membership.user_id)
        .join(role_permissions, role_permissions.c.role_id == Membership.role_id)
        .join(Permission, Permission.id == role_permissions.c.permission_id)
        .where(Membership.organization_id == organization_id, Permission.name == permission)
    )


def _request_column(column):
    return lambda: _users(column).where(ServiceRequest.id == REQUEST_ID)


def _assignee():
    current = select(ServiceRequest.assignee_id).where(ServiceRequest.id == REQUEST_ID).scalar_subquery()
    return _users(func.coalesce(NAMED_ASSIGNEE_ID, current))


def _category_column(column, users: bool):
    return lambda: (_users(column) if users else _addresses(column)).where(RequestCategory.id == CATEGORY_ID)


def _routing():
    return _addresses(func.unnest(RequestCategory.routing_emails)).where(RequestCategory.id == CATEGORY_ID)


def _followers():
    return _users(Follower.user_id).where(Follower.request_id == REQUEST_ID)


def _mentioned():
    mentioned = func.unnest(MENTIONED_IDS).table_valued("user_id").render_derived()
    # Only members who may read the request can be summoned to it.
    return _users(mentioned.c.user_id).where(
        mentioned.c.user_id.in_(members_with(ORGANIZATION_ID, "view_requests")))


def _work_order_assignee():
    current = select(WorkOrder.assignee_id).where(WorkOrder.id == WORK_ORDER_ID).scalar_subquery()
    return _users(func.coalesce(bindparam("named_wo_assignee_id", type_=Integer), current))


def _watch_area():
    subscribers = watch_area_subscribers(REQUEST_ID).subquery("watch_subscribers")
    return _users(subscribers.c.user_id)


def _watch_area_owner():
    return _users(WatchArea.owner_id).where(WatchArea.id == WATCH_AREA_ID)


def _payload_user():
    return select(PAYLOAD_USER_ID.label("user_id"), PAYLOAD_EMAIL.label("address"))


def _payload_address():
    return _addresses(PAYLOAD_ADDRESS).where(PAYLOAD_ADDRESS.is_not(None))


def _members(permission: str):
    return lambda: _users(members_with(ORGANIZATION_ID, permission).subquery().c.user_id)


def _general_address():
    settings = OrganizationNotificationSettings
    to = func.coalesce(settings.inbound_notice_to, Organization.general_email)
    both = func.unnest(array([cast(to, Text), cast(settings.inbound_notice_cc, Text)]))
    return (
        _addresses(both)
        .select_from(Organization)
        .outerjoin(settings, settings.organization_id == Organization.id)
        .where(Organization.id == ORGANIZATION_ID)
    )


AUDIENCES: dict[str, Audience] = {a.name: a for a in (
    Audience("reporter", _l("The reporter of the request"), "my_requests",
             _request_column(ServiceRequest.reporter_id), subscription=True),
    Audience("followers", _l("Followers of the request"), "following", _followers, subscription=True),
    Audience("assignee", _l("The request's assignee"), "assigned", _assignee, staff_only=True),
    Audience("category_auto_assignee", _l("The category's automatic assignee"), "assigned",
             _category_column(RequestCategory.auto_assignee_id, users=True), staff_only=True),
    Audience("category_routing", _l("The category's routing addresses"), "routing", _routing,
             addresses_only=True),
    Audience("escalate_to", _l("The category's escalation address"), "routing",
             _category_column(RequestCategory.escalate_to_email, users=False), addresses_only=True),
    Audience("mentioned", _l("Staff @mentioned in the comment"), "mentions", _mentioned, scope="payload",
             staff_only=True),
    Audience("work_order_assignee", _l("The work order's assignee"), "assigned", _work_order_assignee,
             scope="payload", staff_only=True),
    Audience("watch_area", _l("Owners and followers of watch areas around the request"), "watch_areas",
             _watch_area, subscription=True),
    Audience("watch_area_owner", _l("The watch area's owner"), "watch_areas", _watch_area_owner, scope="payload"),
    Audience("org_admins", _l("Organization admins (members who manage settings)"), "organization",
             _members("manage_settings"), scope="organization", staff_only=True),
    Audience("inbound_triagers", _l("Members who see the Inbound Messages queue"), "organization",
             _members("view_inbound_messages"), scope="organization", staff_only=True),
    Audience("payload_user", _l("The person the event is about (account, follow)"), "account", _payload_user,
             scope="payload"),
    Audience("org_general_address", _l("The organization's general address (and its CC)"), "routing",
             _general_address, scope="organization", addresses_only=True),
    Audience("payload_address", _l("The address the event names (the triage catch-all)"), "routing",
             _payload_address, scope="payload", addresses_only=True),
)}

# Preference groups a user sees in /me/preferences; `editable=False` groups are not theirs to mute.
GROUPS: dict[str, tuple[str, bool]] = {
    "my_requests": (_l("Requests I reported"), True),
    "following": (_l("Requests I follow"), True),
    "watch_areas": (_l("My watch areas"), True),
    "assigned": (_l("Work assigned to me"), True),
    "mentions": (_l("When someone @mentions me"), True),
    "organization": (_l("Organization alerts"), True),
    "account": (_l("Account and security emails"), False),
    "routing": (_l("Addresses an organization configured"), False),
}

# Why an email or an in-app notification reached someone, per audience ("{org}" is the organization's
# name). Plain msgids in both catalogues: the inbox translates them with the pages' gettext, an email
# with its recipient's `emails` catalogue (emails/i18n.py: translate).
REASONS: dict[str, str] = {
    "reporter": shared_text("you reported this request"),
    "followers": shared_text("you follow this request"),
    "assignee": shared_text("this request is assigned to you"),
    "category_auto_assignee": shared_text("you are the automatic assignee of this request's category at {org}"),
    "category_routing": shared_text("{org} routes requests of this category to this address"),
    "escalate_to": shared_text("{org} escalates overdue requests of this category to this address"),
    "mentioned": shared_text("you were mentioned in a comment"),
    "work_order_assignee": shared_text("this work order is assigned to you"),
    "watch_area": shared_text("this request is inside a watch area you own or follow"),
    "watch_area_owner": shared_text("you created this watch area"),
    "org_admins": shared_text("you are an administrator of {org}"),
    "inbound_triagers": shared_text("you triage the inbound messages of {org}"),
    "payload_user": shared_text("this is about your account"),
    "org_general_address": shared_text("this is the address {org} set for new inbound message notices"),
    "payload_address": shared_text("{org} copies the messages it triages to this address"),
}
