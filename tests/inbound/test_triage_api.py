"""The Inbound Messages queue over HTTP, as staff use it (Trackops' triage, done here)."""

from __future__ import annotations

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.inbound.models import InboundMessage
from app.requests.models import Attachment, ServiceRequest
from tests.factories import OrganizationFactory, make_member
from tests.inbound.world import mail, store_and_process
from tests.support.auth import bearer


@pytest.fixture
def staff_headers(world):
    return bearer(world.sam)


def url(path: str = "") -> str:
    return "/api/v1/orgs/springfield/inbound-messages" + path


@pytest.fixture(autouse=True)
def _behind_our_mta(app, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_AUTHSERV_ID", "mx.inbound.test")


def triaged(sender: str, body: str, *, proven: bool = True, **kwargs) -> int:
    """Mail as our MTA hands it over: with its DMARC pass for the sender's domain, unless not `proven`."""
    raw = mail(sender, body, **kwargs)
    if proven:
        domain = sender.rpartition("@")[2]
        raw = f"Authentication-Results: mx.inbound.test; dmarc=pass header.from={domain}\r\n".encode() + raw
    store_and_process(raw, envelope_to=[kwargs.get("to", "springfield@inbound.test")])
    return db.session.scalar(select(InboundMessage.id).order_by(InboundMessage.id.desc()))


def test_staff_list_filter_and_count_unread(client, world, staff_headers):
    first = triaged("bob@example.org", "Broken bench in the park.")
    triaged("visitor@travel.example", "Is the river walk open?")
    listed = client.get(url(), headers=staff_headers)
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["total"] == 2 and body["page"] == 1
    newest = body["items"][0]
    assert newest["sender_email"] == "visitor@travel.example" and newest["unread"] is True
    assert newest["status"] == "awaiting_review" and newest["reason"] == "general_address"
    assert client.get(url("/unread-count"), headers=staff_headers).get_json() == {"unread": 2, "open": 2}

    opened = client.get(url(f"/{first}"), headers=staff_headers).get_json()
    assert opened["body"] == "Broken bench in the park." and opened["read_at"] is not None
    assert client.get(url("/unread-count"), headers=staff_headers).get_json() == {"unread": 1, "open": 2}
    unread = client.get(url("?unread=true"), headers=staff_headers).get_json()
    assert [m["sender_email"] for m in unread["items"]] == ["visitor@travel.example"]

    closed = client.post(url(f"/{first}/status"), json={"status": "closed"}, headers=staff_headers)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert client.get(url("?status=closed"), headers=staff_headers).get_json()["total"] == 1
    assert client.get(url("/unread-count"), headers=staff_headers).get_json() == {"unread": 1, "open": 1}
    event = db.session.scalar(select(Event).where(Event.kind == "inbound.message_status_changed"))
    assert event.payload == {"inbound_message_id": first, "status": "closed", "previous_status": "awaiting_review"}
    assert event.actor_id == world.sam.id


def test_bad_filters_and_statuses_are_refused(client, world, staff_headers):
    message_id = triaged("bob@example.org", "Hello there.")
    assert client.get(url("?status=lost"), headers=staff_headers).status_code == 422
    refused = client.post(url(f"/{message_id}/status"), json={"status": "archived"}, headers=staff_headers)
    assert refused.status_code == 422 and refused.get_json()["error"] == "validation_failed"
    extra = client.post(url(f"/{message_id}/status"), json={"status": "closed", "x": 1}, headers=staff_headers)
    assert extra.status_code == 422


def test_delete_as_spam_hides_it_and_keeps_the_audit_trail(client, world, staff_headers):
    message_id = triaged("prince@scam.example", "You have won a million dollars.")
    assert client.delete(url(f"/{message_id}"), headers=staff_headers).status_code == 204
    assert client.get(url(), headers=staff_headers).get_json()["total"] == 0
    assert client.get(url(f"/{message_id}"), headers=staff_headers).status_code == 404
    row = db.session.get(InboundMessage, message_id)
    assert row.deleted_at is not None and row.deleted_by_id == world.sam.id
    event = db.session.scalar(select(Event).where(Event.kind == "inbound.message_deleted"))
    assert event.payload == {"inbound_message_id": message_id, "reason": "spam"} and event.actor_id == world.sam.id


def test_create_request_from_a_message(client, world, staff_headers):
    message_id = triaged("bob@example.org", "The bench by the fountain has a broken slat.", photo=True)
    created = client.post(url(f"/{message_id}/create-request"), headers=staff_headers,
                          json={"category_id": world.category.id, "lat": 39.781, "lng": -89.651,
                                "address": "Lincoln Park"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["message"]["status"] == "closed" and body["message"]["request_id"] == body["request_id"]
    request = db.session.get(ServiceRequest, body["request_id"])
    assert request.reporter_id == world.bob.id and request.source == "email"
    assert request.description == "The bench by the fountain has a broken slat."
    assert to_shape(request.location).equals_exact(to_shape(request.location), 0)
    assert round(to_shape(request.location).y, 3) == 39.781
    copied = db.session.scalars(select(Attachment).where(Attachment.request_id == request.id)).all()
    assert [(a.filename, a.content_type) for a in copied] == [("photo.png", "image/png")]
    kinds = set(db.session.scalars(select(Event.kind)))
    assert {"request.submitted", "inbound.message_linked", "inbound.message_status_changed"} <= kinds
    again = client.post(url(f"/{message_id}/create-request"), headers=staff_headers,
                        json={"category_id": world.category.id, "lat": 39.78, "lng": -89.65})
    assert again.status_code == 409


def test_create_request_for_an_unknown_sender_records_no_reporter(client, world, staff_headers):
    message_id = triaged("visitor@travel.example", "Streetlight out on 5th.")
    created = client.post(url(f"/{message_id}/create-request"), headers=staff_headers,
                          json={"category_id": world.category.id, "lat": 39.78, "lng": -89.65})
    assert created.status_code == 201
    request = db.session.get(ServiceRequest, created.get_json()["request_id"])
    assert request.reporter_id is None
    # The address stays on the linked message: nobody's account is created from an email.
    assert db.session.get(InboundMessage, message_id).sender_email == "visitor@travel.example"


def test_create_request_needs_a_category_of_this_organization_and_a_location(client, world, staff_headers):
    message_id = triaged("bob@example.org", "Something broke.")
    other = OrganizationFactory(slug="shelbyville", general_email="shelbyville@inbound.test",
                                sender_email="shelbyville-notices@inbound.test")
    from tests.factories import CategoryFactory

    foreign = CategoryFactory(organization=other)
    missing = client.post(url(f"/{message_id}/create-request"), json={"category_id": world.category.id},
                          headers=staff_headers)
    assert missing.status_code == 422 and "lat" in missing.get_json()["details"]["json"]
    wrong = client.post(url(f"/{message_id}/create-request"), headers=staff_headers,
                        json={"category_id": foreign.id, "lat": 39.78, "lng": -89.65})
    assert wrong.status_code == 422 and "category_id" in wrong.get_json()["details"]["json"]


def test_attach_links_the_message_to_a_request(client, world, staff_headers):
    message_id = triaged("bob@example.org", "More about the Elm Street pothole.")
    attached = client.post(url(f"/{message_id}/attach"), json={"request_id": world.open_request.id},
                           headers=staff_headers)
    assert attached.status_code == 200
    body = attached.get_json()
    assert body["message"]["request_id"] == world.open_request.id
    # Bob has an account: his message becomes his public comment, and the message is closed.
    comment = client.get(f"/api/v1/requests/{world.open_request.id}/comments", headers=staff_headers).get_json()
    assert [(c["id"], c["body"], c["visibility"]) for c in comment["items"]][-1] == (
        body["comment_id"], "More about the Elm Street pothole.", "public")
    assert body["message"]["status"] == "closed"
    missing = client.post(url(f"/{message_id}/attach"), json={"request_id": 999999}, headers=staff_headers)
    assert missing.status_code == 404


def test_a_message_whose_sender_is_unproven_is_nobody_s(client, world, staff_headers):
    """A forged From names an account, but neither the request nor the comment is theirs."""
    message_id = triaged("bob@example.org", "Forged: the bench is fine.", proven=False)
    shown = client.get(url(f"/{message_id}"), headers=staff_headers).get_json()
    assert shown["sender_email"] == "bob@example.org" and shown["sender_user_id"] is None
    created = client.post(url(f"/{message_id}/create-request"), headers=staff_headers,
                          json={"category_id": world.category.id, "lat": 39.781, "lng": -89.651})
    assert created.status_code == 201, created.get_json()
    assert db.session.get(ServiceRequest, created.get_json()["request_id"]).reporter_id is None


# One identity per test: the app context (and so `g.current_user`) outlives a request in tests.
def test_anonymous_callers_are_refused(client, world):
    assert client.get(url()).status_code == 401


def test_residents_are_refused(client, world):
    assert client.get(url(), headers=bearer(world.ann)).status_code == 403


def test_viewers_may_not_see_or_act(client, world):
    message_id = triaged("bob@example.org", "Hello.")
    viewer = make_member(world.org, "viewer", email="viewer@springfield.gov")
    headers = bearer(viewer)
    assert client.get(url(), headers=headers).status_code == 403
    assert client.post(url(f"/{message_id}/status"), json={"status": "closed"}, headers=headers).status_code == 403
    assert db.session.get(InboundMessage, message_id).status == "awaiting_review"


def test_another_organizations_staff_see_nothing_of_ours(client, world):
    message_id = triaged("bob@example.org", "Hello.")
    other = OrganizationFactory(slug="shelbyville", general_email="shelbyville@inbound.test",
                                sender_email="shelbyville-notices@inbound.test")
    headers = bearer(make_member(other, "admin", email="admin@shelbyville.gov"))
    assert client.get(url(), headers=headers).status_code == 403
    assert client.get(f"/api/v1/orgs/shelbyville/inbound-messages/{message_id}", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/orgs/shelbyville/inbound-messages/{message_id}", headers=headers).status_code == 404
