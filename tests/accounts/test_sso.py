"""Single sign-on settings (GET|PUT /api/v1/orgs/{org}/sso, `flask sso set`) and who a verified email lets in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts import sso
from app.accounts.models import Membership, User
from app.errors import Forbidden
from app.extensions import db
from tests.factories import OrganizationFactory, UserFactory, make_member
from tests.support.auth import bearer

SSO = "/api/v1/orgs/springfield/sso"
SETTINGS = {"issuer": "https://login.springfield.gov/", "client_id": "civic311", "client_secret": "s3cret",
            "allowed_domains": ["Springfield.gov", "@parks.springfield.gov"]}


@pytest.fixture
def org():
    return OrganizationFactory(slug="springfield", name="Springfield")


def test_an_admin_sets_sso_and_never_reads_the_secret_back(client, org):
    admin = make_member(org, "admin")
    assert client.get(SSO, headers=bearer(admin)).status_code == 404
    saved = client.put(SSO, headers=bearer(admin), json=SETTINGS)
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["issuer"] == "https://login.springfield.gov" and body["client_secret_set"] is True
    assert body["allowed_domains"] == ["parks.springfield.gov", "springfield.gov"]
    assert body["login_url"].endswith("/staff/springfield/sso/login")
    assert body["redirect_uri"].endswith("/staff/springfield/sso/callback")
    assert "s3cret" not in saved.get_data(as_text=True)
    kept = client.put(SSO, headers=bearer(admin), json={k: v for k, v in SETTINGS.items() if k != "client_secret"})
    assert kept.status_code == 200 and sso.settings_for(org).client_secret == "s3cret"


def test_sso_settings_are_checked_and_for_admins_only(client, org):
    admin, staff = make_member(org, "admin"), make_member(org, "staff")
    assert client.put(SSO, headers=bearer(staff), json=SETTINGS).status_code == 403
    plain = client.put(SSO, headers=bearer(admin), json={**SETTINGS, "issuer": "http://login.springfield.gov"})
    assert plain.status_code == 422 and "issuer" in plain.get_json()["details"]
    no_secret = client.put(SSO, headers=bearer(admin), json={k: v for k, v in SETTINGS.items() if k != "client_secret"})
    assert no_secret.status_code == 422 and "client_secret" in no_secret.get_json()["details"]
    role = client.put(SSO, headers=bearer(admin), json={**SETTINGS, "new_member_role": "wizard"})
    assert role.status_code == 422 and "new_member_role" in role.get_json()["details"]


def test_the_cli_sets_sso(app, org):
    result = app.test_cli_runner().invoke(args=[
        "sso", "set", "--org", "springfield", "--issuer", "https://id.example.net", "--client-id", "abc",
        "--client-secret", "xyz", "--domain", "springfield.gov", "--allow-new-accounts", "--role", "viewer"])
    assert result.exit_code == 0, result.output
    assert "redirect URI:" in result.output and "/staff/springfield/sso/callback" in result.output
    settings = sso.settings_for(org)
    assert (settings.issuer, settings.allowed_domains, settings.allow_new_accounts, settings.new_member_role) == (
        "https://id.example.net", ["springfield.gov"], True, "viewer")


def _settings(org, **overrides):
    settings = sso.save_settings(org, **{**SETTINGS, **overrides})
    db.session.commit()
    return settings


def _accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_verified_email_maps_to_the_member_by_address_or_confirmed_alias(org):
    settings = _settings(org)
    sam = make_member(org, "staff", email="sam@springfield.gov")
    assert sso.member_for_claims(org, settings, {"email": "SAM@springfield.gov", "email_verified": True}) == sam


@pytest.mark.parametrize("claims, code", [
    ({"email": "sam@springfield.gov"}, "email_not_verified"),
    ({"email": "sam@springfield.gov", "email_verified": "true"}, "email_not_verified"),
    ({"email": "sam@gmail.com", "email_verified": True}, "domain_not_allowed"),
    ({"email": "new@springfield.gov", "email_verified": True}, "not_a_member"),
])
def test_refusals_create_nothing(org, claims, code):
    settings = _settings(org)
    make_member(org, "staff", email="sam@springfield.gov")
    UserFactory(email="sam@gmail.com")
    before = _accounts()
    with pytest.raises(Forbidden) as refused:
        sso.member_for_claims(org, settings, claims)
    assert refused.value.code == code
    db.session.rollback()
    assert _accounts() == before


def test_an_account_of_another_organization_is_not_let_in(org):
    settings = _settings(org)
    outsider = make_member(OrganizationFactory(slug="shelbyville"), "admin", email="boss@springfield.gov")
    with pytest.raises(Forbidden, match="not a member"):
        sso.member_for_claims(org, settings, {"email": outsider.email, "email_verified": True})


def test_when_allowed_a_first_sign_in_creates_the_member_with_the_chosen_role(org):
    settings = _settings(org, allow_new_accounts=True, new_member_role="viewer")
    user = sso.member_for_claims(org, settings, {"email": "new@springfield.gov", "email_verified": True,
                                                "name": "Nia New"})
    db.session.commit()
    assert (user.email, user.name, user.confirmed, user.password_hash) == ("new@springfield.gov", "Nia New", True, None)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.organization_id == org.id and membership.role.name == "viewer"
