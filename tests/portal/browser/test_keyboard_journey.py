"""Keyboard only: log in, report a problem by its address, and follow someone else's request.

No mouse click anywhere: focus moves with Tab, controls act with Enter and the arrow keys,
which is how people who cannot use a pointer (and many screen-reader users) work.
"""

from __future__ import annotations

from playwright.sync_api import expect

from app.requests.models import Follower, ServiceRequest
from tests.addresses.support import SPRINGFIELD_ROWS, import_rows
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    OrganizationFactory,
    ServiceRequestFactory,
    UserFactory,
)
from tests.portal.browser.axe import assert_accessible
from tests.portal.browser.keyboard import focused, tab_to


def test_report_by_address_and_follow_a_request_with_the_keyboard_alone(page, db, tmp_path):
    org = OrganizationFactory(slug="springfield", name="City of Springfield")
    pothole = CategoryFactory(organization=org, code="pothole", name="Pothole")
    neighbour = UserFactory(email="ned@example.org")
    theirs = ServiceRequestFactory(category=pothole, reporter=neighbour, description="Broken kerb on Elm")
    resident = UserFactory(email="rita@example.org", name="Rita Resident")
    import_rows(tmp_path, SPRINGFIELD_ROWS)

    page.goto("/login")
    if not focused(page).startswith("input#email"):  # the login page may start there itself
        tab_to(page, lambda f: f.startswith("input#email"))
    page.keyboard.type(resident.email)
    page.keyboard.press("Tab")
    assert focused(page).startswith("input#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)

    assert tab_to(page, lambda f: True) == ["a#|Skip to content"]  # the first stop skips the header
    tab_to(page, lambda f: f.endswith("|Report a problem"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/report")
    stops = tab_to(page, lambda f: f.startswith("input#address"))
    page.keyboard.type("123 mai")
    expect(page.get_by_role("button", name="123 Main Street, Springfield 62701")).to_be_visible()
    page.keyboard.press("Tab")  # "Find this address", then the suggestion
    page.keyboard.press("Tab")
    assert focused(page) == "button#|123 Main Street, Springfield 62701"
    page.keyboard.press("Enter")
    expect(page.get_by_label("Latitude")).to_have_value("39.780100")
    expect(page.locator("#serving")).to_have_text("Handled by City of Springfield.")
    assert focused(page).startswith("input#address")  # focus stays where the resident was working

    # The order of the fields is the order of the form: where, what, then send.
    stops += tab_to(page, lambda f: f.startswith("select#category_id"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("What is the problem?")).to_have_value(str(pothole.id))
    stops += tab_to(page, lambda f: f.startswith("textarea#description"))
    page.keyboard.type("Deep pothole in front of number 123")
    stops += tab_to(page, lambda f: f.endswith("|Send the report"))
    order = [s.split("|")[0] for s in stops]
    assert [o for o in order if o in ("input#address", "input#lat", "input#lng", "select#category_id",
                                       "textarea#description")] == [
        "input#address", "input#lat", "input#lng", "select#category_id", "textarea#description"]
    assert_accessible(page, "report page filled in by keyboard")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Your request")
    mine = db.session.query(ServiceRequest).filter_by(description="Deep pothole in front of number 123").one()
    assert (mine.address, mine.reporter_id) == ("123 Main Street, Springfield 62701", resident.id)

    # Following someone else's request.
    page.goto(f"/requests/{theirs.public_id}")
    tab_to(page, lambda f: f.endswith("|Follow"))
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("You follow this request")
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    assert db.session.get(Follower, (theirs.id, resident.id)) is not None
