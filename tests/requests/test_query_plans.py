"""Each hot read uses the index made for it: EXPLAIN of the statements the app really sends.

On a small table the planner rightly prefers reading everything, so the plans are taken with
sequential scans priced out (`enable_seqscan = off`): a read with no usable index still shows
"Seq Scan", and the test fails. bench/city.py measures the same reads at a million requests.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import event, text

from app.db_types import utcnow
from app.events.service import record_event
from app.extensions import db
from app.requests import queries
from app.requests.policy import Audience
from tests.factories import (
    CENTRE,
    CategoryFactory,
    CommentFactory,
    ServiceRequestFactory,
    make_member,
)

pytestmark = pytest.mark.usefixtures("fresh_tables")  # their plans depend on the tables' size

WORDS = ("pothole", "graffiti", "streetlight", "hydrant", "sidewalk")


@pytest.fixture
def city():
    category = CategoryFactory()
    other = CategoryFactory()
    org = category.organization
    for n in range(60):
        place = Point(CENTRE[0] + (n % 10) * 0.01, CENTRE[1] + (n // 10) * 0.01)
        ServiceRequestFactory(category=category if n % 3 else other, location=from_shape(place, srid=4326),
                              description=f"A {WORDS[n % 5]} number {n}", address=f"{n} Elm Street",
                              status=("open", "acknowledged", "closed")[n % 3])
    request = ServiceRequestFactory(category=category)
    staff = make_member(org, "staff")
    for n in range(5):
        comment = CommentFactory(request=request, author=staff, body=f"Note {n}")
        record_event("request.comment_public", request=request, actor=staff, payload={"comment_id": comment.id})
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return {"org": org, "staff": staff, "request": request}


def _sent(read) -> list[tuple[str, dict]]:
    """The SELECT statements (and their parameters) the read sends to the database."""
    sent = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        read()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    db.session.rollback()
    return sent


def _plans(read) -> list[str]:
    plans = []
    with db.engine.connect() as conn, conn.begin():
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        for statement, parameters in _sent(read):
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars()
            plans.append("\n".join(rows))
    return plans


def _page(**filters) -> dict:
    return {"page": 1, "per_page": 20, **filters}


def _assert_uses(plans: list[str], *indexes: str, table: str = "service_requests") -> None:
    joined = "\n\n".join(plans)
    assert f"Seq Scan on {table}" not in joined, joined
    for index in indexes:
        assert index in joined, joined


LIST_ORDER_INDEXES = ("ix_service_requests_org_status_updated", "ix_service_requests_org_updated",
                      "ix_service_requests_updated_at")


def _assert_queue_page(plans: list[str]) -> None:
    """The queue's page in list order from an index, its total from the counters, no table read whole.

    Which index depends on how many of the rows the organization and the status hold: on this small
    table the planner walks the global order (it finds a page at once); at a million rows
    (bench/city.py: the organization nine tenths, `open` 4%) it takes the organization's order, or
    the status index for a status. Before the counters, the count's own index scan made a single
    expected index name pass whatever the page did.
    """
    _assert_uses(plans, "ix_request_counts_org_status")
    page = plans[-1]
    assert "Seq Scan on request_counts" not in page, page
    assert any(index in page for index in LIST_ORDER_INDEXES), page
    assert not re.search(r"(^|->  )Sort ", page, re.MULTILINE), page  # an Incremental Sort keeps the order read


def test_the_staff_queue_reads_its_organization_in_list_order_and_its_total_from_the_counters(city):
    _assert_queue_page(_plans(lambda: queries.staff_queue(city["org"], city["staff"], _page())))


def test_the_staff_queue_filtered_by_status_reads_in_list_order_and_its_total_from_the_counters(city):
    _assert_queue_page(_plans(lambda: queries.staff_queue(city["org"], city["staff"],
                                                          {"page": 1, "per_page": 1, "status": ["open"]})))


def test_the_dashboard_counts_by_status_read_the_counters_and_the_rest_count_rows_by_index(city):
    plans = _plans(lambda: queries.queue_counts(city["org"], city["staff"], {
        "open": {"status": ["open"]}, "mine": {"status": ["open"], "assigned_to": city["staff"].id}}))
    _assert_uses(plans, "ix_request_counts_org_status", "ix_service_requests_")
    assert "Seq Scan on request_counts" not in plans[-1], plans[-1]


def _vacuumed() -> None:
    """The table as autovacuum leaves it: pages all-visible, so an index-only scan needs no table read."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE service_requests"))


