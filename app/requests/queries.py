"""Reading requests: filtered lists, a request's timeline, comments and photos as a viewer may see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    String,
    Text,
    and_,
    bindparam,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import selectinload

from app.accounts.models import Organization, User
from app.errors import NotFound
from app.events.kinds import COMMENT, timeline_kinds
from app.events.models import Event
from app.extensions import db
from app.pagination import BoundPage, paginate
from app.privacy.audit import record_contact_views
from app.requests import counts, policy
from app.requests.anonymity import shown_comment, shown_person
from app.requests.models import (
    Attachment,
    Comment,
    Follower,
    RequestCount,
    ServiceRequest,
    Support,
    Visibility,
)
from app.requests.policy import Audience
from app.requests.schemas import RequestView
from geo import plane

LIVE_STATUSES = ("open", "acknowledged")

COMMENT_EVENT_KINDS = tuple(sorted(timeline_kinds(COMMENT)))  # shown from the comments themselves


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _each_its_own(column, name: str, value, **options):
    """A filter's value as a parameter of its own (a statement may hold the same filter twice,
    as the dashboard's counts do)."""
    return bindparam(name, value, type_=column.type, unique=True, **options)


def _conditions(filters: dict, bind=_each_its_own):
    """SQL conditions for the list filters CONTRACT.md names (absent filters add nothing).

    Each value is bound through `bind(column, name, value)`, so that a list can build its
    statement once per set of filters and bind only the values (`_BoundValues`); a place's box
    and circle are computed from their values into the SQL, so such a statement is built per call.
    """
    if filters.get("status"):
        yield ServiceRequest.status.in_(bind(ServiceRequest.status, "status", filters["status"], expanding=True))
    if filters.get("category"):
        yield ServiceRequest.category_id.in_(bind(ServiceRequest.category_id, "category", filters["category"],
                                                  expanding=True))
    if filters.get("bbox"):
        min_lng, min_lat, max_lng, max_lat = filters["bbox"]
        yield plane.in_box(ServiceRequest.map_point, min_lng, min_lat, max_lng, max_lat)
    if filters.get("radius_m") is not None:
        yield plane.within_metres(ServiceRequest.map_point, filters["lng"], filters["lat"], filters["radius_m"])
    if filters.get("updated_after") is not None:
        yield ServiceRequest.updated_at > bind(ServiceRequest.updated_at, "updated_after", filters["updated_after"])
    if filters.get("assigned_to") is not None:
        yield ServiceRequest.assignee_id == bind(ServiceRequest.assignee_id, "assigned_to", filters["assigned_to"])
    if filters.get("q"):
        pattern = bind(ServiceRequest.description, "q", _like(filters["q"]))
        yield or_(ServiceRequest.description.ilike(pattern, escape="\\"),
                  ServiceRequest.address.ilike(pattern, escape="\\"))
    if filters.get("reporter_id") is not None:
        yield ServiceRequest.reporter_id == bind(ServiceRequest.reporter_id, "reporter_id", filters["reporter_id"])
    if filters.get("sla") == "breached":
        # Live and past the deadline: what the SLA sweep reports (and its partial index serves,
        # which needs the statuses written into the SQL, not bound).
        yield and_(ServiceRequest.status.in_(LIVE_STATUSES), ServiceRequest.sla_due_at < func.now())


def _by_place(filters: dict) -> bool:
    return bool(filters.get("bbox")) or filters.get("radius_m") is not None


class _BoundValues(dict):
    """`bind` for `_conditions` that binds each value by its name and keeps it here: the names
    (with the unbound `sla` filter) are the statement's shape, these values its parameters."""

    def __call__(self, column, name: str, value, **options):
        self[name] = value
        return bindparam(name, type_=column.type, **options)


def _counted_total(filters: dict, organization_id: int | None, bind=_each_its_own):
    """The total from the request counters when the filters are at most organization and status
    (the staff queue, the public list, the dashboard), else None: those rows must be counted."""
    if next(_conditions({**filters, "status": None}), None) is not None:
        return None
    organization = None if organization_id is None else bind(RequestCount.organization_id, "organization_id",
                                                              organization_id)
    statuses = bind(RequestCount.status, "status", filters["status"], expanding=True) if filters.get("status") else None
    return counts.counted_total(organization_id=organization, statuses=statuses)


def _matched_once(statement, conditions: list, first_rows: int):
    """`statement` limited to the newest `first_rows` matches, and their count, from one scan.

    For a place (a box or a radius): walking the update order and testing each row's location
    reads a hundred times the rows a map shows (the planner's choice at a million requests:
    0.8 s), so the GiST index finds the matches once (a MATERIALIZED CTE of id and update time)
    and both the count and the page's ids come from them.
    """
    matched = (select(ServiceRequest.id, ServiceRequest.updated_at).where(*conditions)
               .cte("matched").prefix_with("MATERIALIZED"))
    newest = (select(matched.c.id).order_by(matched.c.updated_at.desc(), matched.c.id.desc()).limit(first_rows))
    return statement.where(ServiceRequest.id.in_(newest)), select(func.count()).select_from(matched)


