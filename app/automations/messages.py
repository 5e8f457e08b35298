"""An automation's message: a template rendered, like every email, by emails/render.py's sandbox."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import Organization
from app.errors import ValidationFailed
from app.links import page_url
from app.notify.templates import sample_context, template_reason
from app.requests.models import ServiceRequest
from emails.render import OverBudget, TemplateInvalid, render_snippet, validate_templates


def check_message(organization: Organization, source: str, refuse) -> None:
    """Refuse (with `refuse(reason)`, which raises) a message template that does not render."""
    try:
        validate_templates("automation.message", {"text": source}, sample_context(organization, "request.closed"))
    except TemplateInvalid as exc:
        reason = template_reason(exc)
        raise refuse(_("line %(line)s: %(reason)s", line=exc.line, reason=reason) if exc.line else reason) from None


def message_context(request: ServiceRequest) -> dict:
    """What a message template sees of the request (public facts only: messages may be public)."""
    organization = request.organization
    return {
        "organization": {"name": organization.name, "slug": organization.slug},
        "request": {"public_id": request.public_id, "description": request.description, "address": request.address,
                    "status": request.status, "category": request.category.name,
                    "url": page_url("request", public_id=request.public_id)},
        "app_url": page_url("home"),
    }


def render_message(source: str, request: ServiceRequest) -> str:
    """The message's text, rendered within the template budget (over it: refused, and the run says why)."""
    try:
        return render_snippet(source, message_context(request)).strip()
    except OverBudget as exc:
        reason = template_reason(exc)
        raise ValidationFailed(_("The message template is over the render budget: %(reason)s", reason=reason),
                               {"body": reason}) from None
