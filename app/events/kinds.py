"""Every event kind the platform records, with the payload each carries.

This catalogue is the contract between the domain services that record events and the
notification engine that consumes them. Request events carry request_id, organization_id
and actor_id on the Event row itself; the payload adds what the row does not say.
"""

from __future__ import annotations

EVENT_KINDS: dict[str, str] = {
    # Requests (organization side of the SeeClickFix matrix, and resident side)
    "request.submitted": "{}",
    "request.assigned": "{assignee_id, previous_assignee_id}",
    "request.recategorized": "{category_id, previous_category_id}",
    "request.acknowledged": "{}",
    "request.closed": "{by_reporter: bool, comment_id | null}",
    "request.reopened": "{by_reporter: bool}",
    "request.comment_public": "{comment_id}",
    "request.comment_internal": "{comment_id, mentioned_user_ids: [int]}",
    "request.due_date_changed": "{due_at | null, previous_due_at | null}",
    "request.followed": "{user_id}",
    "request.attachment_added": "{attachment_id}",
    "request.archived": "{}",
    # Staff hid (or showed again) the reporter's name; on the staff timeline only.
    "request.anonymity_changed": "{anonymous: bool}",
    # Duplicates and support (app/requests/duplicates.py)
    "request.supported": "{user_id}",
    "request.merged": "{into_id, into_public_id, moved_followers}",
    # Work (SLAs and work orders)
    "request.sla_breached": "{sla_due_at, breach_id}",
    "work_order.assigned": "{work_order_id, assignee_id}",
    "work_order.due_changed": "{work_order_id, due_at | null, previous_due_at | null}",
    "work_order.overdue": "{work_order_id, due_at}",
    # Timeline-only work-order changes (no one is notified by default).
    "work_order.created": "{work_order_id}",
    "work_order.status_changed": "{work_order_id, status, previous_status}",
    "work_order.updated": "{work_order_id, fields: [str]}",
    # Watch areas
    "watch_area.created": "{watch_area_id}",
    "watch_area.followed": "{watch_area_id, user_id}",
    "watch_area.unfollowed": "{watch_area_id, user_id}",
    "watch_area.updated": "{watch_area_id, changed: [field names]}",
    "watch_area.deleted": "{watch_area_id}",
    # Accounts (organization_id set for invitations). Links are signed when the mail is rendered.
    "account.confirm_email": "{user_id, email}",
    "account.password_reset": "{user_id}",
    "account.invited_new": "{user_id}",
    "account.invited_existing": "{user_id}",
    # A logged-in resident asked for an emailed link that confirms deleting their account.
    "account.deletion_requested": "{user_id}",
    # Accounts and organizations, audit only (no notification): the timeline of who changed what.
    "account.email_confirmed": "{user_id, email, primary: bool}",
    "account.password_changed": "{user_id, purpose: 'reset' | 'set'}",
    "account.profile_updated": "{user_id, fields: [str]}",
    "account.alias_removed": "{user_id, email}",
    "membership.role_changed": "{user_id, role, previous_role}",
    "membership.removed": "{user_id, previous_role}",
    "role.saved": "{role_id, name, permissions: [str], created: bool}",
    # Automations (app/automations/): an email template sent to one audience of the matrix.
    "automation.email": "{automation_id, template, audience}",
    # Inbound email triage
    "inbound.message_received": "{inbound_message_id}",
    # Copy of a triaged message for the organization's settings["triage_catch_all"] address.
    "inbound.catch_all_copy": "{inbound_message_id, email}",
    # Staff actions on the triage queue (their audit trail; actor_id on the row).
    "inbound.message_status_changed": "{inbound_message_id, status, previous_status}",
    "inbound.message_linked": "{inbound_message_id, request_id}",
    "inbound.message_deleted": "{inbound_message_id, reason}",
}
