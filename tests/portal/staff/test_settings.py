"""Organization settings pages: categories and their notification matrix, email switches,
inbound notices, templates with preview, the email log."""

from __future__ import annotations

from app.notify import settings as notify_settings
from app.requests.models import RequestCategory
from tests.factories import CategoryFactory, OrganizationFactory, make_member
from tests.inbound.world import mail, store_and_process
from tests.portal.pages import log_in, post_form

BASE = "/staff/springfield/settings"


def _admin(client):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    admin = make_member(org, "admin", name="Alex Admin")
    log_in(client, admin)
    return org, admin


def test_create_and_change_a_category(client, db):
    org, admin = _admin(client)
    created = post_form(client, BASE + "/categories", {
        "new-code": "pothole", "new-name": "Pothole", "new-sla_hours": "48", "new-auto_assignee_id": str(admin.id),
        "new-public_restriction": "disable_reopen", "new-active": "y"}, form_page=BASE + "/categories")
    assert created.status_code == 302
    category = db.session.query(RequestCategory).one()
    assert (category.code, category.sla_hours, category.auto_assignee_id) == ("pothole", 48, admin.id)

    changed = post_form(client, f"{BASE}/categories/{category.id}", {
        "name": "Potholes", "sla_hours": "", "routing_emails": "roads@contractor.example\nsecond@contractor.example",
        "escalate_to_email": "boss@springfield.example", "public_restriction": "none", "auto_assignee_id": "",
        "active": "y"}, form_page=f"{BASE}/categories/{category.id}")
    assert changed.status_code == 302
    db.session.refresh(category)
    assert category.name == "Potholes" and category.sla_hours is None and category.auto_assignee_id is None
    assert category.routing_emails == ["roads@contractor.example", "second@contractor.example"]

    duplicate = post_form(client, BASE + "/categories", {"new-code": "pothole", "new-name": "Again",
                                                          "new-public_restriction": "none"},
                          form_page=BASE + "/categories")
    assert duplicate.status_code == 422 and "springfield already has a category" in duplicate.text


def test_a_bad_routing_address_is_refused_next_to_its_field(client, db):
    org, _ = _admin(client)
    category = CategoryFactory(organization=org)
    refused = post_form(client, f"{BASE}/categories/{category.id}", {
        "name": "X", "routing_emails": "roads@contractor.example\nnot an address", "public_restriction": "none"},
        form_page=f"{BASE}/categories/{category.id}")
    assert refused.status_code == 422
    assert 'id="routing_emails-error">Not a valid email address.</p>' in refused.text
    db.session.refresh(category)
    assert category.routing_emails == [] and category.name != "X"


def test_the_category_notification_matrix_saves_changed_cells_only(client, db):
    org, _ = _admin(client)
    category = CategoryFactory(organization=org)
    matrix = notify_settings.category_rules(org, category.id)
    rule = next(r for r in matrix["rules"] if "email" in r["default_channels"])
    cells = [f"{r['event']}|{r['audience']}|{c}" for r in matrix["rules"] for c in r["channels"]]
    cells.remove(f"{rule['event']}|{rule['audience']}|email")  # turn one email off
    post_form(client, f"{BASE}/categories/{category.id}/notifications", {"cell": cells},
              form_page=f"{BASE}/categories/{category.id}")
    after = notify_settings.category_rules(org, category.id)
    changed = [r for r in after["rules"] if r["overridden"]]
    assert [(r["event"], r["audience"]) for r in changed] == [(rule["event"], rule["audience"])]
    assert "email" not in changed[0]["channels"]
    assert "changed</span>" in client.get(f"{BASE}/categories/{category.id}").text


def test_email_switches_and_inbound_notices(client, db):
    org, _ = _admin(client)
    current = notify_settings.organization_settings(org)
    switchable = [e["event"] for e in current["events"] if e["can_disable"]]
    post_form(client, BASE + "/switches", {"enabled": switchable[1:]}, form_page=BASE + "/")
    after = {e["event"]: e["enabled"] for e in notify_settings.organization_settings(org)["events"]}
    assert after[switchable[0]] is False and all(after[kind] for kind in switchable[1:])
    assert all(after[e["event"]] for e in current["events"] if not e["can_disable"])  # never off

    post_form(client, BASE + "/inbound", {"inbound_notice_to": "triage@springfield.example"}, form_page=BASE + "/")
    assert notify_settings.organization_settings(org)["inbound_notice_to"] == "triage@springfield.example"


