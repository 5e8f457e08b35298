"""/api/v1/orgs/{org}/webhooks: admins register endpoints; private, loopback and link-local ones are refused."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notify.webhooks.models import WebhookEndpoint
from tests.factories import OrganizationFactory, make_member
from tests.support.auth import bearer

HOOKS = "/api/v1/orgs/springfield/webhooks"


@pytest.fixture
def admin():
    return make_member(OrganizationFactory(slug="springfield"), "admin")


def test_an_admin_registers_an_endpoint_and_gets_its_signing_secret(client, admin):
    response = client.post(HOOKS, headers=bearer(admin), json={
        "url": "https://93.184.215.14/civic", "event_kinds": ["request.comment_public", "request.closed"],
        "description": "Work management system"})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["secret"].startswith("whsec_") and created["enabled"] is True
    assert created["event_kinds"] == ["request.closed", "request.comment_public"]

    listed = client.get(HOOKS, headers=bearer(admin)).get_json()
    assert [item["url"] for item in listed["items"]] == ["https://93.184.215.14/civic"]
    assert "secret" not in listed["items"][0]
    assert client.get(f"{HOOKS}/{created['id']}", headers=bearer(admin)).get_json()["secret"] == created["secret"]


@pytest.mark.parametrize("url, reason", [
    ("https://127.0.0.1/hook", "loopback"),
    ("https://localhost:8443/hook", "loopback"),
    ("https://10.1.2.3/hook", "private"),
    ("https://192.168.0.10/hook", "private"),
    ("https://169.254.169.254/latest/meta-data", "link-local"),
    ("https://[::1]/hook", "loopback"),
    ("https://[::ffff:10.0.0.1]/hook", "private"),
    ("https://0.0.0.0/hook", "unspecified"),
    ("http://93.184.215.14/hook", "https"),
    ("https://user:pw@93.184.215.14/hook", "credentials"),
    ("not a url", "host"),
])
def test_addresses_that_are_not_public_https_are_refused_naming_the_field(client, admin, url, reason):
    response = client.post(HOOKS, headers=bearer(admin), json={"url": url, "event_kinds": ["request.closed"]})
    assert response.status_code == 422, response.get_json()
    error = response.get_json()
    assert error["error"] == "validation_failed" and reason in " ".join(error["details"]["url"])
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_a_host_named_in_webhook_allowed_hosts_may_be_loopback_and_plain_http(client, admin, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", "127.0.0.1, intranet.city.test")
    response = client.post(HOOKS, headers=bearer(admin), json={
        "url": "http://127.0.0.1:9/hook", "event_kinds": ["request.closed"]})
    assert response.status_code == 201, response.get_json()


def test_unknown_or_personal_event_kinds_are_refused(client, admin):
    for kinds in (["request.nonsense"], ["account.password_reset"], []):
        response = client.post(HOOKS, headers=bearer(admin), json={
            "url": "https://93.184.215.14/hook", "event_kinds": kinds})
        assert response.status_code == 422
        assert "event_kinds" in (response.get_json()["details"].get("json") or response.get_json()["details"])


def test_patch_rechecks_the_address_disables_and_rotates_the_secret(client, admin):
    created = client.post(HOOKS, headers=bearer(admin), json={
        "url": "https://93.184.215.14/hook", "event_kinds": ["request.closed"]}).get_json()
    path = f"{HOOKS}/{created['id']}"
    refused = client.patch(path, headers=bearer(admin), json={"url": "https://10.0.0.8/hook"})
    assert refused.status_code == 422 and "private" in refused.get_json()["details"]["url"][0]
    changed = client.patch(path, headers=bearer(admin), json={"enabled": False, "rotate_secret": True}).get_json()
    assert changed["enabled"] is False and changed["secret"] != created["secret"]
    assert changed["url"] == "https://93.184.215.14/hook"
    assert client.delete(path, headers=bearer(admin)).status_code == 204
    assert client.get(path, headers=bearer(admin)).status_code == 404


def test_only_members_with_manage_settings_of_this_organization_handle_webhooks(client, admin):
    staff = make_member(admin.memberships[0].organization, "staff")
    other_admin = make_member(OrganizationFactory(slug="shelbyville"), "admin")
    theirs = client.post("/api/v1/orgs/shelbyville/webhooks", headers=bearer(other_admin), json={
        "url": "https://93.184.215.14/hook", "event_kinds": ["request.closed"]}).get_json()
    assert client.get(HOOKS).status_code == 401
    for caller in (staff, other_admin):
        assert client.get(HOOKS, headers=bearer(caller)).status_code == 403
    # Another organization's endpoint is not reachable through this one.
    assert client.get(f"{HOOKS}/{theirs['id']}", headers=bearer(admin)).status_code == 404
    assert client.get(f"{HOOKS}/{theirs['id']}/deliveries", headers=bearer(admin)).status_code == 404
