"""Sending email deliveries: claim a batch, send it over one connection, never send one twice.

A run:
1. recovers stale claims: a `sending` row whose claim is older than EMAIL_CLAIM_LEASE
   belonged to a worker that died. Not handed off: back to `pending` (the server never saw
   its final dot). Handed off: recorded `sent` and not resent (the final dot was on its way
   when the worker died), which is what makes "never twice" hold across a crash;
2. marks `skipped` the fallback rows whose in-app notification was seen in time;
3. claims up to EMAIL_BATCH_SIZE due rows (UPDATE ... FOR UPDATE SKIP LOCKED ... RETURNING)
   under a fresh claim token, composes them (app/notify/compose.py), and for each one:
   stages it (MAIL, RCPT, DATA, body), commits `handed_off_at` together with the previous
   message's outcome in ONE statement that checks the claim token (a fenced compare-and-set,
   so a row reclaimed by another run is abandoned, not sent), sends the final dot and keeps
   the reply for the next commit. One commit per message, one connection per run.
Replies: 2xx sent; 4xx (and a dropped connection) retried with exponential backoff up to
EMAIL_MAX_ATTEMPTS; 5xx failed, and a 5.1.x refusal at RCPT suppresses the address.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import text

from app.extensions import db
from app.notify.compose import ComposedEmail, compose_batch
from app.notify.smtp import Reply, SmtpTransport
from app.notify.suppression import suppress_address

log = logging.getLogger(__name__)

RECOVER_SQL = text("""
UPDATE email_deliveries SET
  status = CASE WHEN handed_off_at IS NULL THEN 'pending' ELSE 'sent' END,
  sent_at = CASE WHEN handed_off_at IS NULL THEN NULL ELSE handed_off_at END,
  smtp_reply = CASE WHEN handed_off_at IS NULL THEN smtp_reply
    ELSE 'no reply recorded: the sending worker stopped after handing the message over; not resent' END,
  claim_token = NULL, claimed_at = NULL
WHERE status = 'sending' AND claimed_at < now() - make_interval(secs => :lease)
""")

SKIP_SEEN_SQL = text("""
UPDATE email_deliveries d SET status = 'skipped', smtp_reply = 'seen in the app before the email fallback'
FROM notifications n
WHERE d.status = 'pending' AND d.awaits_seen AND n.event_id = d.event_id AND n.user_id = d.user_id
  AND n.seen_at IS NOT NULL
""")

CLAIM_SQL = text("""
UPDATE email_deliveries SET status = 'sending', claim_token = :token, claimed_at = now(), handed_off_at = NULL
WHERE id IN (
  SELECT d.id FROM email_deliveries d
  WHERE d.status = 'pending' AND d.send_after <= now()
    AND NOT (d.awaits_seen AND EXISTS (SELECT 1 FROM notifications n WHERE n.event_id = d.event_id
                                       AND n.user_id = d.user_id AND n.seen_at IS NOT NULL))
  ORDER BY d.send_after, d.id LIMIT :limit FOR UPDATE SKIP LOCKED)
RETURNING id
""")

# Outcomes and hand-offs, several rows per statement; only rows still held under our token change.
RECORD_SQL = """
UPDATE email_deliveries AS d SET
  status = v.status,
  smtp_code = COALESCE(v.code, d.smtp_code),
  smtp_reply = COALESCE(v.reply, d.smtp_reply),
  message_id = COALESCE(v.message_id, d.message_id),
  attempts = d.attempts + v.attempted,
  sent_at = CASE WHEN v.status = 'sent' THEN now() ELSE d.sent_at END,
  send_after = CASE WHEN v.status = 'pending' THEN now() + make_interval(secs => v.retry_in) ELSE d.send_after END,
  handed_off_at = CASE WHEN v.handoff THEN now() WHEN v.status = 'sending' THEN d.handed_off_at ELSE NULL END,
  claim_token = CASE WHEN v.status = 'sending' THEN d.claim_token ELSE NULL END,
  claimed_at = CASE WHEN v.status = 'sending' THEN d.claimed_at ELSE NULL END
