"""/api/v1/orgs/{org}: notification settings, category overrides, email templates and the email log."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import require_org_permission
from app.notify import settings, templates
from app.notify.logs import email_log_page
from app.notify.schemas import (
    CategoryOverridesSchema,
    CategoryRulesSchema,
    EmailLogArgs,
    EmailLogItemSchema,
    OrganizationSettingsSchema,
    OrganizationSettingsUpdateSchema,
    RenderedSchema,
    TemplateArgs,
    TemplateDraftSchema,
    TemplateSchema,
)
from app.pagination import page_schema

URL_PREFIX = "/orgs"
blp = Blueprint("org_notifications", __name__, description="Organization notification settings and email")

MANAGE = "manage_settings"


@blp.get("/<org>/notification-settings")
@blp.response(200, OrganizationSettingsSchema)
def get_notification_settings(org: str):
    """Which notification types the organization sends, and where New Inbound Message Notices go."""
    organization, _ = require_org_permission(org, MANAGE)
    return settings.organization_settings(organization)


@blp.put("/<org>/notification-settings")
@blp.arguments(OrganizationSettingsUpdateSchema)
@blp.response(200, OrganizationSettingsSchema)
def put_notification_settings(body, org: str):
    """Turn notification types on or off (password reset and email confirmation stay on)."""
    organization, _ = require_org_permission(org, MANAGE)
    return settings.update_organization_settings(organization, body)


@blp.get("/<org>/categories/<int:category_id>/notifications")
@blp.response(200, CategoryRulesSchema)
def get_category_notifications(org: str, category_id: int):
    """The category's notification matrix: defaults and this category's overrides."""
    organization, _ = require_org_permission(org, MANAGE)
    return settings.category_rules(organization, category_id)


@blp.put("/<org>/categories/<int:category_id>/notifications")
@blp.arguments(CategoryOverridesSchema)
@blp.response(200, CategoryRulesSchema)
def put_category_notifications(body, org: str, category_id: int):
    """Replace the category's overrides: who (audience) hears of what (event), on which channels."""
    organization, _ = require_org_permission(org, MANAGE)
    return settings.replace_category_overrides(organization, category_id, body["overrides"])


@blp.get("/<org>/templates/<event>")
@blp.arguments(TemplateArgs, location="query")
@blp.response(200, TemplateSchema)
def get_template(args, org: str, event: str):
    """The email template for one event kind in one language (the organization's, else the default)."""
    organization, _ = require_org_permission(org, MANAGE)
    return templates.template_view(organization, event, args["locale"])


@blp.put("/<org>/templates/<event>")
@blp.arguments(TemplateDraftSchema)
@blp.response(200, TemplateSchema)
def put_template(body, org: str, event: str):
    """Replace subject and bodies (null reverts a part to the default); 422 names the line and reason."""
    organization, user = require_org_permission(org, MANAGE)
    return templates.save_template(organization, event, user, body)


@blp.post("/<org>/templates/<event>/preview")
@blp.arguments(TemplateDraftSchema)
@blp.response(200, RenderedSchema)
def preview_template(body, org: str, event: str):
    """Render a draft (or the saved template) with sample data."""
    organization, _ = require_org_permission(org, MANAGE)
    return templates.preview(organization, event, body)


@blp.get("/<org>/email-log")
@blp.arguments(EmailLogArgs, location="query")
@blp.response(200, page_schema(EmailLogItemSchema))
def get_email_log(args, org: str):
    """Outgoing email (`direction=out`) with statuses and SMTP replies, or incoming (`in`) and what it did."""
    organization, _ = require_org_permission(org, "view_email_log")
    return email_log_page(organization.id, args["direction"], args["page"], args["per_page"])
