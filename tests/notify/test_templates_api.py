"""Organizations' own email templates: read, preview, save, refuse what is invalid, and use them."""

import pytest

from app.events.service import record_event
from app.extensions import db
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from tests.factories import OrganizationFactory, ServiceRequestFactory, make_member
from tests.support.auth import bearer


@pytest.fixture
def admin():
    return make_member(OrganizationFactory(), "admin")


def _url(user, event, suffix=""):
    return f"/api/v1/orgs/{user.memberships[0].organization.slug}/templates/{event}{suffix}"


def test_the_default_template_and_its_variables_are_shown(client, admin):
    shown = client.get(_url(admin, "request.acknowledged"), headers=bearer(admin)).get_json()
    assert shown["subject"].startswith('[{{ organization.name }}] {{ _("Request %(id)s acknowledged"')
    assert shown["locale"] == "en" and shown["written_in"] == []
    assert "{% extends \"_layout.html\" %}" in shown["html"]
    assert shown["overridden"] == {"subject": False, "text": False, "html": False}
    assert "request_email" in shown["variables"] and "reason" in shown["variables"]
    assert client.get(_url(admin, "request.teleported"), headers=bearer(admin)).status_code == 404


def test_a_preview_renders_a_draft_with_sample_data(client, admin):
    draft = {"subject": "Update on {{ request.public_id }}", "text": "Hi {{ recipient.name }}, write to {{ request_email }}."}
    preview = client.post(_url(admin, "request.acknowledged", "/preview"), headers=bearer(admin), json=draft)
    assert preview.status_code == 200
    rendered = preview.get_json()
    assert rendered["subject"] == "Update on abc123xyz0"
    assert rendered["text"].startswith("Hi Alex Resident, write to request-abc123xyz0@inbound.test.")
    assert "You received this email because" in rendered["text"]  # the footer no template can drop
    assert "<p>" in rendered["html"]  # the default HTML, since the draft leaves it out


@pytest.mark.parametrize("text, line, reason", [
    ("Hello\n{{ request.public_id }\n", 2, "unexpected '}'"),
    ("Hello\n\n{{ request.nonsense_field }}", 3, "has no attribute 'nonsense_field'"),
    ("{{ no_such_variable }}", 1, "'no_such_variable' is undefined"),
    ("{% for x in request %}{{ x.__class__.__mro__ }}{% endfor %}", 1, "unsafe"),
])
def test_an_invalid_template_is_refused_with_its_line_and_reason(client, admin, text, line, reason):
    response = client.put(_url(admin, "request.closed"), headers=bearer(admin), json={"text": text})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_failed"
    assert body["details"]["text"]["line"] == line
    assert reason in body["details"]["text"]["reason"]


def test_a_saved_template_is_what_residents_receive_and_null_restores_the_default(client, stub_broker, smtp_server):
    request = ServiceRequestFactory()
    admin = make_member(request.organization, "admin")
    url = f"/api/v1/orgs/{request.organization.slug}/templates/request.acknowledged"
    saved = client.put(url, headers=bearer(admin), json={
        "subject": "We are on it: {{ request.public_id }}",
        "text": "Dear {{ recipient.name }},\nour crews know about {{ request.address }}.",
        "html": "<p>Dear {{ recipient.name }} <b>&</b> {{ request.description }}</p>"}).get_json()
    assert saved["overridden"] == {"subject": True, "text": True, "html": True}

    event = record_event("request.acknowledged", request=request, actor=admin)
    db.session.commit()
    fan_out(event.id)
    send_due_deliveries(10)
    [mail] = smtp_server.wait_for(1)
    assert mail.subject == f"We are on it: {request.public_id}"
    assert mail.text().replace("\r\n", "\n").startswith(f"Dear {request.reporter.name},\nour crews know about 1 Main Street.")
    html = mail.message.get_body(preferencelist=("html",)).get_content()
    assert "<b>&</b>" in html and "you reported this request" in html

    restored = client.put(url, headers=bearer(admin), json={"subject": None, "text": None, "html": None})
    assert restored.get_json()["overridden"] == {"subject": False, "text": False, "html": False}


def test_only_settings_managers_touch_templates(client):
    staff = make_member(OrganizationFactory(), "staff")
    assert client.get(_url(staff, "request.closed"), headers=bearer(staff)).status_code == 403
    assert client.put(_url(staff, "request.closed"), headers=bearer(staff), json={"text": "x"}).status_code == 403


