"""axe-core over every page of the portal, as a visitor, a resident, staff and a platform operator.

The demo city gives every page something to show (requests in every state, inbound mail,
work orders, watch areas, notifications). `PAGES` names one address per GET page of the
portal; a test fails when the app has a page this list does not check.
"""

from __future__ import annotations

import pytest
from flask import current_app
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.automations.models import Automation
from app.automations.service import ensure_critical
from app.extensions import db
from app.inbound.models import InboundMessage
from app.requests.models import RequestCategory, ServiceRequest
from app.seed.demo import DEMO_PASSWORD, seed_demo
from app.watch.models import WatchArea
from app.work.models import WorkOrder
from tests.addresses.support import SPRINGFIELD_ROWS, import_rows
from tests.factories import PASSWORD, OrganizationFactory, UserFactory
from tests.portal.browser.axe import assert_accessible
from tests.portal.browser.conftest import log_in

RESIDENT, STAFF = "resident1@example.com", "admin@springfield.example"
# Endpoints that answer with a redirect to another page (checked there), or with no page.
NOT_PAGES = {"health.healthz", "site.confirm", "old_addresses", "account.export_data",
             "metrics", "staff.sso_login", "staff.sso_callback"}  # Prometheus text; redirects to and from the provider


def _invitation_token(org, email: str) -> str:
    """An open invitation of `email` to `org` (the page an emailed invitation opens)."""
    from app.accounts.invitations import invitation_token, invite
    from app.accounts.models import Role

    role = db.session.scalar(select(Role).where(Role.organization_id == org.id, Role.name == "viewer"))
    inviter = db.session.scalar(select(User).where(User.email == STAFF))
    return invitation_token(invite(org, inviter, email, role))


def _pages() -> dict[str, list[tuple[str, str]]]:
    """Who looks at which address, for every page."""
    request = db.session.scalar(select(ServiceRequest).join(RequestCategory).where(
        RequestCategory.code == "pothole").order_by(ServiceRequest.id))
    resident = db.session.scalar(select(User).where(User.email == RESIDENT))
    area = db.session.scalar(select(WatchArea).where(WatchArea.owner_id == resident.id).order_by(WatchArea.id))
    message = db.session.scalar(select(InboundMessage).order_by(InboundMessage.id))
    order = db.session.scalar(select(WorkOrder).order_by(WorkOrder.id))
    category = request.category_id
    ensure_critical(request.organization)  # every organization lists its critical automation
    db.session.commit()
    automation = db.session.scalar(select(Automation.id).where(Automation.organization_id == request.organization_id))
    org = "/staff/springfield"
    invitation = _invitation_token(request.organization, RESIDENT)
    return {
        "visitor": [("site.login", "/login"), ("site.register", "/register"),
                    ("site.forgot_password", "/forgot-password"), ("site.resend_confirmation", "/confirm/resend"),
                    ("site.confirm_email", "/confirm-email?token=not-a-token"),
                    ("site.reset_password", "/reset-password?token=not-a-token"),
                    ("site.set_password", "/set-password?token=not-a-token"),
                    ("unsubscribe_page.unsubscribe_page", "/unsubscribe/not-a-token"),
                    ("resident.request_page", f"/requests/{request.public_id}")],
        "resident": [("resident.home", "/"), ("resident.report", "/report"),
                     ("resident.request_page", f"/requests/{request.public_id}"),
                     ("resident.my_requests", "/my/requests"), ("watch.index", "/watch-areas/"),
                     ("watch.detail", f"/watch-areas/{area.id}"), ("watch.edit", f"/watch-areas/{area.id}/edit"),
                     ("watch.new", "/watch-areas/new"), ("inbox.inbox_page", "/notifications"),
                     ("account.profile", "/account/"), ("inbox.preferences_page", "/account/preferences"),
                     ("account.privacy", "/account/privacy"), ("account.confirm_delete", "/account/delete"),
                     ("invitations.invitation", f"/invitations/{invitation}")],
        "staff": [("staff.choose_organization", "/staff/"), ("staff.dashboard", f"{org}/"),
                  ("staff.queue", f"{org}/requests"), ("staff.request_detail", f"{org}/requests/{request.id}"),
                  ("staff.inbound_messages", f"{org}/inbound"), ("staff.inbound_message", f"{org}/inbound/{message.id}"),
                  ("staff.work_orders", f"{org}/work-orders"), ("staff.work_order", f"{org}/work-orders/{order.id}"),
                  ("staff.settings", f"{org}/settings/"), ("staff.categories_page", f"{org}/settings/categories"),
                  ("staff.category", f"{org}/settings/categories/{category}"),
                  ("staff.email_template", f"{org}/settings/templates/request.acknowledged"),
                  ("staff.api_keys", f"{org}/settings/api-keys"), ("staff.members", f"{org}/settings/members"),
                  ("staff.email_log", f"{org}/email-log"), ("staff.audit_trail", f"{org}/audit"),
                  ("staff.retention_settings", f"{org}/settings/retention"), ("admin.mail_sink", "/admin/mail"),
                  ("staff.statistics_page", f"{org}/statistics"), ("staff.sso_settings", f"{org}/settings/sso"),
                  ("staff.automations", f"{org}/automations"),
                  ("staff.automation_runs", f"{org}/automations/{automation}/runs"),
                  ("staff.edit_automation", f"{org}/automations/{automation}/edit")],
    }


