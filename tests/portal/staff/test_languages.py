"""Staff pages: the organization's default language, and a template override written per language."""

from __future__ import annotations

from app.notify.models import EmailTemplate
from tests.factories import OrganizationFactory, make_member
from tests.portal.pages import log_in, post_form

BASE = "/staff/springfield/settings"


def test_an_admin_sets_the_default_language_on_the_settings_page(client, db):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "admin"))
    page = client.get(BASE + "/").text
    assert '<option selected value="en">English</option>' in page and '<option value="es">español</option>' in page
    saved = post_form(client, BASE + "/language", {"default_locale": "es"}, form_page=BASE + "/")
    assert saved.status_code == 302
    db.session.refresh(org)
    assert org.default_locale == "es"
    assert '<option selected value="es">español</option>' in client.get(BASE + "/").text
    refused = post_form(client, BASE + "/language", {"default_locale": "xx"}, form_page=BASE + "/")
    db.session.refresh(org)
    assert refused.status_code == 302 and org.default_locale == "es"


def test_a_template_is_edited_and_previewed_in_the_language_chosen_on_its_page(client, db):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "admin"))
    url = BASE + "/templates/request.acknowledged"
    english = client.get(url).text
    assert 'href="/staff/springfield/settings/templates/request.acknowledged?locale=es" lang="es">español</a>' in english

    preview = post_form(client, url + "?locale=es", {"subject": "Recibida: {{ request.public_id }}",
                                                   "text": "", "html": "", "action": "preview"}, form_page=url)
    assert preview.status_code == 200
    assert "Recibida: abc123xyz0" in preview.text and "Recibió este correo porque" in preview.text

    saved = post_form(client, url + "?locale=es", {"subject": "Recibida: {{ request.public_id }}",
                                                 "text": "", "html": "", "action": "save"}, form_page=url)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("?locale=es")
    row = db.session.query(EmailTemplate).one()
    assert (row.locale, row.subject) == ("es", "Recibida: {{ request.public_id }}")
    spanish = client.get(url + "?locale=es").text
    assert "Recibida: {{ request.public_id }}" in spanish and "(overridden)" in spanish
    assert "Recibida" not in client.get(url).text  # the English template is untouched


def test_the_dashboard_and_statistics_widgets_read_as_one_spanish_sentence_each(client, db):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "admin", locale="es"))
    dashboard = client.get("/staff/springfield/").text
    assert '<span class="stat">0</span> abiertas · 0 recibidas' in dashboard
    assert '<span class="stat" data-count="overdue">0</span> pasadas de su hora límite' in dashboard
    statistics = client.get("/staff/springfield/statistics").text
    assert '<span class="stat" id="total-requests">0</span> recibidas' in statistics
    assert '<span class="stat" id="backlog-total">0</span> sin cerrar al final' in statistics
