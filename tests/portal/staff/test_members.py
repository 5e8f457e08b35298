"""Members, invitations and roles through the organization's settings pages."""

from __future__ import annotations

from app.accounts.models import Membership, Role
from app.accounts.service import user_by_email
from tests.factories import OrganizationFactory, make_member
from tests.portal.pages import log_in, post_form

PAGE = "/staff/springfield/settings/members"


def test_an_admin_invites_changes_roles_and_removes(client, db, stub_broker):
    org = OrganizationFactory(slug="springfield")
    admin = make_member(org, "admin", name="Alex Admin")
    log_in(client, admin)
    invited = post_form(client, PAGE + "/invite", {"invite-email": "new.hire@city.example", "invite-role": "staff"},
                        form_page=PAGE)
    assert invited.status_code == 302
    assert user_by_email("new.hire@city.example") is None  # no account is made for an invitation
    page = client.get(PAGE).text
    assert "We have emailed an invitation to new.hire@city.example to join as staff" in page
    assert "new.hire@city.example" in page.split('id="pending-heading"')[1]
    hire = make_member(org, "staff", email="hire@city.example")

    post_form(client, PAGE + f"/{hire.id}/role", {"role": "viewer"}, form_page=PAGE)
    membership = db.session.query(Membership).filter_by(user_id=hire.id).one()
    assert membership.role.name == "viewer"

    post_form(client, PAGE + f"/{hire.id}/remove", form_page=PAGE)
    assert db.session.query(Membership).filter_by(user_id=hire.id).count() == 0


def test_the_last_manager_cannot_remove_themselves(client, db):
    org = OrganizationFactory(slug="springfield")
    admin = make_member(org, "admin")
    log_in(client, admin)
    post_form(client, PAGE + f"/{admin.id}/remove", form_page=PAGE)
    assert db.session.query(Membership).filter_by(user_id=admin.id).count() == 1
    assert 'class="flash flash-error"' in client.get(PAGE).text


def test_an_invalid_invitation_is_explained_on_the_form(client, db):
    org = OrganizationFactory(slug="springfield")
    admin = make_member(org, "admin")
    log_in(client, admin)
    again = post_form(client, PAGE + "/invite", {"invite-email": "not an address", "invite-role": "staff"},
                      form_page=PAGE)
    assert again.status_code == 422
    assert "Enter a valid email address." in again.text


def test_inviting_a_member_again_changes_nothing_until_accepted(client, db, stub_broker):
    org = OrganizationFactory(slug="springfield")
    admin = make_member(org, "admin")
    staff = make_member(org, "staff")
    log_in(client, admin)
    again = post_form(client, PAGE + "/invite", {"invite-email": staff.email, "invite-role": "admin"}, form_page=PAGE)
    assert again.status_code == 302  # answered as any invitation: nothing about accounts is told
    assert db.session.query(Membership).filter_by(user_id=staff.id).one().role.name == "staff"


def test_roles_are_created_with_the_checked_permissions(client, db):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "admin"))
    post_form(client, "/staff/springfield/settings/roles",
              {"role-name": "dispatcher", "permissions": ["view_requests", "edit_requests"]}, form_page=PAGE)
    role = db.session.query(Role).filter_by(organization_id=org.id, name="dispatcher").one()
    assert role.permission_names == {"view_requests", "edit_requests"}


def test_staff_without_manage_members_are_refused(client, db):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "staff"))
    assert client.get(PAGE).status_code == 403
    assert "Members" not in client.get("/staff/springfield/").text.split("</nav>")[1]


def test_a_spanish_admin_hears_whose_role_each_button_changes_in_one_sentence(client, db):
    org = OrganizationFactory(slug="springfield")
    log_in(client, make_member(org, "admin", name="Ana Admin", locale="es"))
    make_member(org, "staff", name="Beto Bravo")
    page = client.get(PAGE).text
    assert 'Cambiar<span class="visually-hidden"> el rol de Beto Bravo</span></button>' in page
