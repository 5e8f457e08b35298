"""A resident downloads their data and deletes their account from the "Your data" tab."""

from __future__ import annotations

import zipfile

from playwright.sync_api import expect

from app.accounts.models import User
from app.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.portal.browser.conftest import log_in, screenshot


def test_a_resident_downloads_their_data_then_deletes_the_account(page, tmp_path):
    resident = UserFactory(name="Dora Departing", email="dora@example.org")
    log_in(page, resident.email, PASSWORD)
    page.goto("/account/")
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    screenshot(page, "account-privacy")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    saved = tmp_path / "export.zip"
    download.value.save_as(saved)
    assert "profile.json" in zipfile.ZipFile(saved).namelist()

    page.get_by_label("Your password").fill("not the password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#password-error")).to_have_text("The password is wrong.")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(User, resident.id).deleted_at is not None
