"""Logging in and out, and the one error shape of the API."""

from app.accounts.tokens import user_for_token
from tests.factories import PASSWORD, UserFactory


def test_login_returns_a_working_token_and_starts_a_session(client):
    user = UserFactory(email="Ann@Example.org")
    response = client.post("/api/v1/auth/login", json={"email": "ann@example.org", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    token = response.get_json()["token"]
    assert user_for_token(token).id == user.id
    with client.session_transaction() as session:
        assert session["user_id"] == user.id


def test_wrong_password_and_unknown_account_answer_alike(client):
    UserFactory(email="ann@example.org")
    wrong = client.post("/api/v1/auth/login", json={"email": "ann@example.org", "password": "nope"})
    unknown = client.post("/api/v1/auth/login", json={"email": "bob@example.org", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json() == {
        "error": "invalid_credentials", "message": "Email or password is wrong.", "details": {}}


def test_inactive_account_cannot_log_in(client):
    UserFactory(email="gone@example.org", active=False)
    response = client.post("/api/v1/auth/login", json={"email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 401


def test_logout_revokes_the_bearer_token(client):
    UserFactory(email="ann@example.org")
    token = client.post("/api/v1/auth/login", json={"email": "ann@example.org", "password": PASSWORD}
                        ).get_json()["token"]
    response = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 204
    assert user_for_token(token) is None


def test_malformed_json_is_a_400_in_the_error_shape(client):
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    body = response.get_json()
    assert response.status_code == 400
    assert set(body) == {"error", "message", "details"}


def test_unknown_and_wrong_typed_fields_are_named(client):
    response = client.post("/api/v1/auth/login", json={"email": 5, "password": "x", "role": "admin"})
    body = response.get_json()
    assert response.status_code == 422
    assert body["error"] == "validation_failed"
    assert set(body["details"]["json"]) == {"email", "role"}
    assert "json.email" in body["message"] and "json.role" in body["message"]


def test_unknown_path_and_method_use_the_error_shape(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.get_json()["error"] == "not_found"
    wrong_method = client.get("/api/v1/auth/login")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"] == "method_not_allowed"


def test_openapi_document_lists_the_auth_paths(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/login" in spec["paths"]


def test_openapi_document_describes_the_account_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/auth/register", "/api/v1/auth/confirm", "/api/v1/auth/password/forgot",
                 "/api/v1/auth/password/reset", "/api/v1/me", "/api/v1/me/aliases",
                 "/api/v1/orgs/{org}/members", "/api/v1/orgs/{org}/members/{user_id}",
                 "/api/v1/orgs/{org}/invitations", "/api/v1/orgs/{org}/roles", "/api/v1/orgs/{org}/roles/{role_id}"):
        assert path in spec["paths"], path
    assert set(spec["components"]["schemas"]["PublicUser"]["properties"]) == {"id", "name"}
    members = spec["paths"]["/api/v1/orgs/{org}/members"]["post"]["responses"]
    assert {"202", "200", "401", "403", "404", "409", "422"} <= set(members)
    assert "429" in spec["paths"]["/api/v1/auth/login"]["post"]["responses"]
def test_text_the_database_cannot_store_is_a_422_naming_the_field(client):
    response = client.post("/api/v1/auth/login", data='{"email": "a@b.org", "password": "x\\ud800"}',
                           content_type="application/json")
    assert response.status_code == 422
    assert set(response.get_json()["details"]["json"]) == {"password"}
