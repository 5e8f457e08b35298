"""Processing one stored inbound email: parse, route, act, and record what happened.

Called by the `inbound` actor with an id. A row is processed at most once: its status
leaves `received` in the same transaction as everything it created, under a row lock, and
a copy of an already processed message (same Message-ID, or same bytes when there is none)
is marked `duplicate` by a unique key, so even two copies processed at the same moment
cannot both act.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.db_types import utcnow
from app.extensions import db
from app.inbound.bounces import suppress_hard_bounce
from app.inbound.comment_paths import (
    CommentRefused,
    EmailComment,
    post_email_comment,
)
from app.inbound.models import InboundEmail, InboundEmailStatus
from app.inbound.outcomes import OUTCOMES, Action
from app.inbound.router import Decision, route
from app.inbound.triage import open_inbound_message
from app.notify.unsubscribe import apply_unsubscribe
from app.transactions import unit_of_work
from emails.attachments import RefusedFile, screen_attachments
from emails.charsets import clean_text
from emails.mime import ParsedEmail, parse_message

log = logging.getLogger(__name__)


def dedupe_key(stored: InboundEmail, parsed: ParsedEmail) -> str:
    """What makes two copies the same message: the Message-ID, else the exact bytes."""
    message_id = parsed.message_id or stored.message_id
    return f"mid:{message_id}" if message_id else f"sha256:{stored.sha256}"


def _attachment_words(kept: int, refused: list[RefusedFile], inline: int) -> str:
    words = []
    if kept:
        words.append(f"{kept} attachment{'s' if kept != 1 else ''} kept")
    if refused:
        words.append(f"{len(refused)} refused: " + "; ".join(f"{r.filename} ({r.reason})" for r in refused))
    if inline:
        words.append(f"{inline} inline image{'s' if inline != 1 else ''} ignored")
    return ", ".join(words)


def _post_comment(stored: InboundEmail, decision: Decision, parsed: ParsedEmail, kept,
                  refused) -> tuple[Decision, int | None]:
    comment = EmailComment(decision.request_id, decision.sender_user_id, parsed.reply, decision.visibility,
                           stored.id, kept, refused)
    try:
        return decision, post_email_comment(comment)
    except CommentRefused as refused:
        return replace(decision, situation="comment_refused", detail=refused.reason), None


def _act(stored: InboundEmail, parsed: ParsedEmail, decision: Decision) -> str:
    """Do what the decision's outcome says; return the words for the email log."""
    outcome = OUTCOMES[decision.situation]
    notes = []
    if outcome.action in (Action.COMMENT, Action.TRIAGE):
        kept, refused = screen_attachments(parsed.attachments,
                                           max_bytes=current_app.config["INBOUND_ATTACHMENT_MAX_BYTES"])
        notes.append(_attachment_words(len(kept), refused, len(parsed.inline_images_ignored)))
        if outcome.action is Action.COMMENT:
            decision, comment_id = _post_comment(stored, decision, parsed, kept, refused)
            stored.comment_id = comment_id
            outcome = OUTCOMES[decision.situation]
        if outcome.action is Action.TRIAGE:
            message = open_inbound_message(stored, parsed, decision, outcome, kept, refused)
            notes.insert(0, f"inbound message #{message.id}")
        else:
            notes.insert(0, f"comment #{stored.comment_id}")
    elif outcome.action is Action.BOUNCE:
        for failure in decision.failures:
            matched = suppress_hard_bounce(failure.email, f"hard bounce {failure.status} {failure.diagnostic}".strip())
            notes.append(f"{failure.email} suppressed" + (" and its user marked bounced" if matched else ""))
    elif outcome.action is Action.UNSUBSCRIBE:
        apply_unsubscribe(decision.unsubscribe_token, "by email")
        notes.append("nothing sent in answer")
    else:
        notes.append("nothing created, nothing sent in answer")
    stored.status = outcome.email_status.value
    stored.reason = decision.situation
    stored.organization_id = decision.organization_id
    stored.request_id = decision.request_id
    text = outcome.text + (f" ({decision.detail})" if decision.detail else "")
    return "; ".join([text, *[n for n in notes if n]])


def _finish(stored: InboundEmail, status: InboundEmailStatus, outcome: str) -> None:
    stored.status = status.value
    stored.outcome = clean_text(outcome)[:4000]
    stored.processed_at = utcnow()


@unit_of_work()
def _claim_attempt(inbound_email_id: int) -> int | None:
    """Count one more attempt on a still-received row (committed); None if there is nothing to do."""
    attempts = db.session.scalar(
        update(InboundEmail).where(InboundEmail.id == inbound_email_id,
                                   InboundEmail.status == InboundEmailStatus.RECEIVED.value)
        .values(attempts=InboundEmail.attempts + 1).returning(InboundEmail.attempts)
    )
    return attempts


@unit_of_work()
def _process_locked(inbound_email_id: int) -> None:
    stored = db.session.scalar(select(InboundEmail).where(InboundEmail.id == inbound_email_id).with_for_update())
    if stored is None or stored.status != InboundEmailStatus.RECEIVED.value:
        return
    if stored.raw is None:  # erased with its sender's account, or past retention: nothing to read
        _finish(stored, InboundEmailStatus.FAILED, "body expired: the raw message is no longer kept")
        return
    parsed = parse_message(stored.raw)
    stored.sender_email = parsed.from_email or None
    stored.subject = parsed.subject
    key = dedupe_key(stored, parsed)
    original = db.session.execute(select(InboundEmail.id, InboundEmail.organization_id)
                                  .where(InboundEmail.dedupe_key == key)).first()
    if original is not None:
        stored.organization_id = original.organization_id  # so the copy shows in the same log
        stored.reason = "duplicate"
        _finish(stored, InboundEmailStatus.DUPLICATE, f"duplicate of inbound email #{original.id} ({key}); nothing created")
        return
    stored.dedupe_key = key
    outcome = _act(stored, parsed, route(parsed, stored.envelope_to, stored.envelope_from,
                                                 stored.authentication))
    _finish(stored, InboundEmailStatus(stored.status), outcome)
    log.info("inbound email %s: %s (%s)", stored.id, stored.status, stored.outcome)


@unit_of_work()
def _mark(inbound_email_id: int, status: InboundEmailStatus, outcome: str) -> None:
    stored = db.session.get(InboundEmail, inbound_email_id)
    if stored is not None and stored.status == InboundEmailStatus.RECEIVED.value:
        _finish(stored, status, outcome)


def process_stored_email(inbound_email_id: int) -> None:
    """Process one stored email exactly once; raise only to ask for a retry."""
    attempts = _claim_attempt(inbound_email_id)
    if attempts is None:
        return
    limit = current_app.config["INBOUND_MAX_ATTEMPTS"]
    if attempts > limit:
        # Earlier attempts died without a word (a killed worker): the sweep must not loop on it.
        _mark(inbound_email_id, InboundEmailStatus.FAILED, f"gave up after {attempts - 1} attempts that never finished")
        return
    try:
        _process_locked(inbound_email_id)
    except IntegrityError:
        # Another copy claimed the same Message-ID between our check and our commit (rolled back).
        _mark(inbound_email_id, InboundEmailStatus.DUPLICATE, "duplicate: another copy was processed at the same time")
    except Exception as exc:
        log.exception("inbound email %s failed (attempt %s)", inbound_email_id, attempts)
        if attempts < limit:
            raise
        _mark(inbound_email_id, InboundEmailStatus.FAILED,
              f"processing failed after {attempts} attempts: {exc.__class__.__name__}: {exc}"[:1000])
