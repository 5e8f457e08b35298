"""Automations in the staff settings: list, create and edit with several actions (without JavaScript),\nrefusals beside the field, run log."""

from __future__ import annotations

from datetime import timedelta

from app.automations import engine
from app.automations.models import Automation
from app.extensions import db
from app.requests import service
from tests.factories import CategoryFactory, OrganizationFactory, ServiceRequestFactory, make_member
from tests.portal.pages import log_in, post_form

PAGE = "/staff/springfield/automations"


def _row(index: int, **fields) -> dict:
    """An action row's fields as the form names them (actions-<index>-<field>)."""
    row = {"type": "message", "template": "request.closed", "audience": "reporter", "visibility": "internal",
           "body": "", "to": "open", "assignee_id": "", "hours": "48", **fields}
    return {f"actions-{index}-{name}": value for name, value in row.items()}


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
                                      **_row(0, type="message", visibility="public", body="{% if %}"),
                                      "status": "", "category_id": ""})
    assert broken.status_code == 422
    assert 'id="actions-0-body-error">line 1' in broken.get_data(as_text=True)  # beside the field
    saved = post_form(client, PAGE, {"name": "How did we do?", "trigger_kind": "request.closed",
                                     "category_id": str(pothole.id), "status": "closed", "delay_minutes": "4320",
                                     **_row(0, type="email", template="custom.how-did-we-do", audience="reporter")},
                      follow_redirects=True)
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


def test_rows_are_added_and_removed_without_javascript_and_a_rule_of_three_actions_is_saved_and_edited(client):
    org = OrganizationFactory(slug="springfield")
    admin = make_member(org, "admin")
    staff = make_member(org, "staff", name="Sam Staff")
    log_in(client, admin)
    rule = {"name": "Triage potholes", "trigger_kind": "request.submitted", "delay_minutes": "0", "status": "",
            "category_id": ""}
    added = post_form(client, PAGE, {**rule, **_row(0, type="status", to="acknowledged"), "add_action": "1"},
                      form_page=PAGE)
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and 'name="actions-1-type"' in page and 'name="actions-2-type"' not in page
    assert 'value="Triage potholes"' in page  # what was typed stays
    three = {**rule, **_row(0, type="status", to="acknowledged"), **_row(1, type="assign", assignee_id=str(staff.id)),
             **_row(2, type="message", visibility="public", body="Thanks, we have it: {{ request.public_id }}")}
    removed = post_form(client, PAGE, {**three, "actions-1-remove": "1"}, form_page=PAGE).get_data(as_text=True)
    assert 'name="actions-2-type"' not in removed and "Thanks, we have it" in removed  # row 2 moved up to row 1
    saved = post_form(client, PAGE, three, form_page=PAGE, follow_redirects=True)
    assert "Automation saved" in saved.get_data(as_text=True)
    made = db.session.query(Automation).filter_by(name="Triage potholes").one()
    assert made.actions == [{"type": "status", "to": "acknowledged"}, {"type": "assign", "assignee_id": staff.id},
                            {"type": "message", "visibility": "public",
                             "body": "Thanks, we have it: {{ request.public_id }}"}]

    edit = f"{PAGE}/{made.id}/edit"
    shown = client.get(edit).get_data(as_text=True)
    assert 'name="actions-2-body"' in shown and "Thanks, we have it" in shown
    edited = post_form(client, edit, {**rule, "name": "Triage", **_row(0, type="set_due", hours="24"),
                                      **_row(1, type="email", template="request.acknowledged", audience="followers")},
                       follow_redirects=True)
    assert "Automation saved" in edited.get_data(as_text=True)
    db.session.refresh(made)
    assert made.name == "Triage" and made.actions == [
        {"type": "set_due", "hours": 24, "business_hours": False},
        {"type": "email", "template": "request.acknowledged", "audience": "followers"}]
    refused = post_form(client, edit, {**rule, **_row(0, type="assign", assignee_id="999999")})
    assert refused.status_code == 422 and 'id="actions-0-assignee_id-error"' in refused.get_data(as_text=True)
