"""SLA deadlines for requests, counted in the organization's business hours.

`assign_sla_deadline(request)` is called by the request service when a request is
submitted, recategorized or reopened, and always counts from that instant (`now`):

- submitted: the clock starts when the resident reports the problem;
- recategorized: the clock restarts with the new category's SLA. The team that now owns
  the request learns of it only now, and a deadline counted from submission could already
  be past, alerting the new escalation contact at once for time another team lost. The
  recategorization itself stays on the request's timeline, with who did it;
- reopened: the problem is back, so it gets a whole new SLA period and can breach again.

A breach is identified by (request, deadline), so each new deadline can breach once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import inspect

from app.accounts.models import Organization
from app.db_types import utcnow
from app.extensions import db
from app.requests.models import RequestCategory
from app.work.business_hours import BusinessCalendar, add_business_hours, calendar_from_settings

log = logging.getLogger(__name__)


def calendar_for(organization: Organization) -> BusinessCalendar:
    """The organization's business calendar; the default one if its settings are unusable."""
    try:
        return calendar_from_settings(organization.settings, organization.timezone)
    except ValueError:
        # Deadlines must not stop residents from reporting; the bad settings are logged to fix.
        log.exception("organization %s has unusable business-hours settings; using the default",
                      organization.slug)
        return calendar_from_settings({}, "America/Chicago")


def sla_deadline(start: datetime, sla_hours: int | None, organization: Organization) -> datetime | None:
    """`sla_hours` business hours of `organization` after `start`; None for no SLA."""
    if not sla_hours:
        return None
    return add_business_hours(start, sla_hours, calendar_for(organization))


def assign_sla_deadline(request, now=None) -> None:
    """Set `request.sla_due_at` from its category's SLA, counted from `now` in business hours."""
    category = _related(request, "category", "category_id", RequestCategory)
    organization = _related(request, "organization", "organization_id", Organization)
    hours = category.sla_hours if category is not None else None
    request.sla_due_at = sla_deadline(now or utcnow(), hours, organization) if organization else None


def _related(row, relation: str, foreign_key: str, model):
    """The related row as the caller last set it: the relationship object, or the id."""
    history = inspect(row).attrs[relation].history
    if history.added and history.added[0] is not None:
        return history.added[0]
    key = getattr(row, foreign_key)
    return db.session.get(model, key) if key is not None else getattr(row, relation)