def test_template_preview_renders_the_draft_and_save_keeps_it(client, db):
    _admin(client)
    page = BASE + "/templates/request.acknowledged"
    preview = post_form(client, page, {"action": "preview", "subject": "Seen: {{ request.public_id }}",
                                       "text": "Hello {{ recipient.name }}", "html": ""})
    assert preview.status_code == 200
    assert 'id="preview-subject">Seen: ' in preview.text
    broken = post_form(client, page, {"action": "preview", "subject": "{% if %}", "text": "x", "html": ""})
    assert broken.status_code == 422 and 'id="subject-error">Line 1: ' in broken.text
    saved = post_form(client, page, {"action": "save", "subject": "Seen: {{ request.public_id }}",
                                     "text": "Hello", "html": ""})
    assert saved.status_code == 302
    assert 'value="Seen: {{ request.public_id }}"' in client.get(page).text


def test_the_email_log_lists_incoming_mail(client, db):
    org, _ = _admin(client)
    store_and_process(mail("someone@example.org", "Hello city", subject="Question"),
                      envelope_to=["springfield@inbound.test"])
    incoming = client.get("/staff/springfield/email-log?direction=in")
    assert incoming.status_code == 200 and "someone@example.org" in incoming.text and "Question" in incoming.text
    assert client.get("/staff/springfield/email-log").status_code == 200


def test_staff_without_manage_settings_are_refused(client, db):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "staff"))
    assert client.get(BASE + "/").status_code == 403
    assert client.get(BASE + "/categories").status_code == 403


def test_api_keys_are_shown_once_and_can_be_revoked(client, db):
    from app.open311.models import ApiKey

    _admin(client)
    issued = post_form(client, BASE + "/api-keys", {"name": "Mobile app"})
    assert issued.status_code == 201 and issued.headers["Cache-Control"] == "no-store"
    key = db.session.query(ApiKey).one()
    plaintext = issued.text.split('id="issued-key">')[1].split("<")[0]
    assert plaintext.startswith("o311_") and plaintext not in client.get(BASE + "/api-keys").text
    post_form(client, f"{BASE}/api-keys/{key.id}/revoke", form_page=BASE + "/api-keys")
    db.session.refresh(key)
    assert key.revoked_at is not None


def test_a_template_over_the_render_budget_is_refused_next_to_its_field(client, db):
    _admin(client)
    page = BASE + "/templates/request.acknowledged"
    loops = "{% for i in range(4000) %}{% for j in range(4000) %}{% endfor %}{% endfor %}"
    for action in ("preview", "save"):
        refused = post_form(client, page, {"action": action, "subject": "Seen", "text": loops, "html": ""})
        assert refused.status_code == 422
        assert 'id="text-error">Line 1: the template takes longer than 0.5 s to render' in refused.text
    huge = post_form(client, page, {"action": "save", "subject": '{{ ("a"*300000000)|length }}', "text": "", "html": ""})
    assert huge.status_code == 422
    assert 'id="subject-error">Line 1: a repeated value would be larger than 500,000 characters' in huge.text


def test_a_spanish_admin_reads_why_a_template_is_refused_in_spanish(client, db):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    log_in(client, make_member(org, "admin", name="Ana Admin", locale="es"))
    page = BASE + "/templates/request.acknowledged"
    loops = "{% for i in range(4000) %}{% for j in range(4000) %}{% endfor %}{% endfor %}"
    slow = post_form(client, page, {"action": "preview", "subject": "Visto", "text": loops, "html": ""})
    assert slow.status_code == 422
    assert 'id="text-error">Línea 1: la plantilla tarda más de 0,5 s en generarse' in slow.text
    unsafe = post_form(client, page, {"action": "preview", "subject": "{{ request.public_id.__class__ }}",
                                      "text": "", "html": ""})
    assert unsafe.status_code == 422
    assert ('id="subject-error">Línea 1: no es seguro acceder al atributo &#39;__class__&#39; de un objeto &#39;str&#39;'
            in unsafe.text)
