"""Retention on a controlled clock: bodies expire on schedule, the sweep is idempotent and batched,
and the email log (API and page) still renders, saying "body expired"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.db_types import utcnow
from app.events.service import record_event
from app.extensions import db
from app.inbound.models import InboundEmail, InboundMessage
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.notify.models import EmailBody, EmailDelivery
from app.privacy import retention
from app.privacy.actors import sweep_retention
from app.scheduler import JOBS
from tests.factories import OrganizationFactory, ServiceRequestFactory, make_member
from tests.inbound.world import mail, store_and_process
from tests.support.auth import bearer


@pytest.fixture
def city(app, smtp_server, tmp_path, monkeypatch):
    """Two organizations, one keeping outgoing bodies for 72 hours (the default), one for 1 hour."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    org = OrganizationFactory(slug="springfield", general_email="springfield@inbound.test")
    brief = OrganizationFactory(slug="brieftown", general_email="brieftown@inbound.test")
    admin = make_member(org, "admin", email="alex@springfield.gov")
    brief_admin = make_member(brief, "admin", email="bea@brieftown.gov")
    return type("City", (), {"org": org, "brief": brief, "admin": admin, "brief_admin": brief_admin,
                             "smtp": smtp_server})


def _notify_reporter(org) -> None:
    request = ServiceRequestFactory(category__organization=org, organization=org)
    staff = make_member(org, "staff")
    event = record_event("request.acknowledged", request=request, actor=staff)
    db.session.commit()
    fan_out(event.id)


def _bodies() -> dict[str, str]:
    db.session.rollback()
    rows = db.session.execute(select(EmailDelivery.organization_id, EmailBody.kept)
                              .join(EmailBody, EmailBody.delivery_id == EmailDelivery.id))
    return {("springfield" if org_id == _ids["springfield"] else "brieftown"): "kept" if kept else "expired"
            for org_id, kept in rows}


_ids: dict = {}


def test_outgoing_bodies_expire_on_each_organizations_schedule_and_the_log_still_renders(client, city):
    _ids["springfield"] = city.org.id
    assert client.put("/api/v1/orgs/brieftown/retention", headers=bearer(city.brief_admin),
                      json={"outgoing_body_hours": 1}).get_json()["outgoing_body_hours"] == 1
    _notify_reporter(city.org)
    _notify_reporter(city.brief)
    assert send_due_deliveries(30).sent == 2
    stored = db.session.scalar(select(EmailBody.stored_at).limit(1))
    assert _bodies() == {"springfield": "kept", "brieftown": "kept"}
    log = client.get("/api/v1/orgs/springfield/email-log", headers=bearer(city.admin)).get_json()
    assert [item["body"] for item in log["items"]] == ["kept"]

    assert not retention.sweep(stored + timedelta(minutes=59))
    assert _bodies() == {"springfield": "kept", "brieftown": "kept"}
    assert retention.sweep(stored + timedelta(hours=2)).bodies_expired == 1
    assert _bodies() == {"springfield": "kept", "brieftown": "expired"}
    assert retention.sweep(stored + timedelta(hours=71)).bodies_expired == 0
    assert retention.sweep(stored + timedelta(hours=73)).bodies_expired == 1
    assert _bodies() == {"springfield": "expired", "brieftown": "expired"}
    assert not retention.sweep(stored + timedelta(hours=74))  # nothing twice

    headers = bearer(city.admin)
    log = client.get("/api/v1/orgs/springfield/email-log", headers=headers).get_json()
    assert [(item["status"], item["body"]) for item in log["items"]] == [("sent", "body expired")]
    page = client.get("/staff/springfield/email-log", headers=headers)
    assert page.status_code == 200 and b"body expired" in page.data and b"sent" in page.data

    # A year on, the delivery record itself goes; the log is empty, not broken.
    assert retention.sweep(stored + timedelta(days=366)).deliveries_deleted == 2
    assert client.get("/api/v1/orgs/springfield/email-log", headers=headers).get_json()["total"] == 0
    assert client.get("/staff/springfield/email-log", headers=headers).status_code == 200


def test_raw_inbound_mail_and_spam_expire_and_the_incoming_log_says_so(client, city):
    headers = bearer(city.admin)
    kept_id = store_and_process(mail("carol@example.org", "The park gate is broken."))
    spam_id = store_and_process(mail("spam@example.biz", "Cheap watches", subject="WIN"))
    spam = db.session.scalar(select(InboundMessage).where(InboundMessage.inbound_email_id == spam_id))
    deleted = client.delete(f"/api/v1/orgs/springfield/inbound-messages/{spam.id}", headers=headers)
    assert deleted.status_code in (200, 204), deleted.get_json()
    received_at = db.session.get(InboundEmail, kept_id).received_at
    db.session.rollback()

    assert not retention.sweep(received_at + timedelta(days=29))
    swept = retention.sweep(utcnow() + timedelta(days=31), batch_size=1)  # one row per transaction
    assert (swept.raw_expired, swept.spam_deleted) == (1, 1)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1  # the park gate stays
    assert db.session.get(InboundEmail, kept_id).raw is None
    assert db.session.get(InboundEmail, spam_id).raw is None

    log = client.get("/api/v1/orgs/springfield/email-log", query_string={"direction": "in"},
                     headers=headers).get_json()
    assert {item["body"] for item in log["items"]} == {"body expired"} and log["total"] == 2
    page = client.get("/staff/springfield/email-log?direction=in", headers=headers)
    assert page.status_code == 200 and b"body expired" in page.data and b"carol@example.org" in page.data
    message = db.session.scalar(select(InboundMessage.id))
    assert client.get(f"/staff/springfield/inbound/{message}", headers=headers).status_code == 200


def test_retention_settings_are_checked_and_the_sweep_is_a_scheduled_job(client, city, stub_broker, stub_worker):
    headers = bearer(city.admin)
    assert client.get("/api/v1/orgs/springfield/retention", headers=headers).get_json() == {
        "raw_inbound_days": 30, "outgoing_body_hours": 72, "spam_days": 30, "delivery_record_days": 365,
        "photos_on_account_deletion": "keep"}
    refused = client.put("/api/v1/orgs/springfield/retention", headers=headers, json={"spam_days": 0})
    assert refused.status_code == 422 and "spam_days" in refused.get_json()["details"]["json"]
    staff = make_member(city.org, "staff")
    assert client.get("/api/v1/orgs/springfield/retention", headers=bearer(staff)).status_code == 403
    assert any(job.actor_path == "app.privacy.actors:sweep_retention" for job in JOBS)
    _notify_reporter(city.org)
    assert send_due_deliveries(30).sent == 1
    db.session.execute(update(EmailBody).values(stored_at=utcnow() - timedelta(hours=73)))  # composed 3 days ago
    db.session.commit()
    sweep_retention.send()
    stub_broker.join("default")
    stub_worker.join()
    db.session.rollback()
    assert db.session.scalar(select(EmailBody.expired_at)) is not None
