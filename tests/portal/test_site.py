"""Logging in and out of the pages, CSRF, security headers, the API docs' own assets."""

from __future__ import annotations

from app import create_app
from app.config import load_config
from tests.factories import UserFactory
from tests.portal.pages import csrf_token, log_in, page_token


def test_login_form_logs_in_and_goes_back_where_you_were(client, db):
    user = UserFactory(email="ann@example.org")
    page = client.get("/login?next=/staff/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<label for="email">Email</label>' in html
    assert 'name="next" type="hidden" value="/staff/"' in html

    response = client.post("/login", data={"email": "ann@example.org", "password": "correct horse battery",
                                           "next": "/staff/", "csrf_token": csrf_token(html)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert user.email in client.get("/").get_data(as_text=True)  # the header names who is logged in


def test_wrong_password_is_said_next_to_the_password_field(client, db):
    UserFactory(email="ann@example.org")
    token = page_token(client, "/login")
    response = client.post("/login", data={"email": "ann@example.org", "password": "nope", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="field-error" id="password-error">Email or password is wrong.</p>' in html
    assert 'aria-describedby="password-error"' in html and 'aria-invalid="true"' in html


def test_missing_fields_each_get_their_own_message(client, db):
    token = page_token(client, "/login")
    html = client.post("/login", data={"email": "not-an-address", "csrf_token": token}).get_data(as_text=True)
    assert 'id="email-error">Enter a valid email address.</p>' in html
    assert 'id="password-error">Enter your password.</p>' in html


def test_a_form_without_its_csrf_token_is_refused(client, db):
    UserFactory(email="ann@example.org")
    response = client.post("/login", data={"email": "ann@example.org", "password": "correct horse battery"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert "user_id" not in _session(client)


def test_next_never_leaves_the_site(client, db):
    user = UserFactory()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = page_token(client, "/login")  # logging in starts a new session, with a new token
        response = client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                               "next": target, "csrf_token": token})
        assert response.headers["Location"] == "/"


def test_logout_is_a_protected_post(client, db):
    user = UserFactory()
    log_in(client, user)
    assert client.post("/logout").status_code == 400  # no token: still logged in
    assert user.email in client.get("/").get_data(as_text=True)
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert user.email not in client.get("/").get_data(as_text=True)


def test_the_json_api_needs_no_csrf_token(client, db):
    user = UserFactory()
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 200 and response.json["token"]


def test_pages_carry_security_headers_and_allow_only_the_tile_host(client, db):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "img-src 'self' data: blob: https://tile.openstreetmap.org" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_lax_and_secure_in_production(tmp_path):
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "x" * 32, "INSTANCE_DIR": str(tmp_path)})
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_login_sets_an_httponly_samesite_cookie(client, db):
    user = UserFactory()
    cookie = log_in(client, user).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_api_docs_page_uses_the_apps_own_swagger_ui(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert '/static/vendor/swagger-ui/swagger-ui-bundle.js' in html
    for asset in ("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css", "leaflet/leaflet.js",
                  "leaflet-geoman/leaflet-geoman.min.js"):
        response = client.get(f"/static/vendor/{asset}")
        assert response.status_code == 200, asset
        response.close()


def test_the_tile_url_is_configurable(tmp_path):
    app = create_app({"MAP_TILE_URL": "https://{s}.tiles.example.net/{z}/{x}/{y}.png",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg:///unused"})
    with app.test_request_context():
        from app.portal.web import tile_origin
        assert tile_origin(app.config["MAP_TILE_URL"]) == "https://*.tiles.example.net"
    assert load_config({"MAP_TILE_URL": "", "INSTANCE_DIR": str(tmp_path)})["MAP_TILE_URL"] == ""


def _session(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)