def filter_conditions(filters: dict) -> list:
    """The list filters as SQL conditions, for other readers of the same rows (exports, statistics)."""
    return list(_conditions(filters))


# What the ORM loads of a request (not its deferred columns, such as the map's own point).
REQUEST_COLUMNS = tuple(column for column in ServiceRequest.__table__.c
                        if not ServiceRequest.__mapper__.get_property_by_column(column).deferred)
_REQUEST_KEYS = tuple(column.key for column in REQUEST_COLUMNS)
_ORGANIZATION_AT = len(REQUEST_COLUMNS)  # then the organization's slug, name and timezone
_REPORTER_AT = _ORGANIZATION_AT + 3  # then, for staff, the reporter's name, email and phone


class Contact(NamedTuple):
    """The reporter as the reporter and staff see them (ContactSchema's fields)."""

    id: int
    name: str
    email: str
    phone: str | None


class ListedOrganization(NamedTuple):
    """A listed request's organization: its reference (OrganizationRefSchema's fields) and the
    timezone the pages write its dates in."""

    id: int
    slug: str
    name: str
    timezone: str


class PageAssignees:
    """The assignees of a page's requests, read in one query the first time one is asked for (only
    the staff queue's page names them; the API's lists never do)."""

    def __init__(self, ids: set[int]):
        self.ids = ids
        self._by_id: dict[int, User] | None = None

    def get(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        if self._by_id is None:
            self._by_id = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(self.ids)))}
        return self._by_id.get(user_id)


class ListedRequest:
    """A request of a list as plain values read with the page (no ORM, no lazy load), with its
    organization and, for staff, its reporter; the assignee, which only the staff queue's page
    names, is read when asked, for the whole page at once."""

    def __init__(self, row, staff: bool):
        self.__dict__.update(zip(_REQUEST_KEYS, row, strict=False))  # the row goes on past the request
        self.organization = ListedOrganization(self.organization_id, *row[_ORGANIZATION_AT:_REPORTER_AT])
        self.reporter = (Contact(self.reporter_id, *row[_REPORTER_AT:_REPORTER_AT + 3])
                         if staff and self.reporter_id is not None else None)
        self.page_assignees: PageAssignees | None = None

    @cached_property
    def assignee(self) -> User | None:
        if self.page_assignees is None:
            self.page_assignees = PageAssignees({self.assignee_id} - {None})
        return self.page_assignees.get(self.assignee_id)


@cache
def _listed(staff: bool):
    """A list's rows: the request, its organization, and (to staff) its reporter's contact, in one
    statement without an organization boundary; built once, each call adds its conditions."""
    reporter = User.__table__.alias("reporter")
    shown = [*REQUEST_COLUMNS, Organization.slug, Organization.name, Organization.timezone]
    if staff:
        shown += [reporter.c.name, reporter.c.email, reporter.c.phone]
    statement = select(*shown).join(Organization, Organization.id == ServiceRequest.organization_id)
    if staff:
        statement = statement.outerjoin(reporter, reporter.c.id == ServiceRequest.reporter_id)
    return statement.order_by(ServiceRequest.updated_at.desc(), ServiceRequest.id.desc())


def _organization_condition(organization_id: int, bind):
    return ServiceRequest.organization_id == bind(ServiceRequest.organization_id, "organization_id", organization_id)


def _list_page(filters: dict, organization_id: int | None, bind) -> BoundPage:
    """The page's statement and its total for these filters, their values bound through `bind`."""
    conditions = list(_conditions(filters, bind))
    if organization_id is not None:
        conditions.append(_organization_condition(organization_id, bind))
    statement, total = _listed(organization_id is not None), _counted_total(filters, organization_id, bind)
    if total is None and _by_place(filters):
        statement, total = _matched_once(statement, conditions, filters["page"] * filters["per_page"])
    else:
        statement, total = statement.where(*conditions), _total(total, conditions)
    return BoundPage(statement, total=total)


# A list's statement per shape of filters (which are given, for whom), built once: a call binds
# its values. At most one per combination of the filters `_conditions` names.
_LIST_PAGES: dict[tuple, BoundPage] = {}


def _page_rows(filters: dict, organization_id: int | None) -> dict:
    if _by_place(filters):  # the box or circle is in the SQL: built for this call
        return _list_page(filters, organization_id, _each_its_own).run({}, filters["page"], filters["per_page"])
    values = _BoundValues()
    list(_conditions(filters, values))  # only their values: the statement is built once per shape
    if organization_id is not None:
        values["organization_id"] = organization_id
    shape = (*values, filters.get("sla") == "breached")
    page = _LIST_PAGES.get(shape)
    if page is None:
        page = _LIST_PAGES[shape] = _list_page(filters, organization_id, _BoundValues())
    return page.run(values, filters["page"], filters["per_page"])


