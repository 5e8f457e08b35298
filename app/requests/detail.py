"""The hot read of `GET /requests/{id}`: one statement compiled once, the answer written from its rows.

`answer` gives what `RequestSchema` dumps of `queries.request_view` for a loaded request, from one
round trip. The statement is built and compiled once per kind of caller (nobody, a known user,
the bearer of a token, whose live token it checks itself), with the ids as bound parameters, and
selects only what the answer shows or the policy reads: the request's shown columns (its point
as latitude and longitude), its organization's reference, its category's restriction, its
reporter's contact, the caller's permissions, following and support, and one visible photo per
row. It runs through `app.compiled.CompiledStatement` on a connection outside a transaction
(`app.transactions.read_connection`: psycopg keeps the statement it prepared), so a request pays
neither SQLAlchemy's statement construction, its cache key, nor its result machinery.

What the caller may see and do is decided as for any request (`policy.viewer_of`,
`queries.shown_to`, `AUDIENCE_FIELDS`); the answer is written here in the shape RequestSchema
documents, where marshmallow's dump of a view costs more than the read's round trip.
tests/requests/test_request_detail.py checks it against the schema's dump of the loaded request
for every kind of viewer.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from flask import current_app
from sqlalchemy import String, and_, bindparam, false, func, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY

from app.accounts import tokens
from app.accounts.models import Organization, Permission, User
from app.accounts.tokens import Caller
from app.compiled import CompiledStatement
from app.requests import policy
from app.requests.models import Attachment, Follower, RequestCategory, ServiceRequest, Support
from app.requests.policy import CategoryRules
from app.requests.queries import no_request, photo_visible, shown_to
from app.requests.schemas import AUDIENCE_FIELDS
from app.transactions import read_connection
from emails.addresses import request_address


class ReadRequest(NamedTuple):
    """What the policy and the audit read of the request."""

    id: int
    organization_id: int
    reporter_id: int | None
    status: str
    category: CategoryRules


_R = ServiceRequest
_REPORTER = User.__table__.alias("reporter")
# The request's columns the answer shows as they are (by RequestSchema's key) or the policy reads.
_REQUEST_COLUMNS = (_R.id, _R.public_id, _R.organization_id, _R.category_id, _R.address, _R.description,
                    _R.status, _R.assignee_id, _R.due_at, _R.acknowledged_at, _R.closed_at, _R.created_at,
                    _R.updated_at, _R.answers, _R.anonymous, _R.sla_due_at, _R.source, _R.support_count,
                    _R.merged_into_id, _R.reporter_id)
# Last in each row: a visible photo's (PhotoSchema's fields, but for the url).
_PHOTO_COLUMNS = tuple(column.label(f"photo_{column.key}") for column in (
    Attachment.id, Attachment.filename, Attachment.content_type, Attachment.size, Attachment.created_at))


def _statement(reader: str):
    """The read for a caller who is nobody (`none`), a user whose `user_id` is bound (`id`), or
    the bearer of a token whose digest is bound (`token`: the reader as `tokens.user_by_digest`
    finds them, their id and when they were last seen, come in the same statement)."""
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
        select(*_REQUEST_COLUMNS, func.ST_Y(_R.location).label("lat"), func.ST_X(_R.location).label("lng"),
               Organization.slug.label("organization_slug"), Organization.name.label("organization_name"),
               RequestCategory.public_restriction, _REPORTER.c.name.label("reporter_name"),
               _REPORTER.c.email.label("reporter_email"), _REPORTER.c.phone.label("reporter_phone"),
               held.label("held"), following.label("following"), supporting.label("supporting"),
               *(column for row in identity for column in (row.c.id.label("reader_id"),
                                                           row.c.last_seen_at.label("reader_last_seen_at"))),
               *_PHOTO_COLUMNS)
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


class _Read(NamedTuple):
    statement: CompiledStatement
    labels: tuple[str, ...]  # a row's columns, by name


@cache
def _read(reader: str) -> _Read:
    """The read for a kind of caller, built and compiled once."""
    statement = _statement(reader)
    return _Read(CompiledStatement(statement), tuple(statement.selected_columns.keys()))


def _rows(reader: str, values: dict) -> tuple[dict | None, list[tuple]]:
    """The first row by column name (None: no such request), and every row."""
    read = _read(reader)
    with read_connection() as conn:
        rows = read.statement.rows(conn, values)
    return (dict(zip(read.labels, rows[0], strict=True)) if rows else None), rows


def _iso(moment):
    return None if moment is None else moment.isoformat()


def _answer(read: tuple[dict | None, list[tuple]], request_id: int, caller) -> dict:
    """The request's answer (RequestSchema's keys and values) as `caller` (a User, a Caller or None) sees it."""
    row, rows = read
    if row is None:
        raise no_request(request_id)
    request = ReadRequest(request_id, row["organization_id"], row["reporter_id"], row["status"],
                          CategoryRules(row["public_restriction"]))
    viewer = policy.viewer_of(caller, request, frozenset(row["held"] or ()))
    public_id, reporter_id = row["public_id"], row["reporter_id"]
    photo_at = len(row) - len(_PHOTO_COLUMNS)
    shown = {
        "id": request_id, "public_id": public_id,
        "organization": {"id": row["organization_id"], "slug": row["organization_slug"],
                         "name": row["organization_name"]},
        "category_id": row["category_id"], "lat": row["lat"], "lng": row["lng"], "address": row["address"],
        "description": row["description"], "status": row["status"], "assignee_id": row["assignee_id"],
        "due_at": _iso(row["due_at"]), "acknowledged_at": _iso(row["acknowledged_at"]),
        "closed_at": _iso(row["closed_at"]), "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
        "email_address": request_address(public_id, current_app.config["INBOUND_DOMAIN"]),
        "answers": row["answers"], "anonymous": row["anonymous"],
        "reporter": None if reporter_id is None else {"id": reporter_id, "name": row["reporter_name"],
                                                       "email": row["reporter_email"],
                                                       "phone": row["reporter_phone"]},
        "sla_due_at": _iso(row["sla_due_at"]), "source": row["source"], "support_count": row["support_count"],
        "merged_into_id": row["merged_into_id"],
        "photos": [{"id": photo_id, "filename": filename, "content_type": content_type, "size": size,
                    "created_at": created_at.isoformat(),
                    "url": f"/api/v1/requests/{request_id}/attachments/{photo_id}"}
                   for photo_id, filename, content_type, size, created_at in (each[photo_at:] for each in rows)
                   if photo_id is not None],
        "viewer": shown_to(viewer, request, row["following"], row["supporting"]),
    }
    allowed = AUDIENCE_FIELDS[viewer.audience]
    return {key: value for key, value in shown.items() if key in allowed}


def answer(request_id: int, user: User | None) -> dict:
    """The request as `user` (None: the public) may see it, with what they may do to it, or 404."""
    if user is None:
        return _answer(_rows("none", {"request_id": request_id}), request_id, None)
    return _answer(_rows("id", {"request_id": request_id, "user_id": user.id}), request_id, user)


def answer_for_token(request_id: int, token: str) -> tuple[dict, Caller | None] | None:
    """`answer` for the bearer of `token`, and that bearer (None: no live token, the public's
    view), both from one statement; None when the request does not exist (the caller is then
    still to be identified)."""
    digest = tokens.token_digest(token)
    if digest is None:
        return answer(request_id, None), None
    read = _rows("token", {"request_id": request_id, "digest": digest})
    row = read[0]
    if row is None:
        return None
    caller = None if row["reader_id"] is None else Caller(row["reader_id"], row["reader_last_seen_at"])
    return _answer(read, request_id, caller), caller
