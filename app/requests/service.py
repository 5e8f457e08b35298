"""The request lifecycle: every change a resident or staff member makes to a request.

Each public function is a unit of work (app/transactions.py): it locks the request row, asks
`policy` whether the actor may act, changes the rows, records exactly one Event (kinds in
app/events/kinds.py) and commits, or joins its caller's unit; the event reaches the fan-out
after the commit. Functions taking `organization`
serve the staff API: the actor must be a member of it (403), and a request of another
organization is 404.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from app.accounts.boundaries import organizations_serving
from app.accounts.models import Organization, User
from app.db_types import utcnow
from app.errors import ApiError, Conflict, NotFound, ValidationFailed
from app.events.service import record_event
from app.extensions import db
from app.requests import policy
from app.requests.attributes import validate_answers
from app.requests.mentions import resolve_mentions
from app.requests.models import (
    Attachment,
    Comment,
    CommentSource,
    Follower,
    RequestCategory,
    RequestStatus,
    ServiceRequest,
    Visibility,
)
from app.requests.policy import Action, Audience
from app.transactions import unit_of_work
from app.uploads import DEFAULT_MAX_BYTES, inspect_upload, keep_file
from app.work.sla import assign_sla_deadline

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = DEFAULT_MAX_BYTES


def find_by_public_id(public_id: str) -> ServiceRequest | None:
    """The request a person names by its public id (as typed: any case, stray spaces), or None."""
    # Public ids are generated lowercase, so the unique index answers.
    return db.session.scalar(select(ServiceRequest).where(ServiceRequest.public_id == public_id.strip().lower()))


def get_request(request_id: int, *, organization_id: int | None = None, lock: bool = False) -> ServiceRequest:
    """The request with this numeric id (within the organization, when given), or 404."""
    statement = select(ServiceRequest).where(ServiceRequest.id == request_id)
    if organization_id is not None:
        statement = statement.where(ServiceRequest.organization_id == organization_id)
    if lock:
        statement = statement.with_for_update(of=ServiceRequest)
    request = db.session.scalar(statement)
    if request is None:
        raise NotFound(_("No request %(request_id)s.", request_id=request_id), {"id": request_id})
    return request


def _acting(request_id: int, actor: User | None, action: Action,
            organization: Organization | None = None) -> tuple[ServiceRequest, policy.Viewer]:
    if organization is not None:
        # The staff API (/orgs/{org}/...) is for members of that organization only.
        policy.require_permission(organization, actor, policy.SEE_INTERNAL_PERMISSION)
    request = get_request(request_id, organization_id=organization.id if organization else None, lock=True)
    viewer = policy.viewer_of(actor, request)
    policy.require(viewer, request, action)
    return request, viewer


def _record(kind: str, request: ServiceRequest, actor: User | None, payload: dict | None = None) -> None:
    request.updated_at = utcnow()
    record_event(kind, request=request, actor=actor, payload=payload)


def _field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {"json": {field: [message]}})


# -- submission ---------------------------------------------------------------------------


def _active_category(category_id: int, organization_id: int | None = None) -> RequestCategory:
    category = db.session.get(RequestCategory, category_id)
    if category is None or not category.active or (
            organization_id is not None and category.organization_id != organization_id):
        raise _field_error("category_id", _("No active category %(id)s here.", id=category_id))
    return category


def _check_served(category: RequestCategory, lng: float, lat: float) -> None:
    serving = organizations_serving(lng, lat)
    if not serving:
        message = _("No organization serves this point; it lies outside every service area.")
        raise ValidationFailed(message, {"json": {"lat": [message], "lng": [message]}})
    if category.organization_id not in {org.id for org in serving}:
        message = _("%(organization)s does not serve this point; it is served by %(serving)s.",
                    organization=category.organization.name, serving=", ".join(org.name for org in serving))
        raise ValidationFailed(message, {"json": {"category_id": [message], "lat": [message], "lng": [message]}})


def _may_be_assigned(user_id: int | None, organization_id: int) -> bool:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user is not None and user.active and "edit_requests" in policy.permissions_of(user, organization_id)


@unit_of_work()
def submit(actor: User | None, *, category_id: int, lat: float, lng: float, description: str,
           address: str = "", answers: dict | None = None, source: str = CommentSource.API,
           anonymous: bool = False) -> ServiceRequest:
    """File a new request: inside its organization's boundary, answers checked, reporter following.

    `anonymous` keeps the reporter's name off the public page and timeline (staff still see it)."""
    policy.require_user(actor)
    request = _file_request(_active_category(category_id), actor, actor.id, lat=lat, lng=lng,
                            description=description, address=address, answers=answers, source=source)
    request.anonymous = anonymous
    return request


