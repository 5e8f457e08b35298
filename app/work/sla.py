"""SLA deadlines for requests.

`assign_sla_deadline(request)` is called by the request service when a request is submitted,
recategorized or reopened. This first version counts calendar hours; issue 6 replaces it
with business hours in the organization's time zone, with its holidays.
"""

from __future__ import annotations

from datetime import timedelta

from app.db_types import utcnow


def assign_sla_deadline(request, now=None) -> None:
    """Set `request.sla_due_at` from its category's SLA hours (None when it has none)."""
    category = request.category
    hours = category.sla_hours if category is not None else None
    request.sla_due_at = (now or utcnow()) + timedelta(hours=hours) if hours else None
