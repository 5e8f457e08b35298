"""Inbound SMTP listener for INBOUND_DOMAIN: store first, then hand to the inbound actor.

Run: `python -m app.inbound.smtp`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
import threading

from aiosmtpd.controller import Controller

log = logging.getLogger("inbound.smtp")


class InboundHandler:
    """Accept mail for our domain only; a message is acknowledged once it is committed."""

    def __init__(self, app):
        self.app = app
        self.domain = app.config["INBOUND_DOMAIN"].lower()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.rpartition("@")[2].lower() != self.domain:
            return f"550 5.1.1 not a mailbox of {self.domain}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from app.inbound.receive import accept_raw_message
        from app.inbound.sender_proof import edge_verdict

        raw = envelope.original_content or envelope.content
        # DKIM and SPF ask DNS: in a thread, so one slow sender never holds up the others.
        verdict = await asyncio.get_running_loop().run_in_executor(None, functools.partial(
            edge_verdict, self.app.config, raw, ip=(session.peer or ("",))[0],
            helo=session.host_name or "", mail_from=envelope.mail_from or ""))
        try:
            with self.app.app_context():
                accept_raw_message(raw, received_via="smtp", envelope_from=envelope.mail_from,
                                   envelope_to=list(envelope.rcpt_tos), authentication=verdict)
        except Exception:
            # Not stored, so not accepted: the sending MTA keeps it and retries.
            log.exception("could not store inbound message; asking the sender to retry")
            return "451 4.3.0 temporary failure, try again later"
        return "250 Message accepted for delivery"


def start_listener(app, host: str | None = None, port: int | None = None) -> Controller:
    controller = Controller(
        InboundHandler(app),
        hostname=host or app.config["INBOUND_SMTP_HOST"],
        port=port if port is not None else app.config["INBOUND_SMTP_PORT"],
        decode_data=False,
    )
    controller.start()
    return controller


def main() -> None:
    from app.worker import app  # the broker and every actor, as the worker sees them

    controller = start_listener(app)
    log.info("inbound SMTP listener up on %s:%s for @%s", controller.hostname, controller.port,
             app.config["INBOUND_DOMAIN"])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
