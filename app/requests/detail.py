"""The hot read of `GET /requests/{id}`: one statement built once, its rows read without the ORM.

`read_request_view` answers what `queries.request_view` answers for a loaded request, from one
round trip. The statement is built (and compiled) once per kind of caller, signed in or not,
with the ids as bound parameters, so a request pays neither SQLAlchemy's construction nor its
cache key, and psycopg can prepare it (on a connection outside a transaction, see
`app.transactions.reads_outside_transaction`: a ROLLBACK makes psycopg forget what it prepared).
The rows are plain values: the request's columns, its organization's reference, its category's
restriction, its reporter's contact, the caller's permissions, following and support, and one
visible photo per row. What the caller may see and do is decided as for any request
(`queries.viewer_state_of`, `RequestView`, `policy`).
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import String, and_, bindparam, false, func, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY

from app.accounts import tokens
from app.accounts.models import Organization, Permission, User
from app.extensions import db
from app.requests import policy
from app.requests.models import Attachment, Follower, RequestCategory, ServiceRequest, Support
from app.requests.queries import REQUEST_COLUMNS, Contact, detail_view, no_request, photo_visible
from app.requests.schemas import RequestView


class OrganizationRef(NamedTuple):
    """What a request shows of its organization (OrganizationRefSchema's fields)."""

    id: int
    slug: str
    name: str


class CategoryRules(NamedTuple):
    """What the policy reads of a request's category."""

    public_restriction: str


class Photo(NamedTuple):
    """A visible attachment (PhotoSchema's fields)."""

    id: int
    request_id: int
    filename: str
    content_type: str
    size: int
    created_at: object


_PHOTO = Attachment.__table__
_PHOTO_COLUMNS = tuple(_PHOTO.c[name].label(f"photo_{name}") for name in Photo._fields)
_REPORTER = User.__table__.alias("reporter")
_READER_KEYS = tuple(column.key for column in User.__table__.c)


@cache
def _statement(reader: str):
    """The read for a caller who is nobody (`none`), a user whose `user_id` is bound (`id`), or
    the bearer of a token whose digest is bound (`token`: the reader's columns, as
    `tokens.user_by_digest` finds them, come in the same statement); built once each."""
    identity = []
    if reader == "none":
        held, following, supporting = literal(None, ARRAY(String)), false(), false()
        sees_internal = false()
    else:
        if reader == "token":
            reader_row = tokens.user_by_digest().subquery("reader")
            identity, user_id = [reader_row], reader_row.c.id
        else:
            user_id = bindparam("user_id", type_=User.id.type)
        permissions = policy.permissions_statement(user_id, ServiceRequest.organization_id)
        held = permissions.with_only_columns(func.array_agg(Permission.name)).scalar_subquery()
        following = select(Follower).where(Follower.request_id == ServiceRequest.id,
                                           Follower.user_id == user_id).exists()
        supporting = select(Support).where(Support.request_id == ServiceRequest.id,
                                           Support.user_id == user_id).exists()
        # Correlated by name: nested in the photos' join, it would otherwise range over every request.
        sees_internal = (permissions.where(Permission.name == policy.SEE_INTERNAL_PERMISSION)
                         .correlate(ServiceRequest, *identity).exists())
    statement = (
        select(*(row.c[key].label(f"reader_{key}") for row in identity for key in _READER_KEYS), *REQUEST_COLUMNS, Organization.slug.label("organization_slug"),
               Organization.name.label("organization_name"), RequestCategory.public_restriction,
               _REPORTER.c.name.label("reporter_name"), _REPORTER.c.email.label("reporter_email"),
               _REPORTER.c.phone.label("reporter_phone"), held.label("held"), following.label("following"),
               supporting.label("supporting"), *_PHOTO_COLUMNS)
        .select_from(ServiceRequest)
        .join(Organization, Organization.id == ServiceRequest.organization_id)
        .join(RequestCategory, RequestCategory.id == ServiceRequest.category_id)
        .outerjoin(_REPORTER, _REPORTER.c.id == ServiceRequest.reporter_id)
    )
    for reader_row in identity:
        statement = statement.outerjoin(reader_row, true())
    return (statement
            .outerjoin(Attachment, and_(Attachment.request_id == ServiceRequest.id, photo_visible(sees_internal)))
            .where(ServiceRequest.id == bindparam("request_id", type_=ServiceRequest.id.type))
            .order_by(Attachment.created_at, Attachment.id))


def _request(row) -> SimpleNamespace:
    """The request of a row, with what RequestView and the policy read of it (no session, no lazy load)."""
    request = SimpleNamespace(**{column.key: getattr(row, column.key) for column in REQUEST_COLUMNS})
    request.organization = OrganizationRef(row.organization_id, row.organization_slug, row.organization_name)
    request.category = CategoryRules(row.public_restriction)
    request.reporter = (None if row.reporter_id is None else
                        Contact(row.reporter_id, row.reporter_name, row.reporter_email, row.reporter_phone))
    return request


def _view(rows, request_id: int, user: User | None) -> RequestView:
    if not rows:
        raise no_request(request_id)
    first = rows[0]
    request = _request(first)
    viewer = policy.viewer_of(user, request, frozenset(first.held or ()))
    photos = [Photo(*row[-len(Photo._fields):]) for row in rows if row.photo_id is not None]
    return detail_view(request, viewer, bool(first.following), bool(first.supporting), photos)


def read_request_view(request_id: int, user: User | None) -> RequestView:
    """`queries.request_view` of a request by id in one statement, or 404."""
    if user is None:
        rows = db.session.connection().execute(_statement("none"), {"request_id": request_id}).all()
    else:
        rows = db.session.connection().execute(_statement("id"), {"request_id": request_id,
                                                                  "user_id": user.id}).all()
    return _view(rows, request_id, user)


def read_request_view_by_token(request_id: int, token: str) -> tuple[RequestView, User | None] | None:
    """`read_request_view` for the bearer of `token` and that bearer (None: no live token, the
    public's view), both from one statement; None when the request does not exist (the caller
    is then still to be identified)."""
    digest = tokens.token_digest(token)
    if digest is None:
        return read_request_view(request_id, None), None
    rows = db.session.connection().execute(_statement("token"), {"request_id": request_id, "digest": digest}).all()
    if not rows:
        return None
    reader = rows[0]._mapping
    user = None if reader["reader_id"] is None else tokens.known_user(
        {key: reader[f"reader_{key}"] for key in _READER_KEYS})
    return _view(rows, request_id, user), user