@unit_of_work()
def submit_for_contact(*, category_id: int, lat: float, lng: float, description: str, address: str = "",
                       answers: dict | None = None, source: str) -> ServiceRequest:
    """File a request whose reporter is a contact, not an account (an Open311 report that may not be
    attached to the account of its address); the caller keeps the contact. Nobody follows it."""
    request = _file_request(_active_category(category_id), None, None, lat=lat, lng=lng,
                            description=description, address=address, answers=answers, source=source)
    return request


@unit_of_work()
def submit_on_behalf(staff: User | None, reporter_id: int | None, *, category_id: int, organization: Organization,
                     lat: float, lng: float, description: str, address: str = "", answers: dict | None = None,
                     source: str = CommentSource.EMAIL) -> ServiceRequest:
    """Staff file a request for someone (from an email, a phone call); the reporter may be unknown.

    Called inside the caller's unit of work (inbound triage), it links its own rows in the same transaction.
    """
    policy.require_permission(organization, staff, "edit_requests")
    category = _active_category(category_id, organization.id)
    request = _file_request(category, staff, reporter_id, lat=lat, lng=lng, description=description,
                            address=address, answers=answers, source=source)
    return request


def _file_request(category: RequestCategory, actor: User, reporter_id: int | None, *, lat: float, lng: float,
                  description: str, address: str, answers: dict | None, source: str) -> ServiceRequest:
    _check_served(category, lng, lat)
    kept_answers = validate_answers(category.attributes, answers or {})
    auto_assignee = category.auto_assignee_id
    request = ServiceRequest(
        organization_id=category.organization_id, category=category, reporter_id=reporter_id,
        location=from_shape(Point(lng, lat), srid=4326), address=address.strip(),
        description=description.strip(), answers=kept_answers, status=RequestStatus.OPEN.value,
        assignee_id=auto_assignee if _may_be_assigned(auto_assignee, category.organization_id) else None,
        source=source,
    )
    db.session.add(request)
    db.session.flush()
    if reporter_id is not None:
        # Following is implied by reporting; no `request.followed` event, so no "you follow" email.
        db.session.add(Follower(request_id=request.id, user_id=reporter_id))
    assign_sla_deadline(request)
    record_event("request.submitted", request=request, actor=actor)
    if request.assignee_id is not None:
        # The category's auto-assignment is a second change, made by nobody in particular.
        record_event("request.assigned", request=request, actor=None,
                     payload={"assignee_id": request.assignee_id, "previous_assignee_id": None})
    return request


# -- staff workflow -----------------------------------------------------------------------


def _transition(request: ServiceRequest, action: Action) -> None:
    request.status = policy.STATUS_AFTER[action].value
    now = utcnow()
    if action is Action.ACKNOWLEDGE:
        request.acknowledged_at = now
    elif action is Action.CLOSE:
        request.closed_at = now
    elif action is Action.REOPEN:
        request.closed_at = None


@unit_of_work()
def set_anonymous(request_id: int, actor: User | None, anonymous: bool, *,
                  organization: Organization) -> ServiceRequest:
    """Staff hide (or show again) the reporter's name from the public; archived requests too."""
    policy.require_permission(organization, actor, "edit_requests")
    request = get_request(request_id, organization_id=organization.id, lock=True)
    if request.anonymous != anonymous:
        request.anonymous = anonymous
        _record("request.anonymity_changed", request, actor, {"anonymous": anonymous})
    return request


