"""Whether an inbound email's From is proven, for routing: one rule for every receiving path.

The listener, when it is the edge, stores its own DKIM/SPF verdict beside the message
(`InboundEmail.authentication`, `edge_verdict` below). Otherwise only `Authentication-Results`
headers written by the receiving MTA named `INBOUND_AUTHSERV_ID` count (RFC 8601); a sender
can write such headers too, so every other one is ignored, and with neither nothing is proven.
"""

from __future__ import annotations

import logging

from flask import current_app

from emails.mime import ParsedEmail
from emails.senderauth import SenderProof, judge, parse_results, trusted_results, verify_at_edge

log = logging.getLogger(__name__)


def listener_is_edge(config) -> bool:
    """With no receiving MTA configured, our listener faces the senders and checks them itself."""
    return not config.get("INBOUND_AUTHSERV_ID")


def edge_verdict(config, raw: bytes, *, ip: str, helo: str, mail_from: str) -> str | None:
    """The listener's verdict to store with the message (None when an MTA in front judges)."""
    if not listener_is_edge(config):
        return None
    try:
        return verify_at_edge(raw, ip=ip, helo=helo, mail_from=mail_from,
                              resolver=config["INBOUND_DNS_RESOLVER"], authserv_id=config["INBOUND_DOMAIN"])
    except Exception:  # never lose a message over its checks: it is kept, unproven
        log.exception("sender verification failed; the message is kept as unproven")
        return f"{config['INBOUND_DOMAIN']}; none"


def sender_proof(parsed: ParsedEmail, stored_verdict: str | None) -> SenderProof:
    """Is `parsed.from_email` proven by DKIM or SPF aligned with its domain (DMARC)?"""
    if stored_verdict:
        _, checks = parse_results(stored_verdict)
    else:
        authserv_id = current_app.config.get("INBOUND_AUTHSERV_ID") or ""
        if not authserv_id:
            return SenderProof("none", "no authentication results: it did not come through our SMTP listener "
                                       "and no receiving server is trusted (INBOUND_AUTHSERV_ID)")
        checks = trusted_results(parsed.header("Authentication-Results"), authserv_id)
        if not checks:
            return SenderProof("none", f"no Authentication-Results from {authserv_id}")
    return judge(parsed.from_email, checks)
