"""Joining an organization needs consent (issue 14): an admin invites an address, its owner accepts.

The reported attack, `POST /orgs/<org>/members {"user_id": 3}`, adds nobody and shows no address;
an invitation answers alike whether or not an account holds the address.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.invitations import invitation_token
from app.accounts.models import EmailAlias, Membership, OrganizationInvitation, User
from app.db_types import utcnow
from app.extensions import db
from tests.factories import OrganizationFactory, UserFactory, make_member
from tests.portal.pages import csrf_token, log_in
from tests.support.accounts import events_of
from tests.support.auth import bearer


@pytest.fixture
def org():
    return OrganizationFactory(slug="shelbyville", name="Shelbyville")


@pytest.fixture
def admin(org):
    return make_member(org, "admin", name="Alex Admin")


def url(org, path):
    return f"/api/v1/orgs/{org.slug}{path}"


def is_member(org, user) -> bool:
    db.session.expire_all()
    return db.session.scalar(db.select(Membership.id).where(
        Membership.organization_id == org.id, Membership.user_id == user.id)) is not None


def invitation_of(org, email) -> OrganizationInvitation:
    db.session.expire_all()
    return db.session.scalar(db.select(OrganizationInvitation).where(
        OrganizationInvitation.organization_id == org.id, OrganizationInvitation.email == email))


def invite(client, org, admin, email, role="viewer"):
    return client.post(url(org, "/members"), json={"email": email, "role": role}, headers=bearer(admin))


def test_adding_an_account_by_id_is_refused_and_its_address_never_shown(client, org, admin):
    victim = UserFactory(email="victim@example.org")
    response = client.post(url(org, "/members"), json={"user_id": victim.id, "role": "viewer"},
                           headers=bearer(admin))
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_failed" and "invite them by email" in body["message"]
    assert body["details"]["json"]["user_id"]
    assert not is_member(org, victim)
    # An id with no account answers the same: the id tells nothing.
    nobody = client.post(url(org, "/members"), json={"user_id": 999_999, "role": "viewer"}, headers=bearer(admin))
    assert (nobody.status_code, nobody.get_json()) == (422, body)
    log_in(client, admin)
    page = client.get(f"/staff/{org.slug}/settings/members").get_data(as_text=True)
    assert "victim@example.org" not in page and victim.name not in page


def test_the_answer_is_the_same_for_an_existing_and_a_missing_address(client, org, admin):
    UserFactory(email="known@example.org")
    known = invite(client, org, admin, "known@example.org")
    missing = invite(client, org, admin, "nobody@example.org")
    assert known.status_code == missing.status_code == 202
    shape = lambda body: {k: v for k, v in body["invitation"].items() if k not in ("id", "email", "sent_at", "expires_at")}  # noqa: E731
    assert shape(known.get_json()) == shape(missing.get_json()) == {"role": "viewer", "status": "pending"}
    assert set(known.get_json()["invitation"]) == set(missing.get_json()["invitation"])
    assert known.get_json()["invitation"]["email"] == "known@example.org"
    # Nobody joined and no account was made; both addresses are mailed alike.
    assert db.session.scalar(db.select(User).where(User.email == "nobody@example.org")) is None
    assert db.session.scalar(db.select(db.func.count(Membership.id)).where(Membership.organization_id == org.id)) == 1
    assert sorted(e.payload["email"] for e in events_of("organization.invitation")) == [
        "known@example.org", "nobody@example.org"]
    # The old endpoint answers alike too.
    again = client.post(url(org, "/invitations"), json={"email": "known@example.org", "role": "staff"},
                        headers=bearer(admin))
    assert again.status_code == 202 and again.get_json()["invitation"]["role"] == "staff"


def test_inviting_again_refreshes_the_one_open_invitation(client, org, admin):
    first = invite(client, org, admin, "Pat@Example.org").get_json()["invitation"]
    second = invite(client, org, admin, "pat@example.org", role="staff").get_json()["invitation"]
    assert first["id"] == second["id"]
    listed = client.get(url(org, "/invitations"), headers=bearer(admin)).get_json()
    assert listed["total"] == 1
    [item] = listed["items"]
    assert (item["email"], item["role"], item["status"]) == ("Pat@Example.org", "staff", "pending")


def test_members_list_shows_accepted_members_only_and_invitations_apart(client, org, admin):
    UserFactory(email="pending@example.org", name="Penny Pending")
    invite(client, org, admin, "pending@example.org")
    members = client.get(url(org, "/members"), headers=bearer(admin)).get_json()
    assert [m["user"]["name"] for m in members["items"]] == ["Alex Admin"]
    log_in(client, admin)
    page = client.get(f"/staff/{org.slug}/settings/members").get_data(as_text=True)
    pending_part = page.split('id="pending-heading"')[1].split('id="roles-heading"')[0]
    members_part = page.split('id="members-heading"')[1].split('id="pending-heading"')[0]
    assert "pending@example.org" in pending_part and "viewer" in pending_part and "Revoke" in pending_part
    assert "Penny Pending" not in page and "pending@example.org" not in members_part


def _open(client, token):
    return client.get(f"/invitations/{token}")


def _answer(client, token, what):
    page = _open(client, token)
    assert page.status_code == 200, page.status_code
    return client.post(f"/invitations/{token}/{what}", data={"csrf_token": csrf_token(page.get_data(as_text=True))})


def _token(org, email):
    return invitation_token(invitation_of(org, email))


def test_the_accept_page_needs_a_session_and_shows_organization_and_role(client, org, admin):
    invitee = UserFactory(email="ivy@example.org")
    invite(client, org, admin, "ivy@example.org", role="staff")
    token = _token(org, "ivy@example.org")
    first = _open(client, token)
    assert first.status_code == 302 and first.headers["Location"].startswith("/login?next=")
    log_in(client, invitee)
    page = _open(client, token).get_data(as_text=True)
    assert "Shelbyville" in page and "staff" in page and "Accept" in page and "Decline" in page


def test_another_account_cannot_accept_someone_elses_invitation(client, org, admin):
    UserFactory(email="ivy@example.org")
    intruder = UserFactory(email="mallory@example.org")
    invite(client, org, admin, "ivy@example.org")
    token = _token(org, "ivy@example.org")
    log_in(client, intruder)
    refused = _answer(client, token, "accept")
    assert refused.status_code == 403
    assert "sent to another address" in refused.get_data(as_text=True)
    assert not is_member(org, intruder)
    assert _answer(client, token, "decline").status_code == 403
    assert invitation_of(org, "ivy@example.org").is_open


def test_an_unconfirmed_alias_cannot_accept_but_a_confirmed_alias_can(client, org, admin):
    claimer = UserFactory(email="claimer@example.org")
    db.session.add(EmailAlias(user_id=claimer.id, email="ivy@example.org"))  # typed, never confirmed
    db.session.commit()
    invite(client, org, admin, "ivy@example.org")
    log_in(client, claimer)
    assert _answer(client, _token(org, "ivy@example.org"), "accept").status_code == 403
    assert not is_member(org, claimer)

    bob = UserFactory(email="bob@home.example")
    db.session.add(EmailAlias(user_id=bob.id, email="bob@work.example", confirmed_at=utcnow()))
    db.session.commit()
    invite(client, org, admin, "bob@work.example", role="staff")
    other = client.application.test_client()
    log_in(other, bob)
    accepted = _answer(other, _token(org, "bob@work.example"), "accept")
    assert accepted.status_code == 302
    assert is_member(org, bob)


def test_accepting_joins_once_and_a_used_link_says_so(client, org, admin):
    ivy = UserFactory(email="ivy@example.org")
    invite(client, org, admin, "ivy@example.org", role="staff")
    token = _token(org, "ivy@example.org")
    log_in(client, ivy)
    assert _answer(client, token, "accept").status_code == 302
    assert "You are now a member of Shelbyville" in client.get("/").get_data(as_text=True)
    assert is_member(org, ivy)
    [joined] = events_of("membership.role_changed")
    assert joined.payload == {"user_id": ivy.id, "role": "staff", "previous_role": None}
    used = _open(client, token)
    assert used.status_code == 404 and "no longer valid" in used.get_data(as_text=True)
    members = client.get(url(org, "/members"), headers=bearer(admin)).get_json()
    assert ("ivy@example.org" not in str(members)) and {m["role"] for m in members["items"]} == {"admin", "staff"}
    assert client.get(url(org, "/invitations"), headers=bearer(admin)).get_json()["total"] == 0


def test_declining_makes_no_membership_and_ends_the_link(client, org, admin):
    ivy = UserFactory(email="ivy@example.org")
    invite(client, org, admin, "ivy@example.org")
    token = _token(org, "ivy@example.org")
    log_in(client, ivy)
    assert _answer(client, token, "decline").status_code == 302
    assert not is_member(org, ivy)
    assert invitation_of(org, "ivy@example.org").declined_at is not None
    assert _open(client, token).status_code == 404
    assert client.get(url(org, "/invitations"), headers=bearer(admin)).get_json()["total"] == 0


def test_revoking_ends_the_link(client, org, admin):
    ivy = UserFactory(email="ivy@example.org")
    invitation_id = invite(client, org, admin, "ivy@example.org").get_json()["invitation"]["id"]
    token = _token(org, "ivy@example.org")
    other_org = OrganizationFactory()
    outsider = make_member(other_org, "admin")
    assert client.delete(f"/api/v1/orgs/{other_org.slug}/invitations/{invitation_id}",
                         headers=bearer(outsider)).status_code == 404
    assert client.delete(url(org, f"/invitations/{invitation_id}"), headers=bearer(admin)).status_code == 204
    assert client.delete(url(org, f"/invitations/{invitation_id}"), headers=bearer(admin)).status_code == 404
    log_in(client, ivy)
    gone = _open(client, token)
    assert gone.status_code == 404 and "withdrawn" in gone.get_data(as_text=True)
    assert not is_member(org, ivy)


def test_revoking_on_the_members_page(client, org, admin):
    invite(client, org, admin, "ivy@example.org")
    invitation = invitation_of(org, "ivy@example.org")
    log_in(client, admin)
    page = client.get(f"/staff/{org.slug}/settings/members").get_data(as_text=True)
    response = client.post(f"/staff/{org.slug}/settings/invitations/{invitation.id}/revoke",
                           data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "The invitation is withdrawn." in text and "No pending invitations." in text
    assert invitation_of(org, "ivy@example.org").revoked_at is not None


def test_inviting_on_the_members_page_adds_nobody(client, org, admin):
    bob = UserFactory(email="bob@example.org")
    log_in(client, admin)
    page = client.get(f"/staff/{org.slug}/settings/members").get_data(as_text=True)
    response = client.post(f"/staff/{org.slug}/settings/members/invite", data={
        "invite-email": "bob@example.org", "invite-role": "staff", "invite-csrf_token": csrf_token(page)},
        follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "they become a member when they accept it" in text
    assert not is_member(org, bob)


def test_an_expired_invitation_cannot_be_accepted(client, org, admin):
    ivy = UserFactory(email="ivy@example.org")
    invite(client, org, admin, "ivy@example.org")
    invitation = invitation_of(org, "ivy@example.org")
    token = invitation_token(invitation)
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    log_in(client, ivy)
    expired = _open(client, token)
    assert expired.status_code == 404 and "expired" in expired.get_data(as_text=True)
    assert client.post(f"/invitations/{token}/accept", data={}).status_code in (400, 404)
    assert not is_member(org, ivy)
