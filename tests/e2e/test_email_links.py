"""Every link of every email works, as its reader clicks it.

For each event kind that emails anyone, a small city with one person in each audience of the
matrix (tests/notify/world.py) receives the real email over SMTP; every http link of its text
and HTML parts is opened through the web app: it answers 200, or sends a visitor without a
session to the login page, and logging in there (as the email's recipient) leads on to it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import current_app

from app.accounts.models import Membership
from app.accounts.roles import ensure_default_roles
from app.events.service import record_event
from app.extensions import db
from app.links import PAGES
from app.notify.delivery import send_due_deliveries
from app.notify.digest import make_daily_digests
from app.notify.fanout import fan_out
from app.notify.matrix import EMAIL, MATRIX
from tests.factories import PASSWORD, ServiceRequestFactory, make_member
from tests.notify.world import World
from tests.portal.pages import csrf_token
from tests.support.auth import bearer

EMAILING_KINDS = sorted({rule.kind for rule in MATRIX if EMAIL in rule.channels})
_LINK = re.compile(r"""https?://[^\s"'<>]+""")


def links_of(mail) -> set[str]:
    """Every http(s) link in the text part and in the HTML part's hrefs."""
    html = mail.message.get_body(preferencelist=("html",)).get_content()
    found = set(_LINK.findall(mail.text())) | set(re.findall(r'href="(https?://[^"]+)"', html))
    return {link.replace("&amp;", "&") for link in found}


