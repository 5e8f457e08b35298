"""The pages in Spanish: a visitor whose browser asks for es, and a resident whose profile says es
(in a browser that asks for English), see every page they visit in Spanish and none of the
English catalogue's phrases, and axe-core still passes with <html lang="es">."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.requests.models import ServiceRequest
from app.seed.demo import DEMO_PASSWORD, seed_demo
from tests.portal.browser.axe import assert_accessible

CATALOGUE = Path(__file__).resolve().parents[3] / "app" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
RESIDENT = "resident1@example.com"


def _english_phrases() -> list[str]:
    """The catalogue's English phrases of two words or more whose Spanish differs (placeholders cut out)."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    phrases = set()
    for message in catalogue:
        if not message.id or message.string == message.id:
            continue
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            for piece in re.split(r"%\(\w+\)s|\{\w+\}|<[^>]+>", msgid):
                piece = " ".join(piece.split()).strip(" ·,.:;()“”\"'")
                if len(piece.split()) >= 2:
                    phrases.add(piece)
    return sorted(phrases)


ENGLISH = _english_phrases()


def _context(browser, live_server, language: str):
    context = browser.new_context(base_url=live_server, locale=language,
                                  extra_http_headers={"Accept-Language": f"{language},{language[:2]};q=0.9"},
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server)
                  else route.abort("internetdisconnected"))
    return context


def assert_in_spanish(page, *expected: str) -> None:
    """The page says `expected`, speaks es on <html>, shows no English phrase of the catalogue, passes axe."""
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "es"
    # As shown, in lower case: CSS upper-cases some headings.
    text = " ".join(page.locator("body").inner_text().split()).lower()
    for words in expected:
        assert words.lower() in text, f"{page.url}: {words!r} not shown"
    english = [phrase for phrase in ENGLISH if re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", text)]
    assert english == [], f"{page.url} shows English: {english}"
    assert_accessible(page, f"{page.url} (es)")


def _submit(page, name: str, exact: bool = False) -> None:
    """Press a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=exact).click()


@pytest.fixture
def demo_city():
    seed_demo("inbound.test")


def test_a_visitor_whose_browser_asks_for_spanish_sees_the_pages_in_spanish(browser, live_server, demo_city):
    context = _context(browser, live_server, "es-MX")
    try:
        page = context.new_page()
        page.goto("/")
        assert_in_spanish(page, "Problemas en tu ciudad", "Solicitudes abiertas", "Reportar un problema",
                          "Iniciar sesión")
        page.goto("/login")
        assert_in_spanish(page, "Iniciar sesión", "¿Olvidaste tu contraseña?", "Crear una cuenta")
        _submit(page, "Iniciar sesión")
        assert_in_spanish(page, "Corrige los campos marcados abajo.", "Escribe tu dirección de correo.")
        page.goto("/register")
        assert_in_spanish(page, "Crear una cuenta", "Al menos 10 caracteres.")
        page.get_by_label("Tu nombre").fill("Ana")
        page.get_by_label("Correo electrónico").fill("ana@example.org")
        page.get_by_label("Contraseña", exact=True).fill("una contraseña larga")
        page.get_by_label("Repite la contraseña").fill("otra contraseña larga")
        _submit(page, "Crear la cuenta")
        assert_in_spanish(page, "Las dos contraseñas no coinciden.")
        public_id = db.session.scalar(select(ServiceRequest.public_id).order_by(ServiceRequest.id))
        page.goto(f"/requests/{public_id}")
        assert_in_spanish(page, "Historial", "Responder por correo", "para comentar o seguir esta solicitud.")
    finally:
        context.close()


def test_a_resident_whose_profile_says_spanish_sees_every_page_in_spanish(browser, live_server, demo_city):
    resident = db.session.scalar(select(User).where(User.email == RESIDENT))
    resident.locale = "es"
    db.session.commit()
    followed = db.session.scalar(select(ServiceRequest).where(ServiceRequest.reporter_id != resident.id,
                                                              ServiceRequest.status == "open")
                                 .order_by(ServiceRequest.id))
    context = _context(browser, live_server, "en-US")  # the profile wins over the browser
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(RESIDENT)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        _submit(page, "Log in")
        page.wait_for_url(lambda url: "/login" not in url)
        assert_in_spanish(page, "Problemas en tu ciudad", "Mis solicitudes", "Notificaciones", "Cerrar sesión")
        page.goto("/report")
        assert_in_spanish(page, "Reportar un problema", "Dónde", "Buscar esta dirección", "Enviar el reporte",
                          "¿Cuál es el problema?")
        _submit(page, "Enviar el reporte")
        assert_in_spanish(page, "Haz clic en el mapa o escribe la latitud.", "Cuéntale a la ciudad qué está mal.")
        page.goto(f"/requests/{followed.public_id}")
        if page.get_by_role("button", name="Dejar de seguir").count():
            _submit(page, "Dejar de seguir")
            assert_in_spanish(page, "Ya no sigues esta solicitud.")
        assert_in_spanish(page, "Historial", "Agregar un comentario", "Estado", "A cargo de")
        _submit(page, "Seguir", exact=True)
        assert_in_spanish(page, "Sigues esta solicitud: te llegarán sus novedades.", "Dejar de seguir")
        page.goto("/notifications")
        assert_in_spanish(page, "Notificaciones", "Preferencias de notificación")
        page.goto("/account/")
        assert_in_spanish(page, "Tu cuenta", "Perfil y direcciones", "Otras direcciones de correo")
        page.goto("/account/preferences")
        assert_in_spanish(page, "Con qué frecuencia llegan los correos", "Solicitudes que reporté")
        page.goto("/my/requests")
        assert_in_spanish(page, "Mis solicitudes")
        page.goto("/watch-areas/")
        assert_in_spanish(page, "Zonas vigiladas", "Nueva zona vigilada")
    finally:
        context.close()
