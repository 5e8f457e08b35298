"""Every email in its reader's language: the profile's, else the organization's, else English;
organizations' overrides per language, with their fallback chain."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.accounts.service import user_by_email
from app.events.models import Event
from app.events.service import record_event
from app.extensions import db
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.requests.models import Comment
from tests.factories import OrganizationFactory, ServiceRequestFactory, UserFactory, make_member
from tests.portal.pages import csrf_token
from tests.support.auth import bearer


def _comment_email(request, staff, smtp_server, body="Crew scheduled for Tuesday."):
    comment = Comment(request_id=request.id, author_id=staff.id, body=body, visibility="public")
    db.session.add(comment)
    db.session.flush()
    event = record_event("request.comment_public", request=request, actor=staff, payload={"comment_id": comment.id})
    db.session.commit()
    fan_out(event.id)
    send_due_deliveries(10)
    smtp_server.wait_for(len(smtp_server.messages) + 1)
    [mail] = smtp_server.to(request.reporter.email)
    return mail


def _parts(mail):
    return mail.text().replace("\r\n", "\n"), mail.message.get_body(preferencelist=("html",)).get_content()


def test_a_resident_whose_profile_says_es_reads_the_whole_email_in_spanish(stub_broker, smtp_server):
    request = ServiceRequestFactory(reporter=UserFactory(locale="es"))
    staff = make_member(request.organization, "staff", name="Sam Staff")
    mail = _comment_email(request, staff, smtp_server)
    assert mail.subject == f"[{request.organization.name}] Nuevo comentario sobre {request.public_id}"
    for part in _parts(mail):
        assert "Sam Staff comentó:" in part and "Crew scheduled for Tuesday." in part
        assert "para añadir un comentario" in part
        assert "Recibió este correo porque " in part  # the footer too
        assert "Elija qué recibe" in part
        assert "commented" not in part and "You received" not in part
    text, html = _parts(mail)
    assert f"Solicitud {request.public_id} ({request.category.name}), abierta" in text
    assert "Véala: http://127.0.0.1:8000/requests/" in text
    assert '<a href="mailto:request-' in html  # the translated sentence keeps its link


def test_without_a_language_of_their_own_a_reader_gets_the_organizations_then_english(stub_broker, smtp_server):
    spanish_city = OrganizationFactory(default_locale="es")
    request = ServiceRequestFactory(reporter=UserFactory(locale=None), category__organization=spanish_city)
    mail = _comment_email(request, make_member(spanish_city, "staff"), smtp_server)
    assert mail.subject.endswith(f"Nuevo comentario sobre {request.public_id}")

    english = ServiceRequestFactory(reporter=UserFactory(locale=None))
    mail = _comment_email(english, make_member(english.organization, "staff"), smtp_server)
    assert mail.subject.endswith(f"New comment on {english.public_id}")
    assert "you reported this request" in _parts(mail)[0]


def test_registering_on_a_spanish_page_makes_the_profile_and_the_confirmation_email_spanish(
        client, stub_broker, smtp_server):
    spanish = {"Accept-Language": "es-MX,es;q=0.9"}
    token = csrf_token(client.get("/register", headers=spanish).text)
    client.post("/register", headers=spanish, data={
        "name": "Rita", "email": "rita@example.org", "password": "a fine password",
        "password_again": "a fine password", "csrf_token": token})
    rita = user_by_email("rita@example.org")
    assert rita is not None and rita.locale == "es"
    event = db.session.scalar(select(Event).where(Event.kind == "account.confirm_email"))
    fan_out(event.id)
    send_due_deliveries(10)
    [mail] = smtp_server.wait_for(1)
    assert mail.subject == "Confirme su dirección de correo electrónico"
    text, html = _parts(mail)
    for part in (text, html):
        assert "Hola, Rita:" in part and "Confirme que rita@example.org es su dirección" in part
        assert "/confirm-email?token=" in part


def _override(client, admin, org, locale, subject):
    response = client.put(f"/api/v1/orgs/{org.slug}/templates/request.comment_public", headers=bearer(admin),
                          json={"locale": locale, "subject": subject})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["locale"] == locale
    return response.get_json()


@pytest.mark.parametrize("written, reader, org_default, expected", [
    # (overrides written: locale -> subject), reader's locale, organization's default, subject received
    ({"es": "ES override", "en": "EN override"}, "es", "en", "ES override"),   # the reader's language first
    ({"es": "ES override", "en": "EN override"}, "en", "es", "EN override"),
    ({"es": "ES override"}, "en", "es", "ES override"),                        # then the organization's
    ({"en": "EN override"}, "es", "es", "EN override"),                        # then English
    ({}, "es", "en", "Nuevo comentario sobre {id}"),                           # then the built-in, in the reader's
    ({}, "en", "es", "New comment on {id}"),
])
def test_an_override_is_chosen_by_the_readers_language_then_the_organizations_then_english(
        client, stub_broker, smtp_server, written, reader, org_default, expected):
    org = OrganizationFactory(default_locale=org_default)
    request = ServiceRequestFactory(reporter=UserFactory(locale=reader), category__organization=org)
    admin = make_member(org, "admin")
    for locale, subject in written.items():
        _override(client, admin, org, locale, subject)
    mail = _comment_email(request, make_member(org, "staff"), smtp_server)
    assert mail.subject.endswith(expected.format(id=request.public_id))


def test_overrides_are_kept_per_language_and_read_back_per_language(client):
    org = OrganizationFactory()
    admin = make_member(org, "admin")
    _override(client, admin, org, "es", "Hola {{ request.public_id }}")
    url = f"/api/v1/orgs/{org.slug}/templates/request.comment_public"
    english = client.get(url, headers=bearer(admin)).get_json()  # the organization's language: English
    assert english["locale"] == "en" and english["overridden"]["subject"] is False
    assert english["written_in"] == ["es"]
    spanish = client.get(url + "?locale=es", headers=bearer(admin)).get_json()
    assert spanish["subject"] == "Hola {{ request.public_id }}" and spanish["overridden"]["subject"] is True
    preview = client.post(url + "/preview", headers=bearer(admin), json={"locale": "es"}).get_json()
    assert preview["subject"] == "Hola abc123xyz0" and "Recibió este correo porque" in preview["text"]
    refused = client.get(url + "?locale=xx", headers=bearer(admin))
    assert refused.status_code == 422 and "locale" in refused.get_json()["details"]


def test_the_organizations_default_language_is_a_setting(client):
    org = OrganizationFactory()
    admin = make_member(org, "admin")
    url = f"/api/v1/orgs/{org.slug}/notification-settings"
    assert client.get(url, headers=bearer(admin)).get_json()["default_locale"] == "en"
    changed = client.put(url, headers=bearer(admin), json={"default_locale": "es"})
    assert changed.status_code == 200 and changed.get_json()["default_locale"] == "es"
    refused = client.put(url, headers=bearer(admin), json={"default_locale": "klingon"})
    assert refused.status_code == 422 and "default_locale" in refused.get_json()["details"]
    assert client.get(url, headers=bearer(admin)).get_json()["default_locale"] == "es"


def test_dates_in_an_email_read_in_the_organizations_zone_and_the_readers_language(stub_broker, smtp_server):
    request = ServiceRequestFactory()  # the organization is in America/Chicago
    assignee = make_member(request.organization, "staff", locale="es")
    request.assignee_id = assignee.id
    db.session.commit()
    due = datetime(2026, 12, 1, 20, 5, tzinfo=UTC)  # 14:05 in Chicago
    event = record_event("request.due_date_changed", request=request, actor=make_member(request.organization),
                         payload={"due_at": due.isoformat(), "previous_due_at": None})
    db.session.commit()
    fan_out(event.id)
    send_due_deliveries(10)
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [assignee.email]
    assert mail.subject.endswith(f"Solicitud {request.public_id} para el 1 dic 2026, 14:05")
    assert "de ninguna a 1 dic 2026, 14:05." in _parts(mail)[0]
