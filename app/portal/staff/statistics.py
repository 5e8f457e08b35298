"""The statistics page: the figures of GET /api/v1/orgs/{org}/statistics as numbers, tables and charts."""

from __future__ import annotations

from datetime import date

from flask import request

from app.errors import ValidationFailed
from app.portal.staff.blueprint import bp
from app.portal.staff.common import render_staff, staff_page
from app.requests import statistics


def _date(name: str) -> date | None:
    raw = request.args.get(name) or ""
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def hours(seconds: float | None) -> str:
    """A duration as people read it: minutes under two hours, hours under two days, else days."""
    if seconds is None:
        return "—"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


@bp.get("/<org>/statistics")
def statistics_page(org: str):
    organization, user = staff_page(org, "view_requests")
    error = None
    try:
        period = statistics.period_for(organization, _date("from"), _date("to"), request.args.get("interval") or None)
    except ValidationFailed as exc:
        error, period = exc.message, statistics.period_for(organization, None, None, None)
    figures = statistics.statistics(organization, period)
    names = {c["id"]: c["name"] for c in figures["categories"]}
    return render_staff("staff/statistics.html", organization, user, figures=figures, names=names, error=error,
                        hours=hours, intervals=statistics.INTERVALS)
