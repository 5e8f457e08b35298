"""FixMyStreet's servicerequestupdates: public comments and status changes out, another system's updates in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.requests import service
from app.requests.models import Comment, ServiceRequest
from tests.factories import ServiceRequestFactory, make_member
from tests.open311.support import (
    api_key_for,
    city_with_pothole,
    error_codes_and_descriptions,
    names,
    text_of,
    xml,
)

UPDATE_ELEMENTS = ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_updates_list_public_comments_and_status_changes_never_internal_notes(client, fmt, stub_broker):
    organization, pothole, _ = city_with_pothole()
    staff = make_member(organization, "staff", name="Sam Staff")
    request = ServiceRequestFactory(category=pothole)
    public = service.add_comment(request.id, staff, "A crew is booked.", "public")
    service.add_comment(request.id, staff, "Internal: the contractor is late.", "internal")
    service.close(request.id, staff, organization=organization)
    response = client.get(f"/open311/v2/servicerequestupdates.{fmt}?jurisdiction_id=springfield")
    assert response.status_code == 200
    if fmt == "json":
        updates = response.get_json()
    else:
        root = xml(response)
        assert root.tag == "service_requests_updates"
        assert all(element.tag == "request_update" and names(element) == UPDATE_ELEMENTS for element in root)
        updates = [{name: text_of(element, name) for name in UPDATE_ELEMENTS} for element in root]
    assert [(u["update_id"][0], u["description"], u["status"]) for u in updates] == [
        ("c", "A crew is booked.", "closed"), ("e", "Closed", "closed")]
    assert updates[0]["update_id"] == f"c{public.id}"
    assert {u["service_request_id"] for u in updates} == {request.public_id}
    body = response.get_data(as_text=True)
    assert "contractor" not in body and "Sam Staff" not in body


def test_another_system_posts_a_comment_and_closes_the_request(client, stub_broker):
    organization, pothole, _ = city_with_pothole()
    key = api_key_for(organization)
    request = ServiceRequestFactory(category=pothole)
    answer = client.post("/open311/v2/servicerequestupdates.json?jurisdiction_id=springfield", data={
        "api_key": key, "service_request_id": request.public_id, "status": "CLOSED",
        "description": "Filled by the county crew.", "email": "crew@county.example", "first_name": "County",
        "last_name": "Crew"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    [update] = answer.get_json()
    db.session.rollback()
    comment = db.session.scalar(select(Comment).where(Comment.request_id == request.id))
    assert update == {"update_id": f"c{comment.id}"}
    assert comment.body == "Filled by the county crew." and comment.source == "open311"
    assert comment.author.email == "crew@county.example" and comment.author.name == "County Crew"
    assert db.session.get(ServiceRequest, request.id).status == "closed"
    reopened = client.post("/open311/v2/servicerequestupdates.xml?jurisdiction_id=springfield", data={
        "api_key": key, "service_request_id": request.public_id, "status": "OPEN"})
    root = xml(reopened)
    assert root.tag == "service_request_updates" and text_of(root[0], "update_id").startswith("e")
    db.session.rollback()
    assert db.session.get(ServiceRequest, request.id).status == "open"


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_an_update_needs_a_key_a_known_request_and_a_valid_status(client, fmt):
    organization, pothole, _ = city_with_pothole()
    key = api_key_for(organization)
    request = ServiceRequestFactory(category=pothole)
    url = f"/open311/v2/servicerequestupdates.{fmt}?jurisdiction_id=springfield"
    no_key = client.post(url, data={"service_request_id": request.public_id, "status": "CLOSED"})
    assert no_key.status_code == 403
    [(code, words)] = error_codes_and_descriptions(no_key, fmt)
    assert code == 403 and "api_key" in words
    unknown = client.post(url, data={"api_key": key, "service_request_id": "nope", "status": "CLOSED"})
    assert unknown.status_code == 404
    bad = client.post(url, data={"api_key": key, "service_request_id": request.public_id, "status": "DONE"})
    assert bad.status_code == 400 and "status" in error_codes_and_descriptions(bad, fmt)[0][1]
    nameless = client.post(url, data={"api_key": key, "service_request_id": request.public_id,
                                      "description": "Who wrote me?"})
    assert nameless.status_code == 400 and "email" in error_codes_and_descriptions(nameless, fmt)[0][1]
