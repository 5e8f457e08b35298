"""The critical automation does what the staff page says: its message is what followers read, a
public message reaches everyone following, an internal one staff only, and nobody can turn it off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.automations.models import Automation
from app.automations.service import ensure_critical
from app.extensions import db
from app.requests.models import Follower
from tests.automations.test_automations import _drain
from tests.factories import ServiceRequestFactory, UserFactory, make_member
from tests.portal.pages import log_in, post_form
from tests.support.auth import bearer

PAGE = "/staff/springfield/automations"
MESSAGE = "{{ comment.author }} wrote on {{ request.public_id }}:\n{{ comment.body }}\n-- Springfield 311"


def _critical(org) -> Automation:
    ensure_critical(org)
    db.session.commit()
    return db.session.scalar(select(Automation).where(Automation.organization_id == org.id, Automation.critical))


@pytest.mark.e2e
def test_its_message_edited_on_the_staff_page_is_what_followers_read_and_internal_messages_reach_staff_only(
        client, city, redis_worker, smtp_server):
    critical = _critical(city.org)
    log_in(client, city.admin)
    page = client.get(PAGE).get_data(as_text=True)
    assert "a new internal message notifies only the organization's staff following it" in page
    saved = post_form(client, f"{PAGE}/{critical.id}/message", {"message": MESSAGE}, form_page=PAGE,
                      follow_redirects=True)
    assert "The message is saved." in saved.get_data(as_text=True)

    reporter = UserFactory(name="Rita Reporter", email="rita@example.org")
    request = ServiceRequestFactory(category=city.pothole, reporter=reporter)
    resident = UserFactory(name="Fred Follower", email="fred@example.org")
    stella = make_member(city.org, "staff", name="Stella Staff", email="stella@springfield.example")
    db.session.add_all(Follower(request_id=request.id, user_id=u.id) for u in (reporter, resident, stella))
    db.session.commit()

    public = client.post(f"/api/v1/requests/{request.id}/comments", headers=bearer(city.staff),
                         json={"body": "The crew comes on Tuesday.", "visibility": "public"})
    assert public.status_code == 201, public.json
    _drain(redis_worker)
    for address in ("fred@example.org", "rita@example.org", "stella@springfield.example"):
        [mail] = smtp_server.to(address)
        assert f"Sam Staff wrote on {request.public_id}:\nThe crew comes on Tuesday.\n-- Springfield 311" in mail.text().replace("\r\n", "\n")
        html = mail.message.get_body(preferencelist=("html",)).get_content()
        assert "-- Springfield 311" in html and "The crew comes on Tuesday." in html

    internal = client.post(f"/api/v1/requests/{request.id}/comments", headers=bearer(city.staff),
                           json={"body": "Check the gas main first.", "visibility": "internal"})
    assert internal.status_code == 201, internal.json
    _drain(redis_worker)
    assert [m for m in smtp_server.to("stella@springfield.example") if "Check the gas main" in m.text()]
    for resident_address in ("fred@example.org", "rita@example.org"):
        assert not [m for m in smtp_server.to(resident_address) if "gas main" in m.text()]


def test_it_cannot_be_disabled_or_deleted_by_page_or_api_nor_silenced_by_settings_or_category(client, city):
    critical = _critical(city.org)
    admin = bearer(city.admin)
    url = f"/api/v1/orgs/springfield/automations/{critical.id}"
    off = client.patch(url, json={"enabled": False}, headers=admin)
    assert off.status_code == 409 and off.json["error"] == "critical_automation"
    assert "cannot be disabled" in off.json["message"]
    gone = client.delete(url, headers=admin)
    assert gone.status_code == 409 and gone.json["message"] == "This automation is critical and cannot be deleted."
    switched = client.put("/api/v1/orgs/springfield/notification-settings", headers=admin,
                          json={"events": {"request.comment_public": False}})
    assert switched.status_code == 422
    assert "critical automation" in switched.json["message"]
    narrowed = client.put(f"/api/v1/orgs/springfield/categories/{city.pothole.id}/notifications", headers=admin,
                          json={"overrides": [{"event": "request.comment_internal", "audience": "followers",
                                               "channels": ["inapp"]}]})
    assert narrowed.status_code == 422 and "critical automation" in narrowed.json["message"]

    log_in(client, city.admin)
    toggled = post_form(client, f"{PAGE}/{critical.id}/toggle", form_page=PAGE, follow_redirects=True)
    assert "only its message can change; it cannot be disabled" in toggled.get_data(as_text=True)
    deleted = post_form(client, f"{PAGE}/{critical.id}/delete", form_page=PAGE, follow_redirects=True)
    assert "This automation is critical and cannot be deleted." in deleted.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Automation, critical.id).enabled is True