def list_requests(filters: dict, *, organization_id: int | None = None) -> dict:
    """One page of requests matching `filters`, newest change first (public data only)."""
    audience = Audience.PUBLIC if organization_id is None else Audience.STAFF
    staff = audience is Audience.STAFF
    page = _page_rows(filters, organization_id)
    listed = [ListedRequest(row, staff) for row in page["items"]]
    assignees = PageAssignees({request.assignee_id for request in listed} - {None})
    for request in listed:
        request.page_assignees = assignees
    page["items"] = [RequestView.of_values(request, audience) for request in listed]
    return page


def staff_queue(organization, actor: User | None, filters: dict) -> dict:
    """The organization's requests, as its staff see them."""
    policy.require_permission(organization, actor, policy.SEE_INTERNAL_PERMISSION)
    return list_requests(filters, organization_id=organization.id)


def queue_counts(organization, actor: User | None, named: dict[str, dict]) -> dict[str, int]:
    """How many of the organization's requests match each named set of filters, in one statement.

    Each count is its own scalar subquery: by status alone it sums the request counters, else it
    counts the rows with the index its filters need.
    """
    policy.require_permission(organization, actor, policy.SEE_INTERNAL_PERMISSION)
    columns = [_count(filters, organization.id).scalar_subquery().label(name) for name, filters in named.items()]
    return dict(db.session.execute(select(*columns)).one()._mapping)


def _count(filters: dict, organization_id: int):
    return _total(_counted_total(filters, organization_id),
                  [_organization_condition(organization_id, _each_its_own), *_conditions(filters)])


def _total(counted, conditions: list):
    """The counters' total if there is one, else the count of the matching requests alone (no join:
    every request has its organization, the lists' one inner join)."""
    if counted is not None:
        return counted
    return select(func.count()).select_from(ServiceRequest).where(*conditions)


def note_contact_views(organization_id: int, actor: User, views) -> None:
    """Record in the audit trail that `actor` (staff) was shown these requests' reporters' contact details."""
    record_contact_views(organization_id, actor.id, [(v.reporter_id, v.id) for v in views
                                                     if v.reporter_id not in (None, actor.id)])


def is_following(request: ServiceRequest, user: User | None) -> bool:
    return user is not None and db.session.get(Follower, (request.id, user.id)) is not None


def no_request(request_id: int) -> NotFound:
    return NotFound(_("No request %(request_id)s.", request_id=request_id), {"id": request_id})


def _viewer_state(request: ServiceRequest, user: User | None) -> tuple[policy.Viewer, bool, bool]:
    """The viewer (with their permissions), and whether they follow and support it: one statement."""
    if user is None:
        return policy.viewer_of(None, request, frozenset()), False, False
    held = policy.permissions_statement(user.id, request.organization_id).subquery()
    row = db.session.execute(select(
        select(func.array_agg(held.c.name)).scalar_subquery(),
        select(Follower).where(Follower.request_id == request.id, Follower.user_id == user.id).exists(),
        select(Support).where(Support.request_id == request.id, Support.user_id == user.id).exists(),
    )).one()
    return policy.viewer_of(user, request, frozenset(row[0] or ())), row[1], row[2]


def request_view(request: ServiceRequest, user: User | None) -> RequestView:
    """One request as `user` may see it, with its photos and what `user` may do to it."""
    viewer, following, supporting = _viewer_state(request, user)
    return detail_view(request, viewer, following, supporting, visible_photos(request, viewer.audience))


def detail_view(request: ServiceRequest, viewer: policy.Viewer, following: bool, supporting: bool,
            photos: list[Attachment]) -> RequestView:
    return RequestView(request, viewer.audience, photos=photos,
                       viewer=shown_to(viewer, request, following, supporting))


def shown_to(viewer: policy.Viewer, request, following: bool, supporting: bool) -> dict:
    """A single request's `viewer` part (ViewerStateSchema's fields) as `viewer` is shown the request:
    a staff viewer is shown the reporter's email and phone, which the audit trail records."""
    if viewer.audience is Audience.STAFF:
        note_contact_views(request.organization_id, viewer.user, [request])
    return {"following": following, "supporting": supporting,
            "actions": [action.value for action in policy.allowed_actions(viewer, request)]}


def _internal_visible(audience: Audience):
    return true() if audience is Audience.STAFF else false()


def _comment_visible(audience: Audience):
    return or_(Comment.visibility == Visibility.PUBLIC.value, _internal_visible(audience))


