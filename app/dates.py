"""The one way a moment is written for a reader: in the organization's time zone, in the reader's language.

Pages (the `when` filter, timelines) and emails (app/notify/compose.py) call `format_when`; the
words and order come from CLDR through Babel: "Dec 1, 2026, 2:05 PM" in English, "1 dic 2026,
14:05" in Spanish (medium date, short time, joined as the locale joins them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format

DEFAULT_TIMEZONE = "UTC"


def as_instant(value: datetime | str | None) -> datetime | None:
    """A datetime from a datetime or an ISO 8601 string (payloads carry strings); None when it is neither."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def format_when(value: datetime | str | None, timezone: str | None, locale: str | None) -> str | None:
    """`value` as the reader reads a date and time, in `timezone` (None: UTC); None for no value."""
    instant = as_instant(value)
    if instant is None:
        return value if isinstance(value, str) and value else None
    try:
        local = instant.astimezone(ZoneInfo(timezone or DEFAULT_TIMEZONE))
    except OverflowError:  # a payload stored before the date-time window (app/inputs.py)
        return instant.isoformat()
    locale = locale or "en"
    pattern = get_datetime_format("medium", locale=locale)
    return (pattern.replace("{1}", format_date(local, "medium", locale=locale))
            .replace("{0}", format_time(local, "short", tzinfo=local.tzinfo, locale=locale)))