FROM (VALUES {rows}) AS v(id, status, code, reply, message_id, attempted, retry_in, handoff)
WHERE d.id = v.id AND d.claim_token = :token AND d.status = 'sending'
RETURNING d.id
"""
_ROW = "(CAST(:id{n} AS bigint), CAST(:st{n} AS text), CAST(:code{n} AS int), CAST(:reply{n} AS text), " \
       "CAST(:mid{n} AS text), CAST(:att{n} AS int), CAST(:retry{n} AS float8), CAST(:ho{n} AS boolean))"


@dataclass
class Outcome:
    delivery_id: int
    status: str
    code: int | None = None
    reply: str | None = None
    message_id: str | None = None
    attempted: int = 1
    retry_in: float = 0.0
    handoff: bool = False


@dataclass
class RunStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    abandoned: int = 0
    recovered: int = 0
    skipped: int = 0
    drained: bool = False  # nothing due was left when the run ended
    suppressed: list[str] = field(default_factory=list)


class DeliveryRun:
    """One run of the delivery actor: its claim token, its SMTP connection, its pending writes."""

    def __init__(self, config) -> None:
        self.config = config
        self.token = str(uuid.uuid4())
        self.transport = SmtpTransport(config)
        self.stats = RunStats()

    # --- the database side: every write is one statement and one commit -------------------
    def _execute(self, statement, **params):
        result = db.session.execute(statement, params)
        rows = result.fetchall() if result.returns_rows else []
        db.session.commit()
        return rows

    def record(self, outcomes: list[Outcome]) -> set[int]:
        """Write outcomes (and hand-offs) in one statement; returns the ids we still held."""
        if not outcomes:
            return set()
        params: dict = {"token": self.token}
        for n, o in enumerate(outcomes):
            params.update({f"id{n}": o.delivery_id, f"st{n}": o.status, f"code{n}": o.code, f"reply{n}": o.reply,
                           f"mid{n}": o.message_id, f"att{n}": o.attempted, f"retry{n}": o.retry_in,
                           f"ho{n}": o.handoff})
        rows = ", ".join(_ROW.format(n=n) for n in range(len(outcomes)))
        return {row[0] for row in self._execute(text(RECORD_SQL.format(rows=rows)), **params)}

    def claim(self) -> list[int]:
        return [row[0] for row in self._execute(CLAIM_SQL, token=self.token, limit=self.config["EMAIL_BATCH_SIZE"])]

    def housekeeping(self) -> None:
        self.stats.recovered += db.session.execute(RECOVER_SQL, {"lease": self.config["EMAIL_CLAIM_LEASE"]}).rowcount
        self.stats.skipped += db.session.execute(SKIP_SEEN_SQL).rowcount
        db.session.commit()

    # --- deciding what a reply means ----------------------------------------------------------
    def retry_or_fail(self, delivery_id: int, attempts_so_far: int, code: int | None, reply: str) -> Outcome:
        if attempts_so_far + 1 >= self.config["EMAIL_MAX_ATTEMPTS"]:
            return Outcome(delivery_id, "failed", code, f"gave up after {attempts_so_far + 1} attempts: {reply}")
        backoff = self.config["EMAIL_RETRY_BASE"] * (2 ** attempts_so_far)
        return Outcome(delivery_id, "pending", code, reply, retry_in=float(backoff))

    def judge(self, email: ComposedEmail, reply: Reply) -> Outcome:
        if 200 <= reply.code < 300:
            return Outcome(email.delivery_id, "sent", reply.code, reply.text, email.message_id)
        if reply.permanent:
            if reply.bad_mailbox:
                suppress_address(email.recipient, f"bounce: {reply.code} {reply.text}"[:300])
                self.stats.suppressed.append(email.recipient)
            return Outcome(email.delivery_id, "failed", reply.code, reply.text, email.message_id)
        return self.retry_or_fail(email.delivery_id, email.attempts, reply.code, reply.text)

    # --- the loop -------------------------------------------------------------------------------
    def send_batch(self, emails: list[ComposedEmail]) -> None:
        carried: list[Outcome] = []  # outcomes not yet written: they ride with the next hand-off
        connection_errors = 0
        for email in emails:
            if connection_errors >= 2:  # the server is unreachable: retry the rest later
                carried.append(self._count(self.retry_or_fail(email.delivery_id, email.attempts, None,
                                                              "not attempted: the SMTP server is unreachable")))
                continue
            try:
                refused = self.transport.stage(email.sender, email.recipient, email.data)
            except (OSError, smtplib.SMTPException) as exc:
                connection_errors += 1
                carried.append(self._count(self.retry_or_fail(email.delivery_id, email.attempts, None,
                                                              f"connection: {type(exc).__name__}: {exc}")))
                continue
            connection_errors = 0
            if refused is not None:
                carried.append(self._count(self.judge(email, refused)))
                continue
            held = self.record([*carried, Outcome(email.delivery_id, "sending", attempted=0, handoff=True)])
            carried = []
            if email.delivery_id not in held:  # reclaimed by another run meanwhile: theirs to send
                self.transport.abandon()
                self.stats.abandoned += 1
                continue
            try:
                reply = self.transport.finish()
            except (OSError, smtplib.SMTPException) as exc:
                # No reply after the final dot: RFC 5321 treats the transaction as failed; retry.
                carried.append(self._count(self.retry_or_fail(email.delivery_id, email.attempts, None,
                                                              f"no reply after DATA: {type(exc).__name__}: {exc}")))
                continue
            carried.append(self._count(self.judge(email, reply)))
        self.record(carried)

    def _count(self, outcome: Outcome) -> Outcome:
        if outcome.status == "sent":
            self.stats.sent += 1
        elif outcome.status == "failed":
            self.stats.failed += 1
        elif outcome.status == "pending":
            self.stats.retried += 1
        return outcome

    def run(self, time_budget: float) -> RunStats:
        deadline = time.monotonic() + time_budget
        self.housekeeping()
        try:
            while time.monotonic() < deadline:
                ids = self.claim()
                if not ids:
                    self.stats.drained = True
                    break
                self.stats.claimed += len(ids)
                emails, failures = compose_batch(ids)
                self.record([self._count(Outcome(i, "failed", None, why)) for i, why in failures.items()])
                self.send_batch(emails)
        finally:
            self.transport.close()
        return self.stats


def send_due_deliveries(time_budget: float = 50.0) -> RunStats:
    """Send every due delivery (until the budget runs out); safe to run in many workers at once."""
    return DeliveryRun(current_app.config).run(time_budget)