# The render budget (issue 14): what the outside probe ran in the web process, and later in the worker.
NESTED_LOOPS = "{% for i in range(4000) %}{% for j in range(4000) %}{% endfor %}{% endfor %}"
HUGE_REPEAT = '{{ ("a"*300000000)|length }}'


@pytest.mark.parametrize("text, reason", [
    (NESTED_LOOPS, "takes longer than 0.5 s to render"),
    (HUGE_REPEAT, "would be larger than 500,000 characters"),
    ('{% set ns = namespace(s="a") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}',
     "would be larger than 500,000 characters"),
    ('{{ "a"|center(1000000000) }}', "would be larger than 500,000 characters"),
    ("{{ range(100000)|list }}", "range() may give at most 10,000 items"),
])
def test_a_template_over_the_render_budget_is_refused_in_preview_and_on_save(client, admin, text, reason):
    import time
    started = time.monotonic()
    preview = client.post(_url(admin, "request.closed", "/preview"), headers=bearer(admin), json={"text": text})
    assert time.monotonic() - started < 1.5  # the 4000 x 4000 loop took 1.6 s alone before
    assert preview.status_code == 422
    assert reason in preview.get_json()["details"]["text"]["reason"]
    assert reason in preview.get_json()["message"]
    saved = client.put(_url(admin, "request.closed"), headers=bearer(admin), json={"text": text})
    assert saved.status_code == 422 and reason in saved.get_json()["details"]["text"]["reason"]
    assert client.get(_url(admin, "request.closed"), headers=bearer(admin)).get_json()["overridden"]["text"] is False


def test_a_stored_template_over_budget_fails_its_deliveries_with_the_reason(client, stub_broker, smtp_server):
    import time

    from app.notify.models import EmailDelivery, EmailTemplate
    request = ServiceRequestFactory()
    # Stored before the budget existed (saving now refuses it): the worker must refuse it too.
    db.session.add(EmailTemplate(organization_id=request.organization_id, event_kind="request.acknowledged",
                                 text_body=NESTED_LOOPS))
    event = record_event("request.acknowledged", request=request, actor=make_member(request.organization, "staff"))
    db.session.commit()
    fan_out(event.id)
    started = time.monotonic()
    send_due_deliveries(10)
    assert time.monotonic() - started < 2.5
    [delivery] = db.session.query(EmailDelivery).filter_by(event_id=event.id).all()
    assert delivery.status == "failed"
    assert "over the render budget: the template takes longer than 0.5 s to render" in delivery.smtp_reply
    assert smtp_server.messages == []


def test_a_spanish_preview_of_the_digest_names_it_in_spanish(client, admin):
    draft = {"locale": "es", "subject": "{{ event.label }}", "text": "{{ event.label }}"}
    preview = client.post(_url(admin, "digest", "/preview"), headers=bearer(admin), json=draft)
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json()["subject"] == "Resumen diario"


@pytest.mark.parametrize("text, reason", [
    (NESTED_LOOPS, "la plantilla tarda más de 0,5 s en generarse"),
    (HUGE_REPEAT, "un valor repetido tendría más de 500.000 caracteres"),
    ("{% for x in request %}{{ x.__class__.__mro__ }}{% endfor %}", "no es seguro acceder al atributo '__class__' de un objeto 'str'"),
    ("{{ no_such_variable }}", "'no_such_variable' no está definido"),
])
def test_a_spanish_preview_refuses_a_template_with_a_spanish_reason(client, admin, text, reason):
    preview = client.post(_url(admin, "request.closed", "/preview"), json={"text": text},
                          headers={**bearer(admin), "Accept-Language": "es"})
    assert preview.status_code == 422
    body = preview.get_json()
    assert reason in body["details"]["text"]["reason"]
    assert body["message"].startswith("La plantilla text no es válida (línea 1): ") and reason in body["message"]


def test_every_reason_the_sandbox_words_has_its_words_in_the_pages_catalogue(app):
    from flask_babel import force_locale

    from app.notify.templates import TEMPLATE_REASONS
    from emails.sandbox import REASONS
    assert TEMPLATE_REASONS.keys() == REASONS.keys()
    with app.test_request_context(), force_locale("en"):
        assert {code: str(words) for code, words in TEMPLATE_REASONS.items()} == REASONS
