"""Every change records exactly one Event with the catalogue's payload; no change records none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.errors import Conflict
from app.events.kinds import EVENT_KINDS
from app.events.models import Event
from app.extensions import db
from app.requests import service
from app.requests.queries import is_following
from app.work.business_hours import add_business_hours, calendar_from_settings
from tests.requests.city import LAT, LNG, PNG, build_city


def _events(request_id: int) -> list[tuple[str, int | None, dict]]:
    rows = db.session.scalars(select(Event).where(Event.request_id == request_id).order_by(Event.id))
    return [(e.kind, e.actor_id, e.payload) for e in rows]


def _new_events(request_id: int, before: int) -> list[tuple[str, int | None, dict]]:
    return _events(request_id)[before:]


def test_each_change_records_one_event_with_its_payload(upload_dir):
    city = build_city()
    rid = city.request.id
    steps = [
        (lambda: service.acknowledge(rid, city.staff), ("request.acknowledged", city.staff.id, {})),
        (lambda: service.assign(rid, city.staff, city.admin.id),
         ("request.assigned", city.staff.id, {"assignee_id": city.admin.id, "previous_assignee_id": None})),
        (lambda: service.recategorize(rid, city.staff, city.other_category.id),
         ("request.recategorized", city.staff.id,
          {"category_id": city.other_category.id, "previous_category_id": city.category.id})),
        (lambda: service.set_due_date(rid, city.staff, datetime(2030, 1, 2, 9, tzinfo=UTC)),
         ("request.due_date_changed", city.staff.id, {"due_at": "2030-01-02T09:00:00+00:00", "previous_due_at": None})),
        (lambda: service.add_comment(rid, city.resident_b, "Seen it"),
         ("request.comment_public", city.resident_b.id, {"comment_id": 1})),
        (lambda: service.add_comment(rid, city.staff, "Ask @alex.admin", "internal"),
         ("request.comment_internal", city.staff.id, {"comment_id": 2, "mentioned_user_ids": [city.admin.id]})),
        (lambda: service.follow(rid, city.resident_b), ("request.followed", city.resident_b.id,
                                                        {"user_id": city.resident_b.id})),
        (lambda: service.add_photo(rid, city.resident_a, PNG, "hole.png"),
         ("request.attachment_added", city.resident_a.id, {"attachment_id": 1})),
        (lambda: service.close(rid, city.resident_a, "Fixed, thanks"),
         ("request.closed", city.resident_a.id, {"by_reporter": True, "comment_id": 3})),
        (lambda: service.reopen(rid, city.staff),
         ("request.reopened", city.staff.id, {"by_reporter": False, "comment_id": None})),
    ]
    for change, expected in steps:
        before = len(_events(rid))
        change()
        assert _new_events(rid, before) == [expected]
        assert expected[0] in EVENT_KINDS


def test_no_change_records_no_event():
    city = build_city()
    rid = city.request.id
    service.assign(rid, city.staff, None)
    service.recategorize(rid, city.staff, city.category.id)
    service.set_due_date(rid, city.staff, None)
    service.follow(rid, city.resident_b)
    before = len(_events(rid))
    service.follow(rid, city.resident_b)  # following twice
    service.unfollow(rid, city.resident_b)  # unfollowing is not a request change
    assert _events(rid)[before:] == []


def test_a_refused_change_records_nothing_and_changes_nothing():
    city = build_city()
    with pytest.raises(Conflict):
        service.reopen(city.request.id, city.staff)
    db.session.rollback()
    assert _events(city.request.id) == []
    assert db.session.get(type(city.request), city.request.id).status == "open"


def test_submission_records_submitted_and_the_auto_assignment_and_the_reporter_follows():
    city = build_city()
    city.category.auto_assignee_id = city.staff.id
    db.session.commit()
    request = service.submit(city.resident_a, category_id=city.category.id, lat=LAT, lng=LNG, description="Hole")
    assert _events(request.id) == [
        ("request.submitted", city.resident_a.id, {}),
        ("request.assigned", None, {"assignee_id": city.staff.id, "previous_assignee_id": None}),
    ]
    assert is_following(request, city.resident_a)


def test_an_auto_assignee_who_left_the_organization_is_not_assigned():
    city = build_city()
    city.category.auto_assignee_id = city.resident_b.id  # not a member
    db.session.commit()
    request = service.submit(city.resident_a, category_id=city.category.id, lat=LAT, lng=LNG, description="Hole")
    assert request.assignee_id is None
    assert [kind for kind, _, _ in _events(request.id)] == ["request.submitted"]


def test_the_sla_deadline_is_set_on_submission_recategorization_and_reopening():
    city = build_city()  # pothole: 48 h; graffiti: no SLA
    request = service.submit(city.resident_a, category_id=city.category.id, lat=LAT, lng=LNG, description="Hole")
    # 48 business hours from submission, in the organization's calendar (app/work/business_hours.py).
    calendar = calendar_from_settings(city.category.organization.settings, city.category.organization.timezone)
    expected = add_business_hours(request.created_at, 48, calendar)
    assert abs(request.sla_due_at - expected) < timedelta(minutes=1)
    service.recategorize(request.id, city.staff, city.other_category.id)
    assert request.sla_due_at is None
    service.recategorize(request.id, city.staff, city.category.id)
    service.close(request.id, city.staff)
    request.sla_due_at = None
    db.session.commit()
    service.reopen(request.id, city.staff)
    assert request.sla_due_at is not None