@unit_of_work()
def acknowledge(request_id: int, actor: User | None, *, organization: Organization | None = None) -> ServiceRequest:
    """Open -> Acknowledged (staff only)."""
    request, _policy = _acting(request_id, actor, Action.ACKNOWLEDGE, organization)
    _transition(request, Action.ACKNOWLEDGE)
    _record("request.acknowledged", request, actor)
    return request


@unit_of_work()
def assign(request_id: int, actor: User | None, assignee_id: int | None, *,
           organization: Organization | None = None) -> ServiceRequest:
    """Assign to a member who may edit requests, or unassign with None; unchanged records nothing."""
    request, _policy = _acting(request_id, actor, Action.ASSIGN, organization)
    if assignee_id is not None and not _may_be_assigned(assignee_id, request.organization_id):
        raise _field_error("assignee_id", _("User %(id)s is not a member here who may handle requests.",
                                            id=assignee_id))
    if assignee_id != request.assignee_id:
        previous, request.assignee_id = request.assignee_id, assignee_id
        _record("request.assigned", request, actor,
                {"assignee_id": assignee_id, "previous_assignee_id": previous})
    return request


@unit_of_work()
def recategorize(request_id: int, actor: User | None, category_id: int, *,
                 organization: Organization | None = None) -> ServiceRequest:
    """Move to another active category of the same organization; the SLA restarts from it."""
    request, _policy = _acting(request_id, actor, Action.RECATEGORIZE, organization)
    category = _active_category(category_id, request.organization_id)
    if category.id != request.category_id:
        previous = request.category_id
        request.category = category
        assign_sla_deadline(request)
        _record("request.recategorized", request, actor, {"category_id": category.id, "previous_category_id": previous})
    return request


@unit_of_work()
def set_due_date(request_id: int, actor: User | None, due_at: datetime | None, *,
                 organization: Organization | None = None) -> ServiceRequest:
    """Set or clear (None) the due date; unchanged records nothing."""
    request, _policy = _acting(request_id, actor, Action.SET_DUE_DATE, organization)
    if due_at != request.due_at:
        previous, request.due_at = request.due_at, due_at
        _record("request.due_date_changed", request, actor, {
            "due_at": due_at.isoformat() if due_at else None,
            "previous_due_at": previous.isoformat() if previous else None})
    return request


@unit_of_work()
def close(request_id: int, actor: User | None, comment: str | None = None, *,
          organization: Organization | None = None) -> ServiceRequest:
    """Close (reporter or staff, as the category allows), with an optional public comment."""
    request, viewer = _acting(request_id, actor, Action.CLOSE, organization)
    comment_row = _new_comment(request, viewer, comment, Visibility.PUBLIC) if comment else None
    _transition(request, Action.CLOSE)
    _record("request.closed", request, actor, {
        "by_reporter": viewer.is_reporter, "comment_id": comment_row.id if comment_row else None})
    return request


@unit_of_work()
def reopen(request_id: int, actor: User | None, comment: str | None = None, *,
           organization: Organization | None = None, comment_author: User | None = None,
           source: str = CommentSource.API) -> ServiceRequest:
    """Closed -> Open (reporter or staff, as the category allows), with an optional public reason;
    the SLA restarts. The reason is the actor's, or `comment_author`'s when another system's
    update names who wrote it (Open311's servicerequestupdates)."""
    request, viewer = _acting(request_id, actor, Action.REOPEN, organization)
    writer = viewer if comment_author is None else policy.viewer_of(comment_author, request)
    comment_row = _new_comment(request, writer, comment, Visibility.PUBLIC, source) if comment else None
    _transition(request, Action.REOPEN)
    assign_sla_deadline(request)
    _record("request.reopened", request, actor, {
        "by_reporter": viewer.is_reporter, "comment_id": comment_row.id if comment_row else None})
    return request


# -- comments, followers, photos ----------------------------------------------------------


