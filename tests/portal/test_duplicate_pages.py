"""Duplicates on the pages without a script: the report page offers nearby requests; staff merge from theirs."""

from __future__ import annotations

from app.extensions import db
from app.requests.models import ServiceRequest
from tests.factories import (
    CENTRE,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
)
from tests.portal.pages import log_in, post_form


def test_the_report_page_offers_open_requests_of_the_category_nearby(client):
    org = OrganizationFactory()
    pothole = CategoryFactory(organization=org, name="Pothole")
    ServiceRequestFactory(category=pothole, description="Deep pothole outside number 12")
    log_in(client, UserFactory())
    lng, lat = CENTRE
    page = post_form(client, "/report", {"lat": lat, "lng": lng, "category_id": pothole.id, "lookup": "1"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Is it one of these?" in html and "Deep pothole outside number 12" in html
    assert "This is it: me too" in html


def test_staff_merge_a_duplicate_from_its_page(client):
    org = OrganizationFactory(slug="springfield")
    staff = make_member(org, "staff")
    category = CategoryFactory(organization=org)
    survivor, duplicate = ServiceRequestFactory(category=category), ServiceRequestFactory(category=category)
    log_in(client, staff)
    page = client.get(f"/staff/springfield/requests/{duplicate.id}").get_data(as_text=True)
    assert f"Merge this one into #{survivor.id}" in page
    done = post_form(client, f"/staff/springfield/requests/{duplicate.id}/merge", {"into_id": survivor.id},
                     form_page=f"/staff/springfield/requests/{duplicate.id}", follow_redirects=True)
    assert "Merged: this duplicate is closed" in done.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(ServiceRequest, duplicate.id).merged_into_id == survivor.id
    public = client.get(f"/requests/{duplicate.id}").get_data(as_text=True)
    assert f"request {survivor.public_id}" in public
    wrong = post_form(client, f"/staff/springfield/requests/{survivor.id}/merge", {"into_id": survivor.id},
                      form_page=f"/staff/springfield/requests/{survivor.id}")
    assert wrong.status_code == 422 and "cannot be merged into itself" in wrong.get_data(as_text=True)
