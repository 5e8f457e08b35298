"""A resident who reads Spanish: registers on Spanish pages, confirms from a Spanish email, reports
by typing an address, and hears of a staff comment in Spanish, through the real worker and SMTP;
then opens the page to watch a new area, which reads in Spanish.

Pages are asserted by their language (`<html lang="es">`) and by what is translated on them today:
dates (app/dates.py). The page strings themselves are translated in the `messages` catalogue; the
fields are found by their ids so that the journey holds as those translations land.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.accounts.service import user_by_email
from app.extensions import db
from app.requests import service as requests_service
from app.requests.models import ServiceRequest
from tests.addresses.support import SPRINGFIELD_ROWS, import_rows
from tests.journeys.city import build_city
from tests.journeys.helpers import click_link

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

LUCIA = "lucia@example.org"
PASSWORD = "una contraseña bien larga"


def _in_spanish(page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")


def _submit(page, form: str = "main form") -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").last.click()


def test_a_spanish_speaker_registers_reports_by_address_and_reads_every_email_in_spanish(journey, tmp_path):
    city = build_city()
    import_rows(tmp_path, SPRINGFIELD_ROWS)
    lucia = journey.person("lucia", locale="es-ES")

    lucia.goto("/register")
    _in_spanish(lucia)
    lucia.locator("#name").fill("Lucía")
    lucia.locator("#email").fill(LUCIA)
    lucia.locator("#password").fill(PASSWORD)
    lucia.locator("#password_again").fill(PASSWORD)
    _submit(lucia)
    _in_spanish(lucia)
    db.session.rollback()
    assert user_by_email(LUCIA).locale == "es"  # the page's language became the profile's

    confirmation = journey.mail_to(LUCIA, "Confirme su dirección")
    assert confirmation.subject == "Confirme su dirección de correo electrónico"
    text = confirmation.text()
    assert "Hola, Lucía:" in text and f"Confirme que {LUCIA} es su dirección abriendo este enlace:" in text
    assert "Si no lo pidió usted, ignore este correo." in text
    journey.open_mail(lucia, confirmation, "lucia")
    click_link(lucia, "confirm-email")
    _in_spanish(lucia)
    _submit(lucia)  # opening the link changes nothing by itself: the page's button confirms
    db.session.rollback()
    assert user_by_email(LUCIA).confirmed

    lucia.goto("/login")
    _in_spanish(lucia)
    lucia.locator("#email").fill(LUCIA)
    lucia.locator("#password").fill(PASSWORD)
    _submit(lucia)

    lucia.goto("/report")
    _in_spanish(lucia)
    address = lucia.locator("#address")
    address.press_sequentially("1200 e", delay=30)
    suggestion = lucia.locator("#address-suggestions button", has_text="1200 Elm Street")
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(address).to_have_value("1200 Elm Street, Apt 4, Springfield 62701")
    expect(lucia.locator("#serving")).to_have_text("Lo atiende City of Springfield.")  # report.js, in Spanish
    lucia.locator("#category_id").select_option(label="Graffiti")
    lucia.locator("#description").fill("Pintadas en la pared de la biblioteca")
    _submit(lucia, "#report-form")
    _in_spanish(lucia)
    reported = db.session.query(ServiceRequest).one()
    assert reported.address == "1200 Elm Street, Apt 4, Springfield 62701"

    receipt = journey.mail_to(LUCIA, reported.public_id)
    assert receipt.subject == f"[City of Springfield] Solicitud {reported.public_id}: Graffiti"
    text = receipt.text()
    assert "Gracias: City of Springfield recibió su solicitud." in text
    assert f"Solicitud {reported.public_id} (Graffiti), abierta" in text
    assert "Recibió este correo porque usted presentó esta solicitud." in text
    journey.open_mail(lucia, receipt, "lucia")
    click_link(lucia, "Ver la solicitud")
    _in_spanish(lucia)
    expect(lucia.locator("main")).to_contain_text("Pintadas en la pared de la biblioteca")
    expect(lucia.locator("main time").first).to_contain_text(" dic 2026, ")  # the date, in Spanish

    requests_service.add_comment(reported.id, city.staff, "Mañana pasa la brigada de limpieza.", "public")
    comment = journey.mail_to(LUCIA, "Nuevo comentario")
    assert comment.subject == f"[City of Springfield] Nuevo comentario sobre {reported.public_id}"
    text = comment.text()
    assert "Sam Staff comentó:" in text and "Mañana pasa la brigada de limpieza." in text
    assert "Responda a este correo, o escriba a request-" in text
    assert "Elija qué recibe:" in text
    assert "Recibió este correo porque usted presentó esta solicitud." in text
    journey.open_mail(lucia, comment, "lucia")
    click_link(lucia, "Ver la solicitud")
    _in_spanish(lucia)
    expect(lucia.locator("main")).to_contain_text("Mañana pasa la brigada de limpieza.")
    # Every email of the journey spoke Spanish: confirmation, receipt, comment.
    subjects = [m.subject for m in journey.mails_to(LUCIA)]
    assert len(subjects) == 3, subjects
    assert not [s for s in subjects if "Request" in s or "Confirm your" in s or "New comment" in s], subjects

    # The page to watch an area speaks Spanish too: its heading and the address fieldset's labels.
    lucia.goto("/watch-areas/new")
    _in_spanish(lucia)
    expect(lucia.locator("main h1")).to_have_text("Nueva zona vigilada")
    expect(lucia.get_by_role("group", name="Alrededor de una dirección")).to_be_visible()
    expect(lucia.get_by_label("Dirección", exact=True)).to_be_visible()
    expect(lucia.get_by_label("Hasta qué distancia alrededor")).to_be_visible()
    expect(lucia.get_by_role("group", name="O dibújala")).to_be_visible()
    expect(lucia.get_by_role("button", name="Guardar la zona")).to_be_visible()
