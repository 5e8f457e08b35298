"""Staff sign in through a real OpenID provider on loopback (oidc-provider-mock): login, consent, back to the portal."""

from __future__ import annotations

import pytest
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.accounts import sso
from app.accounts.models import User
from app.extensions import db
from tests.factories import OrganizationFactory, make_member
from tests.portal.browser.conftest import screenshot


@pytest.fixture(scope="module")
def provider():
    people = [
        ProviderUser(sub="sam", claims={"email": "sam@springfield.gov", "email_verified": True, "name": "Sam Staff"}),
        ProviderUser(sub="stranger", claims={"email": "stranger@springfield.gov", "email_verified": True}),
        ProviderUser(sub="unverified", claims={"email": "sam@springfield.gov", "email_verified": False}),
    ]
    with run_server_in_thread(user_claims=people, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def city(provider):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    sam = make_member(org, "staff", email="sam@springfield.gov", name="Sam Staff", password_hash=None)
    sso.save_settings(org, issuer=provider, client_id="civic311", client_secret="test-secret",
                      allowed_domains=["springfield.gov"])
    db.session.commit()
    return type("City", (), {"org": org, "sam": sam})


def _through_the_provider(page, provider: str, who: str) -> None:
    # The browser fixture aborts every other host; the provider is one the test itself runs.
    page.context.route(f"{provider}/**", lambda route: route.continue_())
    page.goto("/staff/springfield/sso/login")
    page.wait_for_url(f"{provider}/oauth2/authorize*")
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_role("button", name=who, exact=True).click()  # consent, as this person


def test_a_member_signs_in_through_the_provider_and_lands_in_the_staff_portal(page, db, city, provider):
    _through_the_provider(page, provider, "sam")
    page.wait_for_url("**/staff/springfield/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page, "staff-sso-signed-in")


def test_a_verified_address_that_is_no_member_gets_no_account(page, db, city, provider):
    before = db.session.scalar(select(func.count()).select_from(User))
    _through_the_provider(page, provider, "stranger")
    expect(page.get_by_text("stranger@springfield.gov is not a member of City of Springfield")).to_be_visible()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    page.goto("/staff/springfield/")
    assert "/login" in page.url, page.url  # no session was started


def test_an_unverified_email_is_refused(page, db, city, provider):
    _through_the_provider(page, provider, "unverified")
    expect(page.get_by_text("did not vouch for your email address")).to_be_visible()
