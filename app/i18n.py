"""Which language a page speaks: the person's profile `locale`, else their browser's, else English.

Flask-Babel reads gettext catalogues from `app/translations/` (built by `make i18n`); adding a
language is a catalogue and an entry in `LANGUAGES`, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, has_request_context, request

LANGUAGES = ("en", "es")
DEFAULT_LOCALE = "en"


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it)
    """Mark an English msgid for `make i18n` where it is defined; `gettext` translates it where it is shown."""
    return message


def supported(locale: str | None) -> str | None:
    """`locale` if the product speaks it (a region like es-MX counts as es), else None."""
    if not locale:
        return None
    language = locale.replace("_", "-").split("-")[0].lower()
    return language if language in current_app.config.get("LANGUAGES", LANGUAGES) else None


def select_locale() -> str:
    """The signed-in person's chosen language, else the best of Accept-Language, else English."""
    if not has_request_context():
        return DEFAULT_LOCALE
    # The HTTP layer's one way of finding a request's person, handed over by the app factory.
    user = current_app.extensions["i18n_person"]()
    chosen = supported(getattr(user, "locale", None))
    if chosen:
        return chosen
    return request.accept_languages.best_match(current_app.config.get("LANGUAGES", LANGUAGES)) or DEFAULT_LOCALE


def page_locale() -> str:
    """The language the current page is written in (outside a request: English)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    from flask_babel import get_locale

    return str(get_locale() or DEFAULT_LOCALE)


def init_app(app: Flask, person: Callable[[], object | None]) -> None:
    """Bind Flask-Babel; `person` answers the signed-in person of the current request (or None)."""
    from flask_babel import Babel, get_locale

    app.extensions["i18n_person"] = person
    app.config.setdefault("LANGUAGES", LANGUAGES)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or DEFAULT_LOCALE)
