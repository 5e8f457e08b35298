"""A resident's data as one ZIP: JSON for what we hold in rows, the original files for the rest.

Parts (EXPORT_PARTS): profile, aliases, requests, comments, photos (index and the files),
follows, watch areas (GeoJSON), the notification log, and the emails we sent them (an index,
and each message as the .eml we composed while its body is kept).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import select

from app.accounts.models import EmailAlias, Membership, User
from app.extensions import db
from app.notify.logs import user_notification_log
from app.notify.models import EmailBody, EmailDelivery
from app.privacy import audit
from app.privacy.erasure import organizations_involved
from app.privacy.models import AuditAction
from app.requests.models import Attachment, Comment, Follower, ServiceRequest
from app.transactions import unit_of_work
from app.watch.models import WatchArea, WatchAreaFollower
from geo.wkb import point_coordinates

EXPORT_FILENAME = "my-311-data.zip"
EXPORT_PARTS = (
    "README.txt", "profile.json", "aliases.json", "requests.json", "comments.json", "photos.json",
    "follows.json", "watch_areas.geojson", "notifications.json", "emails.json",
)


def _json(value) -> bytes:
    def default(item):
        if isinstance(item, (datetime, date)):
            return item.isoformat()
        raise TypeError(f"not JSON: {type(item).__name__}")

    return json.dumps(value, indent=2, ensure_ascii=False, default=default).encode()


def _profile(user: User) -> dict:
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id))
    return {"id": user.id, "email": user.email, "name": user.name, "phone": user.phone,
            "confirmed": user.confirmed, "created_at": user.created_at,
            "organizations": [{"organization": m.organization.slug, "role": m.role.name} for m in memberships]}


def _aliases(user: User) -> list[dict]:
    rows = db.session.scalars(select(EmailAlias).where(EmailAlias.user_id == user.id).order_by(EmailAlias.id))
    return [{"email": a.email, "confirmed_at": a.confirmed_at, "created_at": a.created_at} for a in rows]


def _requests(user: User) -> list[dict]:
    rows = db.session.scalars(select(ServiceRequest).where(ServiceRequest.reporter_id == user.id)
                              .order_by(ServiceRequest.id))
    out = []
    for r in rows:
        lng, lat = point_coordinates(r.location)
        out.append({"id": r.id, "public_id": r.public_id, "organization": r.organization.slug,
                    "category": r.category.name, "lat": lat, "lng": lng, "address": r.address,
                    "description": r.description, "answers": r.answers, "status": r.status,
                    "anonymous": r.anonymous, "source": r.source, "created_at": r.created_at,
                    "closed_at": r.closed_at})
    return out


def _comments(user: User) -> list[dict]:
    rows = db.session.execute(select(Comment, ServiceRequest.public_id)
                              .join(ServiceRequest, ServiceRequest.id == Comment.request_id)
                              .where(Comment.author_id == user.id).order_by(Comment.id))
    return [{"id": c.id, "request": public_id, "body": c.body, "visibility": c.visibility, "source": c.source,
             "created_at": c.created_at} for c, public_id in rows]


def _photos(user: User) -> list[tuple[dict, str]]:
    rows = db.session.execute(select(Attachment, ServiceRequest.public_id)
                              .join(ServiceRequest, ServiceRequest.id == Attachment.request_id)
                              .where(Attachment.uploaded_by_id == user.id).order_by(Attachment.id))
    return [({"id": a.id, "request": public_id, "filename": a.filename, "content_type": a.content_type,
              "size": a.size, "sha256": a.sha256, "created_at": a.created_at,
              "file": f"photos/{a.id}-{a.filename}"}, a.storage_path) for a, public_id in rows]


def _follows(user: User) -> dict:
    requests = db.session.execute(select(ServiceRequest.public_id, Follower.created_at)
                                  .join(Follower, Follower.request_id == ServiceRequest.id)
                                  .where(Follower.user_id == user.id).order_by(Follower.created_at))
    areas = db.session.execute(select(WatchArea.id, WatchArea.name, WatchAreaFollower.created_at)
                               .join(WatchAreaFollower, WatchAreaFollower.watch_area_id == WatchArea.id)
                               .where(WatchAreaFollower.user_id == user.id))
    return {"requests": [{"request": p, "since": at} for p, at in requests],
            "watch_areas": [{"id": i, "name": n, "since": at} for i, n, at in areas]}


def _watch_areas(user: User) -> dict:
    rows = db.session.scalars(select(WatchArea).where(WatchArea.owner_id == user.id).order_by(WatchArea.id))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": a.id, "geometry": mapping(to_shape(a.geom)),
         "properties": {"name": a.name, "public": a.public, "category_ids": a.category_ids,
                        "created_at": a.created_at.isoformat()}} for a in rows]}


def _notifications(user: User) -> list[dict]:
    return [dict(row._mapping) for row in db.session.execute(user_notification_log(user.id))]


def _emails(user: User) -> list[tuple[dict, bytes | None]]:
    rows = db.session.execute(
        select(EmailDelivery, EmailBody.message, EmailBody.expired_at)
        .outerjoin(EmailBody, EmailBody.delivery_id == EmailDelivery.id)
        .where(EmailDelivery.user_id == user.id).order_by(EmailDelivery.id))
    out = []
    for d, message, expired_at in rows:
        entry = {"id": d.id, "to": d.email, "kind": d.kind, "status": d.status, "created_at": d.created_at,
                 "sent_at": d.sent_at, "message_id": d.message_id,
                 "file": f"emails/{d.id}.eml" if message is not None else None,
                 "body": "kept" if message is not None else ("body expired" if expired_at else "not stored")}
        out.append((entry, message))
    return out


def build_export(user: User) -> bytes:
    """The ZIP of everything about `user`, as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _README.format(email=user.email))
        archive.writestr("profile.json", _json(_profile(user)))
        archive.writestr("aliases.json", _json(_aliases(user)))
        archive.writestr("requests.json", _json(_requests(user)))
        archive.writestr("comments.json", _json(_comments(user)))
        photos = _photos(user)
        for entry, path in photos:
            try:
                archive.write(path, entry["file"])
            except FileNotFoundError:
                entry["file"] = None  # listed after the files, so a photo gone from disk is listed as such
        archive.writestr("photos.json", _json([entry for entry, _ in photos]))
        archive.writestr("follows.json", _json(_follows(user)))
        archive.writestr("watch_areas.geojson", _json(_watch_areas(user)))
        archive.writestr("notifications.json", _json(_notifications(user)))
        emails = _emails(user)
        archive.writestr("emails.json", _json([entry for entry, _ in emails]))
        for entry, message in emails:
            if message is not None:
                archive.writestr(entry["file"], message)
    return buffer.getvalue()


@unit_of_work()
def export_account(user: User, *, where: str) -> bytes:
    """Build the user's ZIP and record the export in the audit trail (commits)."""
    data = build_export(user)
    for organization_id in sorted(organizations_involved(user.id)) or [None]:
        audit.record(AuditAction.DATA_EXPORTED, organization_id=organization_id, actor_id=user.id,
                     subject_user_ids=[user.id], where=where)
    return data


_README = """Your data, as held by this 311 service for {email}.

profile.json         your account: name, email, phone, organizations
aliases.json         your other email addresses
requests.json        the requests you reported
comments.json        your comments
photos.json          the photos you added (the files are in photos/)
follows.json         the requests and watch areas you follow
watch_areas.geojson  your watch areas (GeoJSON)
notifications.json   every notification we gave you, in the app and by email
emails.json          the emails we sent you (the messages, while we keep them, are in emails/)
"""
