"""An organization's automations: list, create, change, delete, their run log; custom email templates.

Everything here needs `manage_settings` in the organization. The critical automation (OneDesk:
"a new message on a request notifies all the followers of the item"; customer replies to
everyone following, internal messages to users only) is listed first in every organization. The
engine does not run it: the notification matrix's rows `app/notify/matrix.py: CRITICAL_ROWS` do
(public messages to the request's followers, internal ones to its staff followers only), and
those rows cannot be turned off (their kinds are not switchable) or narrowed by a category. Its
message is the organization's `request.comment_public` email template, the email those
followers get; editing it here edits that template. It cannot be disabled or deleted (409
`critical_automation`, with the reason).
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from app.accounts.models import Organization, User
from app.automations.models import Automation, AutomationRun
from app.automations.rules import check_rule
from app.errors import ApiError, Conflict, NotFound, ValidationFailed
from app.events.models import Event
from app.extensions import db
from app.notify import templates
from app.notify.models import EmailDelivery, EmailTemplate
from app.pagination import paginate
from app.requests import policy
from app.transactions import unit_of_work

PERMISSION = "manage_settings"
CRITICAL_NAME = "A new message on a request notifies its followers"
CRITICAL_TEMPLATE = "request.comment_public"
CUSTOM_PREFIX = "custom."
EDITABLE = ("name", "trigger_kind", "category_id", "status", "delay_minutes", "business_hours", "actions", "enabled")


class CriticalAutomation(ApiError):
    status = 409
    code = "critical_automation"


def _allowed(organization: Organization, actor: User | None) -> None:
    policy.require_permission(organization, actor, PERMISSION)


def ensure_critical(organization: Organization) -> None:
    """The organization's critical automation row exists (made on first sight, once: a unique index)."""
    db.session.execute(insert(Automation).values(
        organization_id=organization.id, name=CRITICAL_NAME, trigger_kind="request.comment_public",
        actions=[{"type": "notify_followers", "template": CRITICAL_TEMPLATE}], critical=True, enabled=True)
        .on_conflict_do_nothing(index_elements=["organization_id"], index_where=Automation.critical))


def view(organization: Organization, automation: Automation) -> dict:
    """An automation as the API shows it (the critical one with its message)."""
    shown = {name: getattr(automation, name) for name in ("id", "critical", *EDITABLE, "created_at", "updated_at")}
    shown["message"] = templates.template_view(organization, CRITICAL_TEMPLATE)["text"] if automation.critical else None
    return shown


@unit_of_work()
def list_automations(organization: Organization, actor: User | None) -> list[dict]:
    _allowed(organization, actor)
    ensure_critical(organization)
    rows = db.session.scalars(select(Automation).where(Automation.organization_id == organization.id)
                              .order_by(Automation.critical.desc(), Automation.id))
    return [view(organization, row) for row in rows]


def get_automation(organization: Organization, actor: User | None, automation_id: int) -> Automation:
    _allowed(organization, actor)
    automation = db.session.get(Automation, automation_id)
    if automation is None or automation.organization_id != organization.id:
        raise NotFound(_("No automation %(automation_id)s.", automation_id=automation_id), {"id": automation_id})
    return automation


@unit_of_work()
def create(organization: Organization, actor: User | None, fields: dict) -> dict:
    """A new rule (checked against app/automations/rules.py); it acts on events from now on."""
    _allowed(organization, actor)
    fields = check_rule(organization, dict(fields))
    automation = Automation(organization_id=organization.id, created_by_id=actor.id, **fields)
    db.session.add(automation)
    db.session.flush()
    return view(organization, automation)


@unit_of_work()
def update(organization: Organization, actor: User | None, automation_id: int, fields: dict) -> dict:
    """Change the given fields; the critical automation takes only its message."""
    automation = get_automation(organization, actor, automation_id)
    if automation.critical:
        changed = set(fields) - {"message"}
        if changed:
            raise CriticalAutomation(_("This automation is critical: only its message can change; it cannot be "
                                     "disabled."), {"fields": sorted(changed)})
        if fields.get("message") is not None:
            _save_critical_message(organization, actor, fields["message"])
        return view(organization, automation)
    if "message" in fields:
        raise ValidationFailed(_("Only the critical automation has a message; use a message action."),
                               {"json": {"message": [_("Only the critical automation has a message.")]}})
    for name, value in check_rule(organization, dict(fields)).items():
        setattr(automation, name, value)
    db.session.flush()
    return view(organization, automation)


