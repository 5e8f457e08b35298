"""Reading delivery-status reports (RFC 3464 bounces): which recipients failed, and how."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import Message
from email.policy import compat32

from emails.mime import ParsedEmail

_STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}")


@dataclass(frozen=True)
class FailedRecipient:
    email: str
    status: str  # the enhanced status code, e.g. "5.1.1"
    diagnostic: str

    @property
    def permanent(self) -> bool:
        return self.status.startswith("5")


def is_delivery_report(parsed: ParsedEmail) -> bool:
    """A multipart/report with report-type=delivery-status."""
    message = parsed.message
    if message is None or parsed.content_type != "multipart/report":
        return False
    try:
        return (message.get_param("report-type") or "").lower() == "delivery-status"
    except Exception:
        return False


def _status_blocks(message: Message) -> list[Message]:
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):  # the parser split the fields into header blocks
            return [block for block in payload if isinstance(block, Message)]
        if isinstance(payload, str):  # some MTAs send it base64 or as one string
            text = payload
            try:
                decoded = part.get_payload(decode=True)
                if isinstance(decoded, bytes):
                    text = decoded.decode("utf-8", "replace")
            except Exception:
                pass
            return [email.message_from_string(chunk, policy=compat32)
                    for chunk in re.split(r"\r?\n\r?\n", text) if chunk.strip()]
    return []


def _address(value: str | None) -> str:
    # "rfc822; ann@example.org" (the address type is optional in practice)
    address = (value or "").partition(";")[2] or (value or "")
    return address.strip().strip("<>").lower()


def failed_recipients(parsed: ParsedEmail) -> list[FailedRecipient]:
    """Every recipient the report says failed (Action: failed), with its status code."""
    if parsed.message is None:
        return []
    failures = []
    try:
        blocks = _status_blocks(parsed.message)
    except Exception:
        return []
    for block in blocks:
        action = str(block.get("Action") or "").strip().lower()
        recipient = _address(str(block.get("Final-Recipient") or block.get("Original-Recipient") or ""))
        status_match = _STATUS.match(str(block.get("Status") or "").strip())
        if action != "failed" or "@" not in recipient or not status_match:
            continue
        failures.append(FailedRecipient(recipient, status_match.group(0),
                                        str(block.get("Diagnostic-Code") or "").strip()[:500]))
    return failures
