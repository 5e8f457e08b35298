"""Organization settings, categories: SLA, routing, auto-assignment, resident restrictions, and
each category's notification matrix (app.requests.categories and app.notify.settings)."""

from __future__ import annotations

import marshmallow as ma
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from app.errors import ValidationFailed
from app.notify import settings as notify_settings
from app.portal.forms import apply_service_error
from app.portal.refusals import attempt, attempt_then_redirect
from app.portal.staff.blueprint import bp
from app.portal.staff.common import member_choices, render_staff, staff_page
from app.portal.staff.forms import RESTRICTION_LABELS, CategoryForm
from app.requests import categories
from app.requests.category_schemas import CategoryCreateSchema, CategoryUpdateSchema

MANAGE = "manage_settings"


def _fields(form: CategoryForm) -> dict:
    """The category settings as the categories service takes them."""
    return {
        "name": form.name.data.strip(), "description": (form.description.data or "").strip(),
        "active": form.active.data, "sla_hours": form.sla_hours.data, "auto_assignee_id": form.auto_assignee_id.data,
        "routing_emails": [line.strip() for line in (form.routing_emails.data or "").splitlines() if line.strip()],
        "escalate_to_email": (form.escalate_to_email.data or "").strip() or None,
        "public_restriction": form.public_restriction.data,
    }


def _checked(schema: ma.Schema, form: CategoryForm, data: dict) -> dict | None:
    """The settings through the API's own schema (same checks); errors go next to their fields."""
    try:
        return schema.load(data)
    except ma.ValidationError as exc:
        apply_service_error(form, ValidationFailed(_("Invalid category settings."), {"json": exc.messages}))
        return None


def _list_page(organization, user, form=None, code=200):
    form = form or CategoryForm(prefix="new")
    form.auto_assignee_id.choices = member_choices(organization)
    return render_staff("staff/categories.html", organization, user, code,
                        categories=categories.list_for_staff(organization, user), form=form,
                        restriction_labels=RESTRICTION_LABELS)


@bp.get("/<org>/settings/categories")
def categories_page(org: str):
    organization, user = staff_page(org, MANAGE)
    return _list_page(organization, user)


@bp.post("/<org>/settings/categories")
def create_category(org: str):
    organization, user = staff_page(org, MANAGE)
    form = CategoryForm(prefix="new")
    form.auto_assignee_id.choices = []
    if form.validate_on_submit():
        if not (form.code.data or "").strip():
            form.code.errors = [_("Give the category a short code, like pothole.")]
        else:
            checked = _checked(CategoryCreateSchema(), form, {"code": form.code.data.strip(), **_fields(form)})
            if checked is None:
                return _list_page(organization, user, form, 422)
            created = attempt(lambda: categories.create(organization, user, checked), form, field="code")
            if created:
                flash(_("Category %(name)s created.", name=created.value.name))
                return redirect(url_for("staff.category", org=org, category_id=created.value.id))
    return _list_page(organization, user, form, 422)


def _category_page(organization, user, category, form=None, code=200):
    if form is None:
        form = CategoryForm(obj=category)
        form.routing_emails.data = "\n".join(category.routing_emails or [])
    form.auto_assignee_id.choices = member_choices(organization)
    return render_staff("staff/category.html", organization, user, code, category=category, form=form,
                        matrix=notify_settings.category_rules(organization, category.id))


@bp.get("/<org>/settings/categories/<int:category_id>")
def category(org: str, category_id: int):
    organization, user = staff_page(org, MANAGE)
    return _category_page(organization, user, categories.get_for_staff(organization, user, category_id))


@bp.post("/<org>/settings/categories/<int:category_id>")
def update_category(org: str, category_id: int):
    organization, user = staff_page(org, MANAGE)
    row = categories.get_for_staff(organization, user, category_id)
    form = CategoryForm()
    form.auto_assignee_id.choices = []
    if form.validate_on_submit():
        checked = _checked(CategoryUpdateSchema(), form, _fields(form))
        if checked is None:
            return _category_page(organization, user, row, form, 422)
        if attempt(lambda: categories.update(organization, user, category_id, checked), form):
            flash(_("Category saved."))
            return redirect(url_for("staff.category", org=org, category_id=category_id))
    return _category_page(organization, user, row, form, 422)


@bp.post("/<org>/settings/categories/<int:category_id>/notifications")
def category_notifications(org: str, category_id: int):
    """Save the matrix: every cell whose channels differ from the default becomes an override."""
    organization, user = staff_page(org, MANAGE)
    matrix = notify_settings.category_rules(organization, category_id)
    checked = set(request.form.getlist("cell"))
    overrides = []
    for rule in matrix["rules"]:
        channels = sorted(c for c in matrix["channels"] if f"{rule['event']}|{rule['audience']}|{c}" in checked)
        if channels != sorted(rule["default_channels"]):
            overrides.append({"event": rule["event"], "audience": rule["audience"], "channels": channels})
    return attempt_then_redirect(lambda: notify_settings.replace_category_overrides(organization, category_id, overrides),
                                 _("Notifications for this category saved."),
                                 url_for("staff.category", org=org, category_id=category_id) + "#notifications")
