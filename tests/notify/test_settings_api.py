"""Who may change what: user preferences, the organization's switches, per-category overrides."""

from app.events.service import record_event
from app.extensions import db
from app.notify.fanout import fan_out
from app.requests.models import Follower
from tests.factories import CategoryFactory, ServiceRequestFactory, UserFactory, make_member
from tests.notify.helpers import emails, in_app
from tests.support.auth import bearer


def _fire(kind, request, actor, payload=None):
    event = record_event(kind, request=request, actor=actor, payload=payload or {})
    db.session.commit()
    fan_out(event.id)
    return event


def test_preferences_start_at_the_defaults_and_change_per_group_and_channel(client, stub_broker):
    user = UserFactory()
    headers = bearer(user)
    prefs = client.get("/api/v1/me/preferences", headers=headers).get_json()
    assert prefs["email_frequency"] == "immediately"
    following = next(g for g in prefs["groups"] if g["group"] == "following")
    assert following["channels"] == {"inapp": True, "email": True} and following["editable"]

    changed = client.put("/api/v1/me/preferences", headers=headers,
                         json={"groups": {"following": {"email": False}}, "email_frequency": "daily"}).get_json()
    following = next(g for g in changed["groups"] if g["group"] == "following")
    assert following["channels"] == {"inapp": True, "email": False}
    assert changed["email_frequency"] == "daily"
    assert client.get("/api/v1/me/preferences", headers=headers).get_json() == changed


def test_preferences_refuse_what_cannot_change(client, stub_broker):
    headers = bearer(UserFactory())
    account = client.put("/api/v1/me/preferences", headers=headers, json={"groups": {"account": {"email": False}}})
    assert account.status_code == 422 and account.get_json()["details"] == {"groups": {"account": ["Not editable."]}}
    assert client.put("/api/v1/me/preferences", headers=headers,
                      json={"groups": {"following": {"pigeon": False}}}).status_code == 422
    assert client.put("/api/v1/me/preferences", headers=headers, json={"email_frequency": "hourly"}).status_code == 422
    assert client.put("/api/v1/me/preferences", headers=headers, json={"colour": "blue"}).status_code == 422


