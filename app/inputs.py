"""The base of every input schema: text the database can store, or a 422 naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import marshmallow as ma
from flask_babel import gettext as _

from app.i18n import N_


def unstorable(value) -> bool:
    """True for text PostgreSQL cannot store: a NUL, or a lone surrogate (not UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, Mapping):
        return any(unstorable(k) or unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(unstorable(item) for item in value)
    return False


class InputSchema(ma.Schema):
    """Client input. PostgreSQL text and JSONB hold neither NUL nor lone surrogates (which JSON
    can spell as \\u0000 and \\ud800), so such a field is a 422 naming it, not a database error."""

    @ma.pre_load
    def _refuse_unstorable_text(self, data, **kwargs):
        if isinstance(data, Mapping):
            bad = [key for key, value in data.items() if unstorable(key) or unstorable(value)]
            if bad:
                message = _("Must be text without NUL characters or lone surrogates.")
                raise ma.ValidationError({str(key): [message] for key in bad})
        return data


# -- moments: every date-time a client gives lies in one sane window -----------------------

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
OUTSIDE_WINDOW = N_("Must be between 1970-01-01 and 2200-01-01.")  # English in Open311, translated elsewhere


def in_window(value: datetime) -> bool:
    """The one rule for every date-time input (API, portal, Open311): within [1970-01-01, 2200-01-01).

    A naive value (a form's local time) is compared as if it were UTC: a day's slack either
    side cannot matter at this scale.
    """
    return EARLIEST <= (value if value.tzinfo else value.replace(tzinfo=UTC)) < LATEST


def _check_window(value: datetime | None) -> None:
    if value is not None and not in_window(value):
        raise ma.ValidationError(_(OUTSIDE_WINDOW))


def Moment(**kwargs):  # noqa: N802
    """An ISO 8601 date-time inside the window; one without an offset is read as UTC (`default_timezone`)."""
    return ma.fields.AwareDateTime(validate=_check_window, **kwargs)