def _assert_matched_once_by_map_point(plans: list[str]) -> None:
    """The matches found once, from the map point's index alone (count and page both from them):
    never by walking the update order and testing each row's place (the planner's choice at a
    million rows), nor by reading each match in the table (PostGIS's index: 80 ms at a million)."""
    _assert_uses(plans, "Index Only Scan using ix_service_requests_map_point", "CTE matched")
    assert "ix_service_requests_updated_at" not in plans[-1] and "ix_service_requests_org_updated" not in plans[-1]
    assert plans[-1].count("ix_service_requests_map_point") == 1, plans[-1]  # one scan for count and page


def test_the_public_map_by_bounding_box_counts_from_the_map_point_index_alone(city):
    _vacuumed()
    bbox = (CENTRE[0] - 0.001, CENTRE[1] - 0.001, CENTRE[0] + 0.025, CENTRE[1] + 0.025)
    _assert_matched_once_by_map_point(_plans(lambda: queries.list_requests(_page(bbox=bbox))))


def test_the_public_map_by_radius_counts_from_the_map_point_index_alone(city):
    _vacuumed()
    _assert_matched_once_by_map_point(
        _plans(lambda: queries.list_requests(_page(lng=CENTRE[0], lat=CENTRE[1], radius_m=500))))


def test_what_a_map_combines_with_a_place_is_in_the_map_point_index():
    """Status, category and the organization filter a map index-only too: every column their
    conditions read is in the index (on a small table the planner rightly picks another index, so
    this is checked on the conditions themselves)."""
    from sqlalchemy.sql import visitors

    from app.requests.models import MAP_POINT_INCLUDES, ServiceRequest

    filters = {"bbox": (CENTRE[0], CENTRE[1], CENTRE[0] + 0.01, CENTRE[1] + 0.01), "status": ["open"], "category": [1]}
    conditions = [*queries.filter_conditions(filters), ServiceRequest.organization_id == 1]
    read = {element.name for condition in conditions for element in visitors.iterate(condition)
            if getattr(element, "table", None) is ServiceRequest.__table__}
    assert read == {"map_point", "status", "category_id", "organization_id"}
    assert read <= {"map_point", *MAP_POINT_INCLUDES}


def test_a_later_page_of_the_map_is_the_next_rows_in_list_order(city):
    bbox = (CENTRE[0] - 0.001, CENTRE[1] - 0.001, CENTRE[0] + 0.1, CENTRE[1] + 0.1)
    pages = [queries.list_requests({"page": n, "per_page": 7, "bbox": bbox}) for n in (1, 2, 3)]
    everything = queries.list_requests({"page": 1, "per_page": 21})
    assert [p["total"] for p in pages] == [61] * 3 == [everything["total"]] * 3
    assert [item.id for p in pages for item in p["items"]] == [item.id for item in everything["items"]]


def test_text_search_uses_the_trigram_indexes_of_description_and_address(city):
    plans = _plans(lambda: queries.list_requests(_page(q="streetlight")))
    _assert_uses(plans, "ix_service_requests_description_trgm", "ix_service_requests_address_trgm")


def test_updated_after_paging_reads_the_update_order_index(city):
    since = utcnow() - timedelta(minutes=5)
    _assert_uses(_plans(lambda: queries.list_requests(_page(updated_after=since))), "ix_service_requests_updated_at")


def test_a_request_timeline_reads_its_events_and_comments_by_index(city):
    plans = _plans(lambda: queries.timeline_page(city["request"], Audience.STAFF, 1, 50))
    _assert_uses(plans, "ix_events_request_id_created_at", "ix_comments_request_id_created_at", table="events")
    assert "Seq Scan on comments" not in "\n".join(plans)


# -- statement counts: each hot read is one statement for its rows (and the permission check) ------


