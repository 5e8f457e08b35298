"""Every hand-written message in tests/inbound/corpus ends where expected.toml says.

Each one is sent through the real inbound SMTP listener (or stored as the CLI would) and
processed by the real actor on a worker; then we look at what a person would see: the
email log row, the comment on the request, the triage queue, the suppression list, the
events for the notify engine. Reply tokens name the deliveries tests/inbound/world.py makes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.events.models import Event
from app.extensions import db
from app.inbound.models import InboundEmail, InboundMessage, SuppressedAddress
from app.inbound.smtp import start_listener
from app.requests.models import Comment
from tests.inbound.world import build_world, envelope_for, render, send_smtp, store_and_process
from tests.support.smtp import free_port

CORPUS = Path(__file__).parent / "corpus"
MANIFEST: dict[str, dict] = tomllib.loads((CORPUS / "expected.toml").read_text())


def test_the_corpus_is_large_and_every_file_has_an_expectation():
    files = {p.name for p in CORPUS.glob("*.eml")}
    assert len(files) >= 60
    assert files == set(MANIFEST)


@pytest.fixture
def inbound_listener(app):
    controller = start_listener(app, host="127.0.0.1", port=free_port())
    yield controller
    controller.stop()


def _deliver(row: dict, raw: bytes, listener) -> None:
    mail_from, rcpt = envelope_for(raw)
    mail_from = row.get("mail_from", mail_from)
    rcpt = row.get("rcpt", rcpt)
    for _ in range(row.get("copies", 1)):
        if row.get("via") == "actor":
            store_and_process(raw, envelope_from=mail_from or None, envelope_to=rcpt)
        else:
            send_smtp(listener, raw, mail_from, rcpt)


def _check_message(row: dict, message: InboundMessage) -> None:
    for excerpt in [row["body"]] if "body" in row else []:
        assert excerpt in message.body, message.body
    for excerpt in row.get("absent", []):
        assert excerpt not in message.body, message.body
    assert len(message.attachments) == row.get("attachments", 0), [a.filename for a in message.attachments]
    refused = [f"{r['filename']}: {r['reason']}" for r in message.refused_attachments]
    assert len(refused) == len(row.get("refused", [])), refused
    for expected, actual in zip(row.get("refused", []), refused, strict=True):
        assert expected in actual
    for name in row.get("filenames", []):
        assert name in [a.filename for a in message.attachments]
    if "message_status" in row:
        assert message.status == row["message_status"]
    if "subject" in row:
        assert message.subject == row["subject"]
    if "sender" in row:
        assert message.sender_email == row["sender"]
    if "reason_text" in row:
        assert row["reason_text"] in message.reason_text, message.reason_text


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_corpus_message_ends_where_expected(name, app, inbound_listener, stub_broker, stub_worker,
                                            monkeypatch, tmp_path):
    row = MANIFEST[name]
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "INBOUND_ATTACHMENT_MAX_BYTES", 64 * 1024)
    # The corpus arrives as through the receiving MTA mx.inbound.test, whose results are trusted.
    monkeypatch.setitem(app.config, "INBOUND_AUTHSERV_ID", "mx.inbound.test")
    org_id = build_world(row.get("org_settings")).org.id
    _deliver(row, render((CORPUS / name).read_bytes()), inbound_listener)
    stub_broker.join("inbound")
    stub_worker.join()
    db.session.remove()

    emails = db.session.scalars(select(InboundEmail).order_by(InboundEmail.id)).all()
    assert len(emails) == row.get("copies", 1)
    first = emails[0]
    assert (first.status, first.reason) == (row["status"], row["reason"]), first.outcome
    assert first.outcome and first.processed_at is not None
    assert [e.status for e in emails[1:]] == ["duplicate"] * (len(emails) - 1)

    messages = db.session.scalars(select(InboundMessage)).all()
    received_events = db.session.scalars(select(Event).where(Event.kind == "inbound.message_received")).all()
    if row["status"] == "triaged":
        assert len(messages) == 1
        _check_message(row, messages[0])
        assert messages[0].organization_id == org_id == first.organization_id
        assert [e.payload for e in received_events] == [{"inbound_message_id": messages[0].id}]
    else:
        assert messages == [] and received_events == []

    comments = db.session.scalars(select(Comment).where(Comment.source == "email")).all()
    if row["reason"] in ("reply_comment", "request_address_comment"):
        assert len(comments) == 1 and comments[0].id == first.comment_id
        assert row["body"] in comments[0].body
        assert comments[0].visibility == row["visibility"]
    else:
        assert comments == []

    suppressed = set(db.session.scalars(select(SuppressedAddress.email)))
    assert suppressed == set(row.get("suppressed", []))
    bounced = set(db.session.scalars(select(User.email).where(User.email_bounced_at.is_not(None))))
    assert bounced == set(row.get("bounced_users", []))
