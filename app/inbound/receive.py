"""Every receiving path (SMTP listener, webhook, CLI) stores the raw bytes here first."""

from __future__ import annotations

import hashlib
import logging
from email.parser import BytesHeaderParser
from email.policy import compat32

from app.extensions import db
from app.inbound.models import InboundEmail
from app.transactions import unit_of_work
from emails.charsets import clean_text
from emails.mime import decode_header_value, normalize_message_id

log = logging.getLogger(__name__)

MAX_ADDRESS_CHARS = 998  # an SMTP line: nothing honest is longer


def _message_id(raw: bytes) -> str | None:
    try:
        value = BytesHeaderParser(policy=compat32).parsebytes(raw).get("Message-ID")
        return normalize_message_id(decode_header_value(value)) if value else None
    except Exception:  # a malformed header must not stop us from keeping the message
        return None


def _address(value: str | None) -> str | None:
    return None if value is None else clean_text(value)[:MAX_ADDRESS_CHARS]


@unit_of_work()
def store_raw_message(raw: bytes, *, received_via: str, envelope_from: str | None = None,
                      envelope_to: list[str] | None = None, authentication: str | None = None) -> int:
    """Commit the message and return its id; nothing is parsed beyond the Message-ID."""
    stored = InboundEmail(
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        message_id=_message_id(raw),
        envelope_from=_address(envelope_from),
        envelope_to=[_address(a) for a in envelope_to or []],
        received_via=received_via,
        authentication=authentication,
    )
    db.session.add(stored)
    db.session.flush()
    return stored.id


def accept_raw_message(raw: bytes, *, received_via: str, envelope_from: str | None = None,
                       envelope_to: list[str] | None = None, authentication: str | None = None) -> int:
    """Store the message, then ask a worker to route it. Storing is what must not fail."""
    from app.inbound.actors import process_inbound_email

    stored_id = store_raw_message(raw, received_via=received_via, envelope_from=envelope_from,
                                  envelope_to=envelope_to, authentication=authentication)
    try:
        process_inbound_email.send(stored_id)
    except Exception:
        # Kept all the same: the inbound sweep re-sends whatever is still `received`.
        log.exception("stored inbound message %s but could not enqueue it", stored_id)
    return stored_id
