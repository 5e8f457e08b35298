"""What every staff page shares: who is looking, with which permissions, and time input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l

from app.accounts import organizations
from app.accounts.models import Organization, User
from app.extensions import db
from app.portal.access import staff_page, viewer_permissions


@dataclass(frozen=True)
class Tab:
    endpoint: str
    label: str
    permission: str
    section: str  # endpoints starting with this belong to the tab
    current: bool = False


# The portal's sections, in order, and the permission each needs.
STAFF_TABS = (
    Tab("staff.dashboard", _l("Dashboard"), "view_requests", "staff.dashboard"),
    Tab("staff.queue", _l("Requests"), "view_requests", "staff.request"),
    Tab("staff.inbound_messages", _l("Inbound messages"), "view_inbound_messages", "staff.inbound"),
    Tab("staff.work_orders", _l("Work orders"), "view_requests", "staff.work_order"),
    Tab("staff.statistics_page", _l("Statistics"), "view_requests", "staff.statistics"),
    Tab("staff.categories_page", _l("Categories"), "manage_settings", "staff.categor"),
    Tab("staff.settings", _l("Email and settings"), "manage_settings", "staff.setting"),
    Tab("staff.automations", _l("Automations"), "manage_settings", "staff.automation"),
    Tab("staff.api_keys", _l("API keys"), "manage_settings", "staff.api_key"),
    Tab("staff.sso_settings", _l("Single sign-on"), "manage_settings", "staff.sso_settings"),
    Tab("staff.members", _l("Members"), "manage_members", "staff.members"),
    Tab("staff.email_log", _l("Email log"), "view_email_log", "staff.email_log"),
    Tab("staff.retention_settings", _l("Retention"), "manage_settings", "staff.retention"),
    Tab("staff.audit_trail", _l("Audit trail"), "manage_members", "staff.audit"),
)


def staff_tabs(permissions: set[str]) -> list[Tab]:
    """The sections this viewer may open (and that exist), the current one marked."""
    endpoint = request.endpoint or ""
    current = max((tab for tab in STAFF_TABS if endpoint.startswith(tab.section) or endpoint == tab.endpoint),
                  key=lambda tab: len(tab.section), default=None)
    return [Tab(tab.endpoint, tab.label, tab.permission, tab.section, tab is current)
            for tab in STAFF_TABS
            if tab.permission in permissions and tab.endpoint in current_app.view_functions]


def render_staff(template: str, org: Organization, user: User, code: int = 200, **context):
    """A staff page: the template sees the organization, the viewer's permissions and tabs."""
    permissions = viewer_permissions(user, org)
    return render_template(template, org=org, permissions=permissions, staff_tabs=staff_tabs(permissions),
                           **context), code


def members_by_name(org: Organization) -> list[User]:
    """The organization's members, by name (for assignee choices)."""
    return [membership.user for membership in db.session.scalars(organizations.members_query(org)).unique()]


def member_choices(org: Organization, empty: str = _l("Nobody")) -> list[tuple[str, str]]:
    return [("", empty)] + [(str(user.id), user.name or user.email) for user in members_by_name(org)]


def local_to_utc(value: datetime | None, org: Organization) -> datetime | None:
    """A wall-clock time typed in the organization's time zone, as an aware UTC instant."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(org.timezone)).astimezone(UTC)


def utc_to_local(value: datetime | None, org: Organization) -> datetime | None:
    """An instant as the organization's wall-clock time, for a datetime-local field."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(org.timezone)).replace(tzinfo=None)


__all__ = ["staff_page", "render_staff", "members_by_name", "member_choices", "local_to_utc", "utc_to_local"]
