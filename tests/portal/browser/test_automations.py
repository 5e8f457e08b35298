"""The staff automation form in Chromium: a rule of several actions, rows added and removed, then edited."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from app.automations.models import Automation
from tests.factories import PASSWORD, CategoryFactory, OrganizationFactory, make_member
from tests.portal.browser.conftest import log_in, screenshot


def test_an_admin_builds_a_rule_of_several_actions_and_edits_it(page, db):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    CategoryFactory(organization=org, code="pothole", name="Pothole")
    admin = make_member(org, "admin", name="Ada Admin")
    log_in(page, admin.email, PASSWORD)
    page.goto("/staff/springfield/automations")
    form = page.locator("form.automation-form")
    form.get_by_label("Name").fill("Acknowledge and thank")
    form.get_by_label("When this happens").select_option("request.submitted")
    form.locator("select[name='actions-0-type']").select_option("status")
    # The script shows only the chosen type's fields.
    expect(form.locator("select[name='actions-0-to']")).to_be_visible()
    expect(form.locator("textarea[name='actions-0-body']")).to_be_hidden()
    form.locator("select[name='actions-0-to']").select_option("acknowledged")
    form.get_by_role("button", name="Add an action").click()

    form = page.locator("form.automation-form")
    expect(form.locator("fieldset.action-row")).to_have_count(2)
    expect(form.get_by_label("Name")).to_have_value("Acknowledge and thank")  # kept across the round trip
    form.locator("select[name='actions-1-type']").select_option("message")
    form.locator("select[name='actions-1-visibility']").select_option("public")
    form.locator("textarea[name='actions-1-body']").fill("Thanks, we have {{ request.public_id }}.")
    form.get_by_role("button", name="Add an action").click()
    form = page.locator("form.automation-form")
    expect(form.locator("fieldset.action-row")).to_have_count(3)
    form.locator("fieldset.action-row").nth(2).get_by_role("button", name="Remove this action").click()
    form = page.locator("form.automation-form")
    expect(form.locator("fieldset.action-row")).to_have_count(2)
    screenshot(page, "staff-automation-actions")
    form.get_by_role("button", name="Save the automation").click()

    expect(page.get_by_text("Automation saved")).to_be_visible()
    row = page.locator("tr.automation", has_text="Acknowledge and thank")
    expect(row).to_contain_text("status to acknowledged; message")
    db.session.rollback()
    rule = db.session.scalar(select(Automation).where(Automation.name == "Acknowledge and thank"))
    assert rule.actions == [{"type": "status", "to": "acknowledged"},
                            {"type": "message", "visibility": "public",
                             "body": "Thanks, we have {{ request.public_id }}."}]

    row.get_by_role("link", name="Edit").click()
    form = page.locator("form.automation-form")
    expect(form.locator("fieldset.action-row")).to_have_count(2)
    form.locator("fieldset.action-row").nth(0).get_by_role("button", name="Remove this action").click()
    form = page.locator("form.automation-form")
    expect(form.locator("fieldset.action-row")).to_have_count(1)
    expect(form.locator("textarea[name='actions-0-body']")).to_have_value("Thanks, we have {{ request.public_id }}.")
    form.get_by_role("button", name="Save the automation").click()
    expect(page.get_by_text("Automation saved")).to_be_visible()
    db.session.rollback()
    db.session.refresh(rule)
    assert rule.actions == [{"type": "message", "visibility": "public",
                             "body": "Thanks, we have {{ request.public_id }}."}]
