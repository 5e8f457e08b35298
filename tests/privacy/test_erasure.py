"""Deleting an account, as a resident does it, checked table by table against the whole schema.

Real PostGIS, a real Redis worker delivering to a real SMTP listener, and a reply over the
real inbound SMTP listener: the deleted resident's reply to an old notification lands in
triage, and nothing of theirs remains in any column of any table.
"""

from __future__ import annotations

import io
import os
import smtplib
import time
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import LargeBinary, String, Text, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, CITEXT, JSONB

from app.accounts.models import User
from app.db_types import utcnow
from app.extensions import db
from app.inbound.models import InboundMessage
from app.inbound.smtp import start_listener
from app.notify.models import EmailDelivery
from app.privacy import erasure
from app.privacy.models import AuditEntry
from app.requests.models import Attachment
from tests.factories import CENTRE, CategoryFactory, OrganizationFactory, UserFactory, make_member
from tests.requests.city import PNG
from tests.support.auth import bearer
from tests.support.smtp import free_port

pytestmark = pytest.mark.e2e
LNG, LAT = CENTRE
ANN = {"email": "ann.leaving@example.org", "alias": "ann.work@example.net", "name": "Annabel Quist",
       "phone": "+1 217 555 0199"}


def test_every_foreign_key_to_users_has_a_deletion_policy():
    """A new table pointing at users fails here until its rows' fate on deletion is decided."""
    assert erasure.user_references(), "the metadata walk found no user references at all"
    assert erasure.unhandled_references() == []
    assert set(erasure.USER_REFERENCES) == set(erasure.user_references())


def _drain(worker, rounds: int = 3) -> None:
    for _ in range(rounds):
        for queue in ("default", "fanout", "email", "inbound"):
            worker.join(queue, timeout=30_000)
        time.sleep(1.6)  # a delayed delivery (the fallback delay) becomes due; not an assertion


def _send(app, sender: str, to: str, message: bytes) -> None:
    listener = start_listener(app, host="127.0.0.1", port=free_port())
    try:
        with smtplib.SMTP(listener.hostname, listener.port) as smtp:
            smtp.sendmail(sender, [to], message)
    finally:
        listener.stop()


