"""Audiences: who a matrix row names, each a SELECT of (user_id, address) for one event.

Every builder returns a statement with exactly two columns, `user_id` (NULL for an outside
address) and `address` (NULL means the user's own email), so the fan-out can UNION ALL
them into one set-based recipient query. `staff_only` audiences are organization members
by nature; `subscription` audiences get List-Unsubscribe (they chose to hear, and may stop).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Integer, Text, cast, func, literal, null, select
from sqlalchemy.dialects.postgresql import ARRAY, array

from app.accounts.models import Membership, Organization, Permission, role_permissions
from app.notify.models import OrganizationNotificationSettings
from app.requests.models import Follower, RequestCategory, ServiceRequest
from app.watch.lookup import watch_area_subscribers
from app.watch.models import WatchArea
from app.work.models import WorkOrder


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

    def payload_int(self, key: str) -> int | None:
        value = self.payload.get(key)
        return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


@dataclass(frozen=True)
class Audience:
    name: str
    label: str
    group: str  # the preference group (see GROUPS) a user in this audience is governed by
    build: Callable[[EventContext], object]
    scope: str = "request"  # what it needs: "request", "organization", or the event's own "payload"
    staff_only: bool = False
    subscription: bool = False
    addresses_only: bool = False  # outside addresses: only channels that reach an address


def _users(column):
    return select(column.label("user_id"), cast(null(), Text).label("address"))


def _addresses(column):
    return select(cast(null(), Integer).label("user_id"), cast(column, Text).label("address"))


def members_with(organization_id: int | None, permission: str):
    """SELECT user_id of the organization's members whose role holds `permission`."""
    return (
        select(Membership.user_id)
        .join(role_permissions, role_permissions.c.role_id == Membership.role_id)
        .join(Permission, Permission.id == role_permissions.c.permission_id)
        .where(Membership.organization_id == organization_id, Permission.name == permission)
    )


def _request_column(column):
    return lambda ctx: _users(column).where(ServiceRequest.id == ctx.request_id)


def _assignee(ctx: EventContext):
    # request.assigned names the new assignee; a later reassignment must not steal the notice.
    named = ctx.payload_int("assignee_id")
    if ctx.kind == "request.assigned" and named is not None:
        return _users(literal(named, Integer))
    return _users(ServiceRequest.assignee_id).where(ServiceRequest.id == ctx.request_id)


def _category_column(column, users: bool):
    def build(ctx: EventContext):
        base = _users(column) if users else _addresses(column)
        return base.where(RequestCategory.id == ctx.category_id)
    return build


def _routing(ctx: EventContext):
    address = func.unnest(RequestCategory.routing_emails)
    return _addresses(address).where(RequestCategory.id == ctx.category_id)


def _followers(ctx: EventContext):
    return _users(Follower.user_id).where(Follower.request_id == ctx.request_id)


def _mentioned(ctx: EventContext):
    ids = [int(i) for i in ctx.payload.get("mentioned_user_ids") or [] if str(i).isdigit()]
    mentioned = func.unnest(cast(ids, ARRAY(Integer))).table_valued("user_id").render_derived()
    # Only members who may read the request can be summoned to it.
    return _users(mentioned.c.user_id).where(
        mentioned.c.user_id.in_(members_with(ctx.organization_id, "view_requests")))


def _work_order_assignee(ctx: EventContext):
    named = ctx.payload_int("assignee_id")
    if ctx.kind == "work_order.assigned" and named is not None:
        return _users(literal(named, Integer))
    return _users(WorkOrder.assignee_id).where(WorkOrder.id == ctx.payload_int("work_order_id"))


def _watch_area(ctx: EventContext):
    subscribers = watch_area_subscribers(ctx.request_id).subquery("watch_subscribers")
    return _users(subscribers.c.user_id)


def _watch_area_owner(ctx: EventContext):
    return _users(WatchArea.owner_id).where(WatchArea.id == ctx.payload_int("watch_area_id"))


