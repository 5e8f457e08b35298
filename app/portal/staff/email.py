"""Organization settings: which notification types are sent (system email switches), where New
Inbound Message Notices go, the email templates with a preview, Open311 API keys, and the
incoming and outgoing email log. The rules are app.notify's and app.open311.keys'."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.notify import settings as notify_settings
from app.notify import templates
from app.notify.logs import email_log_page
from app.open311 import keys
from app.portal.forms import ActionForm
from app.portal.refusals import attempt, attempt_then_redirect
from app.portal.staff.blueprint import bp
from app.portal.staff.common import render_staff, staff_page
from app.portal.staff.forms import ApiKeyForm, InboundNoticeForm, LanguageForm, TemplateForm
from app.portal.staff.languages import language_choices

MANAGE = "manage_settings"
LOG_PAGE = 50


@bp.get("/<org>/settings/")
def settings(org: str, notice_form=None, code: int = 200):
    organization, user = staff_page(org, MANAGE)
    current = notify_settings.organization_settings(organization)
    language_form = LanguageForm(data=current)
    language_form.default_locale.choices = language_choices()
    return render_staff("staff/settings.html", organization, user, code, current=current,
                        switches_form=ActionForm(), template_kinds=templates.TEMPLATE_KINDS,
                        notice_form=notice_form or InboundNoticeForm(data=current), language_form=language_form)


@bp.post("/<org>/settings/language")
def save_language(org: str):
    """The organization's default language: mail to people without one, and its template overrides."""
    organization, _user = staff_page(org, MANAGE)
    form = LanguageForm()
    form.default_locale.choices = language_choices()
    if form.validate_on_submit():
        notify_settings.update_organization_settings(organization, {"default_locale": form.default_locale.data})
        flash(_("Default language saved."))
    else:
        flash(_("Choose one of the languages offered."), "error")
    return redirect(url_for("staff.settings", org=org))


@bp.post("/<org>/settings/switches")
def save_switches(org: str):
    organization, _user = staff_page(org, MANAGE)
    ActionForm().validate_on_submit()
    current = notify_settings.organization_settings(organization)
    on = set(request.form.getlist("enabled"))
    changes = {event["event"]: event["event"] in on for event in current["events"] if event["can_disable"]}
    return attempt_then_redirect(lambda: notify_settings.update_organization_settings(organization, {"events": changes}),
                                 _("Email switches saved."), url_for("staff.settings", org=org))


@bp.post("/<org>/settings/inbound")
def save_inbound_notice(org: str):
    organization, _ = staff_page(org, MANAGE)
    form = InboundNoticeForm()
    if form.validate_on_submit():
        if not attempt(lambda: notify_settings.update_organization_settings(organization, {
                "inbound_notice_to": (form.inbound_notice_to.data or "").strip() or None,
                "inbound_notice_cc": (form.inbound_notice_cc.data or "").strip() or None}), form):
            return settings(org, notice_form=form, code=422)
        flash(_("Inbound settings saved."))
        return redirect(url_for("staff.settings", org=org))
    return settings(org, notice_form=form, code=422)


@bp.route("/<org>/settings/templates/<kind>", methods=["GET", "POST"])
def email_template(org: str, kind: str):
    """Edit one template; "Preview" renders the draft with sample data, "Save" keeps it."""
    organization, user = staff_page(org, MANAGE)
    locale = templates.template_locale(organization, request.args.get("locale"))
    saved = templates.template_view(organization, kind, locale)
    form = TemplateForm(data=saved) if request.method == "GET" else TemplateForm()
    rendered, code = None, 200
    if form.validate_on_submit():
        draft = {"subject": form.subject.data, "text": form.text.data, "html": form.html.data, "locale": locale}
        if request.form.get("action") == "save":
            if attempt(lambda: templates.save_template(organization, kind, user, draft), form):
                flash(_("Template saved."))
                return redirect(url_for("staff.email_template", org=org, kind=kind, locale=locale))
            code = 422
        else:
            previewed = attempt(lambda: templates.preview(organization, kind, draft), form)
            rendered, code = previewed.value, 200 if previewed else 422
    return render_staff("staff/template.html", organization, user, code, kind=kind, form=form, saved=saved,
                        rendered=rendered, locale=locale, languages=language_choices())


@bp.get("/<org>/email-log")
def email_log(org: str):
    organization, user = staff_page(org, "view_email_log")
    direction = "in" if request.args.get("direction") == "in" else "out"
    page = max(request.args.get("page", 1, type=int), 1)
    rows = email_log_page(organization.id, direction, page, LOG_PAGE)["items"]
    return render_staff("staff/email_log.html", organization, user, direction=direction, rows=rows, page=page,
                        per_page=LOG_PAGE)


@bp.get("/<org>/settings/api-keys")
def api_keys(org: str, form=None, issued: str | None = None, code: int = 200):
    organization, user = staff_page(org, MANAGE)
    listed = db.session.scalars(keys.organization_keys(organization)).all()
    return render_staff("staff/api_keys.html", organization, user, code, keys=listed,
                        form=form or ApiKeyForm(), issued=issued)


@bp.post("/<org>/settings/api-keys")
def issue_api_key(org: str):
    """Issue a key; its plaintext is shown on this one answer and never again."""
    organization, user = staff_page(org, MANAGE)
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return api_keys(org, form=form, code=422)
    key, plaintext = keys.issue_api_key(organization, user, form.name.data)
    flash(_("Key “%(name)s” issued. Copy it now: it is not shown again.", name=key.name))
    response = api_keys(org, issued=plaintext)
    return response[0], 201, {"Cache-Control": "no-store"}


@bp.post("/<org>/settings/api-keys/<int:key_id>/revoke")
def revoke_api_key(org: str, key_id: int):
    organization, _ = staff_page(org, MANAGE)
    keys.revoke_api_key(organization, key_id)
    flash(_("The key is revoked: Open311 posts with it are refused from now on."))
    return redirect(url_for("staff.api_keys", org=org))