def _mail(sender: str, to: str, subject: str, body: str, message_id: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"], message["Message-ID"] = sender, to, subject, message_id
    message.set_content(body)
    return message.as_bytes()


def _text_columns():
    """Every column of every table that can hold a name, an address or a phone number."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | CITEXT | JSONB | ARRAY | LargeBinary):
                yield table.name, column.name, isinstance(column.type, LargeBinary)


def _rows_mentioning(value: str) -> list[str]:
    found = []
    for table, column, binary in _text_columns():
        cell = f"encode(\"{column}\", 'escape')" if binary else f"CAST(\"{column}\" AS text)"
        count = db.session.execute(text(f'SELECT count(*) FROM "{table}" WHERE {cell} ILIKE :pattern'),
                                   {"pattern": f"%{value}%"}).scalar()
        if count:
            found.append(f"{table}.{column} ({count})")
    return found


@pytest.fixture
def city(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    # Residents who use the app are emailed what they have not seen within this delay (60 s by default).
    monkeypatch.setitem(app.config, "EMAIL_FALLBACK_DELAY", 1)
    org = OrganizationFactory(slug="springfield", general_email="springfield@inbound.test",
                              sender_email="springfield-notices@inbound.test")
    category = CategoryFactory(organization=org, code="pothole", name="Pothole")
    staff = make_member(org, "staff", email="sam@springfield.gov", name="Sam Staff")
    ann = UserFactory(email=ANN["email"], name=ANN["name"], phone=ANN["phone"])
    neighbour = UserFactory(email="ned@example.org", name="Ned Neighbour")
    return type("City", (), {"org": org, "category": category, "staff": staff, "ann": ann, "neighbour": neighbour})


def test_deleting_a_resident_leaves_no_personal_field_and_keeps_the_city_records(
        app, client, city, redis_worker, smtp_server):
    ann = bearer(city.ann)
    staff = bearer(city.staff)
    # Ann's life on the platform: a report with a photo, a comment, a follow, a watch area, an alias.
    mine = client.post("/api/v1/requests", headers=ann, json={
        "category_id": city.category.id, "lat": LAT, "lng": LNG, "description": "Sinkhole by the bakery"}).get_json()
    theirs = client.post("/api/v1/requests", headers=bearer(city.neighbour), json={
        "category_id": city.category.id, "lat": LAT, "lng": LNG + 0.001, "description": "Broken bench"}).get_json()
    photo = client.post(f"/api/v1/requests/{mine['id']}/attachments", headers=ann,
                        data={"file": (io.BytesIO(PNG), "bakery.png")}, content_type="multipart/form-data")
    assert photo.status_code == 201, photo.get_json()
    assert client.post(f"/api/v1/requests/{theirs['id']}/follow", headers=ann).status_code == 200
    comment = client.post(f"/api/v1/requests/{theirs['id']}/comments", headers=ann,
                          json={"body": "The bench wobbles too.", "visibility": "public"})
    assert comment.status_code == 201
    area = client.post("/api/v1/watch-areas", headers=ann, json={
        "name": "Bakery street", "public": False, "geometry": {"type": "Polygon", "coordinates": [[
            [LNG - 0.01, LAT - 0.01], [LNG + 0.01, LAT - 0.01], [LNG + 0.01, LAT + 0.01],
            [LNG - 0.01, LAT + 0.01], [LNG - 0.01, LAT - 0.01]]]}})
    assert area.status_code == 201, area.get_json()
    assert client.post("/api/v1/me/aliases", headers=ann, json={"email": ANN["alias"]}).status_code == 201
    client.post(f"/api/v1/requests/{mine['id']}/comments", headers=staff,
                json={"body": "Is the hole deeper than a metre?", "visibility": "public"})
    _drain(redis_worker)
    question = [m for m in smtp_server.to(ANN["email"]) if "deeper than a metre" in m.text()]
    assert len(question) == 1, [m.subject for m in smtp_server.messages]
    # Mail from her to the city's general address waits in triage; one more email to her is pending.
    _send(app, ANN["email"], "springfield@inbound.test",
          _mail(f"Annabel Quist <{ANN['email']}>", "springfield@inbound.test", "Also the drain",
                "The drain on Elm is blocked. Annabel", "<ann-1@example.org>"))
    _drain(redis_worker)
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1
    db.session.add(EmailDelivery(event_id=None, organization_id=city.org.id, request_id=mine["id"],
                                 user_id=city.ann.id, email=ANN["email"], kind="request.comment_public",
                                 audience="reporter", pref_group="reporter", status="pending",
                                 send_after=utcnow() + timedelta(days=1)))
    db.session.commit()
    uid = city.ann.id

    wrong = client.delete("/api/v1/me", headers=ann, json={"password": "not my password"})
    assert wrong.status_code == 403 and wrong.get_json()["details"]["json"]["password"]
    deleted = client.delete("/api/v1/me", headers=ann, json={"password": "correct horse battery"})
    assert deleted.status_code == 204, deleted.get_json()

    # Table by table: only the rows the city keeps still point at the account, and nothing anywhere
    # holds her name, addresses or phone.
    db.session.remove()
    for table_name, column_name in erasure.user_references():
        table = db.metadata.tables[table_name]
        count = db.session.scalar(select(func.count()).select_from(table).where(table.c[column_name] == uid))
        if erasure.USER_REFERENCES[(table_name, column_name)] != erasure.KEEP:
            assert count == 0, f"{table_name}.{column_name} still names the deleted user"
    for value in (ANN["email"], ANN["alias"], ANN["name"], "Annabel", ANN["phone"]):
        assert _rows_mentioning(value) == [], value
    remains = db.session.get(User, uid)
    assert remains.name == erasure.FORMER_RESIDENT and remains.phone is None and remains.password_hash is None
    assert not remains.active and remains.deleted_at is not None and remains.last_seen_at is None
    assert db.session.scalar(select(func.count()).select_from(EmailDelivery)
                             .where(EmailDelivery.status == "pending", EmailDelivery.user_id == uid)) == 0
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 1  # policy: keep photos

    # Her token is dead; her requests still read correctly for the public and for staff.
    assert client.get("/api/v1/me", headers=ann).status_code == 401
    public = client.get(f"/api/v1/requests/{mine['id']}").get_json()
    assert public["description"] == "Sinkhole by the bakery" and len(public["photos"]) == 1
    for_staff = client.get(f"/api/v1/requests/{mine['id']}", headers=staff).get_json()
    assert for_staff["reporter"]["name"] == "a former resident"
    assert ANN["email"] not in str(for_staff)
    timeline = client.get(f"/api/v1/requests/{mine['id']}/timeline").get_json()["items"]
    assert timeline[0]["kind"] == "request.submitted" and timeline[0]["actor"]["name"] == "a former resident"
    comments = client.get(f"/api/v1/requests/{theirs['id']}/comments").get_json()["items"]
    assert [(c["body"], c["author"]["name"]) for c in comments] == [("The bench wobbles too.", "a former resident")]
    page = client.get(f"/requests/{mine['id']}")
    assert page.status_code == 200 and b"Sinkhole by the bakery" in page.data and b"Annabel" not in page.data

    # A reply from her old address to the old notification is mail from nobody: it goes to triage.
    original = question[0].message
    _send(app, ANN["email"], original["Reply-To"],
          _mail(ANN["email"], original["Reply-To"], "Re: " + question[0].subject, "Yes, two metres.",
                "<ann-2@example.org>"))
    _drain(redis_worker)
    db.session.remove()
    triaged = db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [m.body for m in triaged] == ["Yes, two metres."]
    assert triaged[0].sender_user_id is None and triaged[0].reason == "unknown_sender"
    all_comments = client.get(f"/api/v1/requests/{mine['id']}/comments", headers=staff).get_json()["items"]
    assert not any("two metres" in c["body"] for c in all_comments)

    # The same address registers again as a new account; the deletion is in the audit trail.
    again = client.post("/api/v1/auth/register", json={"email": ANN["email"], "password": "another good pass 1",
                                                       "name": "Ann Again"})
    assert again.status_code == 201, again.get_json()
    assert db.session.scalar(select(User.id).where(User.email == ANN["email"])) != uid
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_user_id == uid)).all()
    assert actions.count("account_deleted") == 1 and "contact_viewed" in actions  # staff read the request


def test_photos_go_when_the_organization_says_so(app, client, city):
    admin = make_member(city.org, "admin", email="alex@springfield.gov")
    assert client.put("/api/v1/orgs/springfield/retention", headers=bearer(admin),
                      json={"photos_on_account_deletion": "remove"}).status_code == 200
    ann = bearer(city.ann)
    mine = client.post("/api/v1/requests", headers=ann, json={
        "category_id": city.category.id, "lat": LAT, "lng": LNG, "description": "Sinkhole"}).get_json()
    photo = client.post(f"/api/v1/requests/{mine['id']}/attachments", headers=ann,
                        data={"file": (io.BytesIO(PNG), "mine.png")}, content_type="multipart/form-data")
    path = db.session.scalar(select(Attachment.storage_path))
    assert photo.status_code == 201 and os.path.exists(path)
    assert client.delete("/api/v1/me", headers=ann, json={"password": "correct horse battery"}).status_code == 204
    shown = client.get(f"/api/v1/requests/{mine['id']}").get_json()
    assert shown["description"] == "Sinkhole" and shown["photos"] == []
    assert not os.path.exists(path)


def test_members_of_an_organization_are_refused(client, city):
    refused = client.delete("/api/v1/me", headers=bearer(city.staff), json={"password": "correct horse battery"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "member_of_organization"
    assert db.session.get(User, city.staff.id).deleted_at is None


def test_deleting_needs_a_password_or_a_link(client, city):
    refused = client.delete("/api/v1/me", headers=bearer(city.ann), json={})
    assert refused.status_code == 422 and "password" in refused.get_json()["details"]["json"]
    assert client.delete("/api/v1/me", json={"password": "x"}).status_code == 401