def test_a_muted_group_stops_only_that_channel_and_only_that_group(client, stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    follower, reporter_too = UserFactory(), request.reporter
    db.session.add_all([Follower(request_id=request.id, user_id=follower.id),
                        Follower(request_id=request.id, user_id=reporter_too.id)])
    db.session.commit()
    for user in (follower, reporter_too):
        client.put("/api/v1/me/preferences", headers=bearer(user), json={"groups": {"following": {"email": False}}})
    event = _fire("request.acknowledged", request, staff)
    assert {follower.id, reporter_too.id} <= in_app(event.id)
    # The follower muted following email; the reporter also follows, but hears as the reporter.
    assert set(emails(event.id)) == {reporter_too.email.lower()}


def test_email_frequency_never_stops_email_but_not_account_mail(client, stub_broker):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    client.put("/api/v1/me/preferences", headers=bearer(request.reporter), json={"email_frequency": "never"})
    event = _fire("request.acknowledged", request, staff)
    assert emails(event.id) == {} and in_app(event.id) == {request.reporter_id}
    reset = record_event("account.password_reset", actor=request.reporter, payload={"user_id": request.reporter_id})
    db.session.commit()
    fan_out(reset.id)
    assert emails(reset.id) == {request.reporter.email.lower(): "pending"}


def test_the_organization_switches_a_notification_type_off_but_never_password_reset(client, stub_broker):
    request = ServiceRequestFactory()
    admin = make_member(request.organization, "admin")
    staff = make_member(request.organization, "staff")
    url = f"/api/v1/orgs/{request.organization.slug}/notification-settings"
    settings = client.get(url, headers=bearer(admin)).get_json()
    reset = next(e for e in settings["events"] if e["event"] == "account.password_reset")
    assert reset == {"event": "account.password_reset", "label": "Password reset", "enabled": True,
                     "can_disable": False}

    refused = client.put(url, headers=bearer(admin), json={"events": {"account.confirm_email": False}})
    assert refused.status_code == 422 and "cannot be turned off" in refused.get_json()["message"]
    assert client.put(url, headers=bearer(staff), json={"events": {"request.acknowledged": False}}).status_code == 403

    off = client.put(url, headers=bearer(admin), json={"events": {"request.acknowledged": False},
                                                      "inbound_notice_cc": "deputy@city.example"}).get_json()
    assert next(e for e in off["events"] if e["event"] == "request.acknowledged")["enabled"] is False
    assert off["inbound_notice_cc"] == "deputy@city.example"
    event = _fire("request.acknowledged", request, staff)
    assert in_app(event.id) == set() and emails(event.id) == {}
    closed = _fire("request.closed", request, staff, {"by_reporter": False})
    assert in_app(closed.id) == {request.reporter_id}  # other types still go out


def test_a_category_override_adds_an_audience_and_turns_a_cell_off(client, stub_broker):
    category = CategoryFactory(routing_emails=["roads@dept.example"])
    admin = make_member(category.organization, "admin")
    url = f"/api/v1/orgs/{category.organization.slug}/categories/{category.id}/notifications"
    matrix = client.get(url, headers=bearer(admin)).get_json()
    routing = next(r for r in matrix["rules"] if r["event"] == "request.submitted" and r["audience"] == "category_routing")
    assert routing == {"event": "request.submitted", "audience": "category_routing", "channels": ["email"],
                       "default_channels": ["email"], "overridden": False}

    body = {"overrides": [{"event": "request.submitted", "audience": "org_admins", "channels": ["inapp"]},
                          {"event": "request.submitted", "audience": "category_routing", "channels": []}]}
    saved = client.put(url, headers=bearer(admin), json=body).get_json()
    added = next(r for r in saved["rules"] if r["event"] == "request.submitted" and r["audience"] == "org_admins")
    assert added["channels"] == ["inapp"] and added["default_channels"] == [] and added["overridden"]

    request = ServiceRequestFactory(category=category)
    event = _fire("request.submitted", request, request.reporter)
    assert in_app(event.id) == {admin.id}
    assert set(emails(event.id)) == {request.reporter.email.lower()}  # the receipt; no routing copy


def test_a_category_override_cannot_send_internal_content_outside(client, stub_broker):
    category = CategoryFactory()
    admin = make_member(category.organization, "admin")
    url = f"/api/v1/orgs/{category.organization.slug}/categories/{category.id}/notifications"
    for audience in ("reporter", "category_routing", "watch_area"):
        response = client.put(url, headers=bearer(admin), json={"overrides": [
            {"event": "request.comment_internal", "audience": audience, "channels": ["email"]}]})
        assert response.status_code == 422, audience
        assert "internal content" in response.get_json()["message"]
    inapp_to_address = client.put(url, headers=bearer(admin), json={"overrides": [
        {"event": "request.submitted", "audience": "category_routing", "channels": ["inapp"]}]})
    assert inapp_to_address.status_code == 422
    other_org = CategoryFactory()
    assert client.get(f"/api/v1/orgs/{category.organization.slug}/categories/{other_org.id}/notifications",
                      headers=bearer(admin)).status_code == 404


def test_an_admin_reading_spanish_gets_the_event_labels_and_refusals_in_spanish(client):
    request = ServiceRequestFactory()
    spanish = {**bearer(make_member(request.organization, "admin")), "Accept-Language": "es"}
    url = f"/api/v1/orgs/{request.organization.slug}/notification-settings"
    settings = client.get(url, headers=spanish).get_json()
    reset = next(e for e in settings["events"] if e["event"] == "account.password_reset")
    assert reset["label"] == "Restablecer la contraseña"
    refused = client.put(url, headers=spanish, json={"events": {"account.confirm_email": False}})
    assert refused.status_code == 422
    assert refused.get_json()["message"].startswith("Los correos «Confirma tu correo» no se pueden desactivar.")
