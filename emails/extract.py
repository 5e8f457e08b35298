"""Babel extraction of the `emails` domain from Python: only `email_text("...")` and `shared_text("...")`
marks (see emails/i18n.py).

Named in `babel-emails.cfg`; the pages' `_()` and `gettext()` stay in the `messages` domain.
"""

from __future__ import annotations

from babel.messages.extract import extract_python


def extract_email_text(fileobj, keywords, comment_tags, options):
    """Yield the strings marked with `email_text` or `shared_text`, whatever keywords the command line gave."""
    return extract_python(fileobj, {"email_text": None, "shared_text": None}, comment_tags, options)
