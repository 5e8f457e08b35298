"""Webhook endpoints: registered, changed and removed by organization admins; their delivery log."""

from __future__ import annotations

import base64
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Organization, User
from app.errors import NotFound, ValidationFailed
from app.events.kinds import EVENT_KINDS
from app.extensions import db
from app.notify.webhooks import guard
from app.notify.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.transactions import unit_of_work


def webhook_kinds() -> list[str]:
    """The event kinds an endpoint may ask for: every kind of the catalogue but personal account mail."""
    return sorted(kind for kind in EVENT_KINDS if not kind.startswith("account."))


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _checked_url(url: str) -> str:
    try:
        guard.check(url)
    except guard.Refused as exc:
        raise ValidationFailed(_("This webhook address cannot be used: %(exc)s.", exc=exc), {"url": [str(exc)]}) from None
    return url.strip()


def _checked_kinds(kinds: list[str]) -> list[str]:
    allowed = set(webhook_kinds())
    unknown = sorted(set(kinds) - allowed)
    if unknown:
        raise ValidationFailed(_("Unknown event kinds: %(kinds)s.", kinds=', '.join(unknown)),
                               {"event_kinds": [f"Unknown event kind {kind!r}." for kind in unknown]})
    if not kinds:
        raise ValidationFailed(_("Choose at least one event kind."), {"event_kinds": [_("Choose at least one.")]})
    return sorted(set(kinds))


@unit_of_work()
def create_endpoint(organization: Organization, created_by: User, *, url: str, event_kinds: list[str],
                    description: str = "", enabled: bool = True) -> WebhookEndpoint:
    """Register an endpoint (flushed, not committed) with a fresh signing secret."""
    endpoint = WebhookEndpoint(organization_id=organization.id, url=_checked_url(url),
                               event_kinds=_checked_kinds(event_kinds), description=description.strip(),
                               enabled=enabled, secret=new_secret(), created_by_id=created_by.id)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def get_endpoint(organization: Organization, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organization_id == organization.id))
    if endpoint is None:
        raise NotFound(_("No webhook %(endpoint_id)s in %(slug)s.", endpoint_id=endpoint_id, slug=repr(organization.slug)), {"webhook_id": endpoint_id})
    return endpoint


@unit_of_work()
def update_endpoint(organization: Organization, endpoint_id: int, changes: dict) -> WebhookEndpoint:
    """Change url, event_kinds, description or enabled; `rotate_secret` issues a new secret."""
    endpoint = get_endpoint(organization, endpoint_id)
    if "url" in changes:
        endpoint.url = _checked_url(changes["url"])
    if "event_kinds" in changes:
        endpoint.event_kinds = _checked_kinds(changes["event_kinds"])
    if "description" in changes:
        endpoint.description = changes["description"].strip()
    if "enabled" in changes:
        endpoint.enabled = changes["enabled"]
    if changes.get("rotate_secret"):
        endpoint.secret = new_secret()
    db.session.flush()
    return endpoint


@unit_of_work()
def delete_endpoint(organization: Organization, endpoint_id: int) -> None:
    """Remove an endpoint with its deliveries and their log."""
    db.session.delete(get_endpoint(organization, endpoint_id))
    db.session.flush()


def organization_endpoints(organization: Organization):
    """The statement listing an organization's endpoints, oldest first."""
    return select(WebhookEndpoint).where(WebhookEndpoint.organization_id == organization.id).order_by(
        WebhookEndpoint.id)


def endpoint_deliveries(organization: Organization, endpoint_id: int, status: str | None = None):
    """The statement listing one endpoint's deliveries, newest first (each with its attempts)."""
    endpoint = get_endpoint(organization, endpoint_id)
    statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if status:
        statement = statement.where(WebhookDelivery.status == status)
    return statement.order_by(WebhookDelivery.id.desc())
