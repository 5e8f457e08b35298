"""Automations in the staff settings: the list (the critical one first, its message editable), a new
rule with one action, turning rules on and off, deleting them, their run log, and custom email
templates. Every change is one call of app.automations.service, the same as the API's."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from app.automations import service
from app.automations.rules import EMAIL_AUDIENCES, TRIGGER_KINDS
from app.errors import ApiError
from app.notify.audiences import AUDIENCES
from app.notify.templates import TEMPLATE_KINDS
from app.portal.forms import ActionForm, apply_service_error
from app.portal.refusals import attempt, flash_refusal
from app.portal.staff.blueprint import bp
from app.portal.staff.common import render_staff, staff_page
from app.portal.staff.forms import AutomationForm, CriticalMessageForm, CustomTemplateForm
from app.requests import categories

MANAGE = "manage_settings"


def _rule_form(organization, user, form=None) -> AutomationForm:
    form = form or AutomationForm()
    form.trigger_kind.choices = [(kind, kind) for kind in TRIGGER_KINDS]
    form.category_id.choices = [("", _("Any category"))] + [
        (str(c.id), c.name) for c in categories.list_for_staff(organization, user)]
    form.template.choices = [(t.event_kind, t.name or t.event_kind) for t in service.custom_templates(organization)] \
        + [(kind, kind) for kind in TEMPLATE_KINDS]
    form.audience.choices = [(name, AUDIENCES[name].label) for name in EMAIL_AUDIENCES]
    return form


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


def _action(form: AutomationForm) -> dict:
    if form.action.data == "email":
        return {"type": "email", "template": form.template.data, "audience": form.audience.data}
    if form.action.data == "message":
        return {"type": "message", "visibility": form.visibility.data, "body": form.body.data or ""}
    return {"type": "status", "to": form.to.data}


def _show_rule_refusal(form: AutomationForm):
    """A refused rule: its fields' problems beside them (its one action's fields are this form's too)."""
    def show(exc: ApiError) -> None:
        if exc.status != 422:
            flash_refusal(exc)
            return
        action_problem = ((exc.details.get("json") or {}).get("actions") or {}).get("0") or {}
        for field, messages in action_problem.items():
            target = getattr(form, field, None) or form.action
            target.errors = list(target.errors) + list(messages)
        if not action_problem:
            apply_service_error(form, exc)
    return show


@bp.post("/<org>/automations")
def create_automation(org: str):
    organization, user = staff_page(org, MANAGE)
    form = _rule_form(organization, user)
    if not form.validate_on_submit():
        return automations(org, rule_form=form, code=422)
    created = attempt(lambda: service.create(organization, user, {
        "name": form.name.data, "trigger_kind": form.trigger_kind.data, "category_id": form.category_id.data,
        "status": form.status.data or None, "delay_minutes": form.delay_minutes.data,
        "business_hours": form.business_hours.data, "actions": [_action(form)]}), show=_show_rule_refusal(form))
    if not created:
        if created.refusal.status == 422:
            return automations(org, code=422, rule_form=form)
        return redirect(url_for("staff.automations", org=org))
    flash(_("Automation saved: it acts on what happens from now on."))
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
    if attempt(lambda: service.delete(organization, user, automation_id)):
        flash(_("Automation deleted."))
    return redirect(url_for("staff.automations", org=org))


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
