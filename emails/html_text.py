"""HTML-only mail to plain text (html2text), keeping quotes recognisable as `>` lines."""

from __future__ import annotations

import re

import html2text

from emails.charsets import clean_text

_BLANK_RUNS = re.compile(r"\n{3,}")
_ESCAPED_DASH = re.compile(r"^\\-", re.MULTILINE)
# Drop <style>/<script>/<head> ourselves: some clients put CSS where html2text would print it.
_INVISIBLE = re.compile(r"<(style|script|head|title)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def html_to_text(html: str) -> str:
    """Readable text for an HTML body; blockquotes become `> ` lines so quote stripping works."""
    converter = html2text.HTML2Text()
    converter.body_width = 0  # never re-wrap what the sender wrote
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_mailto_links = True
    converter.unicode_snob = True
    converter.single_line_break = False
    try:
        text = converter.handle(_INVISIBLE.sub("", html))
    except Exception:  # html2text on hostile markup: fall back to stripping tags
        text = re.sub(r"<[^>]*>", " ", html)
    text = text.replace("\u00a0", " ")
    # html2text escapes a leading "-" (markdown lists); a "-- " signature line must stay one.
    text = _ESCAPED_DASH.sub("-", text)
    return clean_text(_BLANK_RUNS.sub("\n\n", text).strip())
