"""A real SMTP listener (aiosmtpd) in the test process that keeps what it receives."""

from __future__ import annotations

import email
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""


@dataclass
class CapturingHandler:
    received: list[ReceivedMail] = field(default_factory=list)
    # 5xx/4xx answers for given recipients, to test bounces and retries.
    reject: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return self.reject[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self._lock:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


class SmtpSink:
    """Start/stop wrapper with helpers to wait for and search received mail."""

    def __init__(self) -> None:
        self.handler = CapturingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler._lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[ReceivedMail]:
        address = address.lower()
        return [m for m in self.messages if address in (r.lower() for r in m.rcpt_tos)]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Block until at least `count` messages arrived (or time out), then return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.02)
        return self.messages


def route_mail(app, monkeypatch, port: int, host: str = "127.0.0.1") -> None:
    """Send the app's mail to host:port for one test: its config, and Flask-Mail's state (read at init_app)."""
    settings = {"MAIL_SERVER": host, "MAIL_PORT": port, "MAIL_USE_TLS": False, "MAIL_USE_SSL": False,
                "MAIL_USERNAME": None}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    state = app.extensions["mail"]
    for attribute, value in (("server", host), ("port", port), ("use_tls", False), ("use_ssl", False),
                             ("username", None)):
        monkeypatch.setattr(state, attribute, value)
