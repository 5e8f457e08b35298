"""Duplicates and support: "me too", open requests nearby, staff merging (API, real PostGIS)."""

from __future__ import annotations

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.notify.models import Notification
from app.requests.models import Follower, ServiceRequest, Support
from tests.factories import (
    CENTRE,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    WatchAreaFactory,
    make_member,
    square,
)
from tests.support.auth import bearer

# About 11 m per 0.0001 degree of latitude.
LNG, LAT = CENTRE


def _at(category, north_m: float, **fields):
    return ServiceRequestFactory(category=category, location=from_shape(Point(LNG, LAT + north_m / 111_320), srid=4326),
                                 **fields)


def test_me_too_is_one_per_resident_counted_publicly_and_follows(client):
    request = ServiceRequestFactory()
    rosa, sam = UserFactory(), UserFactory()
    first = client.post(f"/api/v1/requests/{request.id}/support", headers=bearer(rosa))
    assert first.status_code == 200 and first.json == {"supporting": True, "support_count": 1}
    again = client.post(f"/api/v1/requests/{request.id}/support", headers=bearer(rosa))
    assert again.json == {"supporting": True, "support_count": 1}
    assert client.post(f"/api/v1/requests/{request.id}/support", headers=bearer(sam)).json["support_count"] == 2
    assert client.get(f"/api/v1/requests/{request.id}").json["support_count"] == 2  # anonymous: public
    mine = client.get(f"/api/v1/requests/{request.id}", headers=bearer(rosa)).json["viewer"]
    assert mine["supporting"] is True and mine["following"] is True
    assert [e for e in db.session.scalars(select(Event.kind).where(Event.kind == "request.supported"))] == [
        "request.supported"] * 2
    back = client.delete(f"/api/v1/requests/{request.id}/support", headers=bearer(rosa))
    assert back.json == {"supporting": False, "support_count": 1}
    assert client.post(f"/api/v1/requests/{request.id}/support").status_code == 401


def test_a_closed_request_takes_no_more_support(client):
    request = ServiceRequestFactory(status="closed")
    refused = client.post(f"/api/v1/requests/{request.id}/support", headers=bearer(UserFactory()))
    assert refused.status_code == 409 and refused.json["error"] == "conflict"


def test_nearby_offers_open_requests_of_the_category_within_its_distance(client):
    pothole = CategoryFactory(duplicate_radius_m=50)
    graffiti = CategoryFactory(organization=pothole.organization, duplicate_radius_m=200)
    near = _at(pothole, 20, description="Deep hole by the school")
    nearer = _at(pothole, 5, description="Hole at the crossing")
    _at(pothole, 120)  # too far for potholes
    _at(pothole, 10, status="closed")  # fixed already
    _at(graffiti, 10)  # another category
    answer = client.get(f"/api/v1/requests/nearby?lat={LAT}&lng={LNG}&category_id={pothole.id}")
    assert answer.status_code == 200
    assert answer.json["radius_m"] == 50
    assert [item["request"]["id"] for item in answer.json["items"]] == [nearer.id, near.id]
    assert 19 < answer.json["items"][1]["distance_m"] < 21
    assert "reporter" not in answer.json["items"][0]["request"]  # public fields only
    far_graffiti = _at(graffiti, 150)
    wider = client.get(f"/api/v1/requests/nearby?lat={LAT}&lng={LNG}&category_id={graffiti.id}").json
    assert far_graffiti.id in [item["request"]["id"] for item in wider["items"]]
    bad = client.get(f"/api/v1/requests/nearby?lat=100&lng={LNG}&category_id={pothole.id}")
    assert bad.status_code == 422 and "lat" in bad.json["details"]["query"]


def test_staff_merge_moves_followers_and_supporters_closes_with_a_link_and_tells_the_reporter(
        client, stub_broker, smtp_server):
    org = OrganizationFactory(slug="springfield")
    staff = make_member(org, "staff", name="Sam Staff")
    category = CategoryFactory(organization=org)
    survivor = _at(category, 0)
    reporter = UserFactory(name="Dana Duplicate", email="dana@example.org")
    duplicate = _at(category, 10, reporter=reporter)
    db.session.add(Follower(request_id=duplicate.id, user_id=reporter.id))
    follower, supporter = UserFactory(), UserFactory()
    db.session.add_all([Follower(request_id=duplicate.id, user_id=follower.id),
                        Support(request_id=duplicate.id, user_id=supporter.id)])
    db.session.commit()

    answer = client.post(f"/api/v1/orgs/springfield/requests/{duplicate.id}/merge", json={"into_id": survivor.id},
                         headers=bearer(staff))
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "closed" and answer.json["merged_into_id"] == survivor.id
    db.session.rollback()
    followers = set(db.session.scalars(select(Follower.user_id).where(Follower.request_id == survivor.id)))
    assert {reporter.id, follower.id} <= followers
    supporters = set(db.session.scalars(select(Support.user_id).where(Support.request_id == survivor.id)))
    assert supporters == {supporter.id, reporter.id}
    assert db.session.get(ServiceRequest, survivor.id).support_count == 2

    event = db.session.scalar(select(Event).where(Event.kind == "request.merged"))
    fan_out(event.id)
    send_due_deliveries(10)
    assert db.session.scalar(select(Notification.user_id).where(Notification.event_id == event.id)) == reporter.id
    [mail] = smtp_server.to("dana@example.org")
    assert f"merged into {survivor.public_id}" in mail.subject
    assert f"/requests/{survivor.public_id}" in mail.text()
    timeline = client.get(f"/api/v1/requests/{duplicate.id}/timeline").json["items"]
    assert any(e["kind"] == "request.merged" and e["payload"]["into_id"] == survivor.id for e in timeline)


