"""Over real sockets: a resident's mail reaches the SMTP listener, crosses Redis to a real
worker, and staff see it in the queue; automatic replies leave no trace but the log."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.inbound.models import InboundEmail
from app.inbound.smtp import start_listener
from emails.dns import StaticResolver
from tests.inbound.world import build_world, mail, send_smtp
from tests.support.auth import bearer
from tests.support.smtp import free_port


def _wait_until_processed(count: int, timeout: float = 20.0) -> list[InboundEmail]:
    deadline = time.monotonic() + timeout
    while True:
        db.session.remove()
        rows = db.session.scalars(select(InboundEmail).order_by(InboundEmail.id)).all()
        if (len(rows) >= count and all(r.status != "received" for r in rows)) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


@pytest.mark.e2e
def test_mail_to_the_city_reaches_the_triage_queue_through_redis(app, client, redis_worker, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    # Bob's domain lets this machine send for it (SPF), so the listener proves him the sender.
    monkeypatch.setitem(app.config, "INBOUND_DNS_RESOLVER", StaticResolver({
        ("example.org", "TXT"): ["v=spf1 ip4:127.0.0.1 -all"]}))
    world = build_world()
    headers, bob_id = bearer(world.sam), world.bob.id
    listener = start_listener(app, host="127.0.0.1", port=free_port())
    try:
        send_smtp(listener, mail("bob@example.org", "Broken swing in Lincoln Park.", photo=True),
                  "bob@example.org", ["springfield@inbound.test"])
        vacation = mail("bob@example.org", "I am away.", subject="Automatic reply: hello")
        send_smtp(listener, vacation, "bob@example.org", ["springfield@inbound.test"])
    finally:
        listener.stop()
    rows = _wait_until_processed(2)
    assert [(r.received_via, r.status) for r in rows] == [("smtp", "triaged"), ("smtp", "ignored")]
    assert "nothing sent in answer" in rows[1].outcome

    listed = client.get("/api/v1/orgs/springfield/inbound-messages", headers=headers).get_json()
    assert listed["total"] == 1
    message = listed["items"][0]
    assert message["body"] == "Broken swing in Lincoln Park." and message["sender_user_id"] == bob_id
    assert [a["filename"] for a in message["attachments"]] == ["photo.png"]