def _payload_user(ctx: EventContext):
    # account.confirm_email names the address to confirm, which may not be the current one.
    address = ctx.payload.get("email") if ctx.kind == "account.confirm_email" else None
    return select(literal(ctx.payload_int("user_id"), Integer).label("user_id"),
                  literal(address, Text).label("address"))


def _members(permission: str):
    return lambda ctx: _users(members_with(ctx.organization_id, permission).subquery().c.user_id)


def _general_address(ctx: EventContext):
    settings = OrganizationNotificationSettings
    to = func.coalesce(settings.inbound_notice_to, Organization.general_email)
    both = func.unnest(array([cast(to, Text), cast(settings.inbound_notice_cc, Text)]))
    return (
        _addresses(both)
        .select_from(Organization)
        .outerjoin(settings, settings.organization_id == Organization.id)
        .where(Organization.id == ctx.organization_id)
    )


AUDIENCES: dict[str, Audience] = {a.name: a for a in (
    Audience("reporter", "The reporter of the request", "my_requests",
             _request_column(ServiceRequest.reporter_id), subscription=True),
    Audience("followers", "Followers of the request", "following", _followers, subscription=True),
    Audience("assignee", "The request's assignee", "assigned", _assignee, staff_only=True),
    Audience("category_auto_assignee", "The category's automatic assignee", "assigned",
             _category_column(RequestCategory.auto_assignee_id, users=True), staff_only=True),
    Audience("category_routing", "The category's routing addresses", "routing", _routing,
             addresses_only=True),
    Audience("escalate_to", "The category's escalation address", "routing",
             _category_column(RequestCategory.escalate_to_email, users=False), addresses_only=True),
    Audience("mentioned", "Staff @mentioned in the comment", "mentions", _mentioned, scope="payload",
             staff_only=True),
    Audience("work_order_assignee", "The work order's assignee", "assigned", _work_order_assignee,
             scope="payload", staff_only=True),
    Audience("watch_area", "Owners and followers of watch areas around the request", "watch_areas",
             _watch_area, subscription=True),
    Audience("watch_area_owner", "The watch area's owner", "watch_areas", _watch_area_owner, scope="payload"),
    Audience("org_admins", "Organization admins (members who manage settings)", "organization",
             _members("manage_settings"), scope="organization", staff_only=True),
    Audience("inbound_triagers", "Members who see the Inbound Messages queue", "organization",
             _members("view_inbound_messages"), scope="organization", staff_only=True),
    Audience("payload_user", "The person the event is about (account, follow)", "account", _payload_user,
             scope="payload"),
    Audience("org_general_address", "The organization's general address (and its CC)", "routing",
             _general_address, scope="organization", addresses_only=True),
)}

# Preference groups a user sees in /me/preferences; `editable=False` groups are not theirs to mute.
GROUPS: dict[str, tuple[str, bool]] = {
    "my_requests": ("Requests I reported", True),
    "following": ("Requests I follow", True),
    "watch_areas": ("My watch areas", True),
    "assigned": ("Work assigned to me", True),
    "mentions": ("When someone @mentions me", True),
    "organization": ("Organization alerts", True),
    "account": ("Account and security emails", False),
    "routing": ("Addresses an organization configured", False),
}

# Why an email reached someone, per audience ("{org}" is the organization's name).
REASONS: dict[str, str] = {
    "reporter": "you reported this request",
    "followers": "you follow this request",
    "assignee": "this request is assigned to you",
    "category_auto_assignee": "you are the automatic assignee of this request's category at {org}",
    "category_routing": "{org} routes requests of this category to this address",
    "escalate_to": "{org} escalates overdue requests of this category to this address",
    "mentioned": "you were mentioned in a comment",
    "work_order_assignee": "this work order is assigned to you",
    "watch_area": "this request is inside a watch area you own or follow",
    "watch_area_owner": "you created this watch area",
    "org_admins": "you are an administrator of {org}",
    "inbound_triagers": "you triage the inbound messages of {org}",
    "payload_user": "this is about your account",
    "org_general_address": "this is the address {org} set for new inbound message notices",
}
