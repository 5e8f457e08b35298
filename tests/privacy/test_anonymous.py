"""Anonymous reports: the reporter's name stays off every public surface (API, pages, Open311, email
to followers), staff still see who reported, and staff can hide a name themselves."""

from __future__ import annotations

from sqlalchemy import select

from app.events.models import Event
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.requests.models import ServiceRequest
from tests.factories import UserFactory
from tests.portal.pages import log_in, post_form
from tests.requests.city import LAT, LNG, build_city
from tests.support.auth import bearer

NAME = "Ann Resident"  # build_city's resident_a


def _public_text(client, request_id: int) -> str:
    timeline = client.get(f"/api/v1/requests/{request_id}/timeline").get_data(as_text=True)
    comments = client.get(f"/api/v1/requests/{request_id}/comments").get_data(as_text=True)
    return timeline + comments + client.get(f"/requests/{request_id}").get_data(as_text=True)


def test_an_anonymous_report_hides_the_reporter_everywhere_but_from_staff(app, client, db, smtp_server,
                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_FALLBACK_DELAY", 0)  # mail at once, even to people using the app
    city = build_city()
    ann = bearer(city.resident_a)
    created = client.post("/api/v1/requests", headers=ann, json={
        "category_id": city.category.id, "lat": LAT, "lng": LNG, "description": "Dumped sofa",
        "anonymous": True})
    assert created.status_code == 201 and created.get_json()["anonymous"] is True
    request_id, public_id = created.get_json()["id"], created.get_json()["public_id"]
    follower = UserFactory(email="fran@example.org", name="Fran Follower")
    client.post(f"/api/v1/requests/{request_id}/follow", headers=bearer(follower))
    client.post(f"/api/v1/requests/{request_id}/comments", headers=ann,
                json={"body": "It is blocking the pavement.", "visibility": "public"})

    public = _public_text(client, request_id)
    assert NAME not in public and "Anonymous resident" in public and "It is blocking the pavement." in public
    staff = bearer(city.staff)
    staff_timeline = client.get(f"/api/v1/requests/{request_id}/timeline", headers=staff).get_json()["items"]
    assert staff_timeline[0]["actor"]["name"] == NAME
    assert client.get(f"/api/v1/requests/{request_id}", headers=staff).get_json()["reporter"]["name"] == NAME
    own = client.get(f"/api/v1/requests/{request_id}/timeline", headers=ann).get_json()["items"]
    assert own[0]["actor"]["name"] == NAME  # the reporter sees themselves

    for path in (f"/open311/v2/requests/{public_id}.json", f"/open311/v2/requests/{public_id}.xml",
                 "/open311/v2/requests.json?extensions=true", "/open311/v2/requests.xml?extensions=true"):
        path += ("&" if "?" in path else "?") + "jurisdiction_id=springfield"  # two cities here
        answer = client.get(path)
        assert answer.status_code == 200 and public_id in answer.get_data(as_text=True), path
        assert NAME not in answer.get_data(as_text=True) and "ann@example.org" not in answer.get_data(as_text=True)

    for event_id in db.session.scalars(select(Event.id).where(Event.dispatched_at.is_(None)).order_by(Event.id)):
        fan_out(event_id)
    send_due_deliveries(30)
    to_follower = [m for m in smtp_server.to("fran@example.org") if "blocking the pavement" in m.text()]
    assert to_follower, [m.subject for m in smtp_server.messages]
    assert all(NAME not in m.text() and NAME not in str(m.message) for m in to_follower)


def test_staff_hide_a_reporters_name_and_residents_cannot(client, db):
    city = build_city()
    request_id = city.request.id
    client.post(f"/api/v1/requests/{request_id}/comments", headers=bearer(city.resident_a),
                json={"body": "Still deep.", "visibility": "public"})
    assert NAME in _public_text(client, request_id)
    refused = client.post(f"/api/v1/orgs/springfield/requests/{request_id}/anonymous",
                          headers=bearer(city.resident_a), json={"anonymous": True})
    assert refused.status_code == 403
    hidden = client.post(f"/api/v1/orgs/springfield/requests/{request_id}/anonymous",
                         headers=bearer(city.staff), json={"anonymous": True})
    assert hidden.status_code == 200 and hidden.get_json()["anonymous"] is True
    assert NAME not in _public_text(client, request_id)
    staff_kinds = [e["kind"] for e in client.get(f"/api/v1/requests/{request_id}/timeline",
                                                  headers=bearer(city.staff)).get_json()["items"]]
    assert "request.anonymity_changed" in staff_kinds

    # The staff page's button shows the name again.
    log_in(client, city.staff)
    page = f"/staff/springfield/requests/{request_id}"
    assert "name hidden from the public" in client.get(page).text
    assert post_form(client, page + "/anonymous", {"anonymous": "0"}, form_page=page).status_code == 302
    db.session.refresh(city.request)
    assert city.request.anonymous is False


def test_the_report_form_offers_anonymity(app, client, db):
    city = build_city()
    log_in(client, city.resident_b)
    sent = post_form(client, "/report", {"lat": str(LAT), "lng": str(LNG), "category_id": str(city.category.id),
                                         "description": "Graffiti on the bridge", "anonymous": "y"})
    assert sent.status_code == 302
    created = db.session.scalar(select(ServiceRequest).where(ServiceRequest.description == "Graffiti on the bridge"))
    assert created.anonymous and created.reporter_id == city.resident_b.id
    assert "Bob Resident" in client.get(f"/requests/{created.id}").text  # he sees himself
    assert "Bob Resident" not in app.test_client().get(f"/requests/{created.id}").text  # nobody else does
