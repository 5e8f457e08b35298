"""Automations: rules as data, run by a sweep with a controlled clock, logged, never feeding each other."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.automations import engine
from app.automations.models import AutomationRun
from app.extensions import db
from app.requests.models import Comment, ServiceRequest
from tests.factories import (
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
)
from tests.support.auth import bearer

HOW_DID_WE_DO = {"key": "how-did-we-do", "name": "How did we do?",
                 "subject": "How did we do on {{ request.public_id }}?",
                 "text": "Hello {{ recipient.name }}, your {{ request.category }} request is closed. "
                         "Tell us how we did: {{ request.url }}"}


def _drain(broker, rounds: int = 2) -> None:
    for _ in range(rounds):
        for queue in ("default", "fanout", "email"):
            broker.join(queue, timeout=30_000)
        time.sleep(0.3)


def _closed_at(request_id):
    db.session.rollback()
    return db.session.get(ServiceRequest, request_id).closed_at


@pytest.mark.e2e
def test_how_did_we_do_arrives_once_three_days_after_a_pothole_is_closed_and_the_log_says_so(
        client, city, redis_worker, smtp_server):
    reporter = UserFactory(name="Rita Reporter", email="rita@example.org")
    pothole = ServiceRequestFactory(category=city.pothole, reporter=reporter)
    graffiti = ServiceRequestFactory(category=city.graffiti, reporter=reporter)
    admin = bearer(city.admin)
    made = client.post("/api/v1/orgs/springfield/templates", json=HOW_DID_WE_DO, headers=admin)
    assert made.status_code == 201, made.json
    assert made.json["event"] == "custom.how-did-we-do"
    rule = client.post("/api/v1/orgs/springfield/automations", headers=admin, json={
        "name": "How did we do?", "trigger_kind": "request.closed", "category_id": city.pothole.id,
        "status": "closed", "delay_minutes": 3 * 24 * 60,
        "actions": [{"type": "email", "template": "custom.how-did-we-do", "audience": "reporter"}]})
    assert rule.status_code == 201, rule.json
    automation_id = rule.json["id"]

    staff = bearer(city.staff)
    for request in (pothole, graffiti):
        closed = client.post(f"/api/v1/orgs/springfield/requests/{request.id}/close", headers=staff)
        assert closed.status_code == 200
    _drain(redis_worker)
    closed_at = _closed_at(pothole.id)

    def asked(address="rita@example.org"):
        return [m for m in smtp_server.to(address) if m.subject.startswith("How did we do")]

    assert engine.sweep(closed_at + timedelta(days=1)) == (1, 0)  # scheduled for the pothole only, not yet due
    _drain(redis_worker)
    assert asked() == []
    assert engine.sweep(closed_at + timedelta(days=3, minutes=1)) == (0, 1)
    _drain(redis_worker)
    [mail] = asked()
    assert mail.subject == f"How did we do on {pothole.public_id}?"
    assert "Hello Rita Reporter, your Pothole request is closed." in mail.text()
    assert f"/requests/{pothole.public_id}" in mail.text()
    assert engine.sweep(closed_at + timedelta(days=10)) == (0, 0)
    _drain(redis_worker)
    assert len(asked()) == 1

    runs = client.get(f"/api/v1/orgs/springfield/automations/{automation_id}/runs", headers=admin).json
    assert runs["total"] == 1
    [run] = runs["items"]
    assert run["status"] == "done" and run["request_id"] == pothole.id
    [line] = run["log"]
    assert line.startswith("Sent the email template 'custom.how-did-we-do' to the reporter (event ")
    assert run["emails"] == [{"email": "rita@example.org", "status": "sent", "smtp_reply": "Message accepted"}]


def test_two_rules_that_would_feed_each_other_run_once(client, city, stub_broker):
    request = ServiceRequestFactory(category=city.pothole)
    admin = bearer(city.admin)
    for name, trigger, target in (("Reopen what closes", "request.closed", "open"),
                                  ("Close what reopens", "request.reopened", "closed")):
        made = client.post("/api/v1/orgs/springfield/automations", headers=admin, json={
            "name": name, "trigger_kind": trigger, "actions": [{"type": "status", "to": target}]})
        assert made.status_code == 201, made.json
    client.post(f"/api/v1/orgs/springfield/requests/{request.id}/close", headers=bearer(city.staff))
    now = _closed_at(request.id) + timedelta(minutes=1)
    for _ in range(4):  # however often the sweep comes by
        engine.sweep(now)
        now += timedelta(minutes=1)
    db.session.rollback()
    runs = db.session.scalars(select(AutomationRun).order_by(AutomationRun.id)).all()
    assert [(r.status, r.log) for r in runs] == [("done", ["Changed the status to open."])]
    assert db.session.get(ServiceRequest, request.id).status == "open"
    listed = client.get("/api/v1/orgs/springfield/automations", headers=admin).json["items"]
    reopener = next(a for a in listed if a["name"] == "Reopen what closes")
    closer = next(a for a in listed if a["name"] == "Close what reopens")
    assert client.get(f"/api/v1/orgs/springfield/automations/{reopener['id']}/runs", headers=admin).json["total"] == 1
    assert client.get(f"/api/v1/orgs/springfield/automations/{closer['id']}/runs", headers=admin).json["total"] == 0


def test_a_run_whose_condition_no_longer_holds_does_nothing_and_says_why(client, city, stub_broker):
    request = ServiceRequestFactory(category=city.pothole)
    client.post("/api/v1/orgs/springfield/automations", headers=bearer(city.admin), json={
        "name": "Nudge", "trigger_kind": "request.submitted", "status": "open", "delay_minutes": 120,
        "business_hours": True,
        "actions": [{"type": "message", "visibility": "internal", "body": "Still open: {{ request.public_id }}"}]})
    from app.requests import service

    submitted = service.submit(UserFactory(), category_id=city.pothole.id, lat=39.78, lng=-89.65,
                               description="New hole")
    acked = service.submit(UserFactory(), category_id=city.pothole.id, lat=39.78, lng=-89.65,
                           description="Acknowledged hole")
    service.acknowledge(acked.id, city.staff)
    assert request.id  # made before the rule: never a trigger
    far = submitted.created_at + timedelta(days=7)
    assert engine.sweep(far) == (2, 2)
    db.session.rollback()
    logs = {r.request_id: (r.status, r.log) for r in db.session.scalars(select(AutomationRun))}
    assert logs[acked.id] == ("skipped", ["Nothing done: the request is no longer open (it is acknowledged)."])
    status, lines = logs[submitted.id]
    assert status == "done" and lines[0].startswith("Inserted an internal message")
    [note] = db.session.scalars(select(Comment).where(Comment.request_id == submitted.id)).all()
    assert note.body == f"Still open: {submitted.public_id}" and note.visibility == "internal"


def test_the_critical_automation_is_listed_its_message_editable_and_it_cannot_be_turned_off(client, city):
    admin = bearer(city.admin)
    items = client.get("/api/v1/orgs/springfield/automations", headers=admin).json["items"]
    critical = items[0]
    assert critical["critical"] is True and critical["name"] == "A new message on a request notifies its followers"
    url = f"/api/v1/orgs/springfield/automations/{critical['id']}"
    off = client.patch(url, json={"enabled": False}, headers=admin)
    assert off.status_code == 409 and off.json["error"] == "critical_automation"
    gone = client.delete(url, headers=admin)
    assert gone.status_code == 409 and gone.json["error"] == "critical_automation"
    edited = client.patch(url, json={"message": "{{ comment.author }} wrote: {{ comment.body }}"}, headers=admin)
    assert edited.status_code == 200 and edited.json["message"] == "{{ comment.author }} wrote: {{ comment.body }}"
    template = client.get("/api/v1/orgs/springfield/templates/request.comment_public", headers=admin).json
    assert template["text"] == "{{ comment.author }} wrote: {{ comment.body }}"
    broken = client.patch(url, json={"message": "{{ comment.body "}, headers=admin)
    assert broken.status_code == 422
    assert len(client.get("/api/v1/orgs/springfield/automations", headers=admin).json["items"]) == 1


def test_rules_are_checked_and_for_admins_only(client, city):
    admin = bearer(city.admin)
    url = "/api/v1/orgs/springfield/automations"
    base = {"name": "x", "trigger_kind": "request.closed", "actions": [{"type": "status", "to": "open"}]}
    assert client.post(url, json=base, headers=bearer(city.staff)).status_code == 403
    bad_trigger = client.post(url, json={**base, "trigger_kind": "account.password_reset"}, headers=admin)
    assert bad_trigger.status_code == 422 and "trigger_kind" in bad_trigger.json["details"]["json"]
    bad_template = client.post(url, json={**base, "actions": [
        {"type": "email", "template": "custom.nope", "audience": "reporter"}]}, headers=admin)
    assert bad_template.json["details"]["json"]["actions"] == {"0": {"template": [
        "No such email template here (POST /templates makes one)."]}}
    bad_audience = client.post(url, json={**base, "actions": [
        {"type": "email", "template": "request.closed", "audience": "payload_user"}]}, headers=admin)
    assert "audience" in bad_audience.json["details"]["json"]["actions"]["0"]
    bad_message = client.post(url, json={**base, "actions": [
        {"type": "message", "visibility": "public", "body": "{% for %}"}]}, headers=admin)
    assert bad_message.status_code == 422 and "body" in bad_message.json["details"]["json"]["actions"]["0"]
    other = OrganizationFactory(slug="shelbyville")
    foreign = client.post(url, json={**base, "category_id": CategoryFactory(organization=other).id}, headers=admin)
    assert foreign.status_code == 422 and "category_id" in foreign.json["details"]["json"]
    made = client.post(url, json=base, headers=admin).json
    changed = client.patch(f"{url}/{made['id']}", json={"enabled": False, "delay_minutes": 60}, headers=admin)
    assert changed.json["enabled"] is False and changed.json["delay_minutes"] == 60
    assert client.delete(f"{url}/{made['id']}", headers=admin).status_code == 204
    assert client.get(f"{url}/{made['id']}", headers=admin).status_code == 404
    template = client.post("/api/v1/orgs/springfield/templates", headers=admin,
                           json={**HOW_DID_WE_DO, "text": "{{ request.public_id "})
    assert template.status_code == 422


def test_a_message_over_the_render_budget_is_refused_on_save_and_at_run_time(client, city):
    from app.automations.messages import render_message
    from app.errors import ValidationFailed
    loops = "{% for i in range(4000) %}{% for j in range(4000) %}{% endfor %}{% endfor %}"
    refused = client.post("/api/v1/orgs/springfield/automations", headers=bearer(city.admin), json={
        "name": "x", "trigger_kind": "request.closed",
        "actions": [{"type": "message", "visibility": "public", "body": loops}]})
    assert refused.status_code == 422
    assert "takes longer than 0.5 s" in str(refused.json["details"]["json"]["actions"]["0"]["body"])
    # A message stored before the budget: the run refuses it with the reason (the engine logs ApiErrors).
    request = ServiceRequestFactory(organization=city.org, category=city.pothole)
    started = time.monotonic()
    with pytest.raises(ValidationFailed, match="over the render budget: the template takes longer than 0.5 s"):
        render_message(loops, request)
    assert time.monotonic() - started < 1.5
    huge = '{{ ("a"*300000000)|length }}'
    with pytest.raises(ValidationFailed, match="would be larger than 500,000 characters"):
        render_message(huge, request)


def test_an_admin_reading_spanish_gets_the_rules_refusals_in_spanish(client, city):
    spanish = {**bearer(city.admin), "Accept-Language": "es"}
    url = "/api/v1/orgs/springfield/automations"
    base = {"name": "x", "trigger_kind": "request.closed", "actions": [{"type": "status", "to": "open"}]}
    bad_template = client.post(url, json={**base, "actions": [
        {"type": "email", "template": "custom.nope", "audience": "reporter"}]}, headers=spanish)
    assert bad_template.status_code == 422
    assert bad_template.json["details"]["json"]["actions"] == {"0": {"template": [
        "Aquí no existe esa plantilla de correo (POST /templates crea una)."]}}
    assert bad_template.json["message"] == (
        "Acción 1: Aquí no existe esa plantilla de correo (POST /templates crea una).")
    too_many = client.post(url, json={**base, "actions": []}, headers=spanish)
    assert too_many.json["details"]["json"]["actions"] == ["Entre 1 y 10 acciones."]
    bad_trigger = client.post(url, json={**base, "trigger_kind": "account.password_reset"}, headers=spanish)
    assert bad_trigger.json["details"]["json"]["trigger_kind"][0].startswith("Elige uno de estos: request.")
