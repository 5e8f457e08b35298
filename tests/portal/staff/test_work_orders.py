"""Work-order pages: the list, creating one for a request, updating it through the work service."""

from __future__ import annotations

from app.work.models import WorkOrder
from tests.factories import (
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    WorkOrderFactory,
    make_member,
)
from tests.portal.pages import log_in, post_form


def test_staff_create_a_work_order_for_a_request_and_move_it_on(client, db):
    org = OrganizationFactory(slug="springfield", timezone="America/Chicago")
    staff = make_member(org, "staff", name="Sam Staff")
    crew = make_member(org, "staff", name="Casey Crew")
    request = ServiceRequestFactory(category__organization=org)
    log_in(client, staff)

    created = post_form(client, "/staff/springfield/work-orders", {
        "title": "Patch the hole", "notes": "Bring cold mix", "request": request.public_id,
        "assignee_id": str(crew.id), "due_at": "2030-03-04T09:30"})
    assert created.status_code == 302
    order = db.session.query(WorkOrder).one()
    assert (order.request_id, order.assignee_id) == (request.id, crew.id)
    assert order.due_at.isoformat() == "2030-03-04T15:30:00+00:00"  # 09:30 in Chicago, in UTC

    page = client.get(created.headers["Location"])
    assert f"Work order #{order.id}: Patch the hole" in page.text
    assert 'value="2030-03-04T09:30"' in page.text  # shown back in the organization's time
    # Only the statuses the work service allows from "open" are offered.
    assert '<option selected value="open">Open</option>' in page.text
    assert 'value="done"' in page.text

    updated = post_form(client, f"/staff/springfield/work-orders/{order.id}", {
        "title": "Patch the hole", "notes": "", "status": "in_progress", "assignee_id": "", "due_at": ""},
        form_page=f"/staff/springfield/work-orders/{order.id}")
    assert updated.status_code == 302
    db.session.refresh(order)
    assert (order.status, order.assignee_id, order.due_at) == ("in_progress", None, None)
    listing = client.get("/staff/springfield/work-orders?status=in_progress").text
    assert "Patch the hole" in listing and "for request " + request.public_id in listing


def test_the_services_refusals_show_next_to_the_field(client, db):
    org = OrganizationFactory(slug="springfield")
    staff = make_member(org, "staff")
    outsider = UserFactory()
    log_in(client, staff)
    unknown_request = post_form(client, "/staff/springfield/work-orders", {"title": "X", "request": "nope"})
    assert unknown_request.status_code == 422
    assert 'id="request-error">City of Springfield has no request nope.</p>' in unknown_request.text
    not_member = post_form(client, "/staff/springfield/work-orders", {"title": "X", "assignee_id": str(outsider.id)})
    assert not_member.status_code == 422
    assert f'id="assignee_id-error">User {outsider.id} is not a member of &#39;springfield&#39;.</p>' in not_member.text
    assert db.session.query(WorkOrder).count() == 0


def test_viewers_see_work_orders_but_cannot_change_them(client, db):
    org = OrganizationFactory(slug="springfield")
    viewer = make_member(org, "viewer")
    order = WorkOrderFactory(organization=org, title="Sweep the square")
    log_in(client, viewer)
    page = client.get(f"/staff/springfield/work-orders/{order.id}")
    assert page.status_code == 200 and "Sweep the square" in page.text and "<form method=\"post\" action=\"/staff" not in page.text
    refused = post_form(client, f"/staff/springfield/work-orders/{order.id}", {"title": "Hacked", "status": "done"},
                        form_page="/")
    assert refused.status_code == 403
    assert "You need the &#39;manage_work_orders&#39; permission" in refused.text


def test_residents_are_refused_and_visitors_sent_to_log_in(client, db):
    OrganizationFactory(slug="springfield")
    assert client.get("/staff/springfield/work-orders").headers["Location"] == "/login?next=/staff/springfield/work-orders"
    log_in(client, UserFactory())
    assert client.get("/staff/springfield/work-orders").status_code == 403
