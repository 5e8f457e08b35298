"""The inbound addresses CONTRACT.md fixes, built and recognised in one place.

`PREFIXED` is the table of the addresses that carry a value in their local part; any other
address at the inbound domain is a "mailbox" (an organization's general or sender address,
or one that names nothing). What each kind leads to is app/inbound/router.py's
`ADDRESS_KINDS`, one handler per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

# kind -> the local part's prefix; the value follows it (a token or a request's public id).
PREFIXED: dict[str, str] = {
    "reply": "reply+",  # a reply to one delivery: signed reply token
    "request": "request-",  # a request's own address: its public id
    "unsubscribe": "unsubscribe+",  # List-Unsubscribe's mailto: signed unsubscribe token
}
MAILBOX = "mailbox"


@dataclass(frozen=True)
class InboundAddress:
    kind: str  # a key of PREFIXED, or MAILBOX
    value: str  # the token, the request's public id, or the whole address


def _address(kind: str, value: str, domain: str) -> str:
    return f"{PREFIXED[kind]}{value}@{domain}"


def reply_address(token: str, domain: str) -> str:
    return _address("reply", token, domain)


def request_address(public_id: str, domain: str) -> str:
    return _address("request", public_id, domain)


def unsubscribe_address(token: str, domain: str) -> str:
    return _address("unsubscribe", token, domain)


def classify(address: str, domain: str) -> InboundAddress | None:
    """What an address at our inbound domain names; None when it is not at our domain."""
    _, addr = parseaddr(address)
    local, at, host = addr.rpartition("@")
    if not at or host.lower() != domain.lower():
        return None
    lowered = local.lower()
    for kind, prefix in PREFIXED.items():
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            return InboundAddress(kind, lowered[len(prefix):])
    return InboundAddress(MAILBOX, addr.lower())
