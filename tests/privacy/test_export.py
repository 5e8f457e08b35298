"""The export ZIP of a seeded resident holds each listed part, with their own data in it."""

from __future__ import annotations

import email
import io
import json
import zipfile

from shapely.geometry import shape
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.privacy.export import EXPORT_PARTS
from app.privacy.models import AuditEntry
from tests.factories import CENTRE, CategoryFactory, OrganizationFactory, UserFactory, make_member
from tests.requests.city import PNG
from tests.support.auth import bearer

LNG, LAT = CENTRE
SQUARE = {"type": "Polygon", "coordinates": [[[LNG - 0.01, LAT - 0.01], [LNG + 0.01, LAT - 0.01],
                                                [LNG + 0.01, LAT + 0.01], [LNG - 0.01, LAT + 0.01],
                                                [LNG - 0.01, LAT - 0.01]]]}


def _fan_out_everything() -> None:
    for event_id in db.session.scalars(select(Event.id).where(Event.dispatched_at.is_(None)).order_by(Event.id)):
        fan_out(event_id)


def test_the_export_of_a_seeded_resident_holds_every_part(app, client, smtp_server, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    org = OrganizationFactory(slug="springfield")
    category = CategoryFactory(organization=org, code="pothole", name="Pothole")
    staff = make_member(org, "staff", email="sam@springfield.gov")
    ann = UserFactory(email="ann@example.org", name="Ann Export", phone="+1 217 555 0111")
    other = UserFactory(email="ned@example.org")
    headers = bearer(ann)
    mine = client.post("/api/v1/requests", headers=headers, json={
        "category_id": category.id, "lat": LAT, "lng": LNG, "description": "Streetlight flickers"}).get_json()
    theirs = client.post("/api/v1/requests", headers=bearer(other), json={
        "category_id": category.id, "lat": LAT, "lng": LNG, "description": "Bins not emptied"}).get_json()
    assert client.post(f"/api/v1/requests/{mine['id']}/attachments", headers=headers,
                       data={"file": (io.BytesIO(PNG), "light.png")},
                       content_type="multipart/form-data").status_code == 201
    client.post(f"/api/v1/requests/{theirs['id']}/comments", headers=headers,
                json={"body": "Mine too, every Tuesday.", "visibility": "public"})
    client.post(f"/api/v1/requests/{theirs['id']}/follow", headers=headers)
    client.post("/api/v1/watch-areas", headers=headers, json={"name": "Home", "geometry": SQUARE, "public": False})
    client.post("/api/v1/me/aliases", headers=headers, json={"email": "ann.work@example.net"})
    client.post(f"/api/v1/orgs/springfield/requests/{mine['id']}/acknowledge", headers=bearer(staff))
    _fan_out_everything()
    assert send_due_deliveries(30).sent >= 1

    response = client.get("/api/v1/me/export", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert set(EXPORT_PARTS) <= names
    read = lambda name: json.loads(archive.read(name))  # noqa: E731

    assert read("profile.json")["email"] == "ann@example.org" and read("profile.json")["phone"] == "+1 217 555 0111"
    assert [a["email"] for a in read("aliases.json")] == ["ann.work@example.net"]
    assert [r["description"] for r in read("requests.json")] == ["Streetlight flickers"]
    assert [c["body"] for c in read("comments.json")] == ["Mine too, every Tuesday."]
    (photo,) = read("photos.json")
    assert archive.read(photo["file"]) == PNG
    # Her own report (followed automatically) and the one she chose to follow.
    assert {f["request"] for f in read("follows.json")["requests"]} == {mine["public_id"], theirs["public_id"]}
    (area,) = read("watch_areas.geojson")["features"]
    assert area["properties"]["name"] == "Home" and shape(area["geometry"]).equals(shape(SQUARE))
    notifications = read("notifications.json")
    assert any(n["channel"] == "email" and n["event"] == "request.acknowledged" for n in notifications)
    sent = [e for e in read("emails.json") if e["file"]]
    assert sent, read("emails.json")
    message = email.message_from_bytes(archive.read(sent[0]["file"]))
    assert "ann@example.org" in message["To"] and message["Message-ID"] == sent[0]["message_id"]
    assert {e["to"] for e in read("emails.json")} <= {"ann@example.org", "ann.work@example.net"}
    assert "Bins not emptied" not in json.dumps(read("requests.json"))  # only her own reports

    db.session.rollback()
    trail = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "data_exported")).all()
    assert [(e.organization_id, e.subject_user_id) for e in trail] == [(org.id, ann.id)]
    assert client.get("/api/v1/me/export").status_code == 401


def test_a_photo_missing_from_disk_is_listed_without_a_file(app, client, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    org = OrganizationFactory(slug="springfield")
    category = CategoryFactory(organization=org, code="pothole", name="Pothole")
    ann = UserFactory(email="ann@example.org")
    headers = bearer(ann)
    mine = client.post("/api/v1/requests", headers=headers, json={
        "category_id": category.id, "lat": LAT, "lng": LNG, "description": "Streetlight flickers"}).get_json()
    assert client.post(f"/api/v1/requests/{mine['id']}/attachments", headers=headers,
                       data={"file": (io.BytesIO(PNG), "light.png")},
                       content_type="multipart/form-data").status_code == 201
    for stored in tmp_path.rglob("*"):
        if stored.is_file():
            stored.unlink()

    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/me/export", headers=headers).data))
    (photo,) = json.loads(archive.read("photos.json"))
    assert photo["filename"] == "light.png" and photo["file"] is None
    assert not [name for name in archive.namelist() if name.startswith("photos/")]
