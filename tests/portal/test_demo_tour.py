"""The README's tour on the demo city: what it promises is on the first page or one click away."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.accounts.models import User
from app.requests.models import ServiceRequest
from app.seed.demo import DEMO_PASSWORD, seed_demo
from app.seed.showcase import SHOWCASE
from tests.portal.pages import log_in


def _html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _logged_in(app, email: str):
    client = app.test_client()
    user = User(email=email)  # log_in only reads the address
    assert log_in(client, user, DEMO_PASSWORD).status_code == 302
    return client


def _links(html: str, pattern: str) -> list[str]:
    return re.findall(rf'href="({pattern})"', html)


def test_staff_see_breach_overdue_work_and_triage_from_the_dashboard(app, db, upload_dir):
    seed_demo("inbound.test")
    staff = _logged_in(app, "admin@springfield.example")
    dashboard = _html(staff, "/staff/springfield/")
    breached = re.search(r'data-count="sla-breached">(\d+)<', dashboard)
    assert breached and int(breached.group(1)) > 0
    assert int(re.search(r'data-count="overdue">(\d+)<', dashboard).group(1)) >= 1
    assert "Patch the bike-lane pothole at the library" in dashboard       # the overdue work order
    assert int(re.search(r'data-count="unread">(\d+)<', dashboard).group(1)) >= 2
    assert "Big branch down on Walnut St" in dashboard                     # a message in triage

    # One click: the breached requests, each with its badge, the showcase one among them.
    queue = _html(staff, _links(dashboard, r"/staff/springfield/requests\?sla=breached")[0])
    assert "SLA breached" in queue and "sla-ok" not in queue
    library = db.session.scalar(select(ServiceRequest).where(ServiceRequest.description == SHOWCASE[0].description))
    assert library.public_id in _html(staff, "/staff/springfield/requests?sla=breached&q=library")

    work = _html(staff, "/staff/springfield/work-orders")
    row = re.search(r"<tr>(?:(?!</tr>).)*Patch the bike-lane pothole(?:(?!</tr>).)*</tr>", work, re.S).group(0)
    assert "overdue" in row and "In progress" in row

    inbound = _html(staff, _links(dashboard, r"/staff/springfield/inbound/\d+")[0])
    assert "photo.png" in inbound                                          # the file that came with it


def test_a_resident_sees_unread_notifications_and_their_requests_photos(app, db, upload_dir):
    seed_demo("inbound.test")
    resident = _logged_in(app, "resident1@example.com")
    home = _html(resident, "/")
    badge = re.search(r'id="unread-badge"[^>]*>(\d+)<', home)
    assert badge and int(badge.group(1)) >= 1 and 'id="unread-badge" hidden' not in home
    inbox = _html(resident, "/notifications")
    assert "New comment on request" in inbox
    library = db.session.scalar(select(ServiceRequest).where(ServiceRequest.description == SHOWCASE[0].description))
    page = _html(resident, f"/requests/{library.id}")
    photos = re.findall(rf'<img src="(/api/v1/requests/{library.id}/attachments/\d+)"', page)
    assert len(photos) == 2
    served = resident.get(photos[0])
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/png"
