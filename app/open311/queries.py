"""Reading what Open311 publishes: jurisdictions, services, and requests with their public notes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import joinedload

from app.accounts.models import Membership, Organization
from app.extensions import db
from app.open311 import mapping
from app.open311.errors import BadRequest, NotFound
from app.open311.models import Open311Submission
from app.requests.models import Comment, RequestCategory, ServiceRequest, Visibility


@dataclass
class RequestFilters:
    """GET requests' arguments, already validated (see app/open311/filters.py)."""

    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    page: int = 1
    page_size: int = 1000


def jurisdiction(jurisdiction_id: str | None) -> Organization:
    """The organization a call is about: named by slug, or the only one this endpoint serves."""
    if jurisdiction_id:
        organization = db.session.scalar(select(Organization).where(Organization.slug == jurisdiction_id))
        if organization is None:
            raise NotFound(f"jurisdiction_id {jurisdiction_id!r} was not found.")
        return organization
    organizations = db.session.scalars(select(Organization).order_by(Organization.slug).limit(2)).all()
    if len(organizations) == 1:
        return organizations[0]
    if not organizations:
        raise NotFound("This endpoint serves no jurisdiction yet.")
    raise BadRequest("jurisdiction_id was not provided: this endpoint serves several jurisdictions "
                     "(see GET /api/v1/organizations for their slugs).")


def services(organization: Organization) -> list[RequestCategory]:
    return list(db.session.scalars(
        select(RequestCategory)
        .where(RequestCategory.organization_id == organization.id, RequestCategory.active.is_(True))
        .order_by(RequestCategory.name, RequestCategory.code)
    ))


def service(organization: Organization, service_code: str | None) -> RequestCategory:
    """An active service of the organization, or 400 (no code) / 404 (unknown code)."""
    if not service_code:
        raise BadRequest("service_code was not provided.")
    category = db.session.scalar(select(RequestCategory).where(
        RequestCategory.organization_id == organization.id, RequestCategory.code == service_code,
        RequestCategory.active.is_(True)))
    if category is None:
        raise NotFound(f"service_code {service_code!r} was not found in {organization.slug!r}.")
    return category


def definitions_changed_at() -> datetime | None:
    """When a service list or definition last changed (discovery's changeset)."""
    return db.session.scalar(select(func.max(RequestCategory.updated_at)))


def _requests_statement(organization: Organization):
    return (
        select(ServiceRequest)
        .join(RequestCategory, RequestCategory.id == ServiceRequest.category_id)
        .where(ServiceRequest.organization_id == organization.id)
        .options(joinedload(ServiceRequest.category), joinedload(ServiceRequest.organization))
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
    )


def find_requests(organization: Organization, filters: RequestFilters) -> list[ServiceRequest]:
    """One page of the organization's requests matching `filters`, newest first."""
    statement = _requests_statement(organization)
    if filters.ids:
        # The specification: a list of ids overrides every other argument.
        return list(db.session.scalars(statement.where(ServiceRequest.public_id.in_(filters.ids))))
    if filters.service_codes:
        statement = statement.where(RequestCategory.code.in_(filters.service_codes))
    if filters.statuses:
        workflow = [ours for status in filters.statuses for ours in mapping.WORKFLOW_STATUSES[status]]
        statement = statement.where(ServiceRequest.status.in_(workflow))
    if filters.start is not None:
        statement = statement.where(ServiceRequest.created_at >= filters.start)
    if filters.end is not None:
        statement = statement.where(ServiceRequest.created_at <= filters.end)
    if filters.updated_after is not None:
        statement = statement.where(ServiceRequest.updated_at > filters.updated_after)
    if filters.updated_before is not None:
        statement = statement.where(ServiceRequest.updated_at <= filters.updated_before)
    statement = statement.limit(filters.page_size).offset((filters.page - 1) * filters.page_size)
    return list(db.session.scalars(statement))


def one_request(organization: Organization, service_request_id: str) -> ServiceRequest:
    found = db.session.scalar(_requests_statement(organization).where(
        ServiceRequest.public_id == service_request_id))
    if found is None:
        raise NotFound(f"service_request_id {service_request_id!r} was not found in {organization.slug!r}.")
    return found


def _latest_public_comments(request_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Comment.request_id, Comment.body)
        .where(Comment.request_id.in_(request_ids), Comment.visibility == Visibility.PUBLIC.value)
        .ext(distinct_on(Comment.request_id))
        .order_by(Comment.request_id, Comment.created_at.desc(), Comment.id.desc())
    )
    return {row.request_id: row.body for row in rows}


def _media_urls(request_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Open311Submission.request_id, Open311Submission.media_url)
        .where(Open311Submission.request_id.in_(request_ids), Open311Submission.media_url.is_not(None))
    )
    return {row.request_id: row.media_url for row in rows}


def _public_notes(organization: Organization, request_ids: list[int]) -> dict[int, list[dict]]:
    comments = list(db.session.scalars(
        select(Comment)
        .where(Comment.request_id.in_(request_ids), Comment.visibility == Visibility.PUBLIC.value)
        .order_by(Comment.request_id, Comment.created_at, Comment.id)
    ))
    author_ids = {comment.author_id for comment in comments if comment.author_id is not None}
    staff_ids = set(db.session.scalars(select(Membership.user_id).where(
        Membership.organization_id == organization.id, Membership.user_id.in_(author_ids)))) if author_ids else set()
    notes: dict[int, list[dict]] = defaultdict(list)
    for comment in comments:
        notes[comment.request_id].append(
            mapping.note(comment, organization, from_staff=comment.author_id in staff_ids))
    return notes


def request_documents(organization: Organization, requests: list[ServiceRequest], *,
                      extensions: bool = False) -> list[dict]:
    """The Open311 documents of `requests`, with a fixed number of queries whatever their count."""
    ids = [request.id for request in requests]
    if not ids:
        return []
    status_notes = _latest_public_comments(ids)
    media = _media_urls(ids)
    notes = _public_notes(organization, ids) if extensions else None
    return [
        mapping.service_request(request, status_notes=status_notes.get(request.id), media_url=media.get(request.id),
                                notes=notes.get(request.id, []) if notes is not None else None)
        for request in requests
    ]


def token_submission(organization: Organization, token: str) -> tuple[Open311Submission, str | None]:
    """The submission a token stands for and its request's public id (None while deferred)."""
    row = db.session.execute(
        select(Open311Submission, ServiceRequest.public_id)
        .outerjoin(ServiceRequest, ServiceRequest.id == Open311Submission.request_id)
        .where(Open311Submission.token == token, Open311Submission.organization_id == organization.id)
    ).first()
    if row is None:
        raise NotFound(f"token {token!r} was not found in {organization.slug!r}.")
    return row.Open311Submission, row.public_id
