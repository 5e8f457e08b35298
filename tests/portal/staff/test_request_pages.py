"""The staff queue and request page: filters, SLA badges, and every workflow action."""

from __future__ import annotations

from datetime import timedelta

from app.db_types import utcnow
from app.events.models import Event
from app.requests.models import Comment
from tests.factories import ServiceRequestFactory, make_member
from tests.portal.pages import log_in, post_form
from tests.requests.city import build_city

QUEUE = "/staff/springfield/requests"


def test_the_queue_filters_and_shows_sla_badges(client, db):
    city = build_city()
    late = city.new_request(description="Late one", sla_due_at=utcnow() - timedelta(hours=3))
    city.new_request(description="Closed one", status="closed")
    log_in(client, city.staff)
    default = client.get(QUEUE).text
    assert "Late one" in default and "Closed one" not in default  # open and acknowledged by default
    assert 'class="pill sla-breached">SLA breached 3 h ago' in default
    closed = client.get(QUEUE + "?status=closed").text
    assert "Closed one" in closed and "Late one" not in closed
    searched = client.get(QUEUE + "?q=late&status=open").text
    assert "Late one" in searched and city.request.description not in searched
    assert late.public_id in default


def test_the_queue_names_who_each_request_is_assigned_to(client, db):
    city = build_city()
    city.new_request(description="Taken one", assignee=city.admin)
    city.new_request(description="Free one")
    log_in(client, city.staff)
    rows = {row.split("<div>")[1].split("</div>")[0]: row for row in client.get(QUEUE).text.split("<tr>")[2:]}
    assert "<td>Alex Admin</td>" in rows["Taken one"]
    assert "<td>—</td>" in rows["Free one"]


def test_the_queue_reads_its_pages_assignees_in_one_query(client, db):
    from sqlalchemy import event

    city = build_city()
    helpers = [make_member(city.org, "staff") for _ in range(3)]
    for n in range(6):
        city.new_request(description=f"Taken {n}", assignee=helpers[n % 3])
    log_in(client, city.staff)
    client.get(QUEUE)  # the session's sign-in and the like, read once
    sent = []
    listener = lambda conn, cursor, statement, *args: sent.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = client.get(QUEUE).text
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert all(f"<td>{helper.name}</td>" in page for helper in helpers)
    assert len([s for s in sent if "FROM users" in s and "users.id IN" in s]) == 1, sent


def test_every_workflow_action_from_the_request_page(client, db):
    city = build_city()
    page = f"{QUEUE}/{city.request.id}"
    log_in(client, city.staff)
    assert post_form(client, page + "/acknowledge", form_page=page).status_code == 302
    post_form(client, page + "/assign", {"assignee_id": str(city.admin.id)}, form_page=page)
    post_form(client, page + "/recategorize", {"category_id": str(city.other_category.id)}, form_page=page)
    post_form(client, page + "/due-date", {"due_at": "2030-01-02T08:00"}, form_page=page)
    post_form(client, page + "/comments", {"body": "Note to self", "visibility": "internal"}, form_page=page)
    post_form(client, page + "/close", {"comment": "Patched"}, form_page=page)
    db.session.refresh(city.request)
    assert (city.request.status, city.request.assignee_id, city.request.category_id) == (
        "closed", city.admin.id, city.other_category.id)
    assert city.request.due_at.isoformat() == "2030-01-02T14:00:00+00:00"
    assert db.session.query(Comment).filter_by(visibility="internal", body="Note to self").count() == 1
    post_form(client, page + "/reopen", form_page=page)
    db.session.refresh(city.request)
    assert city.request.status == "open"
    kinds = [e.kind for e in db.session.query(Event).filter_by(request_id=city.request.id).order_by(Event.id)]
    for kind in ("request.acknowledged", "request.assigned", "request.recategorized", "request.due_date_changed",
                 "request.comment_internal", "request.closed", "request.reopened"):
        assert kind in kinds
    timeline = client.get(page).text
    assert "<span class=\"who\">Sam Staff</span> assigned the request to Alex Admin" in timeline
    assert "moved the request from Pothole to Graffiti" in timeline


def test_refusals_come_back_as_messages(client, db):
    city = build_city()
    page = f"{QUEUE}/{city.request.id}"
    log_in(client, city.staff)
    post_form(client, page + "/acknowledge", form_page=page)
    again = post_form(client, page + "/acknowledge", form_page=page)
    assert again.status_code == 302
    assert "A request that is acknowledged cannot be acknowledged." in client.get(page).text
    bad = post_form(client, page + "/assign", {"assignee_id": str(city.resident_b.id)}, form_page=page)
    assert bad.status_code == 422 and "is not a member here who may handle requests" in bad.text


def test_another_organizations_request_is_not_found(client, db):
    city = build_city()
    theirs = ServiceRequestFactory(category=city.neighbour_category)
    log_in(client, city.staff)
    assert client.get(f"{QUEUE}/{theirs.id}").status_code == 404
    assert post_form(client, f"{QUEUE}/{theirs.id}/acknowledge", form_page=QUEUE).status_code == 404


def test_residents_cannot_open_the_queue(client, db):
    city = build_city()
    log_in(client, city.resident_a)
    assert client.get(QUEUE).status_code == 403
