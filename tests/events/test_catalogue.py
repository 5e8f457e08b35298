"""Every kind of the catalogue, recorded as its service would: what the timeline says of it, who
is notified of it (or that nobody is, without a word in the log), and that its email renders."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app.events.kinds import (
    COMMENT,
    KINDS,
    OPTIONAL,
    PUBLIC,
    PayloadInvalid,
    check_catalogue,
)
from app.events.service import record_event
from app.extensions import db
from app.notify.delivery import send_due_deliveries
from app.notify.fanout import fan_out
from app.notify.matrix import EVENT_TYPES, rules_for
from app.notify.models import EmailDelivery, Notification
from app.notify.templates import sample_context
from app.portal.timeline import lines
from app.requests import queries
from app.requests.models import Comment
from app.requests.policy import Audience
from emails.render import render_email
from tests.notify.world import INBOUND_BODY, INBOUND_SENDER, INBOUND_SUBJECT, World

CATCH_ALL = "copy@city.example"


def _comment(world: World, visibility: str) -> int:
    comment = Comment(request_id=world.request.id, author_id=world.people["actor"].id,
                      body=f"A {visibility} word", visibility=visibility)
    db.session.add(comment)
    db.session.flush()
    return comment.id


def example_payload(kind: str, world: World) -> dict:
    """A payload of `kind` naming this world's rows, built from the catalogue's own description."""
    rows = {
        "comment_id": lambda: _comment(world, "internal" if kind == "request.comment_internal" else "public"),
        "user_id": lambda: world.people["subject"].id, "assignee_id": lambda: world.people["assignee"].id,
        "category_id": lambda: world.category.id, "work_order_id": lambda: world.work_order.id,
        "watch_area_id": lambda: world.watch_area.id, "inbound_message_id": world.inbound_message_id,
        "into_id": lambda: world.request.id, "request_id": lambda: world.request.id,
        "mentioned_user_ids": lambda: [world.people["mentioned"].id],
    }
    strings = {"email": CATCH_ALL, "status": "in_progress", "previous_status": "open", "purpose": "reset",
               "into_public_id": "other00001", "role": "staff", "previous_role": "admin", "name": "Crew",
               "reason": "spam", "template": "request.acknowledged", "audience": "reporter"}
    payload = {}
    for key, spec in KINDS[kind].payload.items():
        if key.endswith("?"):
            continue
        types = spec if isinstance(spec, tuple) else (spec,)
        if key in rows:
            payload[key] = rows[key]()
        elif key.endswith("_at"):
            payload[key] = "2030-01-02T17:00:00+00:00"
        elif str in types:
            payload[key] = strings.get(key, "x")
        elif bool in types:
            payload[key] = False
        elif int in types:
            payload[key] = None if OPTIONAL in types and key.startswith("previous_") else 1
        elif list in types:
            payload[key] = []
    return payload


def _record(kind: str, world: World):
    about_request = KINDS[kind].timeline is not None or kind.startswith(("request.", "work_order."))
    event = record_event(kind, request=world.request if about_request else None,
                         organization_id=None if about_request else world.org.id,
                         actor=world.people["actor"], payload=example_payload(kind, world))
    db.session.commit()
    return event


def test_the_catalogue_is_complete_by_construction():
    check_catalogue()  # raises on a timeline kind without a phrase, a phrase never shown, an unknown type


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_says_what_the_catalogue_says(kind, stub_broker, smtp_server, caplog):
    entry = KINDS[kind]
    world = World.build()
    event = _record(kind, world)

    # The timeline: its phrase for who may see it, and nothing for whoever may not.
    if entry.timeline is not None:
        staff_view = lines(queries.timeline_page(world.request, Audience.STAFF, 1, 100)["items"])
        public_view = lines(queries.timeline_page(world.request, Audience.PUBLIC, 1, 100)["items"])
        if entry.timeline == COMMENT:
            comment_id = event.payload["comment_id"]
            assert [line.comment.id for line in staff_view if line.comment is not None] == [comment_id]
        else:
            [said] = [line.text for line in staff_view if line.kind == kind]
            assert "?" not in said and said  # every placeholder of the phrase is filled
            assert (kind in [line.kind for line in public_view]) is (entry.timeline == PUBLIC)

    # The notification, or the silence of an audit-only kind (nothing logged as unknown).
    with caplog.at_level(logging.INFO, logger="app.notify"):
        fan_out(event.id)
    assert "unknown kind" not in caplog.text
    db.session.rollback()
    told = db.session.scalars(select(Notification.user_id).where(Notification.event_id == event.id)).all()
    mailed = db.session.scalars(select(EmailDelivery).where(EmailDelivery.event_id == event.id)).all()
    # Who is notified: the matrix's rows, or (an automation's email) the audience the payload names.
    if entry.notifies is None or not (rules_for(kind) or entry.notifies.audience_from_payload):
        assert not told and not mailed, f"{kind} has no matrix row but notified someone"
        assert (kind in EVENT_TYPES) is (entry.notifies is not None)
    else:
        assert told or mailed, f"{kind} has matrix rows but notified nobody"
        assert all(row.kind == kind for row in mailed)

    # The template: its real emails go out, and it renders from the documented variables.
    if entry.notifies is not None:
        send_due_deliveries(50)
        db.session.rollback()
        statuses = set(db.session.scalars(select(EmailDelivery.status).where(EmailDelivery.event_id == event.id)))
        assert statuses <= {"sent"}, statuses
        if mailed:
            assert all(mail.subject for mail in smtp_server.wait_for(len(mailed)))
        rendered = render_email(entry.template, sample_context(world.org, kind))
        assert rendered.subject and rendered.text.strip() and rendered.html.strip()


def test_a_payload_the_catalogue_does_not_describe_is_refused():
    world = World.build()
    request = world.request
    for payload in ({}, {"by_reporter": 1, "comment_id": None}, {"by_reporter": False, "comment_id": None, "x": 1},
                    {"by_reporter": False, "comment_id": "7"}):
        with pytest.raises(PayloadInvalid):
            record_event("request.closed", request=request, payload=payload)
    with pytest.raises(PayloadInvalid, match="unknown event kind"):
        record_event("request.vanished", request=request)
    db.session.rollback()
    record_event("request.closed", request=request, payload={"by_reporter": False, "comment_id": None})  # fine


def test_the_catch_all_copy_is_emailed_to_the_catch_all_address(stub_broker, smtp_server):
    world = World.build()
    message_id = world.inbound_message_id()
    event = record_event("inbound.catch_all_copy", organization_id=world.org.id,
                         payload={"inbound_message_id": message_id, "email": CATCH_ALL})
    db.session.commit()
    fan_out(event.id)
    send_due_deliveries(10)
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [CATCH_ALL]
    assert mail.subject == f"[{world.org.name}] Copy of an inbound message: {INBOUND_SUBJECT}"
    text = mail.text()
    assert INBOUND_BODY in text and INBOUND_SENDER in text
    assert f"/staff/{world.org.slug}/inbound/{message_id}" in text
