"""One SMTP connection for a whole delivery run, with the transaction split before the message.

`stage()` sends MAIL FROM, RCPT TO and DATA; `finish()` sends the message with its final "."
and reads the server's verdict. Between the two the delivery engine checks that the delivery
is still its own (app/notify/delivery.py); a staged message it must not send is abandoned by
dropping the connection, so the server never sees its end. Everything else is plain smtplib.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
from dataclasses import dataclass

_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


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


def _reply(code: int, message: bytes, stage: str) -> Reply:
    return Reply(code, message.decode("utf-8", "replace").strip(), stage)


class SmtpTransport:
    """Lazily connected; `close()` always; any socket error leaves it disconnected for a retry."""

    def __init__(self, config) -> None:
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = float(config.get("MAIL_TIMEOUT", 30))
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.smtp is None:
            cls = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
            smtp = cls(self.host, self.port, timeout=self.timeout)
            # Commands are small writes after a read: no reason to let Nagle hold any of them.
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                smtp.ehlo_or_helo_if_needed()
                if self.use_tls:
                    smtp.starttls()
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self.password or "")
            except BaseException:
                smtp.close()
                raise
            self.smtp = smtp
        return self.smtp

    def stage(self, sender: str, recipient: str) -> Reply | None:
        """MAIL, RCPT and DATA; a Reply when the server refused one of them, None when it waits for the message."""
        smtp = self._connect()
        try:
            code, message = smtp.mail(sender)
            if code != 250:
                smtp.rset()
                return _reply(code, message, "mail")
            code, message = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                return _reply(code, message, "rcpt")
            code, message = smtp.docmd("data")
            if code != 354:
                smtp.rset()
                return _reply(code, message, "data")
        except BaseException:
            self.drop()
            raise
        return None

    def finish(self, data: bytes) -> Reply:
        """Send the message and its final dot (one write) and return the server's verdict."""
        body = _DOT_AT_LINE_START.sub(b"..", data)
        try:
            self.smtp.send((body if body.endswith(b"\r\n") else body + b"\r\n") + b".\r\n")
            code, message = self.smtp.getreply()
        except BaseException:
            self.drop()
            raise
        return _reply(code, message, "end")

    def abandon(self) -> None:
        """Give up a staged message: the connection is dropped, so the server discards it."""
        self.drop()

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.drop()
