"""API error messages and portal form errors speak the caller's language (profile, else
Accept-Language); the machine-readable `error` codes stay the same in every language."""

from __future__ import annotations

from tests.factories import UserFactory
from tests.portal.pages import post_form
from tests.support.auth import bearer

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}


def test_a_visitor_asking_for_spanish_gets_the_message_in_spanish_and_the_same_code(client):
    login = {"email": "nadie@example.org", "password": "not the password"}
    english = client.post("/api/v1/auth/login", json=login)
    spanish = client.post("/api/v1/auth/login", json=login, headers=SPANISH)
    assert english.status_code == spanish.status_code == 401
    assert english.get_json()["error"] == spanish.get_json()["error"] == "invalid_credentials"
    assert english.get_json()["message"] == "Email or password is wrong."
    assert spanish.get_json()["message"] == "El correo o la contraseña son incorrectos."


def test_a_resident_whose_profile_says_spanish_gets_spanish_whatever_the_browser_asks(client):
    headers = {**bearer(UserFactory(locale="es")), "Accept-Language": "en"}
    missing = client.get("/api/v1/watch-areas/987654", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert missing.get_json()["message"] == "No existe la zona vigilada 987654."


def test_http_errors_and_validation_summaries_are_translated_too(client):
    nowhere = client.get("/api/v1/no-such-thing", headers=SPANISH)
    assert nowhere.status_code == 404 and nowhere.get_json()["error"] == "not_found"
    assert nowhere.get_json()["message"] == "No se encontró nada en esta dirección."
    invalid = client.post("/api/v1/auth/register", json={"email": "x@example.org"}, headers=SPANISH)
    assert invalid.status_code == 422 and invalid.get_json()["error"] == "validation_failed"
    assert invalid.get_json()["message"].startswith("Datos no válidos: ")


def test_a_portal_form_error_is_shown_in_spanish_beside_its_field(client):
    answer = post_form(client, "/register", {"name": "Ana", "email": "ana@example.org",
                                             "password": "corta", "password_again": "corta"},
                       headers=SPANISH)
    assert answer.status_code == 422
    assert '<p class="field-error" id="password-error">Usa al menos 10 caracteres.</p>' in answer.text
    assert "Corrige los campos marcados abajo." in answer.text
