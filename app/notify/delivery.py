"""Sending email deliveries: claim a batch, send it over one connection, never send one twice.

A run:
1. recovers stale claims: a `sending` row whose claim is older than EMAIL_CLAIM_LEASE, of a run
   that has handed no message to the server within the lease either, belonged to a run that
   died; it goes back to `pending`. A live run hands a message off at least every MAIL_TIMEOUT,
   so a batch that takes longer than the lease is not taken from under it (that would send its
   message in flight twice);
2. marks `skipped` the fallback rows whose in-app notification was seen in time;
3. claims up to EMAIL_BATCH_SIZE due rows (UPDATE ... FOR UPDATE SKIP LOCKED ... RETURNING)
   under a fresh claim token and composes them (app/notify/compose.py); then, over the run's
   ONE Flask-Mail connection (app/notify/smtp.py), one message at a time: one statement
   records the previous message's reply, hands this one off (a compare-and-set on the claim
   token) keeping its body (app/notify/bodies.py) and checks that the next is still ours; a message goes to Flask-Mail only if the
   statement before it found it still ours (a row another run took over meanwhile is left to
   it, never sent by both). The last reply is written at once.

Exactly once, and its one limit. Two runs never send the same row (SKIP LOCKED claims, the
fenced hand-off). A redelivered actor message sends nothing again (only `pending` rows are
claimed). A run killed mid-batch leaves its unsent rows to the next run. The one message that
was between its final dot and the commit of the server's reply when the worker died is sent
again: the server had not yet replied 250, and by RFC 5321 (section 6.1) it takes
responsibility only with that reply; the retry carries the same Message-ID, so a server that
did keep the first copy, and receivers that deduplicate, see one message. That window is the
server's reply time plus one local commit (RFC 1047 describes it).

Replies: 2xx sent; 4xx (and a lost connection) retried with exponential backoff up to
EMAIL_MAX_ATTEMPTS; 5xx failed, and a 5.1.x refusal at RCPT suppresses the address.
Status writes go over the run's own connection in libpq pipeline mode (sent at once, each its
own transaction, results read later), so the database works while the SMTP server does,
with synchronous_commit=off: visible to every other session at once (what a worker crash
needs); only a PostgreSQL crash could lose the last fraction of a second of them, which the
recovery above then treats like a worker crash.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

from flask import current_app

from app.extensions import db
from app.notify.bodies import KEEP_HANDED_SQL
from app.notify.compose import ComposedEmail, compose_batch
from app.notify.pgpipe import Pending, StatementPipe
from app.notify.smtp import MailTransport, Reply
from app.notify.suppression import suppress_address
from app.observability.context import request_id_var

log = logging.getLogger(__name__)

# Every statement of a run reads a few rows through an index: a claim the first EMAIL_BATCH_SIZE
# due rows in the order of ix_email_deliveries_due, the rest rows by id or by their claim. The
# planner, when its statistics were taken while few rows were pending (autovacuum's last ANALYZE,
# or none yet), prices a bitmap scan and a sort of EVERY due row below reading that index in
# order and stopping: each claim of a large backlog then read and sorted all of it (and the dead
# entries of rows sent before), so a run slowed down as it went and as the table grew (a backlog
# of 52,000: 68 ms a claim of 200 instead of 18; one event with 100,000 followers makes one).
PLANNER_SETTINGS = ("SET enable_bitmapscan TO off", "SET enable_seqscan TO off")

RECOVER_SQL = """
UPDATE email_deliveries SET
  status = 'pending', send_after = now(), claim_token = NULL, claimed_at = NULL, handed_off_at = NULL,
  attempts = attempts + CASE WHEN handed_off_at IS NULL THEN 0 ELSE 1 END,
  smtp_reply = CASE WHEN handed_off_at IS NULL THEN smtp_reply
    ELSE 'interrupted while being sent, before the reply: sent again with the same Message-ID' END
WHERE status = 'sending' AND claimed_at < now() - make_interval(secs => %(lease)s)
  AND NOT EXISTS (SELECT FROM email_deliveries live
                  WHERE live.status = 'sending' AND live.claim_token = email_deliveries.claim_token
                    AND live.handed_off_at >= now() - make_interval(secs => %(lease)s))
RETURNING id
"""

SKIP_SEEN_SQL = """
UPDATE email_deliveries d SET status = 'skipped', smtp_reply = 'seen in the app before the email fallback'
FROM notifications n
WHERE d.status = 'pending' AND d.awaits_seen AND n.event_id = d.event_id AND n.user_id = d.user_id
  AND n.seen_at IS NOT NULL
RETURNING d.id
"""

CLAIM_SQL = """
UPDATE email_deliveries SET status = 'sending', claim_token = %(token)s, claimed_at = now(), handed_off_at = NULL
WHERE id IN (
  SELECT d.id FROM email_deliveries d
  WHERE d.status = 'pending' AND d.send_after <= now()
    AND NOT (d.awaits_seen AND EXISTS (SELECT 1 FROM notifications n WHERE n.event_id = d.event_id
                                       AND n.user_id = d.user_id AND n.seen_at IS NOT NULL))
  ORDER BY d.send_after, d.id LIMIT %(limit)s FOR UPDATE SKIP LOCKED)
