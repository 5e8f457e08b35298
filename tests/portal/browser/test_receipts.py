"""The staff request page shows each comment's delivery receipts: seen in the app, or emailed with the SMTP reply."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select, update

from app.accounts.models import User
from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.notify import inbox
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.notify.models import Notification
from app.requests import service
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
    make_member,
)
from tests.portal.browser.conftest import log_in, screenshot


def test_the_staff_page_shows_who_saw_a_comment_in_the_app_and_who_was_emailed(page, stub_broker, smtp_server):
    org = OrganizationFactory(slug="springfield")
    staff = make_member(org, "staff", name="Sam Staff")
    reporter = UserFactory(name="Rita Reporter", email="rita@example.org")
    follower = UserFactory(name="Fred Follower", email="fred@example.org")
    request = ServiceRequestFactory(category=CategoryFactory(organization=org, name="Pothole"), reporter=reporter)
    service.follow(request.id, follower)
    # Rita is using the app, so her email waits for the fallback delay; Fred is away and is emailed at once.
    db.session.execute(update(User).where(User.id == reporter.id).values(last_seen_at=utcnow()))
    db.session.commit()
    service.add_comment(request.id, staff, "The crew comes on Tuesday.", "public")
    fan_out(db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)))
    send_due_deliveries(10)
    inbox.mark_seen(reporter.id, db.session.scalar(select(Notification.id).where(Notification.user_id == reporter.id)))

    log_in(page, staff.email, PASSWORD)
    page.goto(f"/staff/springfield/requests/{request.id}")
    receipts = page.locator("details.receipts")
    receipts.locator("summary").click()
    rita = receipts.locator("li.receipt", has_text="Rita Reporter")
    fred = receipts.locator("li.receipt", has_text="Fred Follower")
    expect(rita).to_contain_text("seen in the app")
    expect(rita).not_to_contain_text("emailed")
    expect(fred).to_contain_text("notified in the app, not seen")
    expect(fred).to_contain_text("emailed instead to fred@example.org: delivered")
    expect(fred).to_contain_text("SMTP 250 Message accepted")
    screenshot(page, "staff-request-receipts")
