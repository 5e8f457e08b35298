"""A list's statement is built once per shape of filters, and what it answers is what the ORM reads.

`queries.list_requests` keeps one statement per set of filters given (their values bound), so
a second call with other values builds nothing and must still answer its own values; its JSON
must be, to the byte, marshmallow's own dump of the same requests loaded by the ORM.
"""

from __future__ import annotations

import json
from datetime import timedelta

import marshmallow as ma
import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.pagination import page_schema
from app.requests import queries
from app.requests.models import ServiceRequest
from app.requests.policy import Audience
from app.requests.schemas import RequestSchema, RequestView
from app.serialization import FastDump
from tests.factories import CategoryFactory, ServiceRequestFactory, UserFactory, make_member


@pytest.fixture
def requests():
    category = CategoryFactory()
    staff = make_member(category.organization, "staff")
    reporter = UserFactory(phone="+1 217 555 0101")
    now = utcnow()
    rows = [ServiceRequestFactory(category=category, reporter=reporter, status=("open", "closed", "acknowledged")[n % 3],
                                  description=f"{('Pothole', 'Streetlight')[n % 2]} {n}", anonymous=n % 4 == 0,
                                  answers={"depth": n}, assignee=staff if n % 2 else None)
            for n in range(9)]
    db.session.commit()
    for n, row in enumerate(rows):  # one hour apart, newest first by index
        row.updated_at = now - timedelta(hours=n)
    db.session.commit()
    return {"org": category.organization, "staff": staff, "rows": rows, "now": now}


def _page(**filters) -> dict:
    return {"page": 1, "per_page": 20, **filters}


def _ids(page) -> list[int]:
    return [item.id for item in page["items"]]


def _expected(*conditions) -> list[int]:
    return list(db.session.scalars(select(ServiceRequest.id).where(*conditions)
                                   .order_by(ServiceRequest.updated_at.desc(), ServiceRequest.id.desc())))


def test_a_second_call_of_a_shape_builds_nothing_and_answers_its_own_values(requests):
    now = requests["now"]
    first = queries.list_requests(_page(updated_after=now - timedelta(hours=2, minutes=30)))
    shapes = dict(queries._LIST_PAGES)
    second = queries.list_requests(_page(updated_after=now - timedelta(hours=6, minutes=30)))
    assert shapes == queries._LIST_PAGES  # the same statements, none built
    assert _ids(first) == _expected(ServiceRequest.updated_at > now - timedelta(hours=2, minutes=30))
    assert _ids(second) == _expected(ServiceRequest.updated_at > now - timedelta(hours=6, minutes=30))
    assert (first["total"], second["total"]) == (3, 7)


@pytest.mark.parametrize("statuses", [["open"], ["open", "closed"], ["closed", "acknowledged", "open"]])
def test_a_staff_queue_by_status_binds_a_list_of_any_length_in_the_page_and_its_counted_total(requests, statuses):
    page = queries.staff_queue(requests["org"], requests["staff"], _page(status=statuses))
    assert _ids(page) == _expected(ServiceRequest.status.in_(statuses))
    assert page["total"] == len(page["items"])


def _marshmallow_json(monkeypatch, schema, page) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(FastDump, "dump", ma.Schema.dump)
        return json.dumps(schema.dump(page))


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.STAFF])
@pytest.mark.parametrize("filters", [{}, {"status": ["open", "closed"]}, {"q": "light"}, {"assigned_to": True},
                                     {"updated_after": timedelta(hours=4, minutes=30)}],
                         ids=["all", "status", "q", "assigned_to", "updated_after"])
def test_a_list_dumps_to_the_json_marshmallow_makes_of_the_orm_requests(requests, audience, filters, monkeypatch):
    if "updated_after" in filters:
        filters = {"updated_after": requests["now"] - filters["updated_after"]}
    if "assigned_to" in filters:
        filters = {"assigned_to": requests["staff"].id}
    schema = page_schema(RequestSchema, "JsonRequestPageSchema")()
    if audience is Audience.STAFF:
        page = queries.staff_queue(requests["org"], requests["staff"], _page(**filters))
    else:
        page = queries.list_requests(_page(**filters))
    assert page["items"]
    loaded = {**page, "items": [RequestView(db.session.get(ServiceRequest, item.id), audience) for item in page["items"]]}
    assert json.dumps(schema.dump(page)) == _marshmallow_json(monkeypatch, schema, loaded)
