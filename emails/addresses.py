"""The inbound addresses CONTRACT.md fixes, built and recognised in one place."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr


@dataclass(frozen=True)
class InboundAddress:
    kind: str  # "reply", "request" or "mailbox" (an organization's general or sender address, or unknown)
    value: str  # the token, the request's public id, or the whole address


def reply_address(token: str, domain: str) -> str:
    return f"reply+{token}@{domain}"


def request_address(public_id: str, domain: str) -> str:
    return f"request-{public_id}@{domain}"


def classify(address: str, domain: str) -> InboundAddress | None:
    """What an address at our inbound domain names; None when it is not at our domain."""
    _, addr = parseaddr(address)
    local, at, host = addr.rpartition("@")
    if not at or host.lower() != domain.lower():
        return None
    lowered = local.lower()
    if lowered.startswith("reply+") and len(lowered) > len("reply+"):
        return InboundAddress("reply", lowered[len("reply+"):])
    if lowered.startswith("request-") and len(lowered) > len("request-"):
        return InboundAddress("request", lowered[len("request-"):])
    return InboundAddress("mailbox", addr.lower())
