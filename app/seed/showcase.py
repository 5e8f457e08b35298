"""Named demo requests and work orders that show each state a newcomer should see at once.

The bulk requests of `demo.py` fill the map; these few are written by hand so that a fresh
demo always has an SLA breach, requests close to their deadline, photos, a reopened request
with its reason, work orders in every status (one overdue) and unread notifications. Each is
found again by its natural key (organization and description, or work-order title), so
seeding twice adds nothing. Times are relative to the moment of the first seeding.

History is written as already-dispatched events: seeding never emails anyone. Deadlines
that pass are left for the live scheduler to detect, so a demo run shows the sweep at work
(the escalation email appears in the mail log within a minute of `make run`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select

from app.db_types import utcnow
from app.events.models import Event
from app.extensions import db
from app.notify.models import Notification
from app.requests.models import Attachment, Comment, Follower, ServiceRequest
from app.seed.pictures import striped_png
from app.uploads import keep_file
from app.work.models import WorkOrder


@dataclass(frozen=True)
class Showcase:
    description: str
    category: str
    status: str
    reporter: int  # index into the demo residents
    address: str
    offset: tuple[float, float]  # degrees east and north of the city centre
    age_hours: float
    sla_in_hours: float | None = None  # the SLA deadline relative to now (negative: breached)
    photos: tuple[tuple[int, int, int], ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # (visibility, body) by the staff member
    reopen_reason: str | None = None
    unread: bool = False  # the reporter has not yet seen the staff's public comment
    followers: tuple[int, ...] = field(default=())


SHOWCASE: tuple[Showcase, ...] = (
    Showcase("Deep pothole in the bike lane outside the library", "pothole", "acknowledged", 0,
             "Library, 326 S 7th St", (0.003, 0.001), 80, sla_in_hours=-6,
             photos=((120, 120, 130), (90, 80, 70)),
             comments=(("public", "Thanks: a crew will patch it this week."),
                       ("internal", "Needs the large patch truck; book it with the depot.")),
             unread=True, followers=(1, 2)),
    Showcase("Graffiti on the underpass wall by the station", "graffiti", "open", 1,
             "Amtrak station underpass", (-0.006, 0.004), 120, sla_in_hours=-20,
             photos=((200, 60, 160),)),
    Showcase("Missed trash pickup on the whole block", "trash", "open", 2,
             "1200 block of N 5th St", (0.010, -0.006), 20, sla_in_hours=0.4),
    Showcase("Street light flickering at the corner of 2nd and Monroe", "streetlight", "acknowledged", 0,
             "2nd St and Monroe St", (-0.002, -0.003), 40, sla_in_hours=3,
             comments=(("public", "An electrician is booked for tomorrow morning."),), unread=True),
    Showcase("Pothole is back after last month's patch", "pothole", "open", 0,
             "Capitol Ave and 9th St", (0.006, 0.002), 300, sla_in_hours=30,
             reopen_reason="The patch washed out in the rain; the hole is as deep as before."),
    Showcase("Cracked sidewalk slab lifted by a tree root", "sidewalk", "closed", 3,
             "Washington Park entrance", (-0.015, -0.008), 400,
             comments=(("public", "Replaced the slab and ground the edge flush. Thank you!"),)),
    Showcase("Abandoned couch left in the alley", "trash", "archived", 4,
             "Alley behind 800 E Adams St", (0.012, 0.005), 900),
)

WORK_ORDERS = (
    # title, status, request (showcase index or None), due relative to now in hours (None: no due time)
    ("Patch the bike-lane pothole at the library", "in_progress", 0, -5),
    ("Paint over the underpass graffiti", "open", 1, 30),
    ("Replace the lamp at 2nd and Monroe", "open", 3, 20),
    ("Inspect storm drains on Capitol Ave", "open", None, 72),
    ("Regrind the Washington Park sidewalk", "done", 5, -100),
)


def _event(kind: str, request: ServiceRequest, actor_id: int | None, at: datetime, **payload) -> Event:
    event = Event(kind=kind, organization_id=request.organization_id, request_id=request.id, actor_id=actor_id,
                  created_at=at, dispatched_at=at, payload=payload)
    db.session.add(event)
    db.session.flush()
    return event


def _photo(request: ServiceRequest, uploader_id: int, colour, at: datetime, number: int) -> None:
    data = striped_png(colour)
    db.session.add(Attachment(request_id=request.id, uploaded_by_id=uploader_id, created_at=at,
                              **keep_file(data, f"photo-{number}.png", "image/png")))


def _showcase_request(org, categories: dict, residents, staff, spec: Showcase, centre, now) -> ServiceRequest:
    found = db.session.scalar(select(ServiceRequest).where(
        ServiceRequest.organization_id == org.id, ServiceRequest.description == spec.description))
    if found is not None:
        return found
    created = now - timedelta(hours=spec.age_hours)
    reporter, crew = residents[spec.reporter], staff[-1]
    live = spec.status in ("open", "acknowledged")
    request = ServiceRequest(
        organization_id=org.id, category_id=categories[spec.category].id, reporter_id=reporter.id,
        location=from_shape(Point(centre[0] + spec.offset[0], centre[1] + spec.offset[1]), srid=4326),
        address=spec.address, description=spec.description, status=spec.status, created_at=created,
        updated_at=now - timedelta(minutes=5),
        sla_due_at=now + timedelta(hours=spec.sla_in_hours) if live and spec.sla_in_hours is not None else None,
        assignee_id=crew.id if spec.status != "open" else None,
        acknowledged_at=created + timedelta(hours=1) if spec.status != "open" else None,
        closed_at=created + timedelta(hours=48) if spec.status in ("closed", "archived") else None,
    )
    db.session.add(request)
    db.session.flush()
    db.session.add(Follower(request_id=request.id, user_id=reporter.id, created_at=created))
    for index in spec.followers:
        db.session.add(Follower(request_id=request.id, user_id=residents[index].id, created_at=created))
    _event("request.submitted", request, reporter.id, created)
    for number, colour in enumerate(spec.photos, start=1):
        _photo(request, reporter.id, colour, created, number)
    if spec.status != "open":
        _event("request.assigned", request, None, created + timedelta(minutes=1),
               assignee_id=crew.id, previous_assignee_id=None)
        acknowledged = _event("request.acknowledged", request, crew.id, created + timedelta(hours=1))
        _notify(acknowledged, reporter.id, seen=True)
    for minutes, (visibility, body) in enumerate(spec.comments, start=1):
        at = created + timedelta(hours=2, minutes=minutes)
        comment = Comment(request_id=request.id, author_id=crew.id, body=body, visibility=visibility, created_at=at)
        db.session.add(comment)
        db.session.flush()
        kind = f"request.comment_{visibility}"
        event = _event(kind, request, crew.id, at, comment_id=comment.id)
        if visibility == "public":
            _notify(event, reporter.id, seen=not spec.unread)
    if spec.status in ("closed", "archived"):
        closed = _event("request.closed", request, crew.id, request.closed_at)
        _notify(closed, reporter.id, seen=spec.status == "archived")
    if spec.status == "archived":
        _event("request.archived", request, None, request.closed_at + timedelta(days=7))
    if spec.reopen_reason:
        _reopened(request, reporter, crew, created, spec.reopen_reason, now)
    return request


def _reopened(request: ServiceRequest, reporter, crew, created: datetime, reason: str, now: datetime) -> None:
    """A request closed once and reopened by its reporter, who said why."""
    closed_at = created + timedelta(hours=30)
    _event("request.closed", request, crew.id, closed_at)
    at = now - timedelta(hours=2)
    # The reason is the reopen's comment (the reopen reason of the requests service).
    comment = Comment(request_id=request.id, author_id=reporter.id, body=reason, visibility="public", created_at=at)
    db.session.add(comment)
    db.session.flush()
    _event("request.reopened", request, reporter.id, at, comment_id=comment.id, reason=reason)


def _notify(event: Event, user_id: int, *, seen: bool) -> None:
    db.session.add(Notification(event_id=event.id, user_id=user_id, organization_id=event.organization_id,
                                request_id=event.request_id, kind=event.kind, audience="reporter",
                                created_at=event.created_at,
                                seen_at=event.created_at + timedelta(minutes=30) if seen else None))


def _work_orders(org, requests: list[ServiceRequest], staff, now: datetime) -> None:
    crew, admin = staff[-1], staff[0]
    for title, status, request_index, due_in_hours in WORK_ORDERS:
        exists = db.session.scalar(select(WorkOrder.id).where(WorkOrder.organization_id == org.id,
                                                              WorkOrder.title == title))
        if exists:
            continue
        request = requests[request_index] if request_index is not None else None
        db.session.add(WorkOrder(
            organization_id=org.id, request_id=request.id if request else None, title=title, status=status,
            notes="Bring cones and a sign for the bike lane." if request_index == 0 else "",
            assignee_id=crew.id, created_by_id=admin.id,
            due_at=now + timedelta(hours=due_in_hours) if due_in_hours is not None else None,
            created_at=now - timedelta(days=2)))


def seed_showcase(org, categories: dict, residents, staff, centre: tuple[float, float]) -> list[ServiceRequest]:
    """Create (once) the named requests and work orders of `org`; return the requests in SHOWCASE order."""
    now = utcnow()
    requests = [_showcase_request(org, categories, residents, staff, spec, centre, now) for spec in SHOWCASE]
    _work_orders(org, requests, staff, now)
    return requests
