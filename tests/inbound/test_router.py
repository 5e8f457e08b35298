"""Routing rules that the corpus cannot reach yet (deliveries arrive with notify) or that
need a second organization."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.events.models import Event
from app.extensions import db
from app.inbound.comment_paths import DeliveryRef
from app.inbound.models import InboundEmail, InboundMessage
from app.inbound.outcomes import OUTCOMES
from app.inbound.router import find_sender, reply_situation, request_address_situation
from emails.tokens import claimed_delivery_id, make_reply_token, read_reply_token
from tests.factories import OrganizationFactory, UserFactory
from tests.inbound.world import build_world, mail, store_and_process


def delivery(world, *, user=None, request=None, internal=False) -> DeliveryRef:
    user = user or world.ann
    request = request or world.open_request
    return DeliveryRef(101, world.org.id, request.id, user.id if user else None, "ann@example.org", internal)


def test_a_reply_from_the_recipient_or_their_confirmed_alias_is_their_comment(world):
    for address in ("ann@example.org", "ANN@example.org", "ann.home@example.net"):
        assert reply_situation(delivery(world), find_sender(address), world.open_request) == ("reply_comment", "public")


def test_staff_replying_to_an_internal_notification_comment_internally(world):
    internal = delivery(world, user=world.sam, internal=True)
    assert reply_situation(internal, find_sender("sam@springfield.gov"), world.open_request) == \
        ("reply_comment", "internal")


@pytest.mark.parametrize(("sender", "situation"), [
    ("bob@example.org", "not_a_recipient"),  # a forwarded notification
    ("ann.old@example.com", "unknown_sender"),  # an alias never confirmed
    ("mallory@evil.example", "unknown_sender"),
])
def test_replies_from_anyone_else_go_to_triage(world, sender, situation):
    assert reply_situation(delivery(world), find_sender(sender), world.open_request)[0] == situation
    assert OUTCOMES[situation].action == "triage"


def test_a_reply_about_a_missing_request_goes_to_triage_and_a_closed_one_is_for_the_policy(world):
    ann = find_sender("ann@example.org")
    assert reply_situation(delivery(world), ann, None)[0] == "missing_request"
    # A closed request: the comment path asks the requests policy, as a web comment does.
    assert reply_situation(delivery(world), ann, world.closed_request)[0] == "reply_comment"


def test_a_notification_to_an_address_without_account_cannot_become_a_comment(world):
    external = DeliveryRef(7, world.org.id, world.open_request.id, None, "contractor@example.com", False)
    assert reply_situation(external, None, world.open_request)[0] == "recipient_without_account"


def test_an_inactive_user_is_not_a_sender(world):
    UserFactory(email="gone@example.org", active=False)
    assert find_sender("gone@example.org") is None


def test_request_address_mail_from_staff_stays_internal(world):
    assert request_address_situation(world.sam, True) == ("request_address_comment", "internal")
    assert request_address_situation(world.ann, False) == ("request_address_comment", "public")
    assert request_address_situation(None, False)[0] == "unknown_sender"


def test_reply_tokens_survive_case_changes_and_reject_tampering(app):
    token = make_reply_token(123456, app.config["SECRET_KEY"])
    assert read_reply_token(token.upper(), app.config["SECRET_KEY"]) == 123456
    assert read_reply_token(token[:-1] + ("a" if token[-1] != "a" else "b"), app.config["SECRET_KEY"]) is None
    assert claimed_delivery_id(token) == 123456  # only for finding the triage queue, never trusted


def _only_email() -> InboundEmail:
    db.session.remove()
    return db.session.scalar(select(InboundEmail))


def test_each_organization_gets_mail_for_its_own_addresses(world):
    other = OrganizationFactory(slug="shelbyville", general_email="shelbyville@inbound.test",
                                sender_email="shelbyville-notices@inbound.test")
    store_and_process(mail("bob@example.org", "For Shelbyville."), envelope_to=["shelbyville@inbound.test"])
    assert db.session.scalar(select(InboundMessage.organization_id)) == other.id


def test_with_several_organizations_a_broken_token_names_no_queue(world):
    OrganizationFactory(slug="shelbyville", general_email="shelbyville@inbound.test",
                        sender_email="shelbyville-notices@inbound.test")
    store_and_process(mail("ann@example.org", "Who gets this?"), envelope_to=["reply+nonsense@inbound.test"])
    stored = _only_email()
    assert (stored.status, stored.reason) == ("ignored", "no_organization")
    assert "no organization" in stored.outcome


def test_with_several_organizations_another_recipient_names_the_queue(world):
    org_id = world.org.id
    OrganizationFactory(slug="shelbyville", general_email="shelbyville@inbound.test",
                        sender_email="shelbyville-notices@inbound.test")
    store_and_process(mail("ann@example.org", "Cc'd the city."),
                      envelope_to=["reply+nonsense@inbound.test", "springfield@inbound.test"])
    stored = _only_email()
    assert (stored.status, stored.reason, stored.organization_id) == ("triaged", "bad_token", org_id)


def test_a_catch_all_address_is_handed_a_copy_of_what_is_triaged(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    world = build_world({"triage_catch_all": "clerk@springfield.gov"})
    store_and_process(mail("bob@example.org", "Hello."), envelope_to=["springfield@inbound.test"])
    message_id = db.session.scalar(select(InboundMessage.id))
    copy = db.session.scalar(select(Event).where(Event.kind == "inbound.catch_all_copy"))
    assert copy.payload == {"inbound_message_id": message_id, "email": "clerk@springfield.gov"}
    assert copy.organization_id == world.org.id


def test_a_hard_bounce_marks_the_user_once(world):
    from app.accounts.models import User
    from tests.inbound.test_corpus import CORPUS

    ann_id = world.ann.id

    raw = (CORPUS / "bounce_hard_user.eml").read_bytes()
    store_and_process(raw, envelope_from="", envelope_to=["no-reply@inbound.test"])
    db.session.remove()
    first = db.session.get(User, ann_id).email_bounced_at
    assert isinstance(first, datetime) and first.tzinfo is not None and first <= datetime.now(UTC)
    # A second report (a new Message-ID) keeps the first time and the one suppression row.
    store_and_process(raw.replace(b"Message-ID: <bounce_hard_user@", b"Message-ID: <second@"),
                      envelope_from="", envelope_to=["no-reply@inbound.test"])
    db.session.remove()
    assert db.session.get(User, ann_id).email_bounced_at == first
