"""What an automation may trigger on and do, as tables, and the check of a rule against them.

A trigger is an event kind of a request (the catalogue in app/events/kinds.py), optionally
narrowed by the request's category, by its status when the run falls due, and by a delay
(minutes, real time or business hours of the organization's calendar): "closed for 3 days" is
trigger `request.closed`, status `closed`, 4320 minutes; "unacknowledged for 2 business hours"
is trigger `request.submitted`, status `open`, 120 minutes in business hours.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Organization, User
from app.errors import ValidationFailed
from app.events.kinds import EVENT_KINDS
from app.extensions import db
from app.notify.audiences import AUDIENCES
from app.notify.models import EmailTemplate
from app.notify.templates import TEMPLATE_KINDS
from app.requests import policy
from app.requests.models import RequestCategory, RequestStatus

# Events about one request; automations act on that request. Automations' own kinds are never triggers.
TRIGGER_KINDS: tuple[str, ...] = tuple(
    kind for kind in EVENT_KINDS if kind.startswith("request.") and kind != "request.archived")
CONDITION_STATUSES = (RequestStatus.OPEN.value, RequestStatus.ACKNOWLEDGED.value, RequestStatus.CLOSED.value)
# The statuses an action may move a request to, and the requests service function that does it.
STATUS_TARGETS = {"acknowledged": "acknowledge", "closed": "close", "open": "reopen"}
# Audiences an automation's email may go to: those defined by the request or the organization.
EMAIL_AUDIENCES = tuple(name for name, a in AUDIENCES.items() if a.scope in ("request", "organization"))
MAX_DELAY_MINUTES = 366 * 24 * 60
MAX_ACTIONS = 10


@dataclass(frozen=True)
class ActionType:
    label: str
    fields: tuple[str, ...]  # what the action takes (besides "type")


ACTIONS: dict[str, ActionType] = {
    "message": ActionType("Insert a message into the request (public or internal), from a template",
                          ("visibility", "body")),
    "email": ActionType("Send an email template to an audience of the notification matrix", ("template", "audience")),
    "assign": ActionType("Assign the request to a member", ("assignee_id",)),
    "set_due": ActionType("Set the due date, so many hours from the run", ("hours", "business_hours")),
    "status": ActionType("Change the status", ("to",)),
}


def _problem(index: int, field: str, message: str) -> ValidationFailed:
    return ValidationFailed(_("Action %(number)s: %(message)s", number=index + 1, message=message), {"json": {"actions": {str(index): {field: [message]}}}})


def template_exists(organization: Organization, key: str) -> bool:
    """A built-in template kind, or one of the organization's own (custom.<key>)."""
    if key in TEMPLATE_KINDS:
        return True
    return db.session.scalar(select(EmailTemplate.event_kind).where(
        EmailTemplate.organization_id == organization.id, EmailTemplate.event_kind == key)) is not None


def check_action(organization: Organization, index: int, action: dict) -> dict:
    """The action, checked against ACTIONS and the organization's data; 422 naming the field otherwise."""
    kind = action.get("type")
    if kind not in ACTIONS:
        raise _problem(index, "type", _("Choose one of %(choices)s.", choices=", ".join(ACTIONS)))
    unknown = set(action) - {"type", *ACTIONS[kind].fields}
    if unknown:
        raise _problem(index, sorted(unknown)[0], _("Unknown field for this action."))
    if kind == "message":
        if action.get("visibility") not in ("public", "internal"):
            raise _problem(index, "visibility", _("public or internal."))
        if not isinstance(action.get("body"), str) or not action["body"].strip():
            raise _problem(index, "body", _("Write the message (a template: {{ request.public_id }} and so on)."))
        from app.automations.messages import check_message

        check_message(organization, action["body"], lambda reason: _problem(index, "body", reason))
    elif kind == "email":
        if not isinstance(action.get("template"), str) or not template_exists(organization, action["template"]):
            raise _problem(index, "template", _("No such email template here (POST /templates makes one)."))
        if action.get("audience") not in EMAIL_AUDIENCES:
            raise _problem(index, "audience", _("Choose one of %(choices)s.", choices=", ".join(EMAIL_AUDIENCES)))
    elif kind == "assign":
        user = db.session.get(User, action.get("assignee_id")) if isinstance(action.get("assignee_id"), int) else None
        if user is None or "edit_requests" not in policy.permissions_of(user, organization.id):
            raise _problem(index, "assignee_id", _("Not a member here who may handle requests."))
    elif kind == "set_due":
        hours = action.get("hours")
        if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 24 * 366:
            raise _problem(index, "hours", _("Hours from the run, more than 0 and at most a year."))
        if not isinstance(action.get("business_hours", False), bool):
            raise _problem(index, "business_hours", _("true or false."))
    elif kind == "status" and action.get("to") not in STATUS_TARGETS:
        raise _problem(index, "to", _("Choose one of %(choices)s.", choices=", ".join(STATUS_TARGETS)))
    return action


def check_rule(organization: Organization, fields: dict) -> dict:
    """Validate a rule's trigger, conditions and actions for the organization; returns the fields."""
    def refuse(field: str, message: str):
        raise ValidationFailed(message, {"json": {field: [message]}})

    if "trigger_kind" in fields and fields["trigger_kind"] not in TRIGGER_KINDS:
        refuse("trigger_kind", _("Choose one of %(choices)s.", choices=", ".join(TRIGGER_KINDS)))
    if fields.get("category_id") is not None:
        category = db.session.get(RequestCategory, fields["category_id"])
        if category is None or category.organization_id != organization.id:
            refuse("category_id", _("No category %(id)s in %(organization)s.", id=fields["category_id"],
                                          organization=organization.slug))
    if fields.get("status") is not None and fields["status"] not in CONDITION_STATUSES:
        refuse("status", _("Choose one of %(choices)s.", choices=", ".join(CONDITION_STATUSES)))
    if "actions" in fields:
        if not fields["actions"] or len(fields["actions"]) > MAX_ACTIONS:
            refuse("actions", _("Between 1 and %(most)s actions.", most=MAX_ACTIONS))
        fields["actions"] = [check_action(organization, i, dict(a)) for i, a in enumerate(fields["actions"])]
    return fields
