"""Dev mail sink: a real SMTP listener that keeps every message in a Maildir.

Used when no MAIL_SERVER is configured, so the demo sends real mail with no outside
server; admins read it in the portal. Run: `python -m app.mailsink`.
"""

from __future__ import annotations

import logging
import mailbox
import os
import signal
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from app.config import load_config

log = logging.getLogger("mailsink")


def start_sink(directory: str, host: str = "127.0.0.1", port: int = 1025) -> Controller:
    """Start the sink in a background thread; the caller stops it."""
    os.makedirs(os.path.dirname(os.path.abspath(directory)), exist_ok=True)
    mailbox.Maildir(directory, create=True)  # creates tmp/, new/ and cur/ when missing
    controller = Controller(Mailbox(directory), hostname=host, port=port)
    controller.start()
    return controller


def read_sink(directory: str) -> list:
    """The messages the sink holds, newest first."""
    if not os.path.isdir(directory):
        return []
    box = mailbox.Maildir(directory, create=False)
    return sorted(box, key=lambda m: m.get_date(), reverse=True)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config()
    if config["APP_ENV"] == "production":
        # It would keep every reset link and token it receives: never in production.
        log.error("the dev mail sink does not run with APP_ENV=production; set MAIL_SERVER instead")
        raise SystemExit(2)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if config["MAIL_TRANSPORT"] != "dev-sink":
        # Mail goes to the configured MAIL_SERVER; stay up (so the process group holds) but idle.
        log.info("MAIL_SERVER is set (%s:%s); the dev mail sink stays idle", config["MAIL_SERVER"],
                 config["MAIL_PORT"])
        stop.wait()
        return
    controller = start_sink(config["MAIL_SINK_DIR"], host=config["MAIL_SINK_HOST"], port=config["MAIL_SINK_PORT"])
    log.info("dev mail sink up on %s:%s, keeping mail in %s", config["MAIL_SINK_HOST"], config["MAIL_SINK_PORT"],
             config["MAIL_SINK_DIR"])
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
