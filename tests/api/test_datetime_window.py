"""Every date-time input lies in 1970-01-01 .. 2200-01-01 (app/inputs.py), on every channel, and
a value stored outside it before breaks no page (issue 14, the probe's "date outside Python's range")."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.extensions import db
from tests.factories import WorkOrderFactory
from tests.portal.pages import log_in, post_form
from tests.requests.city import build_city

TOO_EARLY = "0001-01-01T00:00:00+14:00"  # the probe's PATCH
TOO_LATE = "9999-12-31T23:59:59-14:00"  # the probe's work order
WINDOW = "Must be between 1970-01-01 and 2200-01-01."


@pytest.fixture
def city():
    return build_city()


@pytest.mark.parametrize("value", [TOO_EARLY, TOO_LATE, "1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z"])
def test_a_due_date_outside_the_window_is_a_422_naming_the_field(client, city, value):
    response = client.patch(f"/api/v1/orgs/springfield/requests/{city.request.id}", json={"due_at": value},
                            headers=city.headers("staff"))
    assert response.status_code == 422
    assert response.get_json()["details"]["json"] == {"due_at": [WINDOW]}
    db.session.refresh(city.request)
    assert city.request.due_at is None


def test_the_window_keeps_what_is_inside_it(client, city):
    response = client.patch(f"/api/v1/orgs/springfield/requests/{city.request.id}",
                            json={"due_at": "2199-12-31T23:00:00Z"}, headers=city.headers("staff"))
    assert response.status_code == 200 and response.get_json()["due_at"].startswith("2199-12-31T23:00:00")


def test_work_orders_and_list_filters_refuse_a_date_time_outside_the_window(client, city):
    url = "/api/v1/orgs/springfield/work-orders"
    created = client.post(url, json={"title": "Patch", "due_at": TOO_LATE}, headers=city.headers("staff"))
    assert created.status_code == 422 and created.get_json()["details"]["json"] == {"due_at": [WINDOW]}
    order = WorkOrderFactory(organization=city.org)
    changed = client.patch(f"{url}/{order.id}", json={"due_at": TOO_EARLY}, headers=city.headers("staff"))
    assert changed.status_code == 422 and changed.get_json()["details"]["json"] == {"due_at": [WINDOW]}
    listed = client.get("/api/v1/requests?updated_after=0001-01-01T00:00:00Z")
    assert listed.status_code == 422 and listed.get_json()["details"]["query"] == {"updated_after": [WINDOW]}


@pytest.mark.parametrize("parameter", ["start_date", "end_date", "updated_after", "updated_before"])
def test_open311_answers_its_errors_document_for_a_date_time_outside_the_window(client, city, parameter):
    response = client.get(f"/open311/v2/requests.json?jurisdiction_id=springfield&{parameter}=9999-12-31T23:59:59-14:00")
    assert response.status_code == 400
    [error] = response.get_json()
    assert error["code"] == 400 and error["description"] == f"{parameter}: {WINDOW}"


def test_the_portal_due_date_forms_say_so_next_to_the_field(client, city):
    log_in(client, city.staff)
    page = f"/staff/springfield/requests/{city.request.id}"
    refused = post_form(client, page + "/due-date", {"due_at": "9999-12-31T23:59"}, form_page=page)
    assert refused.status_code == 422  # was a 500
    assert f'id="due_at-error">{WINDOW}' in refused.text
    order = WorkOrderFactory(organization=city.org)
    new = post_form(client, "/staff/springfield/work-orders", {"title": "Patch", "due_at": "0001-01-01T00:00"})
    assert new.status_code == 422 and f'id="due_at-error">{WINDOW}' in new.text
    edit = f"/staff/springfield/work-orders/{order.id}"
    changed = post_form(client, edit, {"title": "Patch", "status": "open", "due_at": "9999-12-31T23:59"},
                        form_page=edit)
    assert changed.status_code == 422 and f'id="due_at-error">{WINDOW}' in changed.text


def _store_outside_the_window(city):
    """What the probe stored before the window existed (written as SQL: no input path takes it now)."""
    order = WorkOrderFactory(organization=city.org, title="Far future work")
    db.session.commit()
    db.session.execute(text("UPDATE service_requests SET due_at = :v WHERE id = :id"),
                       {"v": TOO_EARLY, "id": city.request.id})
    db.session.execute(text("UPDATE work_orders SET due_at = :v WHERE id = :id"), {"v": TOO_LATE, "id": order.id})
    db.session.commit()
    db.session.expire_all()
    return order


def test_a_stored_date_time_outside_the_window_breaks_no_page(client, city):
    order = _store_outside_the_window(city)
    assert client.get("/api/v1/requests").status_code == 200  # the public list (was 422 "timestamp too small")
    assert client.get(f"/api/v1/requests/{city.request.id}").status_code == 200
    assert client.get("/").status_code == 200  # the home page's map
    assert client.get(f"/requests/{city.request.public_id}").status_code == 200
    listed = client.get("/api/v1/orgs/springfield/work-orders", headers=city.headers("staff"))
    assert listed.status_code == 200
    assert [item["due_at"] for item in listed.get_json()["items"]] == ["2200-01-01T00:00:00+00:00"]
    log_in(client, city.staff)
    queue = client.get("/staff/springfield/requests")
    assert queue.status_code == 200 and city.request.description in queue.text
    orders = client.get("/staff/springfield/work-orders")
    assert orders.status_code == 200 and "Far future work" in orders.text
    assert client.get(f"/staff/springfield/work-orders/{order.id}").status_code == 200
    assert client.get(f"/staff/springfield/requests/{city.request.id}").status_code == 200


def test_the_migration_clears_due_dates_stored_outside_the_window(app, city):
    order = _store_outside_the_window(city)
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0021_datetime_window.py"
    spec = importlib.util.spec_from_file_location("migration_0021", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with db.engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        migration.upgrade()
    rows = db.session.execute(text(
        "SELECT (SELECT due_at FROM service_requests WHERE id = :r), (SELECT due_at FROM work_orders WHERE id = :w)"),
        {"r": city.request.id, "w": order.id}).one()
    assert tuple(rows) == (None, None)
