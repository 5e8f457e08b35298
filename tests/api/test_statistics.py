"""GET /api/v1/orgs/{org}/statistics and the staff page: every figure equals this test's own SQL on a seeded month."""

from __future__ import annotations

import random
import re
import statistics as pystats
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.events.models import Event
from app.extensions import db
from app.work.models import SlaBreach
from tests.factories import CategoryFactory, OrganizationFactory, ServiceRequestFactory, make_member
from tests.portal.pages import log_in
from tests.support.auth import bearer

TZ = "America/Chicago"
NOVEMBER = "/api/v1/orgs/springfield/statistics?from=2026-11-01&to=2026-11-30"


@pytest.fixture
def month():
    """November 2026 in Springfield: 60 requests in two categories, two assignees, some acknowledged,
    closed or breached, and requests just outside the month on both sides."""
    rng = random.Random(17)
    org = OrganizationFactory(slug="springfield", timezone=TZ)
    pothole = CategoryFactory(organization=org, code="pothole", name="Pothole")
    graffiti = CategoryFactory(organization=org, code="graffiti", name="Graffiti")
    staff = make_member(org, "staff", name="Sam Staff")
    admin = make_member(org, "admin", name="Alex Admin")
    start = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # 00:00 in Chicago
    for n in range(60):
        created = start + timedelta(hours=rng.randrange(0, 30 * 24))
        fields = {"category": rng.choice([pothole, graffiti]), "created_at": created,
                  "assignee": rng.choice([staff, admin, None]), "sla_due_at": created + timedelta(hours=48)}
        if rng.random() < 0.7:
            fields["acknowledged_at"] = created + timedelta(minutes=rng.randrange(5, 3000))
            fields["status"] = "acknowledged"
        if rng.random() < 0.5:
            fields["closed_at"] = created + timedelta(minutes=rng.randrange(60, 20000))
            fields["status"] = "closed"
        if n % 7 == 0:
            fields["sla_due_at"] = None  # a category without an SLA at the time
        request = ServiceRequestFactory(**fields)
        if fields.get("sla_due_at") and rng.random() < 0.3:
            db.session.add(SlaBreach(request_id=request.id, organization_id=org.id, category_id=request.category_id,
                                     sla_due_at=request.sla_due_at, detected_at=request.sla_due_at))
    # Just outside: 23:59 on 31 October and 00:01 on 1 December, Chicago time.
    ServiceRequestFactory(category=pothole, created_at=datetime(2026, 11, 1, 4, 59, tzinfo=UTC))
    ServiceRequestFactory(category=pothole, created_at=datetime(2026, 12, 1, 6, 1, tzinfo=UTC))
    ServiceRequestFactory(category=CategoryFactory(organization=OrganizationFactory(slug="shelbyville")),
                          created_at=start + timedelta(days=3))
    # Closed and reopened: on 20 November, reopened on 2 December (closed at the month's end, so not
    # in its backlog although closed_at is empty now); and closed and reopened within November (open).
    lights = CategoryFactory(organization=org, code="streetlight", name="Streetlight")
    for closed_on, reopened_on in ((datetime(2026, 11, 20, 18, tzinfo=UTC), datetime(2026, 12, 2, 18, tzinfo=UTC)),
                                   (datetime(2026, 11, 5, 18, tzinfo=UTC), datetime(2026, 11, 10, 18, tzinfo=UTC))):
        request = ServiceRequestFactory(category=lights, created_at=datetime(2026, 10, 15, 18, tzinfo=UTC),
                                        status="open")  # October: in the backlog, not in the month's counts
        db.session.add_all([Event(kind=kind, organization_id=org.id, request_id=request.id, actor_id=staff.id,
                                  payload={}, created_at=at)
                            for kind, at in (("request.closed", closed_on), ("request.reopened", reopened_on))])
    db.session.commit()
    return type("Month", (), {"org": org, "pothole": pothole, "graffiti": graffiti, "staff": staff, "admin": admin,
                              "lights": lights})


def own_sql(sql: str, **params):
    return db.session.execute(text(sql), {"tz": TZ, **params}).all()


IN_NOVEMBER = ("r.organization_id = :org AND (r.created_at AT TIME ZONE :tz)::date "
               "BETWEEN DATE '2026-11-01' AND DATE '2026-11-30'")


def _median_by(rows) -> dict:
    grouped: dict = {}
    for key, seconds in rows:
        grouped.setdefault(key, []).append(float(seconds))
    return {key: (pystats.median(values), len(values)) for key, values in grouped.items()}