RETURNING id
"""

# Hand one delivery off (a compare-and-set on our token), keep its body (app/notify/bodies.py)
# and say whether the next is still ours.
HAND_OFF_SQL = """
handed AS (
  UPDATE email_deliveries SET handed_off_at = now()
  WHERE id = %(hand_off_id)s AND claim_token = %(token)s AND status = 'sending'
  RETURNING id, organization_id),
""" + KEEP_HANDED_SQL + """
SELECT (SELECT count(*) FROM handed),
       EXISTS (SELECT FROM email_deliveries WHERE id = %(next_id)s AND claim_token = %(token)s AND status = 'sending')
"""

# Outcomes, several rows per statement; only rows still held under our token change.
RECORD_SQL = """
UPDATE email_deliveries AS d SET
  status = v.status,
  smtp_code = v.code,
  smtp_reply = v.reply,
  message_id = COALESCE(v.message_id, d.message_id),
  attempts = d.attempts + 1,
  sent_at = CASE WHEN v.status = 'sent' THEN now() ELSE d.sent_at END,
  send_after = CASE WHEN v.status = 'pending' THEN now() + make_interval(secs => v.retry_in) ELSE d.send_after END,
  handed_off_at = NULL, claim_token = NULL, claimed_at = NULL
FROM (VALUES {rows}) AS v(id, status, code, reply, message_id, retry_in)
WHERE d.id = v.id AND d.claim_token = %(token)s AND d.status = 'sending'
"""
_ROW = "(%(id{n})s::bigint, %(st{n})s::text, %(code{n})s::int, %(reply{n})s::text, %(mid{n})s::text, " \
       "%(retry{n})s::float8)"


# The statements' text, written once per number of outcomes rather than once per message.
@lru_cache(maxsize=256)
def _record_sql(outcomes: int) -> str:
    return RECORD_SQL.format(rows=", ".join(_ROW.format(n=n) for n in range(outcomes)))


@lru_cache(maxsize=16)
def _record_and_hand_off_sql(outcomes: int) -> str:
    return f"WITH recorded AS ({_record_sql(outcomes)} RETURNING d.id), {HAND_OFF_SQL}"


@dataclass
class Outcome:
    delivery_id: int
    status: str  # sent, failed, or pending (a retry after `retry_in` seconds)
    code: int | None = None
    reply: str | None = None
    message_id: str | None = None
    retry_in: float = 0.0


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
    """One run of the delivery actor: its claim token, its SMTP connection, its status writes."""

    def __init__(self, config) -> None:
        self.config = config
        self.token = str(uuid.uuid4())
        self.transport = MailTransport(config)
        self.stats = RunStats()
        self._conn: StatementPipe | None = None

    # --- the database side: the run's own connection, a libpq pipeline (app/notify/pgpipe.py) ----
    # Each write is sent at once and commits on its own; the run reads a result only when it
    # needs one, so the database works while the SMTP server does.
    def _pipe(self) -> StatementPipe:
        if self._conn is None:
            url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._conn = StatementPipe(url, PLANNER_SETTINGS)
        return self._conn

    def _send(self, sql: str, params: dict) -> Pending:
        return self._pipe().send(sql, params)

    def _rows(self, sql: str, params: dict) -> list[tuple]:
        return self._pipe().rows(self._send(sql, params))

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _outcome_params(self, outcomes: list[Outcome]) -> tuple[str, dict]:
        params: dict = {"token": self.token}
        for n, o in enumerate(outcomes):
            params.update({f"id{n}": o.delivery_id, f"st{n}": o.status, f"code{n}": o.code, f"reply{n}": o.reply,
                           f"mid{n}": o.message_id, f"retry{n}": o.retry_in})
            self._count(o)
        return _record_sql(len(outcomes)), params

    def record(self, outcomes: list[Outcome]) -> None:
        if outcomes:
            self._send(*self._outcome_params(outcomes))

    def hand_off(self, delivery_id: int | None, next_id: int | None = None, outcomes: list[Outcome] = (),
                 body: bytes | None = None) -> Pending:
        """Send, in one statement, `outcomes`, the hand-off of `delivery_id` (keeping its `body`) and the check of `next_id`.

        Its one row says (handed off: 1 or 0, `next_id` still ours: t or f). It goes out now and
        is read only before `next_id` is sent, a message later, so the database works while the
        SMTP server does and a message never waits for a round trip.
        """
        params = {"hand_off_id": delivery_id, "next_id": next_id, "token": self.token, "body": body}
        if not outcomes:
            return self._send(f"WITH {HAND_OFF_SQL}", params)
        outcome_params = self._outcome_params(list(outcomes))[1]
        return self._send(_record_and_hand_off_sql(len(outcomes)), {**outcome_params, **params})

    def claim(self) -> list[int]:
        rows = self._rows(CLAIM_SQL, {"token": self.token, "limit": self.config["EMAIL_BATCH_SIZE"]})
        return sorted(int(row[0]) for row in rows)

    def housekeeping(self) -> None:
        self.stats.recovered += len(self._rows(RECOVER_SQL, {"lease": self.config["EMAIL_CLAIM_LEASE"]}))
        self.stats.skipped += len(self._rows(SKIP_SEEN_SQL, {}))

    # --- what a reply means ---------------------------------------------------------------------
    def retry_or_fail(self, email: ComposedEmail, code: int | None, reply: str) -> Outcome:
        if email.attempts + 1 >= self.config["EMAIL_MAX_ATTEMPTS"]:
            return Outcome(email.delivery_id, "failed", code, f"gave up after {email.attempts + 1} attempts: {reply}")
        backoff = self.config["EMAIL_RETRY_BASE"] * (2 ** email.attempts)
        return Outcome(email.delivery_id, "pending", code, reply, retry_in=float(backoff))

    def judge(self, email: ComposedEmail, reply: Reply) -> Outcome:
        if 200 <= reply.code < 300:
            return Outcome(email.delivery_id, "sent", reply.code, reply.text, email.message_id)
        if reply.permanent:
            if reply.bad_mailbox:
                suppress_address(email.recipient, f"bounce: {reply.code} {reply.text}"[:300])
                db.session.commit()
                self.stats.suppressed.append(email.recipient)
            return Outcome(email.delivery_id, "failed", reply.code, reply.text, email.message_id)
        return self.retry_or_fail(email, reply.code, reply.text)

    def _count(self, outcome: Outcome) -> None:
        if outcome.status == "sent":
            self.stats.sent += 1
        elif outcome.status == "failed":
            self.stats.failed += 1
        else:
            self.stats.retried += 1

    # --- the loop -------------------------------------------------------------------------------
    def send_one(self, email: ComposedEmail) -> Outcome:
        """Send one message through Flask-Mail and judge the server's reply."""
        try:
            reply = self.transport.send(email.sender, email.recipient, email.message_id, email.data)
        except (OSError, smtplib.SMTPException) as exc:
            # No verdict: RFC 5321 counts the transaction as failed, and it is retried.
            return self.retry_or_fail(email, None, f"connection: {type(exc).__name__}: {exc}")
        return self.judge(email, reply)

    def send_batch(self, emails: list[ComposedEmail]) -> None:
        if not emails:
            return
        carried: list[Outcome] = []  # the last outcome rides with the next hand-off: one statement a message
        check = self.hand_off(None, emails[0].delivery_id)
        unreachable = 0
        for index, email in enumerate(emails):
            following = emails[index + 1].delivery_id if index + 1 < len(emails) else None
            if self._pipe().rows(check)[0][1] != "t":  # reclaimed by another run meanwhile: theirs to send
                self.stats.abandoned += 1
                check, carried = self.hand_off(None, following, carried), []
                continue
            check = self.hand_off(email.delivery_id, following, carried, email.data)  # before the message, not awaited
            outcome = self.send_one(email)
            _log_reply(email, outcome)
            carried = [outcome]
            unreachable = unreachable + 1 if outcome.reply and outcome.reply.startswith("connection:") else 0
            if unreachable >= 2:  # the server is unreachable: the rest of the batch waits for a later run
                carried += [self.retry_or_fail(e, None, "not attempted: the SMTP server is unreachable")
                            for e in emails[index + 1:]]
                break
        self.record(carried)

    def run(self, time_budget: float) -> RunStats:
        deadline = time.monotonic() + time_budget
        try:
            self.housekeeping()
            while time.monotonic() < deadline:
                ids = self.claim()
                if not ids:
                    self.stats.drained = True
                    break
                self.stats.claimed += len(ids)
                emails, failures = compose_batch(ids)
                self.record([Outcome(i, "failed", None, why) for i, why in failures.items()])
                self.send_batch(emails)
        finally:
            self.transport.close()
            self._close()
        return self.stats


def _log_reply(email: ComposedEmail, outcome: Outcome) -> None:
    """One line per SMTP reply, under the request id of the HTTP call that caused its event."""
    token = request_id_var.set(email.trace_id or request_id_var.get())
    try:
        log.info("email delivery %s: %s %s", outcome.delivery_id, outcome.status, outcome.code,
                 extra={"delivery_id": outcome.delivery_id, "delivery_status": outcome.status,
                        "smtp_code": outcome.code, "smtp_reply": outcome.reply})
    finally:
        request_id_var.reset(token)


def send_due_deliveries(time_budget: float = 50.0) -> RunStats:
    """Send every due delivery (until the budget runs out); safe to run in many workers at once."""
    return DeliveryRun(current_app.config).run(time_budget)