def _statements(read) -> list[str]:
    """Every statement the read sends (an eager load or a lazy load per row would show here)."""
    sent = []

    def keep(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        read()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return sent


@pytest.fixture
def loaded(city):
    """The city with its organization, staff member and request loaded, as a request has them after login."""
    for name in ("org", "staff", "request"):
        db.session.refresh(city[name])
    return city


def _dumped_page(page):
    from app.pagination import page_schema
    from app.requests.schemas import RequestSchema

    return page_schema(RequestSchema, "CountedRequestPageSchema")().dump(page)


def test_the_staff_queue_is_its_permission_check_and_one_statement_with_organization_and_reporter(loaded):
    sent = _statements(lambda: _dumped_page(queries.staff_queue(loaded["org"], loaded["staff"], _page())))
    assert len(sent) == 2, sent
    assert "permissions" in sent[0] and "JOIN organizations" in sent[1] and "users" in sent[1]


@pytest.mark.parametrize("filters", [
    {}, {"status": ["open"]}, {"q": "streetlight"}, {"bbox": (CENTRE[0] - 0.001, CENTRE[1] - 0.001, CENTRE[0] + 0.03, CENTRE[1] + 0.03)},
    {"lng": CENTRE[0], "lat": CENTRE[1], "radius_m": 800}, {"updated_after": utcnow() - timedelta(days=1)},
], ids=["all", "status", "q", "bbox", "radius", "updated_after"])
def test_a_public_list_with_its_count_is_one_statement(loaded, filters):
    page = {}
    sent = _statements(lambda: page.update(_dumped_page(queries.list_requests(_page(**filters)))))
    assert len(sent) == 1, sent
    assert page["items"] and page["total"] >= len(page["items"])
    assert set(page["items"][0]["organization"]) == {"id", "slug", "name"}


def test_a_page_past_the_end_counts_in_a_second_statement(loaded):
    page = {}
    sent = _statements(lambda: page.update(queries.list_requests({"page": 50, "per_page": 20})))
    assert page["items"] == [] and page["total"] == 61
    assert len(sent) == 2


def test_a_request_timeline_is_one_statement(loaded):
    from app.pagination import page_schema
    from app.requests.schemas import TimelineEntrySchema

    page = {}
    dump = page_schema(TimelineEntrySchema, "CountedTimelinePageSchema")().dump
    sent = _statements(lambda: page.update(dump(queries.timeline_page(loaded["request"], Audience.STAFF, 1, 50))))
    assert len(sent) == 1, sent
    assert page["total"] == 5  # the comments (their events are shown as the comments)
    comments = [item for item in page["items"] if item["comment"]]
    assert [c["comment"]["body"] for c in comments] == [f"Note {n}" for n in range(5)]
    assert comments[0]["actor"] == {"id": loaded["staff"].id, "name": loaded["staff"].name}


def test_the_dashboard_counts_are_its_permission_check_and_one_statement(loaded):
    counts = {}
    sent = _statements(lambda: counts.update(queries.queue_counts(
        loaded["org"], loaded["staff"], {"open": {"status": ["open"]}, "acknowledged": {"status": ["acknowledged"]}})))
    assert len(sent) == 2, sent
    assert counts == {"open": 1, "acknowledged": 20}  # the open ones of the city are in the other category's organization


def test_reading_one_request_over_http_is_one_statement_and_no_write_within_a_minute(city, client):
    from tests.factories import UserFactory
    from tests.support.auth import bearer

    reader = UserFactory()
    headers = bearer(reader)
    path = f"/api/v1/requests/{city['request'].id}"
    assert client.get(path, headers=headers).status_code == 200  # notes the reader as seen, once a minute
    db.session.expire_all()  # the test's session outlives the request; a server's does not
    sent = _statements(lambda: client.get(path, headers=headers))
    body = client.get(path, headers=headers).get_json()
    # The token's user, the request, its organization and category, the reader's permissions,
    # following and support, and the photos, in one (app/requests/detail.py). No BEGIN or
    # ROLLBACK (a read outside a transaction). No UPDATE: presence is written at most once a
    # minute. No ping: a checkout looks at the socket (app/pool.py).
    assert len(sent) == 1, sent
    assert "api_tokens" in sent[0] and "attachments" in sent[0] and "permissions" in sent[0], sent
    assert not [s for s in sent if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert body["viewer"] == {"following": False, "supporting": False, "actions": ["comment", "follow", "support"]}


def test_reading_one_request_anonymously_is_one_statement(city, client):
    path = f"/api/v1/requests/{city['request'].id}"
    assert client.get(path).status_code == 200
    db.session.expire_all()
    sent = _statements(lambda: client.get(path))
    body = client.get(path).get_json()
    assert len(sent) == 1, sent
    assert body["viewer"] == {"following": False, "supporting": False, "actions": []}
    assert body["id"] == city["request"].id and body["photos"] == []