def _save_critical_message(organization: Organization, actor: User, message: str) -> None:
    """The message is both parts of the followers' email (the HTML part shows the same text), its
    subject as the organization set it: what the staff page shows is what followers read."""
    saved = db.session.get(EmailTemplate, (organization.id, CRITICAL_TEMPLATE))
    templates.save_template(organization, CRITICAL_TEMPLATE, actor, {
        "subject": saved.subject if saved else None, "text": message,
        "html": f'<div style="white-space: pre-wrap">{message}</div>'})


@unit_of_work()
def delete(organization: Organization, actor: User | None, automation_id: int) -> None:
    automation = get_automation(organization, actor, automation_id)
    if automation.critical:
        raise CriticalAutomation(_("This automation is critical and cannot be deleted."), {"id": automation_id})
    db.session.delete(automation)


def runs_page(organization: Organization, actor: User | None, automation_id: int, page: int, per_page: int) -> dict:
    """The automation's run log, newest first, each run with the emails its events caused and their outcome."""
    automation = get_automation(organization, actor, automation_id)
    found = paginate(select(AutomationRun).where(AutomationRun.automation_id == automation.id)
                     .order_by(AutomationRun.id.desc()), page, per_page)
    run_ids = [run.id for run in found["items"]]
    emails: dict[int, list[dict]] = {}
    if run_ids:
        rows = db.session.execute(
            select(Event.automation_run_id, EmailDelivery.email, EmailDelivery.status, EmailDelivery.smtp_reply)
            .join(EmailDelivery, EmailDelivery.event_id == Event.id)
            .where(Event.automation_run_id.in_(run_ids)).order_by(EmailDelivery.id))
        for run_id, email, status, reply in rows:
            emails.setdefault(run_id, []).append({"email": email, "status": status, "smtp_reply": reply})
    found["items"] = [{"id": r.id, "event_id": r.event_id, "request_id": r.request_id, "due_at": r.due_at,
                       "status": r.status, "ran_at": r.ran_at, "log": r.log, "attempts": r.attempts,
                       "error": r.error, "emails": emails.get(r.id, [])}
                      for r in found["items"]]
    return found


@unit_of_work()
def create_template(organization: Organization, actor: User | None, fields: dict) -> dict:
    """An organization's own email template `custom.<key>`, checked by the same sandbox as every template."""
    _allowed(organization, actor)
    key = CUSTOM_PREFIX + fields["key"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,55}", fields["key"]):
        raise ValidationFailed(_("Use lower-case letters, digits, '_' or '-'."), {"json": {"key": [_("Use lower-case "
                               "letters, digits, '_' or '-'.")]}})
    exists = db.session.scalar(select(func.count()).select_from(EmailTemplate).where(
        EmailTemplate.organization_id == organization.id, EmailTemplate.event_kind == key))
    if exists:
        raise Conflict(_("%(slug)s already has a template %(key)s.", slug=organization.slug, key=repr(key)), {"key": fields["key"]})
    templates.validate_custom(organization, key, fields)
    db.session.add(EmailTemplate(organization_id=organization.id, event_kind=key, name=fields["name"],
                                 subject=fields["subject"], text_body=fields["text"],
                                 html_body=fields.get("html"), updated_by_id=actor.id))
    return {**templates.template_view(organization, key), "name": fields["name"]}


def custom_templates(organization: Organization) -> list[EmailTemplate]:
    """The organization's own templates, for the automations' email actions."""
    return list(db.session.scalars(select(EmailTemplate).where(
        EmailTemplate.organization_id == organization.id, EmailTemplate.event_kind.startswith(CUSTOM_PREFIX))
        .order_by(EmailTemplate.name)))
