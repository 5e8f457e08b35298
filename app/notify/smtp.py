"""Sending through Flask-Mail: one `mail.connect()` per delivery run, one message at a time.

Flask-Mail opens the connection from the MAIL_* settings (SSL or STARTTLS, login) and sends
each message with `Connection.send`, i.e. smtplib's `sendmail`: MAIL, RCPT, DATA, the message.
Three things it leaves to us, added here and nowhere else:
- the server's replies: `sendmail` raises refusals but drops the final "250 ..." text, so the
  connection's `getreply` (the one method every reply of smtplib passes through) is wrapped
  to keep the last reply, which the delivery run records;
- a socket timeout (Flask-Mail opens the connection without one: a silent server would hang
  the worker forever) and TCP_NODELAY (commands are small writes after a read: Nagle would
  hold each of them);
- the message's bytes: emails/outgoing.py writes them (the standard library's generator,
  which Flask-Mail's Message uses, costs more than the send); `ComposedMessage` hands them to
  Flask-Mail as they are.
A lost connection is opened again by the same `Connection` (`configure_host`), at the next
message.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
from dataclasses import dataclass

from flask_mail import Message

from app.extensions import mail


@dataclass(frozen=True)
class Reply:
    code: int
    text: str
    stage: str  # "mail", "rcpt", "data" or "end" (after the final dot)

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600

    @property
    def temporary(self) -> bool:
        return not (200 <= self.code < 400) and not self.permanent

    @property
    def bad_mailbox(self) -> bool:
        """A permanent "no such mailbox" (enhanced status 5.1.x at RCPT): the address is dead."""
        return self.permanent and self.stage == "rcpt" and self.text.startswith("5.1.")


def _reply(code: int, message: bytes | str, stage: str) -> Reply:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return Reply(int(code), text.strip(), stage)


class ComposedMessage(Message):
    """A Flask-Mail message whose bytes app/notify/compose.py already wrote.

    `Message.__init__` is not called: all it would add is a Message-ID of its own, made by
    `email.utils.make_msgid`, which asks the resolver for this host's name (`socket.getfqdn`)
    for every message (half of Flask-Mail's cost per message, bench/fanout.py --profile), and
    which this message replaces anyway. The attributes `Connection.send` reads are set here.
    The addresses are (name, address) pairs whose name is None: Flask-Mail's `sanitize_address`
    then encodes them (IDN included) without parsing the strings again, and an empty Header
    is cheaper to encode than one of "" (20 us of each message's 40 there; the same envelope).
    """

    def __init__(self, sender: str, recipient: str, message_id: str, data: bytes) -> None:
        self.sender = sender
        self.recipients = [(None, recipient)]
        self.subject = ""
        self.reply_to = None
        self.cc, self.bcc, self.attachments = [], [], []
        self.body, self.alts, self.charset, self.extra_headers = None, {}, None, None
        self.date = None
        self.msgId = message_id
        self.mail_options, self.rcpt_options = [], []
        self.data = data

    def as_bytes(self) -> bytes:
        return self.data


class _LastReply:
    """Stands in for `smtp.getreply`: the same replies, the last one kept."""

    __slots__ = ("getreply", "last")

    def __init__(self, getreply) -> None:
        self.getreply = getreply
        self.last: tuple[int, bytes] | None = None

    def __call__(self) -> tuple[int, bytes]:
        self.last = self.getreply()
        return self.last


class MailTransport:
    """Lazily connected (a run with nothing to send opens nothing); `close()` always."""

    def __init__(self, config) -> None:
        self.timeout = float(config.get("MAIL_TIMEOUT", 30))
        self.connection = None  # flask_mail.Connection, from the run's one mail.connect()
        self.replies: _LastReply | None = None

    def _host(self) -> smtplib.SMTP:
        if self.connection is None:
            self.connection = mail.connect()
        if self.connection.host is None:
            host = self.connection.configure_host()
            try:
                host.sock.settimeout(self.timeout)
                host.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except BaseException:
                host.close()
                raise
            self.replies = host.getreply = _LastReply(host.getreply)
            self.connection.host = host
        return self.connection.host

    def send(self, sender: str, recipient: str, message_id: str, data: bytes) -> Reply:
        """Send one message; the server's verdict (refusals included) as a Reply.

        Raises OSError or SMTPException when the connection is lost or cannot be opened: then
        nobody knows whether the message arrived, and the caller retries it later.
        """
        host = self._host()
        try:
            self.connection.send(ComposedMessage(sender, recipient, message_id, data), envelope_from=(None, sender))
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(recipient) or next(iter(exc.recipients.values()))
            reply = _reply(code, text, "rcpt")
        except smtplib.SMTPSenderRefused as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error, "mail")
        except smtplib.SMTPDataError as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error, "data")
        except BaseException:  # lost, or refused at EHLO: a connection problem, not this message's
            self.drop()
            raise
        else:
            code, text = self.replies.last
            reply = _reply(code, text, "end")
        if host.sock is None:  # smtplib closed it (a 421 answer): open a new one next time
            self.drop()
        return reply

    def drop(self) -> None:
        if self.connection is not None and self.connection.host is not None:
            try:
                self.connection.host.close()
            finally:
                self.connection.host = None

    def close(self) -> None:
        if self.connection is not None and self.connection.host is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.host.quit()
            self.drop()
