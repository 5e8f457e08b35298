"""Figures for an organization's staff over a chosen period (dates in the organization's time zone).

Each figure is one SQL statement over the requests created in the period, [from 00:00, the
day after `to` 00:00) local time:
- requests per category per day, week or month (`date_trunc` in the local zone);
- the open backlog at the end of the period: created before its end and not closed at that moment
  (its last close or reopen before the end decides);
- SLA compliance: of the requests with a deadline that was due by now (or that were closed),
  the share never recorded in `sla_breaches` (the sweep records a live request past its deadline);
- the median time to acknowledge and to close (`percentile_cont(0.5)`), overall, per category
  and per assignee (unassigned requests apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import text

from app.accounts.models import Organization
from app.errors import ValidationFailed
from app.extensions import db

INTERVALS = ("day", "week", "month")
MAX_DAYS = 731

_PERIOD = "r.organization_id = :org AND r.created_at >= :start AND r.created_at < :end"

BY_CATEGORY = text(f"""
SELECT (date_trunc(:interval, r.created_at AT TIME ZONE :tz))::date AS period, r.category_id, count(*) AS count
FROM service_requests r WHERE {_PERIOD}
GROUP BY 1, 2 ORDER BY 1, 2""")

# Open at the period's end: the last close or reopen before the end says so (closed_at alone would
# count a request closed in the period and reopened after it as open); rows with no such event
# (imported, or seeded without a timeline) fall back to closed_at.
BACKLOG = text("""
SELECT r.category_id, count(*) AS count FROM service_requests r
LEFT JOIN LATERAL (
    SELECT e.kind FROM events e
    WHERE e.request_id = r.id AND e.created_at < :end
      AND e.kind IN ('request.closed', 'request.merged', 'request.reopened')
    ORDER BY e.created_at DESC, e.id DESC LIMIT 1) AS last_change ON true
WHERE r.organization_id = :org AND r.created_at < :end
  AND CASE WHEN last_change.kind IS NOT NULL THEN last_change.kind = 'request.reopened'
           ELSE r.closed_at IS NULL OR r.closed_at >= :end END
GROUP BY 1 ORDER BY 1""")

SLA = text(f"""
SELECT r.category_id, count(*) AS decided,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM sla_breaches b WHERE b.request_id = r.id)) AS breached
FROM service_requests r
WHERE {_PERIOD} AND r.sla_due_at IS NOT NULL AND (r.sla_due_at < now() OR r.closed_at IS NOT NULL)
GROUP BY 1 ORDER BY 1""")

MEDIANS = """
SELECT {key} AS key, count(*) AS count,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.{column} - r.created_at)) AS median
FROM service_requests r
WHERE {_period} AND r.{column} IS NOT NULL {extra}
GROUP BY 1 ORDER BY 1"""


@dataclass(frozen=True)
class Period:
    start_date: date
    end_date: date  # inclusive
    interval: str
    tz: str

    @property
    def start(self) -> datetime:
        return datetime.combine(self.start_date, time.min, ZoneInfo(self.tz))

    @property
    def end(self) -> datetime:
        return datetime.combine(self.end_date + timedelta(days=1), time.min, ZoneInfo(self.tz))


def period_for(organization: Organization, start: date | None, end: date | None, interval: str | None,
               today: date | None = None) -> Period:
    """The period asked for (default: the last 30 days, today included), checked."""
    tz = organization.timezone or "UTC"
    today = today or datetime.now(ZoneInfo(tz)).date()
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise ValidationFailed(_("`from` must not be after `to`."), {"from": [_("Must not be after `to`.")]})
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed(_("A period is at most %(MAX_DAYS)s days.", MAX_DAYS=MAX_DAYS), {"to": [_("At most %(MAX_DAYS)s days after `from`.", MAX_DAYS=MAX_DAYS)]})
    interval = interval or ("day" if (end - start).days < 62 else "week")
    if interval not in INTERVALS:
        raise ValidationFailed(_("Unknown interval."), {"interval": [_("One of %(names)s.", names=', '.join(INTERVALS))]})
    return Period(start, end, interval, tz)


def _medians(params: dict, column: str) -> dict:
    def run(key: str, extra: str = "") -> list:
        sql = text(MEDIANS.format(key=key, column=column, _period=_PERIOD, extra=extra))
        return db.session.execute(sql, params).all()

    [overall] = run("NULL::int") or [(None, 0, None)]
    names = dict(db.session.execute(text(
        "SELECT u.id, u.name FROM users u WHERE u.id IN (SELECT assignee_id FROM service_requests r "
        f"WHERE {_PERIOD})"), params).all())
    return {
        "overall": {"median_seconds": overall[2], "count": overall[1]},
        "by_category": [{"category_id": k, "median_seconds": m, "count": n} for k, n, m in run("r.category_id")],
        "by_assignee": [{"assignee_id": k, "name": names.get(k, ""), "median_seconds": m, "count": n}
                        for k, n, m in run("r.assignee_id", "AND r.assignee_id IS NOT NULL")],
    }


def statistics(organization: Organization, period: Period) -> dict:
    """Every figure of the statistics page for `period` (read-only)."""
    params = {"org": organization.id, "start": period.start, "end": period.end, "interval": period.interval,
              "tz": period.tz}
    categories = db.session.execute(text(
        "SELECT id, code, name FROM request_categories WHERE organization_id = :org ORDER BY name, id"), params).all()
    by_category = db.session.execute(BY_CATEGORY, params).all()
    backlog = db.session.execute(BACKLOG, params).all()
    sla = db.session.execute(SLA, params).all()
    decided, breached = sum(row.decided for row in sla), sum(row.breached for row in sla)
    result = {
        "from": period.start_date.isoformat(), "to": period.end_date.isoformat(), "interval": period.interval,
        "timezone": period.tz,
        "categories": [{"id": c.id, "code": c.code, "name": c.name} for c in categories],
        "total_requests": sum(row.count for row in by_category),
        "requests_by_category": [{"period": p.isoformat(), "category_id": c, "count": n} for p, c, n in by_category],
        "backlog": {"total": sum(row.count for row in backlog),
                    "by_category": [{"category_id": c, "count": n} for c, n in backlog]},
        "sla": {"decided": decided, "breached": breached,
                "compliance": None if not decided else (decided - breached) / decided,
                "by_category": [{"category_id": row.category_id, "decided": row.decided, "breached": row.breached,
                                 "compliance": (row.decided - row.breached) / row.decided} for row in sla]},
        "time_to_acknowledge": _medians(params, "acknowledged_at"),
        "time_to_close": _medians(params, "closed_at"),
    }
    db.session.rollback()
    return result
