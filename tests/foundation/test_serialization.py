"""FastDump gives what marshmallow's own dump gives, for every audience of a request and a timeline."""

from __future__ import annotations

import marshmallow as ma
import pytest

from app.extensions import db
from app.requests import queries
from app.requests.policy import Audience
from app.requests.schemas import RequestSchema, RequestView, TimelineEntrySchema
from app.serialization import FastDump
from tests.factories import CommentFactory, ServiceRequestFactory, make_member


def _marshmallow_dump(monkeypatch, schema, obj, many=False):
    """The reference: marshmallow's own dump, for the schema and every nested one."""
    with monkeypatch.context() as patch:
        patch.setattr(FastDump, "dump", ma.Schema.dump)
        return schema.dump(obj, many=many)


@pytest.fixture
def request_row():
    row = ServiceRequestFactory(answers={"depth": "deep"}, anonymous=True)
    CommentFactory(request=row, author=row.reporter, body="Still there")
    db.session.commit()
    return row


@pytest.mark.parametrize("audience", list(Audience))
@pytest.mark.parametrize("detail", [False, True], ids=["list", "detail"])
def test_a_request_dumps_as_marshmallow_dumps_it(request_row, audience, detail, monkeypatch):
    view = RequestView(request_row, audience, photos=[] if detail else None,
                       viewer={"following": True, "supporting": False, "actions": ["comment"]} if detail else None)
    schema = RequestSchema()
    fast = schema.dump(view)
    assert fast == _marshmallow_dump(monkeypatch, schema, view)
    assert ("reporter" in fast) is (audience is not Audience.PUBLIC)
    assert ("viewer" in fast) is detail


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.STAFF])
def test_a_timeline_dumps_as_marshmallow_dumps_it(request_row, audience, monkeypatch):
    make_member(request_row.organization, "staff")
    entries = queries.timeline_page(request_row, audience, 1, 50)["items"]
    schema = TimelineEntrySchema()
    assert entries
    assert schema.dump(entries, many=True) == _marshmallow_dump(monkeypatch, schema, entries, many=True)
    # An anonymous reporter's comment names nobody to the public.
    author = next(e for e in schema.dump(entries, many=True) if e["comment"])["comment"]["author"]
    assert (author["id"] is None) is (audience is Audience.PUBLIC)
