"""/api/v1/orgs/{org}/automations and custom email templates (permission `manage_settings`)."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.auth import current_user, organization_or_404
from app.api.paths import INT_ID
from app.api.responses import errors
from app.automations import service
from app.automations.schemas import (
    AutomationCreateSchema,
    AutomationListSchema,
    AutomationRunSchema,
    AutomationSchema,
    AutomationUpdateSchema,
    CustomTemplateCreateSchema,
    CustomTemplateSchema,
    RunListArgs,
)
from app.pagination import page_schema

URL_PREFIX = "/orgs"
blp = Blueprint("automations", __name__, description="Automations: rules that message, email, assign, "
                                                       "set due dates and change status; custom email templates")


def _org_and_user(slug: str):
    return organization_or_404(slug), current_user()


@blp.get("/<org>/automations")
@blp.response(200, AutomationListSchema)
@errors(blp, 401, 403)
def list_automations(org):
    """The organization's automations, the critical one first."""
    return {"items": service.list_automations(*_org_and_user(org))}


@blp.post("/<org>/automations")
@blp.arguments(AutomationCreateSchema)
@blp.response(201, AutomationSchema)
@errors(blp, 401, 403)
def create_automation(body, org):
    """A new rule: trigger (event kind, category, status, delay), actions; acts on events from now on."""
    return service.create(*_org_and_user(org), body)


@blp.get(f"/<org>/automations/<{INT_ID}:automation_id>")
@blp.response(200, AutomationSchema)
@errors(blp, 401, 403)
def get_automation(org, automation_id):
    """One automation."""
    organization, user = _org_and_user(org)
    return service.view(organization, service.get_automation(organization, user, automation_id))


@blp.patch(f"/<org>/automations/<{INT_ID}:automation_id>")
@blp.arguments(AutomationUpdateSchema)
@blp.response(200, AutomationSchema)
@errors(blp, 401, 403, 409)
def update_automation(body, org, automation_id):
    """Change the given fields (the critical automation: only its `message`; 409 otherwise)."""
    return service.update(*_org_and_user(org), automation_id, body)


@blp.delete(f"/<org>/automations/<{INT_ID}:automation_id>")
@blp.response(204)
@errors(blp, 401, 403, 409)
def delete_automation(org, automation_id):
    """Delete an automation (never the critical one: 409)."""
    service.delete(*_org_and_user(org), automation_id)


@blp.get(f"/<org>/automations/<{INT_ID}:automation_id>/runs")
@blp.arguments(RunListArgs, location="query")
@blp.response(200, page_schema(AutomationRunSchema, "AutomationRunPageSchema"))
@errors(blp, 401, 403)
def automation_runs(args, org, automation_id):
    """The automation's run log, newest first: what each run did, and the emails it caused."""
    return service.runs_page(*_org_and_user(org), automation_id, args["page"], args["per_page"])


@blp.post("/<org>/templates")
@blp.arguments(CustomTemplateCreateSchema)
@blp.response(201, CustomTemplateSchema)
@errors(blp, 401, 403, 409)
def create_template(body, org):
    """An organization's own email template (`custom.<key>`) for automations; the same sandbox checks it."""
    return service.create_template(*_org_and_user(org), body)
