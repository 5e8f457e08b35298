"""Staff privacy pages: the audit trail (organization admins) and the retention settings."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from app.pagination import paginate
from app.portal.refusals import attempt
from app.portal.staff.blueprint import bp
from app.portal.staff.common import render_staff, staff_page
from app.privacy import audit, retention
from app.privacy.models import AuditAction, PhotoPolicy

AUDIT_PAGE = 50
ACTION_LABELS = {
    AuditAction.CONTACT_VIEWED.value: _l("saw the contact details of"),
    AuditAction.DATA_EXPORTED.value: _l("downloaded the data of"),
    AuditAction.ACCOUNT_DELETED.value: _l("deleted the account of"),
}


def _period(label: str, name: str) -> IntegerField:
    low, high = retention.LIMITS[name]
    return IntegerField(label, validators=[InputRequired(_l("Give a number.")),
                                           NumberRange(low, high, _l("From %(low)s to %(high)s.", low=low, high=high))])


class RetentionForm(FlaskForm):
    raw_inbound_days = _period(_l("Raw inbound mail (days)"), "raw_inbound_days")
    outgoing_body_hours = _period(_l("Outgoing message bodies (hours)"), "outgoing_body_hours")
    spam_days = _period(_l("Messages deleted as spam (days)"), "spam_days")
    delivery_record_days = _period(_l("Delivery records of the email log (days)"), "delivery_record_days")
    photos_on_account_deletion = SelectField(_l("A deleted resident's photos"), choices=[
        (PhotoPolicy.KEEP.value, _l("Keep them on the requests")), (PhotoPolicy.REMOVE.value, _l("Remove them"))])


@bp.get("/<org>/audit")
def audit_trail(org: str):
    organization, user = staff_page(org, "manage_members")
    page = max(request.args.get("page", 1, type=int), 1)
    found = paginate(audit.organization_trail(organization.id), page, AUDIT_PAGE)
    return render_staff("staff/audit.html", organization, user, rows=found["items"], total=found["total"],
                        page=page, per_page=AUDIT_PAGE, labels=ACTION_LABELS)


@bp.route("/<org>/settings/retention", methods=["GET", "POST"])
def retention_settings(org: str):
    organization, user = staff_page(org, "manage_settings")
    form = RetentionForm(data=retention.policy_for(organization.id) if request.method == "GET" else None)
    if form.validate_on_submit() and attempt(lambda: retention.set_policy(organization.id, user.id,
                                            {name: form[name].data for name in retention.DEFAULTS}), form):
        flash(_("Retention settings saved."))
        return redirect(url_for("staff.retention_settings", org=org))
    return render_staff("staff/retention.html", organization, user, 422 if form.errors else 200, form=form,
                        defaults=retention.DEFAULTS)
