"""The new part of a reply: quoted text, reply headers and signatures stripped.

Uses mail-parser-reply (maintained, multi-language). Compared on Gmail, Outlook (desktop and
mobile) and Apple Mail (Mac and iPhone) samples against email-reply-parser (last release
2020): both cut at Gmail's "On ... wrote:" and at Outlook's "From:/Sent:" block, but only
mail-parser-reply also removes sign-offs ("Regards, ..."), "Sent from my iPhone",
"Get Outlook for iOS" and non-English headers ("Am ... schrieb ..."). Its one surprise,
treating a list of "- " lines as a signature, is switched off (`keep_hyphen_lists`).
"""

from __future__ import annotations

import re

from mailparser_reply.parser import EmailMessage

from emails.charsets import clean_text

# Residents write in the languages their city speaks; English is always included.
LANGUAGES = ["en", "es", "fr", "de"]

_QUOTED_LINE = re.compile(r"^\s*>")
# What a client leaves dangling above the cut: forward/original-message separators.
_TRAILING_SEPARATOR = re.compile(
    r"(\n\s*(-{2,}|_{5,}|\*\s\*\s\*|-+\s*(forwarded|original) message\s*-*|begin forwarded message:?)\s*)+\Z",
    re.IGNORECASE,
)
_BLANK_RUNS = re.compile(r"\n{3,}")


def visible_reply(text: str) -> str:
    """The text the sender wrote in this message, without what they quoted or signed."""
    if not text.strip():
        return ""
    try:
        message = EmailMessage(text=text, languages=list(LANGUAGES), keep_hyphen_lists=True).read()
        first = message.replies[0] if message.replies else None
        # A message that starts with a reply header ("On ... wrote:") has nothing new above it.
        reply = "" if first is None or first.headers else first.body
    except Exception:  # a library bug must not cost us the message: keep it whole
        reply = text
    lines = [line for line in reply.splitlines() if not _QUOTED_LINE.match(line)]
    reply = "\n".join(lines).strip()
    reply = _TRAILING_SEPARATOR.sub("", "\n" + reply).strip()
    return clean_text(_BLANK_RUNS.sub("\n\n", reply))
