"""The in-app alert is a preference like the others: off by default, turned on through /me/preferences."""

from tests.factories import UserFactory
from tests.support.auth import bearer


def test_the_alert_is_off_by_default_and_follows_the_users_choice(client):
    headers = bearer(UserFactory())
    assert client.get("/api/v1/me/preferences", headers=headers).json["in_app_alert"] is False
    turned_on = client.put("/api/v1/me/preferences", json={"in_app_alert": True}, headers=headers)
    assert turned_on.status_code == 200 and turned_on.json["in_app_alert"] is True
    others = client.put("/api/v1/me/preferences", json={"email_frequency": "daily"}, headers=headers).json
    assert others["in_app_alert"] is True and others["email_frequency"] == "daily"
    refused = client.put("/api/v1/me/preferences", json={"in_app_alert": "loud"}, headers=headers)
    assert refused.status_code == 422 and "in_app_alert" in refused.json["details"]["json"]
