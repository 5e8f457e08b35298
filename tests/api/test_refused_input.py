"""Input PostgreSQL refuses is a 4xx, never a 500."""

from tests.factories import UserFactory
from tests.support.auth import bearer


def test_an_id_beyond_bigint_is_a_404(client):
    user = UserFactory()
    response = client.get(f"/api/v1/watch-areas/{2**70}", headers=bearer(user))
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_a_nul_byte_in_text_is_a_422(client):
    user = UserFactory()
    response = client.patch("/api/v1/me", json={"name": "Ann\u0000Lee"}, headers=bearer(user))
    assert response.status_code in (400, 422)
    assert set(response.get_json()) == {"error", "message", "details"}