# Every map on a page, and the words its aria-describedby points to (none: the map has no text alternative).
_MAP_ALTERNATIVES = """() => [...document.querySelectorAll(".map")].map((map) => ({
  map: map.id,
  text: (map.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)).filter(Boolean).map((node) => node.textContent.trim()).join(" "),
}))"""


def assert_maps_have_text_alternatives(page, where: str) -> None:
    """Each map names, in words a screen reader reaches, what it shows or how to do without it."""
    maps = page.evaluate(_MAP_ALTERNATIVES)
    assert all(found["text"] for found in maps), f"a map without a text alternative on {where}: {maps}"


def test_every_portal_page_is_in_the_list():
    seed_demo("inbound.test")
    listed = {endpoint for pages in _pages().values() for endpoint, _ in pages}
    portal = {rule.endpoint for rule in current_app.url_map.iter_rules()
              if "GET" in rule.methods and not rule.rule.startswith(("/api", "/static", "/open311", "/inbound"))
              and rule.endpoint.split(".")[0] not in NOT_PAGES and rule.endpoint not in NOT_PAGES}
    assert portal - listed == set(), "pages no accessibility check visits"


@pytest.mark.parametrize("who", ["visitor", "resident", "staff"])
def test_no_serious_or_critical_violation_on_any_page(new_page, who):
    seed_demo("inbound.test")
    staff = db.session.scalar(select(User).where(User.email == STAFF))
    staff.is_superadmin = True  # the dev mail sink is for platform operators
    db.session.commit()
    pages = _pages()[who]
    page = new_page()
    if who != "visitor":
        log_in(page, RESIDENT if who == "resident" else STAFF, DEMO_PASSWORD)
    for endpoint, address in pages:
        response = page.goto(address)
        assert response.status in (200, 404, 422), (address, response.status)  # a page, even a refusal
        page.wait_for_load_state("networkidle")
        assert_accessible(page, f"{address} ({endpoint}, as {who})")
        assert_maps_have_text_alternatives(page, f"{address} ({endpoint}, as {who})")


def test_the_watch_area_form_refusing_an_address_is_accessible(page, db, tmp_path):
    OrganizationFactory(slug="springfield")
    import_rows(tmp_path, SPRINGFIELD_ROWS)
    log_in(page, UserFactory().email, PASSWORD)
    page.goto("/watch-areas/new")
    page.get_by_label("Name").fill("Around home")
    page.get_by_label("Address", exact=True).fill("main street")  # no number: which one?
    page.get_by_role("button", name="Save the area").click()
    expect(page.locator("#address-error")).to_contain_text("No address found for “main street”.")
    expect(page.get_by_role("radio", name="123 Main Street, Springfield 62701")).to_be_visible()
    assert_accessible(page, "watch area form refusing an address")
    assert_maps_have_text_alternatives(page, "watch area form refusing an address")
