"""The incoming email log an organization sees: every message, its status, what it did."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.inbound.log import IncomingLogEntrySchema, incoming_log, log_entry
from app.inbound.models import InboundMessage
from app.pagination import paginate
from tests.factories import OrganizationFactory
from tests.inbound.world import mail, store_and_process


def test_the_log_lists_every_message_of_the_organization_with_what_it_did(world):
    org_id = world.org.id
    other = OrganizationFactory(slug="shelbyville", general_email="shelbyville@inbound.test",
                                sender_email="shelbyville-notices@inbound.test")
    general = mail("bob@example.org", "Bench broken.", subject="Bench")
    store_and_process(general, envelope_to=["springfield@inbound.test"])
    store_and_process(general, envelope_to=["springfield@inbound.test"])  # the same message again
    store_and_process(mail("bob@example.org", "Hello Shelbyville."), envelope_to=["shelbyville@inbound.test"])
    message_id = db.session.scalar(select(InboundMessage.id).where(InboundMessage.organization_id == org_id))

    page = paginate(incoming_log(org_id), 1, 25, scalars=False)
    entries = IncomingLogEntrySchema(many=True).dump([log_entry(row) for row in page["items"]])
    assert page["total"] == 2
    duplicate, original = entries
    assert (original["status"], original["reason"], original["inbound_message_id"]) == \
        ("triaged", "general_address", message_id)
    assert original["from"] == "bob@example.org" and original["subject"] == "Bench"
    assert original["direction"] == "in" and original["to"] == ["springfield@inbound.test"]
    assert f"inbound message #{message_id}" in original["outcome"]
    assert duplicate["status"] == "duplicate" and f"#{original['id']}" in duplicate["outcome"]
    assert paginate(incoming_log(other.id, status="triaged"), 1, 25, scalars=False)["total"] == 1
