"""The staff work-order API: create, list, read and update, with permissions and errors."""

import pytest
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from tests.factories import (
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    WorkOrderFactory,
    make_member,
)
from tests.support.auth import bearer

DUE = "2026-01-05T15:00:00-06:00"
DUE_UTC = "2026-01-05T21:00:00+00:00"


@pytest.fixture
def city():
    return OrganizationFactory(slug="springfield")


@pytest.fixture
def staff(city):
    return make_member(city, "staff")


def url(org, work_order_id=None) -> str:
    base = f"/api/v1/orgs/{org.slug}/work-orders"
    return base if work_order_id is None else f"{base}/{work_order_id}"


def event_kinds() -> list[tuple[str, dict]]:
    db.session.expire_all()
    return [(e.kind, e.payload) for e in db.session.scalars(select(Event).order_by(Event.id))]


# --- create -------------------------------------------------------------------------------

def test_staff_create_a_work_order_for_a_request_assigned_to_a_crew_member(client, city, staff):
    request = ServiceRequestFactory(category__organization=city)
    crew = make_member(city, "staff")
    response = client.post(url(city), headers=bearer(staff), json={
        "title": "Patch the pothole", "notes": "Bring the hot mix.", "request_id": request.id,
        "assignee_id": crew.id, "due_at": DUE})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {k: body[k] for k in ("organization", "request_id", "title", "notes", "status", "assignee_id",
                                 "created_by_id", "due_at")} == {
        "organization": "springfield", "request_id": request.id, "title": "Patch the pothole",
        "notes": "Bring the hot mix.", "status": "open", "assignee_id": crew.id, "created_by_id": staff.id,
        "due_at": DUE_UTC}
    assert event_kinds() == [("work_order.created", {"work_order_id": body["id"]}),
                             ("work_order.assigned", {"work_order_id": body["id"], "assignee_id": crew.id})]
    assert db.session.scalar(select(Event.request_id).where(Event.kind == "work_order.assigned")) == request.id


def test_a_work_order_needs_no_request_and_a_request_can_have_several(client, city, staff):
    request = ServiceRequestFactory(category__organization=city)
    headers = bearer(staff)
    standalone = client.post(url(city), headers=headers, json={"title": "Sweep the depot"})
    assert standalone.status_code == 201
    assert standalone.get_json()["request_id"] is None
    for title in ("Cut the asphalt", "Patch", "Paint the line"):
        assert client.post(url(city), headers=headers, json={"title": title, "request_id": request.id}).status_code == 201
    listed = client.get(url(city), headers=headers, query_string={"request": request.id}).get_json()
    assert listed["total"] == 3
    assert {item["title"] for item in listed["items"]} == {"Cut the asphalt", "Patch", "Paint the line"}
    assert [kind for kind, _ in event_kinds()] == ["work_order.created"] * 4


@pytest.mark.parametrize(("body", "field"), [
    ({}, "title"),
    ({"title": ""}, "title"),
    ({"title": "x", "colour": "red"}, "colour"),
    ({"title": "x", "due_at": "2026-01-05T15:00:00"}, "due_at"),  # no offset: ambiguous
    ({"title": "x", "due_at": "next week"}, "due_at"),
    ({"title": "x", "assignee_id": "someone"}, "assignee_id"),
])
def test_invalid_work_orders_are_refused_naming_the_field(client, city, staff, body, field):
    response = client.post(url(city), headers=bearer(staff), json=body)
    assert response.status_code == 422
    assert response.get_json()["error"] == "validation_failed"
    assert field in response.get_json()["details"]["json"]


def test_the_assignee_must_be_a_member_and_the_request_the_organizations_own(client, city, staff):
    other_city = OrganizationFactory()
    outsider = make_member(other_city, "staff")
    foreign_request = ServiceRequestFactory(category__organization=other_city)
    headers = bearer(staff)
    not_member = client.post(url(city), headers=headers, json={"title": "x", "assignee_id": outsider.id})
    assert not_member.status_code == 422
    assert "assignee_id" in not_member.get_json()["details"]
    foreign = client.post(url(city), headers=headers, json={"title": "x", "request_id": foreign_request.id})
    assert foreign.status_code == 422
    assert "request_id" in foreign.get_json()["details"]
    assert event_kinds() == []


# --- read ---------------------------------------------------------------------------------

def test_listing_filters_by_status_and_assignee_and_pages(client, city, staff):
    crew = make_member(city, "staff")
    first = WorkOrderFactory(organization=city, title="First", assignee_id=crew.id, due_at="2026-01-05T10:00:00Z")
    WorkOrderFactory(organization=city, title="Second", assignee_id=crew.id, due_at="2026-01-06T10:00:00Z",
                     status="in_progress")
    WorkOrderFactory(organization=city, title="Undated")
    WorkOrderFactory(title="Elsewhere")
    headers = bearer(staff)

    everything = client.get(url(city), headers=headers).get_json()
    assert [item["title"] for item in everything["items"]] == ["First", "Second", "Undated"]
    assert everything["total"] == 3
    by_crew = client.get(url(city), headers=headers, query_string={"assignee": crew.id}).get_json()
    assert [item["title"] for item in by_crew["items"]] == ["First", "Second"]
    in_progress = client.get(url(city), headers=headers, query_string={"status": "in_progress"}).get_json()
    assert [item["title"] for item in in_progress["items"]] == ["Second"]
    page_two = client.get(url(city), headers=headers, query_string={"per_page": 1, "page": 2}).get_json()
    assert (page_two["total"], page_two["page"], [i["title"] for i in page_two["items"]]) == (3, 2, ["Second"])

    one = client.get(url(city, first.id), headers=headers)
    assert one.status_code == 200
    assert one.get_json()["title"] == "First"


