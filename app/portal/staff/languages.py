"""The languages the product speaks, each named in itself (for the staff pages' language choices)."""

from __future__ import annotations

from babel import Locale
from flask import current_app

from app.i18n import LANGUAGES


def language_choices() -> list[tuple[str, str]]:
    """(code, name) for every language, e.g. ("es", "español")."""
    return [(code, Locale.parse(code).get_display_name(code)) for code in current_app.config.get("LANGUAGES", LANGUAGES)]
