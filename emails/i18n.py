"""The emails' own gettext catalogue (domain `emails`), apart from the pages' `messages`.

Catalogues live in `emails/translations/<lang>/LC_MESSAGES/emails.po` (compiled to `.mo` by
`make i18n`, which extracts `{% trans %}` and `_()` in `emails/templates/` and `email_text(...)`
and `shared_text(...)` in the code). A language without a catalogue reads English: the msgids are the English text.
"""

from __future__ import annotations

import os
from functools import lru_cache

from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")
# Words the pages translate already (event labels in a digest) are read from their catalogue
# when the emails' own has no entry: one translation per string.
PAGES_TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(TRANSLATIONS_DIR)), "app", "translations")
DOMAIN = "emails"
DEFAULT_LOCALE = "en"


def email_text(message: str) -> str:
    """Mark an email string for the `emails` catalogue where it is defined; translate it with `translate`."""
    return message


def shared_text(message: str) -> str:
    """Mark a string read both on pages and in emails (a notification's reason): `make i18n` extracts
    it into both catalogues, and each reader translates it with its own (`gettext` on a page,
    `translate` in an email), so one table serves both and each speaks in its own register."""
    return message


@lru_cache(maxsize=32)
def translations(locale: str | None) -> NullTranslations:
    """The compiled `emails` catalogue of `locale` (a NullTranslations for English or a missing one)."""
    if not locale or locale == DEFAULT_LOCALE:
        return NullTranslations()
    loaded = Translations.load(TRANSLATIONS_DIR, [locale], domain=DOMAIN)
    if not isinstance(loaded, Translations):
        loaded = NullTranslations()
    pages = Translations.load(PAGES_TRANSLATIONS_DIR, [locale], domain="messages")
    if isinstance(pages, Translations):
        loaded.add_fallback(pages)
    return loaded


def translate(message: str | None, locale: str | None, **values) -> str | None:
    """`message` (a msgid marked with `email_text`) in `locale`, `{name}` placeholders filled from `values`."""
    if message is None:
        return None
    text = translations(locale).gettext(message)
    return text.format(**values) if values else text