def _local(link: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    assert link.startswith(base + "/"), f"{link} is not under PUBLIC_BASE_URL"
    return link[len(base):]


def open_as_reader(app, path: str, reader) -> None:
    """What a reader sees following `path`: the page, or the login page and then the page."""
    client = app.test_client()
    first = client.get(path)
    if first.status_code == 200:
        return
    assert first.status_code == 302, f"{path} answered {first.status_code}"
    login = urlsplit(first.headers["Location"])
    assert login.path == "/login", f"{path} redirected to {first.headers['Location']}"
    [next_path] = parse_qs(login.query)["next"]
    assert next_path == path
    page = client.get(first.headers["Location"])
    assert page.status_code == 200
    logged_in = client.post(first.headers["Location"], data={
        "email": reader.email, "password": PASSWORD, "next": next_path,
        "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert logged_in.status_code == 302 and logged_in.headers["Location"] == next_path
    assert client.get(next_path).status_code == 200, f"{path} after logging in as {reader.email}"


@pytest.mark.parametrize("kind", EMAILING_KINDS)
def test_every_link_of_every_email_of_a_kind_opens(kind, app, stub_broker, smtp_server, monkeypatch):
    world = World.build()
    # As in the product: an invitation has made its person a member, a followed area is public.
    if kind.startswith("account.invited_"):
        db.session.add(Membership(user_id=world.people["subject"].id, organization_id=world.org.id,
                                  role_id=ensure_default_roles(world.org)["staff"].id))
    world.watch_area.public = kind == "watch_area.followed"
    db.session.commit()
    if kind == "inbound.message_received":
        message_id = world.inbound_message_id()
        monkeypatch.setattr(world, "payload", lambda kind: {"inbound_message_id": message_id})
    event = world.fire(kind)
    fan_out(event.id)
    send_due_deliveries(50)

    expected = {world.address_of(m, kind).lower() for m, channels in world.expected(kind).items()
                if EMAIL in channels}
    mails = smtp_server.wait_for(len(expected))
    assert {r.lower() for mail in mails for r in mail.rcpt_tos} == expected  # every audience got its email
    readers = {world.address_of(role, kind).lower(): person for role, person in world.people.items()}
    for mail in mails:
        links = links_of(mail)
        assert links, f"{kind} to {mail.rcpt_tos} has no link"
        for link in links:
            # An address without an account (the organization's notice address) logs in as a member would.
            open_as_reader(app, _local(link), readers.get(mail.rcpt_tos[0].lower(), world.people["admin"]))


def test_every_link_of_a_daily_digest_opens(app, client, stub_broker, smtp_server):
    request = ServiceRequestFactory()
    staff = make_member(request.organization, "staff")
    client.put("/api/v1/me/preferences", headers=bearer(request.reporter), json={"email_frequency": "daily"})
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    fan_out(event.id)
    make_daily_digests(now=event.created_at.replace(hour=23))
    send_due_deliveries(10)
    [digest] = smtp_server.wait_for(1)
    links = links_of(digest)
    assert f"{current_app.config['PUBLIC_BASE_URL']}/requests/{request.public_id}" in links
    for link in links:
        open_as_reader(app, _local(link), request.reporter)


def test_a_new_resident_confirms_from_the_email_and_then_logs_in(app, client, stub_worker, smtp_server):
    assert client.post("/api/v1/auth/register", json={"email": "new@example.net", "password": PASSWORD,
                                                      "name": "New Resident"}).status_code == 201
    stub_worker.join()
    send_due_deliveries(10)
    [mail] = smtp_server.wait_for(1)
    [link] = [link for link in links_of(mail) if "/confirm-email?token=" in link]
    assert client.post("/api/v1/auth/login", json={"email": "new@example.net", "password": PASSWORD}).status_code == 403

    page = client.get(_local(link))
    assert page.status_code == 200 and "Confirm your address" in page.get_data(as_text=True)
    token = parse_qs(urlsplit(link).query)["token"][0]
    confirmed = client.post(urlsplit(link).path, data={"token": token, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/login"
    assert "new@example.net is confirmed. You can log in now." in client.get("/login").get_data(as_text=True)
    assert client.post("/api/v1/auth/login", json={"email": "new@example.net", "password": PASSWORD}).status_code == 200


def _invitation_token(world: World) -> str:
    from app.accounts.invitations import invitation_token
    from app.accounts.models import OrganizationInvitation

    invitation = db.session.get(OrganizationInvitation, world.invitation_id("invitee@example.net"))
    db.session.commit()
    return invitation_token(invitation)


def test_every_page_emails_link_to_exists_and_old_addresses_redirect(app, client):
    world = World.build()
    staff = world.people["assignee"]
    org = world.org.slug
    message_id = world.inbound_message_id()
    db.session.commit()
    examples = {
        "home": {}, "request": {"public_id": world.request.public_id},
        "confirm_email": {"token": "x"}, "reset_password": {"token": "x"}, "set_password": {"token": "x"},
        "preferences": {}, "delete_account": {"token": "x"}, "unsubscribe": {"token": "x"}, "one_click_unsubscribe": {"token": "x"},
        "watch_area": {"area_id": world.watch_area.id}, "staff_home": {"org": org},
        "staff_request": {"org": org, "request_id": world.request.id},
        "staff_inbound": {"org": org, "message_id": message_id},
        "staff_work_order": {"org": org, "work_order_id": world.work_order.id},
        "register": {}, "invitation": {"token": _invitation_token(world)},
    }
    assert set(examples) == set(PAGES)  # a page added to the table is added here
    from app.links import page_url

    for page, values in examples.items():
        path = _local(page_url(page, **values))
        if page == "one_click_unsubscribe":  # a POST address; a browser's GET is sent to the page
            assert client.get(path).headers["Location"].endswith(f"/unsubscribe/{values['token']}")
        elif page != "unsubscribe":  # a forged token: covered by the notify tests
            reader = world.people["wa_owner"] if page == "watch_area" else staff
            open_as_reader(app, path, reader)
    moved = {"/preferences": "/account/preferences", f"/orgs/{org}": f"/staff/{org}/",
             f"/orgs/{org}/work-orders/{world.work_order.id}": f"/staff/{org}/work-orders/{world.work_order.id}",
             f"/orgs/{org}/inbound-messages/7": f"/staff/{org}/inbound/7",
             f"/requests/{world.request.id}": None}
    for old, new in moved.items():
        answer = client.get(old)
        if new is None:  # the numeric address still answers
            assert answer.status_code == 200
        else:
            assert answer.status_code == 301 and answer.headers["Location"] == new


def test_a_template_preview_links_to_public_base_url_whatever_host_was_asked(app, client):
    world = World.build()
    admin = world.people["admin"]
    answer = client.post(f"/api/v1/orgs/{world.org.slug}/templates/request.acknowledged/preview",
                         headers={**bearer(admin), "Host": "internal-host:9999"}, json={})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()["text"]
    assert f"{current_app.config['PUBLIC_BASE_URL']}/requests/abc123xyz0" in body
    assert "internal-host" not in body
