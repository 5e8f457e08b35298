"""The named permissions an organization role can hold, and the default roles."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "manage_members": "Invite members and change their roles",
    "manage_settings": "Edit categories, SLAs, routing, templates and API keys",
    "view_requests": "See every request of the organization, internal comments included",
    "edit_requests": "Acknowledge, assign, recategorize, set due dates, close and reopen",
    "comment_internal": "Post internal comments",
    "manage_work_orders": "Create and update work orders",
    "view_inbound_messages": "See the Inbound Messages queue",
    "modify_inbound_message_status": "Act on Inbound Messages: create, attach, close, delete",
    "view_email_log": "See the organization's incoming and outgoing email log",
}

DEFAULT_ROLES: dict[str, tuple[str, ...]] = {
    "admin": tuple(PERMISSIONS),
    "staff": (
        "view_requests",
        "edit_requests",
        "comment_internal",
        "manage_work_orders",
        "view_inbound_messages",
        "modify_inbound_message_status",
    ),
    "viewer": ("view_requests",),
}
