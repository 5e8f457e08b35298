"""Which language a person gets: their profile's `locale`, else their browser's, else English."""

from __future__ import annotations

import re

from app.accounts.models import User
from app.extensions import db
from tests.factories import UserFactory
from tests.portal.pages import log_in
from tests.support.auth import bearer


def _lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def test_a_visitor_gets_the_best_language_their_browser_asks_for(client):
    assert _lang(client.get("/login").text) == "en"
    assert _lang(client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).text) == "es"
    assert _lang(client.get("/login", headers={"Accept-Language": "fr, es;q=0.4"}).text) == "es"
    assert _lang(client.get("/login", headers={"Accept-Language": "fr, de"}).text) == "en"


def test_patch_me_takes_a_locale_and_the_profile_wins_over_the_browser(client):
    user = UserFactory(email="ana@example.org")
    headers = bearer(user)
    assert client.get("/api/v1/me", headers=headers).get_json()["locale"] is None
    changed = client.patch("/api/v1/me", json={"locale": "es"}, headers=headers)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["locale"] == "es"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "es"

    log_in(client, user)
    page = client.get("/account/", headers={"Accept-Language": "en"})
    assert _lang(page.text) == "es"


def test_a_locale_the_product_does_not_speak_is_a_422_naming_the_field(client):
    headers = bearer(UserFactory())
    refused = client.patch("/api/v1/me", json={"locale": "xx"}, headers=headers)
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["error"] == "validation_failed" and "locale" in body["details"]["json"]


def test_register_takes_a_locale(client):
    created = client.post("/api/v1/auth/register", json={
        "email": "nueva@example.org", "password": "a long enough password", "name": "Nueva", "locale": "es"})
    assert created.status_code == 201, created.get_json()
    assert db.session.query(User).filter_by(email="nueva@example.org").one().locale == "es"
