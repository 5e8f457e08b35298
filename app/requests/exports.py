"""Exports of an organization's requests as CSV and GeoJSON, streamed row by row.

The rows come from one server-side cursor (`yield_per`), so a million requests are never in
memory at once: the web process holds one batch and the bytes of the chunk being written.
Filters are the staff queue's (`queries.filter_conditions`). Staff of the organization
(`view_requests`) get the staff columns; everybody else the public ones (what the public
request list shows: no reporter, no SLA).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.accounts.models import Organization, User
from app.db_types import isoformat_utc
from app.extensions import db
from app.requests import policy
from app.requests.models import RequestCategory, ServiceRequest
from app.requests.queries import filter_conditions

BATCH = 2000
PUBLIC_COLUMNS = ("id", "public_id", "category_code", "category_name", "status", "lat", "lng", "address",
                  "description", "assignee_id", "due_at", "acknowledged_at", "closed_at", "created_at",
                  "updated_at")
STAFF_COLUMNS = PUBLIC_COLUMNS + ("sla_due_at", "source", "assignee_name", "reporter_name", "reporter_email")
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def columns_for(organization: Organization, user: User | None) -> tuple[str, ...]:
    """Staff columns for members who may see every request, public columns for everyone else."""
    if policy.SEE_INTERNAL_PERMISSION in policy.permissions_of(user, organization.id):
        return STAFF_COLUMNS
    return PUBLIC_COLUMNS


def _statement(organization: Organization, columns: tuple[str, ...], filters: dict):
    reporter, assignee = aliased(User), aliased(User)
    r = ServiceRequest
    available = {
        "id": r.id, "public_id": r.public_id, "category_code": RequestCategory.code,
        "category_name": RequestCategory.name, "status": r.status,
        "lat": func.ST_Y(r.location), "lng": func.ST_X(r.location), "address": r.address,
        "description": r.description, "assignee_id": r.assignee_id, "due_at": r.due_at,
        "acknowledged_at": r.acknowledged_at, "closed_at": r.closed_at, "created_at": r.created_at,
        "updated_at": r.updated_at, "sla_due_at": r.sla_due_at, "source": r.source,
        "assignee_name": assignee.name, "reporter_name": reporter.name, "reporter_email": reporter.email,
    }
    statement = (select(*[available[name].label(name) for name in columns])
                 .join(RequestCategory, RequestCategory.id == r.category_id)
                 .where(r.organization_id == organization.id, *filter_conditions(filters))
                 .order_by(r.id))
    if "assignee_name" in columns:
        statement = statement.outerjoin(assignee, assignee.id == r.assignee_id)
    if "reporter_name" in columns:
        statement = statement.outerjoin(reporter, reporter.id == r.reporter_id)
    return statement


def _rows(organization: Organization, columns: tuple[str, ...], filters: dict) -> Iterator:
    result = db.session.execute(_statement(organization, columns, filters), execution_options={"yield_per": BATCH})
    try:
        yield from result.partitions()
    finally:
        result.close()
        db.session.rollback()  # end the read transaction the cursor lived in


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return isoformat_utc(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # text only: a negative longitude stays a number
    return str(value)


def csv_chunks(organization: Organization, user: User | None, filters: dict) -> Iterator[str]:
    """The export as CSV text, one chunk per batch of rows, header first."""
    columns = columns_for(organization, user)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield buffer.getvalue()
    for partition in _rows(organization, columns, filters):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_cell(value) for value in row] for row in partition)
        yield buffer.getvalue()


def geojson_chunks(organization: Organization, user: User | None, filters: dict) -> Iterator[str]:
    """The export as one GeoJSON FeatureCollection (points, WGS 84), written feature by feature."""
    columns = columns_for(organization, user)
    yield '{"type":"FeatureCollection","features":['
    first = True
    for partition in _rows(organization, columns, filters):
        parts = []
        for row in partition:
            values = row._mapping
            properties = {name: isoformat_utc(v) if hasattr(v, "isoformat") else v
                          for name, v in values.items() if name not in ("lat", "lng")}
            feature = {"type": "Feature", "id": values["id"],
                       "geometry": {"type": "Point", "coordinates": [values["lng"], values["lat"]]},
                       "properties": properties}
            parts.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
            first = False
        yield "".join(parts)
    yield "]}"
