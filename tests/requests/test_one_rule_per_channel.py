"""One rule per action, whatever the channel: a comment on a closed request follows the same
policy from the web, the API and an email; reopening takes an optional reason everywhere."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.inbound.models import InboundEmail, InboundMessage
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.notify.models import EmailDelivery
from app.requests.models import Comment, Follower
from app.requests.service import find_by_public_id
from tests.factories import PASSWORD
from tests.inbound.world import build_world, mail, store_and_process
from tests.portal.pages import log_in, post_form
from tests.support.auth import bearer


def _comment_by_email(world, body: str) -> InboundEmail:
    # As our receiving MTA stamps it: the From domain is proven (mail to a request's address needs it).
    proven = (b"Authentication-Results: mx.inbound.test; dkim=pass header.d=example.org;"
              b" spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org\r\n")
    stored_id = store_and_process(proven + mail("ann@example.org", body, to="request-closed0001@inbound.test"),
                                  envelope_to=["request-closed0001@inbound.test"])
    db.session.remove()
    return db.session.get(InboundEmail, stored_id)


def test_a_closed_request_takes_a_comment_from_the_web_and_from_an_email_alike(client, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "INBOUND_AUTHSERV_ID", "mx.inbound.test")  # whose stamp is trusted
    world = build_world()
    request_id = world.closed_request.id
    by_web = client.post(f"/api/v1/requests/{request_id}/comments", headers=bearer(world.ann),
                         json={"body": "Still broken, from the web"})
    assert by_web.status_code == 201, by_web.get_json()

    stored = _comment_by_email(world, "Still broken, by email")
    assert stored.status == "processed" and stored.reason == "request_address_comment"
    bodies = set(db.session.scalars(select(Comment.body).where(Comment.request_id == request_id)))
    assert {"Still broken, from the web", "Still broken, by email"} <= bodies


def test_where_the_category_refuses_comments_on_closed_requests_both_channels_refuse(client, app, tmp_path,
                                                                                     monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "INBOUND_AUTHSERV_ID", "mx.inbound.test")  # whose stamp is trusted
    world = build_world()
    world.category.public_restriction = "disable_closed_actions"
    db.session.commit()
    request_id = world.closed_request.id
    by_web = client.post(f"/api/v1/requests/{request_id}/comments", headers=bearer(world.ann),
                         json={"body": "Still broken, from the web"})
    assert by_web.status_code == 403 and by_web.get_json()["error"] == "restricted_by_category"

    stored = _comment_by_email(world, "Still broken, by email")
    assert (stored.status, stored.reason) == ("triaged", "comment_refused")
    assert by_web.get_json()["message"] in stored.outcome  # the same rule, in the same words
    assert db.session.scalar(select(InboundMessage.id).where(InboundMessage.inbound_email_id == stored.id))
    assert not db.session.scalar(select(Comment.id).where(Comment.request_id == request_id))


def test_reopening_with_a_reason_by_api_shows_it_on_the_timeline_and_in_the_notification(client, stub_broker,
                                                                                        smtp_server):
    world = build_world()
    request = world.closed_request
    db.session.add(Follower(request_id=request.id, user_id=world.bob.id))
    db.session.commit()
    reopened = client.post(f"/api/v1/requests/{request.id}/reopen", headers=bearer(world.ann),
                           json={"comment": "it is back"})
    assert reopened.status_code == 200, reopened.get_json()
    assert reopened.get_json()["status"] == "open"
    timeline = client.get(f"/api/v1/requests/{request.id}/timeline").get_json()["items"]
    assert {"request.reopened", "request.comment_public"} <= {entry["kind"] for entry in timeline}
    assert any((entry.get("comment") or {}).get("body") == "it is back" for entry in timeline)

    staff_view = client.get(f"/staff/{world.org.slug}/requests/{request.id}")  # anonymous: to login
    assert staff_view.status_code == 302
    log_in(client, world.sam, PASSWORD)
    page = client.get(f"/staff/{world.org.slug}/requests/{request.id}").get_data(as_text=True)
    assert "reopened the request" in page and "it is back" in page

    from app.events.models import Event

    event = db.session.scalar(select(Event).where(Event.kind == "request.reopened"))
    fan_out(event.id)
    send_due_deliveries(10)
    sent = db.session.scalars(select(EmailDelivery.email).where(EmailDelivery.event_id == event.id,
                                                               EmailDelivery.status == "sent")).all()
    assert world.bob.email in sent  # a follower, not using the app: emailed at once
    [notice] = [m for m in smtp_server.wait_for(len(sent)) if m.rcpt_tos == [world.bob.email]]
    assert "Ann Resident wrote:\r\nit is back" in notice.text()  # the reason, in the reopen notice


def test_reopening_from_the_web_pages_takes_a_reason(app, client):
    world = build_world()
    request = world.closed_request
    log_in(client, world.ann, PASSWORD)
    page = f"/requests/{request.public_id}"
    assert "Why reopen it?" in client.get(page).get_data(as_text=True)
    done = post_form(client, f"/requests/{request.id}/reopen", {"comment": "The hole came back"}, form_page=page)
    assert done.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "The hole came back" in shown and "reopened the request" in shown

    request.status, request.closed_at = "closed", request.updated_at
    db.session.commit()
    staff = app.test_client()
    log_in(staff, world.sam, PASSWORD)
    staff_page = f"/staff/{world.org.slug}/requests/{request.id}"
    done = post_form(staff, f"{staff_page}/reopen", {"comment": "Crew saw it again"}, form_page=staff_page)
    assert done.status_code == 302
    assert "Crew saw it again" in staff.get(staff_page).get_data(as_text=True)


def test_a_request_reported_through_open311_is_reopened_with_a_reason_like_any_other(client):
    world = build_world()
    admin_key = client.post(f"/api/v1/orgs/{world.org.slug}/api-keys", headers=bearer(_admin(world)),
                            json={"name": "Kiosk"}).get_json()["key"]
    posted = client.post("/open311/v2/requests.json", data={
        "api_key": admin_key, "jurisdiction_id": world.org.slug, "service_code": "pothole",
        "lat": "39.78", "long": "-89.65", "description": "Reported from a kiosk", "email": "dana@example.org"})
    assert posted.status_code == 200, posted.get_data(as_text=True)
    public_id = posted.get_json()[0]["service_request_id"]
    request_id = find_by_public_id(public_id).id
    staff = bearer(world.sam)
    assert client.post(f"/api/v1/orgs/{world.org.slug}/requests/{request_id}/close", headers=staff,
                       json={}).status_code == 200
    reopened = client.post(f"/api/v1/orgs/{world.org.slug}/requests/{request_id}/reopen", headers=staff,
                           json={"comment": "The kiosk reports it again"})
    assert reopened.status_code == 200, reopened.get_json()
    comments = client.get(f"/api/v1/requests/{request_id}/comments").get_json()["items"]
    assert [c["body"] for c in comments] == ["The kiosk reports it again"]


def _admin(world):
    from tests.factories import make_member

    return make_member(world.org, "admin")


def test_the_same_answers_from_the_web_form_the_api_and_open311_are_stored_the_same(app, client):
    from app.requests.models import ServiceRequest
    from tests.factories import UserFactory
    from tests.open311.support import api_key_for, city_with_pothole

    organization, pothole, _ = city_with_pothole()
    key = api_key_for(organization)
    rita = UserFactory(email="rita@example.org")
    point = {"lat": "39.781", "lng": "-89.651"}

    log_in(client, rita, PASSWORD)
    by_web = post_form(client, "/report", {
        **point, "category_id": str(pothole.id), "description": "From the web form",
        "answers.size": "l", "answers.depth_cm": " 3.0 ", "answers.hazards": ["deep", "traffic"]})
    assert by_web.status_code == 302, by_web.get_data(as_text=True)

    by_api = app.test_client().post("/api/v1/requests", headers=bearer(rita), json={
        "category_id": pothole.id, "lat": 39.781, "lng": -89.651, "description": "From the API",
        "answers": {"size": "l", "depth_cm": 3.0, "hazards": ["deep", "traffic"]}})
    assert by_api.status_code == 201, by_api.get_json()

    by_open311 = client.post("/open311/v2/requests.json", data={
        "api_key": key, "jurisdiction_id": organization.slug, "service_code": "pothole", "lat": "39.781",
        "long": "-89.651", "description": "From Open311", "email": "rita@example.org",
        "attribute[size]": "l", "attribute[depth_cm]": "3.0", "attribute[hazards][]": ["deep", "traffic"]})
    assert by_open311.status_code == 200, by_open311.get_data(as_text=True)

    db.session.remove()
    stored = dict(db.session.execute(select(ServiceRequest.description, ServiceRequest.answers)).all())
    expected = {"size": "l", "depth_cm": 3, "hazards": ["deep", "traffic"]}
    assert stored == {"From the web form": expected, "From the API": expected, "From Open311": expected}
    assert {type(answers["depth_cm"]) for answers in stored.values()} == {int}  # 3, not 3.0, everywhere

    # And every channel asks the same questions: the API names the answerable ones in order.
    asked = client.get(f"/api/v1/categories/{pothole.id}").get_json()["questions"]
    assert [question["code"] for question in asked] == ["size", "depth_cm", "hazards"]
    refused = post_form(client, "/report", {**point, "category_id": str(pothole.id), "description": "No size",
                                            "answers.depth_cm": "deep"})
    shown = refused.get_data(as_text=True)  # the form's questions, in the same order, with the same checks
    assert refused.status_code == 422
    assert shown.index('name="answers.size"') < shown.index('name="answers.depth_cm"') < shown.index(
        'name="answers.hazards"')
    assert "An answer is required." in shown and "Must be a number." in shown


def test_an_open311_update_that_reopens_gives_its_text_as_the_reopen_reason(client, stub_broker, smtp_server):
    from app.events.models import Event

    world = build_world()
    request = world.closed_request
    db.session.add(Follower(request_id=request.id, user_id=world.bob.id))
    db.session.commit()
    follower, request_id, public_id, slug = world.bob.email, request.id, request.public_id, world.org.slug
    key = client.post(f"/api/v1/orgs/{slug}/api-keys", headers=bearer(_admin(world)),
                      json={"name": "County system"}).get_json()["key"]
    posted = client.post(f"/open311/v2/servicerequestupdates.json?jurisdiction_id={slug}", data={
        "api_key": key, "service_request_id": public_id, "status": "OPEN",
        "description": "The hole is back after the rain", "email": "crew@county.example",
        "first_name": "County", "last_name": "Crew"})
    assert posted.status_code == 200, posted.get_data(as_text=True)
    db.session.remove()

    event = db.session.scalar(select(Event).where(Event.kind == "request.reopened"))
    [reason] = db.session.scalars(select(Comment).where(Comment.request_id == request_id)).all()  # one, not two
    assert posted.get_json() == [{"update_id": f"c{reason.id}"}]
    assert event.payload["comment_id"] == reason.id and reason.body == "The hole is back after the rain"
    assert (reason.author.email, reason.source) == ("crew@county.example", "open311")

    timeline = client.get(f"/api/v1/requests/{request_id}/timeline").get_json()["items"]
    assert any((entry.get("comment") or {}).get("body") == "The hole is back after the rain" for entry in timeline)
    fan_out(event.id)
    send_due_deliveries(10)
    sent = db.session.scalars(select(EmailDelivery.email).where(EmailDelivery.event_id == event.id,
                                                               EmailDelivery.status == "sent")).all()
    assert follower in sent
    [notice] = [m for m in smtp_server.wait_for(len(sent)) if m.rcpt_tos == [follower]]
    assert "County Crew wrote:\r\nThe hole is back after the rain" in notice.text()  # the reason, in the notice
