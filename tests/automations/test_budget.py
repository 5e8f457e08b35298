"""Every automation template renders within the budget (emails/render.py: render_within_budget):
refused on save with the reason, and a run that meets one stored before is logged failed, saying why."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.automations import engine
from app.automations.models import Automation, AutomationRun
from app.events.models import Event
from app.extensions import db
from app.notify.models import EmailTemplate
from app.requests.models import Comment, ServiceRequest
from tests.factories import ServiceRequestFactory
from tests.portal.pages import log_in, post_form
from tests.support.auth import bearer

SLOW = "{% for i in range(4000) %}{% for j in range(4000) %}{% endfor %}{% endfor %}"
SLOW_REASON = "the template takes longer than 0.5 s to render"


def test_a_custom_email_template_over_the_budget_is_refused_on_save_with_the_reason(client, city):
    refused = client.post("/api/v1/orgs/springfield/templates", headers=bearer(city.admin), json={
        "key": "slow", "name": "Slow", "subject": "Hello", "text": SLOW})
    assert refused.status_code == 422 and refused.json["error"] == "validation_failed"
    assert SLOW_REASON in refused.json["message"]
    assert db.session.scalar(select(func.count()).select_from(EmailTemplate)) == 0


def test_the_staff_page_shows_an_over_budget_message_next_to_its_field(client, city):
    log_in(client, city.admin)
    page = "/staff/springfield/automations"
    row = {"actions-0-type": "message", "actions-0-visibility": "public", "actions-0-body": SLOW,
           "actions-0-template": "request.closed", "actions-0-audience": "reporter", "actions-0-to": "open",
           "actions-0-hours": "48", "actions-0-assignee_id": ""}
    refused = post_form(client, page, {"name": "Slow", "trigger_kind": "request.closed", "delay_minutes": "0",
                                       "status": "", "category_id": "", **row})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'id="actions-0-body-error">line 1: {SLOW_REASON}' in html
    template = post_form(client, f"{page}/templates", {"key": "slow", "name": "Slow", "subject": "Hi", "text": SLOW},
                         form_page=page)
    assert template.status_code == 422 and 'id="text-error">' in template.get_data(as_text=True)
    assert SLOW_REASON in template.get_data(as_text=True)


def _stored_rule(city, actions) -> None:
    # As a rule saved before the budget existed: straight into the table, past the checks.
    db.session.add(Automation(organization_id=city.org.id, name="Old rule", trigger_kind="request.acknowledged",
                              actions=actions, created_by_id=city.admin.id))
    db.session.commit()


def _acknowledged(client, city):
    request = ServiceRequestFactory(category=city.pothole)
    client.post(f"/api/v1/orgs/springfield/requests/{request.id}/acknowledge", headers=bearer(city.staff))
    return request, db.session.get(ServiceRequest, request.id).acknowledged_at + timedelta(minutes=1)


def test_a_run_whose_message_is_over_the_budget_is_logged_failed_with_the_reason(client, city, stub_broker):
    _stored_rule(city, [{"type": "status", "to": "closed"},
                        {"type": "message", "visibility": "public", "body": SLOW}])
    request, now = _acknowledged(client, city)
    assert engine.sweep(now) == (1, 1)
    db.session.rollback()
    run = db.session.scalar(select(AutomationRun))
    assert run.status == "failed"
    assert run.log[0] == f"Could not message: The message template is over the render budget: {SLOW_REASON}"
    assert db.session.get(ServiceRequest, request.id).status == "acknowledged"  # the status change was undone
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_a_run_whose_email_template_is_over_the_budget_is_logged_failed_with_the_reason(client, city, stub_broker):
    db.session.add(EmailTemplate(organization_id=city.org.id, event_kind="custom.slow", name="Slow",
                                 subject="Hello", text_body=SLOW))
    _stored_rule(city, [{"type": "email", "template": "custom.slow", "audience": "reporter"}])
    _, now = _acknowledged(client, city)
    assert engine.sweep(now) == (1, 1)
    db.session.rollback()
    run = db.session.scalar(select(AutomationRun))
    assert run.status == "failed"
    assert run.log == [f"Could not email: The email template 'custom.slow' cannot be rendered (text): {SLOW_REASON}"]
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == "automation.email")) == 0
