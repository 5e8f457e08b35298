"""An SMTP listener that also counts connections, for tests of batching and crashes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tests.support.smtp import CapturingHandler, SmtpSink


@dataclass
class CountingHandler(CapturingHandler):
    connections: int = 0
    delay: float = 0.0  # seconds to take over each message, so a test can stop a worker midway

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


class CountingSink(SmtpSink):
    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.handler = CountingHandler(delay=delay)
        self.controller.handler = self.handler

    def count_to(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for message in self.messages:
            for rcpt in message.rcpt_tos:
                counts[rcpt.lower()] = counts.get(rcpt.lower(), 0) + 1
        return counts
