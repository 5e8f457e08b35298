"""Automations in the staff settings: the list (the critical one first, its message editable), new
rules and edits with as many actions as the API takes (rows added and removed by the form's own
buttons, so without JavaScript too), turning rules on and off, deleting them, their run log, and custom email
templates. Every change is one call of app.automations.service, the same as the API's."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from app.automations import service
from app.automations.rules import ACTIONS, EMAIL_AUDIENCES, MAX_ACTIONS, TRIGGER_KINDS
from app.errors import ApiError
from app.notify.audiences import AUDIENCES
from app.notify.templates import TEMPLATE_KINDS
from app.portal.forms import ActionForm, apply_service_error
from app.portal.refusals import attempt, attempt_then_redirect, flash_refusal
from app.portal.staff.blueprint import bp
from app.portal.staff.common import member_choices, render_staff, staff_page
from app.portal.staff.forms import AutomationForm, CriticalMessageForm, CustomTemplateForm
from app.requests import categories

MANAGE = "manage_settings"


# Which fields of an action row each action type takes (the rest of the row is ignored).
ROW_FIELDS = {name: action.fields for name, action in ACTIONS.items()}


def _rule_form(organization, user, form=None, automation=None) -> AutomationForm:
    if form is None:
        form = AutomationForm(data=_rule_data(automation)) if automation is not None else AutomationForm()
    form.trigger_kind.choices = [(kind, kind) for kind in TRIGGER_KINDS]
    form.category_id.choices = [("", _("Any category"))] + [
        (str(c.id), c.name) for c in categories.list_for_staff(organization, user)]
    templates = [(t.event_kind, t.name or t.event_kind) for t in service.custom_templates(organization)] \
        + [(kind, kind) for kind in TEMPLATE_KINDS]
    audiences = [(name, AUDIENCES[name].label) for name in EMAIL_AUDIENCES]
    members = member_choices(organization)[1:]  # an automation assigns to a member (none: refused)
    for row in form.actions:
        row.form.template.choices, row.form.audience.choices = templates, audiences
        row.form.assignee_id.choices = members
    return form


def _rule_data(automation) -> dict:
    """An automation as the form's data (its actions as rows)."""
    return {"name": automation.name, "trigger_kind": automation.trigger_kind, "category_id": automation.category_id,
            "status": automation.status or "", "delay_minutes": automation.delay_minutes,
            "business_hours": automation.business_hours, "actions": [dict(a) for a in automation.actions]}


def _rule_fields(form: AutomationForm) -> dict:
    actions = []
    for row in form.actions:
        kind = row.form.type.data
        actions.append({"type": kind, **{name: row.form[name].data for name in ROW_FIELDS[kind]}})
        if kind == "message":
            actions[-1]["body"] = actions[-1]["body"] or ""
    return {"name": form.name.data, "trigger_kind": form.trigger_kind.data, "category_id": form.category_id.data,
            "status": form.status.data or None, "delay_minutes": form.delay_minutes.data,
            "business_hours": form.business_hours.data, "actions": actions}


def _rows_changed(organization, user, form: AutomationForm) -> AutomationForm | None:
    """The same form with a row added or removed, if that is what was asked; None for a save."""
    data = form.data
    rows = data["actions"]
    removed = [i for i, row in enumerate(form.actions) if row.form.remove.data]
    if removed:
        del rows[removed[0]]
        if not rows:
            rows.append({})
    elif form.add_action.data:
        if len(rows) >= MAX_ACTIONS:
            form.add_action.errors = [_("An automation takes at most %(count)s actions.", count=MAX_ACTIONS)]
            return form
        rows.append({"type": "message", "visibility": "internal"})
    else:
        return None
    return _rule_form(organization, user, AutomationForm(formdata=None, data=data))


@bp.get("/<org>/automations")
def automations(org: str, rule_form=None, template_form=None, message_form=None, code: int = 200):
    organization, user = staff_page(org, MANAGE)
    rules = service.list_automations(organization, user)
    critical = rules[0]
    return render_staff("staff/automations.html", organization, user, code, rules=rules,
                        rule_form=_rule_form(organization, user, rule_form), action_form=ActionForm(),
                        template_form=template_form or CustomTemplateForm(),
                        message_form=message_form or CriticalMessageForm(message=critical["message"]),
                        critical=critical, templates=service.custom_templates(organization))


def _show_rule_refusal(form: AutomationForm):
    """A refused rule: its fields' problems beside them, an action's beside that row's fields."""
    def show(exc: ApiError) -> None:
        if exc.status != 422:
            flash_refusal(exc)
            return
        problems = (exc.details.get("json") or {}).get("actions") or {}
        if isinstance(problems, dict):
            rows = form.actions.entries
            for index, fields in problems.items():
                row = rows[int(index)].form if str(index).isdigit() and int(index) < len(rows) else None
                for name, messages in (fields.items() if isinstance(fields, dict) else [("type", fields)]):
                    target = row._fields.get(name, row.type) if row is not None else form.add_action
                    target.errors = list(target.errors) + (messages if isinstance(messages, list) else [messages])
        if not problems:
            apply_service_error(form, exc)
    return show


