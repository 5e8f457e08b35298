"""Staff journeys: invitations, the inbound mailbox, SLA escalation, and handling a report."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.db_types import utcnow
from app.requests import service as requests_service
from app.work.actors import sweep_sla_breaches
from tests.factories import ServiceRequestFactory, UserFactory
from tests.journeys.city import LAT, LNG, build_city
from tests.journeys.helpers import click_link, log_in, reload_until
from tests.requests.city import PNG

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

INVITEE = "ivy.inspector@example.org"
IVY_PASSWORD = "ivy's own password 2026"


def test_admin_invites_a_new_member_who_registers_accepts_and_lands_in_the_portal(journey):
    city = build_city()
    admin = journey.person("admin")
    log_in(admin, city.admin.email, city.password)
    admin.goto("/staff/springfield/")
    admin.get_by_role("link", name="Members").click()
    admin.get_by_label("Email address").fill(INVITEE)
    admin.get_by_label("Role", exact=True).select_option("staff")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.locator(".flash")).to_be_visible()
    expect(admin.locator("main")).to_contain_text(INVITEE)  # pending, among the invitations

    # No account yet: the invitation asks Ivy to register first, then to open it again.
    ivy = journey.person("ivy")
    invitation = journey.mail_to(INVITEE, "invited to join")
    journey.open_mail(ivy, invitation, "ivy")
    click_link(ivy, "Register first")
    ivy.get_by_label("Your name").fill("Ivy Inspector")
    ivy.get_by_label("Email", exact=False).first.fill(INVITEE)
    ivy.get_by_label("Password", exact=True).fill(IVY_PASSWORD)
    ivy.get_by_label("Repeat the password").fill(IVY_PASSWORD)
    ivy.get_by_role("button", name="Create the account").click()
    confirmation = journey.mail_to(INVITEE, "confirm")
    journey.open_mail(ivy, confirmation, "ivy")
    click_link(ivy, "confirm-email")
    ivy.get_by_role("button", name="Confirm").click()  # opening a link changes nothing by itself
    expect(ivy.locator(".flash")).to_contain_text(f"{INVITEE} is confirmed")
    log_in(ivy, INVITEE, IVY_PASSWORD)

    journey.open_mail(ivy, invitation, "ivy")
    click_link(ivy, "/invitations/")
    ivy.get_by_role("button", name="Accept").click()
    expect(ivy.locator(".flash")).to_be_visible()
    ivy.goto("/staff/springfield/")
    expect(ivy.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(ivy.locator("header, nav").first).to_contain_text("City of Springfield")
    admin.goto("/staff/springfield/")
    admin.get_by_role("link", name="Members").click()
    expect(admin.locator("main")).to_contain_text("Ivy Inspector")


STRANGER = "olive.oldschool@example.net"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_strangers_mail_to_the_general_address_becomes_a_request_with_its_files(journey, upload_dir):
    city = build_city()
    letter = EmailMessage()
    letter["From"] = f"Olive Oldschool <{STRANGER}>"
    letter["To"] = city.org.general_email
    letter["Subject"] = "Tree down on Elm Street"
    letter["Message-ID"] = "<tree-down-1@mail.example.net>"
    letter.set_content("A tree fell across Elm Street near the school.\nIt blocks both lanes.")
    letter.add_attachment(PNG, maintype="image", subtype="png", filename="tree.png")
    letter.add_attachment(PDF, maintype="application", subtype="pdf", filename="map-of-the-spot.pdf")
    journey.send_mail(letter)

    staff = journey.person("sam")
    log_in(staff, city.staff.email, city.password)
    staff.goto("/staff/springfield/")
    watcher = staff.get_by_role("region", name="Inbound Message Watcher")
    reload_until(staff, watcher, "Tree down on Elm Street")  # the worker files the mail meanwhile
    expect(watcher.locator('[data-count="unread"]')).to_have_text("1")
    journey.shoot(staff, "sam", "dashboard with the message")
    watcher.get_by_role("link", name="Tree down on Elm Street").click()

    expect(staff.locator("main")).to_contain_text(STRANGER)
    staff.get_by_label("Category").first.select_option(label="Graffiti")
    expect(staff.locator("#pick-map.leaflet-container")).to_be_attached()  # a click before its script is lost
    staff.locator("#pick-map").click()
    expect(staff.get_by_label("Latitude")).not_to_have_value("")
    staff.get_by_label("Address or landmark").fill("Elm Street by the school")
    staff.get_by_role("button", name="Create the request").click()
    expect(staff.locator(".flash")).to_contain_text("the message is closed")

    # The request page: the stranger's words, and both files that came with the mail.
    main = staff.locator("main")
    expect(main).to_contain_text("A tree fell across Elm Street near the school.")
    expect(main).to_contain_text(STRANGER)
    picture = staff.locator(".photos img")
    expect(picture).to_have_count(1)
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")  # waits for the load
    pdf_link = staff.get_by_role("link", name="map-of-the-spot.pdf")
    expect(pdf_link).to_be_visible()
    with staff.expect_download() as download:
        pdf_link.click()
    assert Path(download.value.path()).read_bytes() == PDF
    journey.shoot(staff, "sam", "request with the mail's files")

    staff.get_by_role("link", name="Inbound messages").click()
    expect(staff.get_by_role("row").filter(has_text="Tree down on Elm Street")).to_contain_text("Closed")


def test_a_breached_sla_shows_in_the_queue_and_dashboard_and_the_escalation_is_logged(journey):
    city = build_city()
    late = ServiceRequestFactory(category=city.pothole, organization=city.org, description="Pothole nobody fixed",
                                 sla_due_at=utcnow() - timedelta(minutes=5))
    ServiceRequestFactory(category=city.pothole, organization=city.org, description="Pothole reported today",
                          sla_due_at=utcnow() + timedelta(hours=30))
    sweep_sla_breaches.send()  # the scheduler's tick, handled by the real worker
    escalation = journey.mail_to("roads-supervisor@springfield.example", "over its SLA")
    assert late.public_id in escalation.subject

    admin = journey.person("admin")
    log_in(admin, city.admin.email, city.password)
    admin.goto("/staff/springfield/")
    expect(admin.locator('[data-count="sla-breached"]')).to_have_text("1")
    admin.get_by_role("link", name=re.compile("SLA breached")).click()
    rows = admin.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(late.public_id)
    expect(rows.first.locator(".pill.sla-breached")).to_contain_text("SLA breached")
    admin.get_by_role("link", name="Requests", exact=True).click()
    expect(admin.get_by_role("row").filter(has_text="Pothole reported today").locator(".pill.sla-ok")).to_be_visible()

    admin.get_by_role("link", name="Email log").click()
    logged = admin.get_by_role("row").filter(has_text="roads-supervisor@springfield.example")
    expect(logged).to_have_count(1)
    expect(logged).to_contain_text("request.sla_breached")
    expect(logged).to_contain_text("sent")
    expect(logged).to_contain_text("250")  # what the SMTP listener answered


def test_staff_handle_a_report_and_the_residents_emailed_reply_becomes_a_comment(journey):
    city = build_city()
    rita = UserFactory(email="rita@example.org", name="Rita Resident")
    reported = requests_service.submit(rita, category_id=city.pothole.id, lat=LAT, lng=LNG, answers={"depth": 8},
                                       description="Pothole outside number 12", address="12 Elm Street")
    assert reported.assignee_id == city.staff.id  # the category's automatic assignee

    sam = journey.person("sam")
    log_in(sam, city.staff.email, city.password)
    sam.goto("/staff/springfield/")
    sam.get_by_role("link", name="Requests", exact=True).click()
    row = sam.get_by_role("row").filter(has_text="Pothole outside number 12")
    expect(row).to_contain_text("Open")
    row.get_by_role("link", name=reported.public_id).click()
    sam.get_by_role("button", name="Acknowledge").click()
    expect(sam.locator(".flash")).to_have_text("Acknowledged.")
    sam.get_by_role("textbox", name="Comment", exact=True).fill("Crew note: bring the cold patch, code R-17")
    sam.get_by_role("button", name="Add the comment").click()
    expect(sam.locator(".flash")).to_have_text("Internal note added.")
    sam.get_by_role("textbox", name="Comment", exact=True).fill("Is it deeper than a hand's width?")
    sam.get_by_label("Public: the reporter, followers and everyone").check()
    sam.get_by_role("button", name="Add the comment").click()
    expect(sam.locator(".flash")).to_have_text("Public comment posted.")

    question = journey.mail_to(rita.email, "New comment on")
    assert "deeper than a hand" in question.text()
    journey.reply(question, f"Rita Resident <{rita.email}>", "Yes, about 20 cm deep and growing.")

    # The reply is a comment on the request, for the resident and for staff, without the quote.
    resident = journey.person("rita")
    log_in(resident, rita.email, city.password)
    resident.get_by_role("link", name="My requests").click()
    resident.get_by_role("link", name=re.compile("Pothole outside number 12")).first.click()
    reply = resident.locator(".timeline li").filter(has_text="about 20 cm deep")
    reload_until(resident, reply, "about 20 cm deep")
    expect(reply).not_to_contain_text("wrote:")
    expect(reply).not_to_contain_text("deeper than a hand")
    expect(resident.locator(".timeline")).to_contain_text("acknowledged the request")
    assert "R-17" not in resident.content()
    journey.shoot(resident, "rita", "request with her emailed reply")

    sam.reload()
    staff_reply = sam.locator(".timeline li.comment-public").filter(has_text="about 20 cm deep")
    expect(staff_reply).to_have_count(1)
    expect(staff_reply).not_to_contain_text("wrote:")

    # The assignee is told: in the app, and (unseen within the fallback delay) by email.
    sam.get_by_role("link", name="Notifications").click()
    reload_until(sam, sam.locator("main"), f"New comment on request {reported.public_id}")
    told = journey.mail_to(city.staff.email, "New comment on")
    assert "about 20 cm deep" in told.text() and "wrote:" not in told.text()
    assert not any("R-17" in m.text() for m in journey.mails_to(rita.email))