def _new_comment(request: ServiceRequest, viewer: policy.Viewer, body: str, visibility: Visibility,
                 source: str = CommentSource.API) -> Comment:
    # Only staff mention: a resident's "@name" stays text and notifies no one.
    mentioned = resolve_mentions(body, request.organization_id) if viewer.audience is Audience.STAFF else []
    comment = Comment(request_id=request.id, author_id=viewer.user.id, body=body.strip(),
                      visibility=visibility.value, source=source, mentioned_user_ids=mentioned)
    db.session.add(comment)
    db.session.flush()
    return comment


@unit_of_work()
def add_comment(request_id: int, actor: User | None, body: str, visibility: str = Visibility.PUBLIC,
                source: str = CommentSource.API, files: list[tuple[bytes, str, str]] = ()) -> Comment:
    """A public comment (anyone the category lets) or an internal one (staff of the organization).

    `files` are (bytes, filename, content type) already screened by their caller (email
    attachments); they are stored and attached to the comment in the same transaction.
    Inside a caller's unit of work (inbound mail, an automation run) the comment joins its transaction.
    """
    visibility = Visibility(visibility)
    action = Action.COMMENT_INTERNAL if visibility is Visibility.INTERNAL else Action.COMMENT
    request, viewer = _acting(request_id, actor, action)
    comment = _new_comment(request, viewer, body, visibility, source)
    for data, filename, content_type in files:
        db.session.add(Attachment(request_id=request.id, comment_id=comment.id, uploaded_by_id=actor.id,
                                  **keep_file(data, filename, content_type)))
    if visibility is Visibility.INTERNAL:
        _record("request.comment_internal", request, actor,
                {"comment_id": comment.id, "mentioned_user_ids": comment.mentioned_user_ids})
    else:
        _record("request.comment_public", request, actor, {"comment_id": comment.id})
    return comment


@unit_of_work()
def follow(request_id: int, actor: User | None) -> ServiceRequest:
    """Follow the request; following twice changes nothing and records nothing."""
    request, _policy = _acting(request_id, actor, Action.FOLLOW)
    inserted = db.session.execute(
        insert(Follower).values(request_id=request.id, user_id=actor.id)
        .on_conflict_do_nothing().returning(Follower.user_id)
    ).first()
    if inserted:
        record_event("request.followed", request=request, actor=actor, payload={"user_id": actor.id})
    return request


@unit_of_work()
def unfollow(request_id: int, actor: User | None) -> ServiceRequest:
    """Stop following (allowed on archived requests too); not a change to the request, no event."""
    policy.require_user(actor)
    request = get_request(request_id)
    db.session.query(Follower).filter_by(request_id=request.id, user_id=actor.id).delete()
    return request


@unit_of_work()
def add_photo(request_id: int, actor: User | None, data: bytes, filename: str | None) -> Attachment:
    """Attach a photo (judged by its bytes; at most MAX_PHOTOS per request)."""
    request, _policy = _acting(request_id, actor, Action.ATTACH)
    verdict = inspect_upload(data, filename, max_bytes=MAX_PHOTO_BYTES)
    if not verdict.ok:
        status, code = ((413, "payload_too_large") if verdict.size > MAX_PHOTO_BYTES else
                        (422, "validation_failed") if verdict.size == 0 else
                        (415, "unsupported_media_type"))
        raise ApiError(_("Photo refused: %(reason)s.", reason=verdict.reason), {"files": {"file": [verdict.reason]}},
                       status=status, code=code)
    photos = db.session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.request_id == request.id, Attachment.comment_id.is_(None)))
    if photos >= MAX_PHOTOS:
        raise Conflict(_("A request holds at most %(MAX_PHOTOS)s photos.", MAX_PHOTOS=MAX_PHOTOS), {"limit": MAX_PHOTOS})
    attachment = Attachment(request_id=request.id, uploaded_by_id=actor.id,
                            **keep_file(data, verdict.filename, verdict.content_type))
    db.session.add(attachment)
    db.session.flush()
    _record("request.attachment_added", request, actor, {"attachment_id": attachment.id})
    return attachment