@bp.post("/<org>/automations")
def create_automation(org: str):
    organization, user = staff_page(org, MANAGE)
    form = _rule_form(organization, user)
    changed = _rows_changed(organization, user, form)
    if changed is not None:
        return automations(org, rule_form=changed)
    if not form.validate_on_submit():
        return automations(org, rule_form=form, code=422)
    created = attempt(lambda: service.create(organization, user, _rule_fields(form)), show=_show_rule_refusal(form))
    if not created:
        if created.refusal.status == 422:
            return automations(org, code=422, rule_form=form)
        return redirect(url_for("staff.automations", org=org))
    flash(_("Automation saved: it acts on what happens from now on."))
    return redirect(url_for("staff.automations", org=org))


def _edit_page(organization, user, automation, form, code: int = 200):
    return render_staff("staff/automation_edit.html", organization, user, code, automation=automation, rule_form=form)


@bp.get("/<org>/automations/<int:automation_id>/edit")
def edit_automation(org: str, automation_id: int):
    organization, user = staff_page(org, MANAGE)
    automation = service.get_automation(organization, user, automation_id)
    if automation.critical:  # its message is edited on the list page; nothing else of it changes
        return redirect(url_for("staff.automations", org=org, _anchor="critical-heading"))
    return _edit_page(organization, user, automation, _rule_form(organization, user, automation=automation))


@bp.post("/<org>/automations/<int:automation_id>/edit")
def update_automation(org: str, automation_id: int):
    organization, user = staff_page(org, MANAGE)
    automation = service.get_automation(organization, user, automation_id)
    form = _rule_form(organization, user)
    changed = _rows_changed(organization, user, form)
    if changed is not None:
        return _edit_page(organization, user, automation, changed)
    if not form.validate_on_submit():
        return _edit_page(organization, user, automation, form, 422)
    updated = attempt(lambda: service.update(organization, user, automation_id, _rule_fields(form)),
                      show=_show_rule_refusal(form))
    if not updated:
        if updated.refusal.status == 422:
            return _edit_page(organization, user, service.get_automation(organization, user, automation_id), form, 422)
        return redirect(url_for("staff.automations", org=org))
    flash(_("Automation saved."))
    return redirect(url_for("staff.automations", org=org))


@bp.post("/<org>/automations/<int:automation_id>/toggle")
def toggle_automation(org: str, automation_id: int):
    organization, user = staff_page(org, MANAGE)
    ActionForm().validate_on_submit()
    current = attempt(lambda: service.get_automation(organization, user, automation_id))
    if current and attempt(lambda: service.update(organization, user, automation_id,
                                                  {"enabled": not current.value.enabled})):
        flash(_("Automation turned on.") if not current.value.enabled else _("Automation turned off."))
    return redirect(url_for("staff.automations", org=org))


@bp.post("/<org>/automations/<int:automation_id>/delete")
def delete_automation(org: str, automation_id: int):
    organization, user = staff_page(org, MANAGE)
    ActionForm().validate_on_submit()
    return attempt_then_redirect(lambda: service.delete(organization, user, automation_id),
                                 _("Automation deleted."), url_for("staff.automations", org=org))


@bp.post("/<org>/automations/<int:automation_id>/message")
def save_critical_message(org: str, automation_id: int):
    organization, user = staff_page(org, MANAGE)
    form = CriticalMessageForm()
    if not form.validate_on_submit():
        return automations(org, message_form=form, code=422)
    if not attempt(lambda: service.update(organization, user, automation_id, {"message": form.message.data}),
                   show=lambda exc: setattr(form.message, "errors", [exc.message]), only=(422,)):
        return automations(org, message_form=form, code=422)
    flash(_("The message is saved."))
    return redirect(url_for("staff.automations", org=org))


@bp.post("/<org>/automations/templates")
def create_custom_template(org: str):
    organization, user = staff_page(org, MANAGE)
    form = CustomTemplateForm()
    if not form.validate_on_submit():
        return automations(org, template_form=form, code=422)

    def show(exc: ApiError) -> None:  # a taken key is the key's problem; a template's, its part's
        target = form.key if exc.status == 409 or "key" in (exc.details.get("json") or {}) else form.text
        part = next(iter(exc.details), None) if exc.status == 422 else None
        target = getattr(form, part, target) if part in ("subject", "text") else target
        target.errors = [exc.message]

    if not attempt(lambda: service.create_template(organization, user, {
            "key": form.key.data.strip(), "name": form.name.data, "subject": form.subject.data,
            "text": form.text.data}), show=show, only=(409, 422)):
        return automations(org, template_form=form, code=422)
    flash(_("Template custom.%(key)s saved; automations can send it.", key=form.key.data.strip()))
    return redirect(url_for("staff.automations", org=org))


@bp.get("/<org>/automations/<int:automation_id>/runs")
def automation_runs(org: str, automation_id: int):
    organization, user = staff_page(org, MANAGE)
    automation = service.get_automation(organization, user, automation_id)
    runs = service.runs_page(organization, user, automation_id, 1, 100)
    return render_staff("staff/automation_runs.html", organization, user, automation=automation, runs=runs)