def test_every_figure_equals_the_tests_own_sql(client, month):
    response = client.get(NOVEMBER, headers=bearer(month.staff))
    assert response.status_code == 200, response.get_json()
    figures = response.get_json()
    org = month.org.id
    assert (figures["from"], figures["to"], figures["interval"]) == ("2026-11-01", "2026-11-30", "day")

    per_day = own_sql(f"""SELECT to_char(r.created_at AT TIME ZONE :tz, 'YYYY-MM-DD'), r.category_id, count(*)
                          FROM service_requests r WHERE {IN_NOVEMBER} GROUP BY 1, 2""", org=org)
    assert {(row["period"], row["category_id"]): row["count"] for row in figures["requests_by_category"]} == \
        {(day, category): count for day, category, count in per_day}
    assert figures["total_requests"] == 60

    backlog = own_sql("""SELECT r.category_id, count(*) FROM service_requests r WHERE r.organization_id = :org
                         AND (r.created_at AT TIME ZONE :tz)::date <= DATE '2026-11-30'
                         AND NOT coalesce(
                             (SELECT e.kind <> 'request.reopened' FROM events e WHERE e.request_id = r.id
                              AND e.kind IN ('request.closed', 'request.merged', 'request.reopened')
                              AND (e.created_at AT TIME ZONE :tz)::date <= DATE '2026-11-30'
                              ORDER BY e.created_at DESC LIMIT 1),
                             (r.closed_at AT TIME ZONE :tz)::date <= DATE '2026-11-30', false)
                         GROUP BY 1""", org=org)
    assert dict(backlog)[month.lights.id] == 1  # only the one reopened within the month
    assert {row["category_id"]: row["count"] for row in figures["backlog"]["by_category"]} == dict(backlog)
    assert figures["backlog"]["total"] == sum(count for _, count in backlog) and figures["backlog"]["total"] > 0

    [(decided, breached)] = own_sql(f"""SELECT count(DISTINCT r.id), count(DISTINCT b.request_id)
        FROM service_requests r LEFT JOIN sla_breaches b ON b.request_id = r.id
        WHERE {IN_NOVEMBER} AND r.sla_due_at IS NOT NULL AND (r.sla_due_at < now() OR r.closed_at IS NOT NULL)""",
                                    org=org)
    assert (figures["sla"]["decided"], figures["sla"]["breached"]) == (decided, breached)
    assert breached > 0 and figures["sla"]["compliance"] == pytest.approx((decided - breached) / decided)

    for figure, column in (("time_to_acknowledge", "acknowledged_at"), ("time_to_close", "closed_at")):
        seconds = f"extract(epoch FROM r.{column} - r.created_at)"
        overall = _median_by(own_sql(f"SELECT 0, {seconds} FROM service_requests r WHERE {IN_NOVEMBER} "
                                     f"AND r.{column} IS NOT NULL", org=org))[0]
        assert (figures[figure]["overall"]["median_seconds"], figures[figure]["overall"]["count"]) == \
            (pytest.approx(overall[0]), overall[1])
        by_category = _median_by(own_sql(f"SELECT r.category_id, {seconds} FROM service_requests r "
                                         f"WHERE {IN_NOVEMBER} AND r.{column} IS NOT NULL", org=org))
        assert {row["category_id"]: (pytest.approx(row["median_seconds"]), row["count"])
                for row in figures[figure]["by_category"]} == by_category
        by_assignee = _median_by(own_sql(f"SELECT r.assignee_id, {seconds} FROM service_requests r "
                                         f"WHERE {IN_NOVEMBER} AND r.{column} IS NOT NULL "
                                         f"AND r.assignee_id IS NOT NULL", org=org))
        assert {row["assignee_id"]: (pytest.approx(row["median_seconds"]), row["count"])
                for row in figures[figure]["by_assignee"]} == by_assignee
        assert {row["name"] for row in figures[figure]["by_assignee"]} == {"Sam Staff", "Alex Admin"}


def test_weeks_and_months_bucket_in_the_local_time_zone(client, month):
    weekly = client.get(NOVEMBER + "&interval=week", headers=bearer(month.staff)).get_json()
    own = own_sql(f"""SELECT (date_trunc('week', r.created_at AT TIME ZONE :tz))::date::text, count(*)
                      FROM service_requests r WHERE {IN_NOVEMBER} GROUP BY 1""", org=month.org.id)
    totals: dict = {}
    for row in weekly["requests_by_category"]:
        totals[row["period"]] = totals.get(row["period"], 0) + row["count"]
    assert totals == dict(own)
    monthly = client.get(NOVEMBER + "&interval=month", headers=bearer(month.staff)).get_json()
    assert {row["period"] for row in monthly["requests_by_category"]} == {"2026-11-01"}


def test_only_staff_who_may_see_requests_and_sane_periods(client, month):
    assert client.get(NOVEMBER).status_code == 401
    outsider = make_member(OrganizationFactory(slug="shelbyville2"), "admin")
    assert client.get(NOVEMBER, headers=bearer(outsider)).status_code == 403
    backwards = client.get("/api/v1/orgs/springfield/statistics?from=2026-11-30&to=2026-11-01",
                           headers=bearer(month.staff))
    assert backwards.status_code == 422 and "from" in backwards.get_json()["details"]
    assert client.get(NOVEMBER + "&interval=hour", headers=bearer(month.staff)).status_code == 422


def test_the_statistics_page_shows_the_same_figures(client, month):
    figures = client.get(NOVEMBER, headers=bearer(month.staff)).get_json()
    log_in(client, month.staff)
    page = client.get("/staff/springfield/statistics?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'id="total-requests"[^>]*>\s*60\s*<', html)
    assert re.search(rf'id="backlog-total"[^>]*>\s*{figures["backlog"]["total"]}\s*<', html)
    compliance = round(100 * figures["sla"]["compliance"])
    assert re.search(rf'id="sla-compliance"[^>]*>\s*{compliance}\s*%', html)
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    assert 'id="statistics-data"' in html and "<canvas" in html
    assert "Sam Staff" in html and "Pothole" in html
