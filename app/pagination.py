"""Paginated lists: `page` and `per_page` (at most 100) in, {items, total, page, per_page} out."""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import Integer, bindparam, func, select

from app.extensions import db
from app.serialization import FastDump

MAX_PER_PAGE = 100
# Keeps OFFSET within BIGINT: a page number past this is a 422, not a database error.
MAX_PAGE = 1_000_000


class PaginationArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE))
    per_page = ma.fields.Integer(load_default=25, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))


class _PageSchema(FastDump, ma.Schema):
    """A list envelope: dumped by FastDump, so a FastDump item schema's items are dumped by its own loop."""


def page_schema(item_schema: type[ma.Schema], name: str | None = None) -> type[ma.Schema]:
    """The list envelope {items, total, page, per_page} around `item_schema`."""
    return _PageSchema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "total": ma.fields.Integer(required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
        },
        name=name or f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
    )


def _total_of(statement, total):
    return total if total is not None else select(func.count()).select_from(statement.order_by(None).subquery())


def paginate(statement, page: int, per_page: int, *, scalars: bool = True, total=None) -> dict:
    """Run `statement` for one page, with the count of the whole in the same round trip; the list envelope.

    The count rides along as an uncorrelated scalar subquery (an InitPlan, evaluated once, with
    its own best plan); only a page past the end, which returns no row to carry it, costs a
    second statement. `total`, a scalar SELECT of the same number read more cheaply (a counter),
    replaces counting the rows.
    """
    total_of = _total_of(statement, total)
    paged = statement.add_columns(total_of.scalar_subquery().label("_total"))
    frozen = db.session.execute(paged.limit(per_page).offset((page - 1) * per_page)).freeze()
    rows = frozen().all()
    if not rows:
        return {"items": [], "total": 0 if page == 1 else db.session.scalar(total_of), "page": page,
                "per_page": per_page}
    items = [row[0] for row in rows] if scalars else frozen().columns(*range(len(rows[0]) - 1)).all()
    return {"items": items, "total": rows[0][-1], "page": page, "per_page": per_page}


class BoundPage:
    """`paginate` of a statement built once, its values (and the page's LIMIT and OFFSET) bound
    parameters: a hot read pays neither the construction nor the ORM, its rows are Core rows
    (the page's count last, after the statement's own columns)."""

    def __init__(self, statement, *, total=None):
        self.total_of = _total_of(statement, total)
        self.paged = (statement.add_columns(self.total_of.scalar_subquery().label("_total"))
                      .limit(bindparam("_limit", type_=Integer)).offset(bindparam("_offset", type_=Integer)))

    def run(self, params: dict, page: int, per_page: int) -> dict:
        db.session.flush()  # what the ORM's autoflush does before a query: pending rows are listed
        connection = db.session.connection()
        rows = connection.execute(self.paged, {**params, "_limit": per_page, "_offset": (page - 1) * per_page}).all()
        if not rows:
            return {"items": [], "total": 0 if page == 1 else connection.execute(self.total_of, params).scalar(),
                    "page": page, "per_page": per_page}
        return {"items": rows, "total": rows[0][-1], "page": page, "per_page": per_page}
