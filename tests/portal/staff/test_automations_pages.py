"""Automations in the staff settings: list, create with one action, refusals beside the field, run log."""

from __future__ import annotations

from datetime import timedelta

from app.automations import engine
from app.automations.models import Automation
from app.extensions import db
from app.requests import service
from tests.factories import CategoryFactory, OrganizationFactory, ServiceRequestFactory, make_member
from tests.portal.pages import log_in, post_form

PAGE = "/staff/springfield/automations"


def test_an_admin_makes_a_template_and_an_automation_and_reads_its_run_log(client, stub_broker):
    org = OrganizationFactory(slug="springfield")
    admin = make_member(org, "admin")
    pothole = CategoryFactory(organization=org, name="Pothole")
    log_in(client, admin)
    page = client.get(PAGE).get_data(as_text=True)
    assert "A new message on a request notifies its followers" in page and "Always on" in page

    made = post_form(client, f"{PAGE}/templates", {"key": "how-did-we-do", "name": "How did we do?",
                                                  "subject": "How did we do?", "text": "Tell us: {{ request.url }}"},
                     form_page=PAGE, follow_redirects=True)
    assert "Template custom.how-did-we-do saved" in made.get_data(as_text=True)
    broken = post_form(client, PAGE, {"name": "Broken", "trigger_kind": "request.closed", "delay_minutes": "0",
                                      "action": "message", "visibility": "public", "body": "{% if %}",
                                      "status": "", "category_id": "", "template": "request.closed",
                                      "audience": "reporter", "to": "open"})
    assert broken.status_code == 422 and "line 1" in broken.get_data(as_text=True)
    saved = post_form(client, PAGE, {"name": "How did we do?", "trigger_kind": "request.closed",
                                     "category_id": str(pothole.id), "status": "closed", "delay_minutes": "4320",
                                     "action": "email", "template": "custom.how-did-we-do", "audience": "reporter",
                                     "visibility": "public", "body": "", "to": "open"}, follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert "Automation saved" in html and "email custom.how-did-we-do to the reporter" in html

    request = ServiceRequestFactory(category=pothole)
    service.close(request.id, make_member(org, "staff"), organization=org)
    engine.sweep(request.closed_at + timedelta(days=3, minutes=1))
    rule = db.session.query(Automation).filter_by(name="How did we do?").one()
    runs = client.get(f"{PAGE}/{rule.id}/runs").get_data(as_text=True)
    assert "done" in runs and "Sent the email template &#39;custom.how-did-we-do&#39; to the reporter" in runs


def test_automations_are_for_admins(client):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "staff"))
    assert client.get(PAGE).status_code == 403
