"""Recognising automatic mail (vacation replies, list traffic, daemons) from its headers.

Answering automatic mail is how mail loops start, so such mail is logged and nothing is
created or sent in return. The rules are data: header, the values that mark it, and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from emails.mime import ParsedEmail


@dataclass(frozen=True)
class HeaderRule:
    header: str
    matches: Callable[[str], bool]


def _any_value(value: str) -> bool:
    return True


def _not_no(value: str) -> bool:
    return value.strip().lower() not in ("", "no")


def _precedence(value: str) -> bool:
    return value.strip().lower() in {"bulk", "junk", "list", "auto_reply", "auto-reply"}


# RFC 3834 Auto-Submitted, and the headers common responders (Exchange, Zimbra, cPanel) add.
HEADER_RULES: tuple[HeaderRule, ...] = (
    HeaderRule("Auto-Submitted", _not_no),
    HeaderRule("X-Autoreply", _any_value),
    HeaderRule("X-Autorespond", _any_value),
    HeaderRule("X-Autoresponder", _any_value),
    HeaderRule("Precedence", _precedence),
    HeaderRule("X-Precedence", _precedence),
)

DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})

# Subject prefixes of responders that set no header at all; only at the very start.
AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|out of (the )?office( reply)?|autosvar|abwesenheitsnotiz|"
    r"respuesta autom[aá]tica|r[ée]ponse automatique)\s*:",
    re.IGNORECASE,
)


def auto_reply_reason(parsed: ParsedEmail, envelope_from: str | None) -> str | None:
    """Why this message is automatic, in words for the log; None for mail a person wrote."""
    for rule in HEADER_RULES:
        for value in parsed.header(rule.header):
            if rule.matches(value):
                return f"{rule.header}: {value}".strip()
    local = parsed.from_email.partition("@")[0]
    if local in DAEMON_LOCAL_PARTS:
        return f"sent by {parsed.from_email}"
    if envelope_from is not None and envelope_from.strip("<> ") == "":
        return "empty return path (automatic mail)"
    if AUTO_SUBJECT.match(parsed.subject):
        return f"subject {parsed.subject[:80]!r}"
    return None
