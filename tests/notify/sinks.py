"""An SMTP listener that also counts connections, for tests of batching and crashes."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from tests.support.smtp import CapturingHandler, SmtpSink


@dataclass
class CountingHandler(CapturingHandler):
    connections: int = 0
    data_commands: int = 0
    # Hold the end of DATA of message number `hold_at` (before replying) until `release` is set.
    hold_at: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    dropped: threading.Event = field(default_factory=threading.Event)  # the held client went away

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.data_commands == self.hold_at:
            self.holding.set()
            try:
                while not self.release.is_set():
                    await asyncio.sleep(0.01)
            except asyncio.CancelledError:  # aiosmtpd cancels on a lost connection: nothing is kept
                self.dropped.set()
                raise
        return await super().handle_DATA(server, session, envelope)


class CountingSink(SmtpSink):
    def __init__(self, hold_at: int | None = None) -> None:
        super().__init__()
        self.handler = CountingHandler(hold_at=hold_at)
        self.controller.handler = self.handler

    def count_to(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for message in self.messages:
            for rcpt in message.rcpt_tos:
                counts[rcpt.lower()] = counts.get(rcpt.lower(), 0) + 1
        return counts