def test_a_merge_moves_followers_watchers_and_supporters_each_as_themselves(client, stub_broker):
    org = OrganizationFactory(slug="springfield")
    staff = make_member(org, "staff")
    category = CategoryFactory(organization=org)
    survivor = _at(category, 0)
    duplicate = _at(category, 2_000)  # two kilometres north: another street's watch area
    follower, supporter, watcher = UserFactory(), UserFactory(), UserFactory()
    WatchAreaFactory(owner=watcher, geom=from_shape(square(LNG, LAT + 2_000 / 111_320, 0.002), srid=4326))
    db.session.add_all([Follower(request_id=duplicate.id, user_id=follower.id),
                        Support(request_id=duplicate.id, user_id=supporter.id)])
    db.session.commit()

    merged = client.post(f"/api/v1/orgs/springfield/requests/{duplicate.id}/merge", json={"into_id": survivor.id},
                         headers=bearer(staff))
    assert merged.status_code == 200, merged.json
    db.session.rollback()
    followers = set(db.session.scalars(select(Follower.user_id).where(Follower.request_id == survivor.id)))
    supporters = set(db.session.scalars(select(Support.user_id).where(Support.request_id == survivor.id)))
    assert follower.id in followers and follower.id not in supporters  # a follower stays a follower only
    assert supporter.id in supporters and supporter.id not in followers  # a supporter stays a supporter only
    assert watcher.id not in followers | supporters  # a watcher is no follower: they watch by area

    said = client.post(f"/api/v1/requests/{survivor.id}/comments", headers=bearer(staff),
                       json={"body": "Crew booked for Tuesday.", "visibility": "public"})
    assert said.status_code == 201, said.json
    event = db.session.scalar(select(Event).where(Event.kind == "request.comment_public"))
    fan_out(event.id)
    db.session.rollback()
    told = dict(db.session.execute(select(Notification.user_id, Notification.audience)
                                   .where(Notification.event_id == event.id)).all())
    assert told[watcher.id] == "watch_area"  # the survivor's news reaches the duplicate's watchers, as watchers
    assert told[follower.id] == "followers"
    assert supporter.id not in told  # supporting without following hears nothing, as before the merge


def test_merging_is_for_staff_into_an_open_request_of_the_same_organization(client):
    org = OrganizationFactory(slug="springfield")
    staff = make_member(org, "staff")
    category = CategoryFactory(organization=org)
    duplicate, survivor = _at(category, 0), _at(category, 5)
    url = f"/api/v1/orgs/springfield/requests/{duplicate.id}/merge"
    assert client.post(url, json={"into_id": survivor.id}, headers=bearer(UserFactory())).status_code == 403
    itself = client.post(url, json={"into_id": duplicate.id}, headers=bearer(staff))
    assert itself.status_code == 422 and "into_id" in itself.json["details"]["json"]
    elsewhere = ServiceRequestFactory()
    other = client.post(url, json={"into_id": elsewhere.id}, headers=bearer(staff))
    assert other.status_code == 422 and "into_id" in other.json["details"]["json"]
    closed = _at(category, 5, status="closed")
    assert client.post(url, json={"into_id": closed.id}, headers=bearer(staff)).status_code == 422
    db.session.rollback()
    assert db.session.get(ServiceRequest, duplicate.id).status == "open"


def test_open311_lists_the_support_count_under_extensions(client):
    org = OrganizationFactory(slug="springfield")
    request = ServiceRequestFactory(category=CategoryFactory(organization=org))
    for user in (UserFactory(), UserFactory()):
        client.post(f"/api/v1/requests/{request.id}/support", headers=bearer(user))
    document = client.get(f"/open311/v2/requests/{request.public_id}.json?jurisdiction_id=springfield"
                          "&extensions=true").json[0]
    assert document["extended_attributes"]["support_count"] == 2
    xml = client.get(f"/open311/v2/requests/{request.public_id}.xml?jurisdiction_id=springfield&extensions=true")
    assert b"<support_count>2</support_count>" in xml.data