@pytest.mark.parametrize("query", [{"status": "finished"}, {"per_page": 101}, {"assignee": "me"}, {"page": 0}])
def test_bad_list_filters_are_422(client, city, staff, query):
    response = client.get(url(city), headers=bearer(staff), query_string=query)
    assert response.status_code == 422
    assert response.get_json()["error"] == "validation_failed"


def test_viewers_may_read_but_not_write(client, city):
    viewer = make_member(city, "viewer")
    order = WorkOrderFactory(organization=city)
    headers = bearer(viewer)
    assert client.get(url(city), headers=headers).status_code == 200
    assert client.get(url(city, order.id), headers=headers).status_code == 200
    denied = client.post(url(city), headers=headers, json={"title": "x"})
    assert denied.status_code == 403
    assert denied.get_json()["details"] == {"permission": "manage_work_orders"}
    assert client.patch(url(city, order.id), headers=headers, json={"status": "done"}).status_code == 403


def test_anonymous_callers_outsiders_and_other_organizations_are_kept_out(client, city, staff):
    order = WorkOrderFactory(organization=city)
    other_city = OrganizationFactory()
    their_order = WorkOrderFactory(organization=other_city)
    their_staff = make_member(other_city, "admin")
    resident = UserFactory()

    assert client.get(url(city)).status_code == 401
    assert client.post(url(city), json={"title": "x"}).status_code == 401
    for outsider in (their_staff, resident):
        headers = bearer(outsider)
        assert client.get(url(city), headers=headers).status_code == 403
        assert client.get(url(city, order.id), headers=headers).status_code == 403
        assert client.patch(url(city, order.id), headers=headers, json={"title": "mine"}).status_code == 403
    # Our staff cannot reach another organization's work order through our organization.
    headers = bearer(staff)
    assert client.get(url(city, their_order.id), headers=headers).status_code == 404
    assert client.patch(url(city, their_order.id), headers=headers, json={"title": "x"}).status_code == 404
    assert client.get(url(city, 999999), headers=headers).status_code == 404
    assert client.get("/api/v1/orgs/atlantis/work-orders", headers=headers).status_code == 404


# --- update -------------------------------------------------------------------------------

def test_status_moves_through_the_allowed_transitions_only(client, city, staff):
    order = WorkOrderFactory(organization=city)
    headers = bearer(staff)

    def move(status):
        return client.patch(url(city, order.id), headers=headers, json={"status": status})

    assert move("in_progress").get_json()["status"] == "in_progress"
    assert move("done").get_json()["status"] == "done"
    refused = move("cancelled")
    assert refused.status_code == 409
    assert refused.get_json()["details"] == {"status": "done", "allowed": ["in_progress"]}
    assert move("in_progress").status_code == 200
    assert move("bogus").status_code == 422
    assert [payload for kind, payload in event_kinds() if kind == "work_order.status_changed"] == [
        {"work_order_id": order.id, "status": "in_progress", "previous_status": "open"},
        {"work_order_id": order.id, "status": "done", "previous_status": "in_progress"},
        {"work_order_id": order.id, "status": "in_progress", "previous_status": "done"},
    ]


def test_changing_due_at_and_assignee_records_their_events(client, city, staff):
    crew = make_member(city, "staff")
    order = WorkOrderFactory(organization=city, due_at="2026-01-05T10:00:00Z")
    headers = bearer(staff)

    response = client.patch(url(city, order.id), headers=headers,
                            json={"due_at": DUE, "assignee_id": crew.id, "notes": "Two-person job."})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["due_at"], response.get_json()["assignee_id"]) == (DUE_UTC, crew.id)
    assert event_kinds() == [
        ("work_order.updated", {"work_order_id": order.id, "fields": ["notes"]}),
        ("work_order.assigned", {"work_order_id": order.id, "assignee_id": crew.id}),
        ("work_order.due_changed", {"work_order_id": order.id, "due_at": DUE_UTC,
                                    "previous_due_at": "2026-01-05T10:00:00+00:00"}),
    ]

    # Sending the same values again changes nothing and records nothing.
    assert client.patch(url(city, order.id), headers=headers, json={"due_at": DUE, "assignee_id": crew.id}
                        ).status_code == 200
    assert len(event_kinds()) == 3

    cleared = client.patch(url(city, order.id), headers=headers, json={"due_at": None, "assignee_id": None})
    assert (cleared.get_json()["due_at"], cleared.get_json()["assignee_id"]) == (None, None)
    assert event_kinds()[3:] == [
        ("work_order.updated", {"work_order_id": order.id, "fields": ["assignee_id"]}),
        ("work_order.due_changed", {"work_order_id": order.id, "due_at": None, "previous_due_at": DUE_UTC}),
    ]


def test_a_refused_update_changes_nothing(client, city, staff):
    outsider = make_member(OrganizationFactory(), "staff")
    order = WorkOrderFactory(organization=city, title="Original", status="done")
    headers = bearer(staff)
    assert client.patch(url(city, order.id), headers=headers,
                        json={"title": "Renamed", "assignee_id": outsider.id}).status_code == 422
    assert client.patch(url(city, order.id), headers=headers,
                        json={"title": "Renamed", "status": "open"}).status_code == 409
    assert client.patch(url(city, order.id), headers=headers, json={"request_id": 1}).status_code == 422
    assert client.get(url(city, order.id), headers=headers).get_json()["title"] == "Original"
    assert event_kinds() == []


def test_the_openapi_document_describes_the_work_order_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/orgs/{org}/work-orders"]) >= {"get", "post"}
    assert set(paths["/api/v1/orgs/{org}/work-orders/{work_order_id}"]) >= {"get", "patch"}