def comments_page(request: ServiceRequest, audience: Audience, page: int, per_page: int) -> dict:
    """The request's comments the audience may read, oldest first."""
    statement = (
        select(Comment)
        .where(Comment.request_id == request.id, _comment_visible(audience))
        .options(selectinload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )
    result = paginate(statement, page, per_page)
    result["items"] = [shown_comment(comment, request, audience) for comment in result["items"]]
    return result


def photo_visible(sees_internal):
    """An attachment of the request, unless it is on a comment the viewer may not read
    (`sees_internal`: an SQL truth, whether the viewer sees internal comments)."""
    return or_(Attachment.comment_id.is_(None),
               select(Comment.id).where(Comment.id == Attachment.comment_id,
                                        or_(Comment.visibility == Visibility.PUBLIC.value, sees_internal)).exists())


def _photos(request: ServiceRequest, audience: Audience):
    return (
        select(Attachment)
        .where(Attachment.request_id == request.id, photo_visible(_internal_visible(audience)))
        .order_by(Attachment.created_at, Attachment.id)
    )


def visible_photos(request: ServiceRequest, audience: Audience) -> list[Attachment]:
    """Attachments of the request, without those on comments the audience may not read."""
    return list(db.session.scalars(_photos(request, audience)))


def photo(request: ServiceRequest, attachment_id: int, audience: Audience) -> Attachment | None:
    """One attachment of the request, if the audience may see it."""
    return db.session.scalar(_photos(request, audience).where(Attachment.id == attachment_id))


@dataclass
class TimelineEntry:
    """One line of a request's history: an event, or a comment."""

    id: str
    kind: str
    created_at: datetime
    actor: object | None
    payload: dict
    comment: object | None = None


@dataclass(frozen=True)
class Person:
    """Someone named on a timeline (what PersonSchema shows)."""

    id: int
    name: str


@dataclass(frozen=True)
class TimelineComment:
    """A comment as a timeline shows it (CommentSchema's fields and its source), read with the page."""

    id: int
    body: str
    visibility: str
    source: str
    mentioned_user_ids: list
    created_at: datetime
    author_id: int | None
    author: Person | None


@cache
def _timeline(audience: Audience) -> BoundPage:
    """Events and comments of a request (bound: `request_id`) as one UNION ALL, each row with
    what its entry shows; built once per audience."""
    request_id = bindparam("request_id", type_=ServiceRequest.id.type)
    event_kinds = Event.kind.not_in(COMMENT_EVENT_KINDS)
    if audience is not Audience.STAFF:
        event_kinds = and_(event_kinds, Event.kind.in_(policy.PUBLIC_EVENT_KINDS))
    actor, author = User.__table__.alias("actor"), User.__table__.alias("author")
    events = (
        select(literal("event").label("entry"), Event.id.label("id"), Event.created_at.label("at"),
               Event.kind.label("kind"), Event.payload.label("payload"), cast(null(), Text).label("body"),
               cast(null(), String).label("visibility"), cast(null(), String).label("source"),
               cast(null(), ARRAY(Integer)).label("mentioned_user_ids"), Event.actor_id.label("person_id"),
               actor.c.name.label("person_name"))
        .outerjoin(actor, actor.c.id == Event.actor_id)
        .where(Event.request_id == request_id, event_kinds))
    comments = (
        select(literal("comment"), Comment.id, Comment.created_at, cast(null(), String), cast(null(), JSONB),
               Comment.body, Comment.visibility, Comment.source, Comment.mentioned_user_ids, Comment.author_id,
               author.c.name)
        .outerjoin(author, author.c.id == Comment.author_id)
        .where(Comment.request_id == request_id, _comment_visible(audience)))
    merged = union_all(events, comments).subquery()
    return BoundPage(select(merged).order_by(merged.c.at, merged.c.entry.desc(), merged.c.id))


def timeline_page(request: ServiceRequest, audience: Audience, page: int, per_page: int) -> dict:
    """Events and comments of the request as the audience may see them, oldest first (one statement)."""
    result = _timeline(audience).run({"request_id": request.id}, page, per_page)
    result["items"] = [_entry(row, request, audience) for row in result["items"]]
    return result


def _entry(row, request: ServiceRequest, audience: Audience) -> TimelineEntry:
    person = Person(row.person_id, row.person_name) if row.person_id is not None else None
    if row.entry == "event":
        return TimelineEntry(f"event-{row.id}", row.kind, row.at, shown_person(person, request, audience),
                             row.payload)
    comment = shown_comment(TimelineComment(row.id, row.body, row.visibility, row.source, row.mentioned_user_ids,
                                            row.at, row.person_id, person), request, audience)
    kind = "request.comment_internal" if comment.visibility == Visibility.INTERNAL else "request.comment_public"
    return TimelineEntry(f"comment-{comment.id}", kind, comment.created_at, comment.author,
                         {"comment_id": comment.id}, comment)
