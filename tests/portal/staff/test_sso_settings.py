"""The staff page for single sign-on: saves through the same service as the API, errors next to the field."""

from __future__ import annotations

from app.accounts import sso
from tests.factories import OrganizationFactory, make_member
from tests.portal.pages import log_in, post_form

PAGE = "/staff/springfield/settings/sso"


def test_an_admin_sets_up_sso_on_the_settings_page(client, db):
    org = OrganizationFactory(slug="springfield")
    admin = make_member(org, "admin")
    log_in(client, admin)
    page = client.get(PAGE).get_data(as_text=True)
    assert "/staff/springfield/sso/callback" in page and "/staff/springfield/sso/login" in page
    saved = post_form(client, PAGE, {"issuer": "https://login.springfield.gov", "client_id": "civic",
                                     "client_secret": "hush", "allowed_domains": "springfield.gov, parks.gov",
                                     "new_member_role": "staff", "enabled": "y"})
    assert saved.status_code == 302
    settings = sso.settings_for(org)
    assert (settings.client_id, settings.client_secret, settings.allowed_domains, settings.enabled) == (
        "civic", "hush", ["parks.gov", "springfield.gov"], True)
    shown = client.get(PAGE).get_data(as_text=True)
    assert "hush" not in shown  # the secret is never written back into the page
    assert "parks.gov, springfield.gov" in shown


def test_a_refused_issuer_is_shown_next_to_its_field(client, db):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "admin"))
    refused = post_form(client, PAGE, {"issuer": "http://login.springfield.gov", "client_id": "civic",
                                       "client_secret": "hush", "new_member_role": "staff"})
    assert refused.status_code == 422
    assert 'id="issuer-error">Must use https.' in refused.get_data(as_text=True)
    assert sso.settings_for(org) is None


def test_staff_without_manage_settings_cannot_open_it(client, db):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "staff"))
    assert client.get(PAGE).status_code == 403
