"""Business hours: counting working time in an organization's time zone. Pure functions.

An organization's calendar lives in `Organization.settings["business_hours"]`:

    {"week": {"mon": [["09:00", "17:00"]], ..., "sat": [["10:00", "14:00"]]},
     "holidays": {"country": "US", "subdivision": "IL",
                  "extra": ["2026-12-24"], "removed": ["2026-10-12"]}}

Both keys are optional. Without "week" the organization works Monday to Friday, 9:00 to
17:00; a given "week" lists every working day (a day it leaves out is closed), each with
one or more [opens, closes] windows ("24:00" closes at midnight). Without "holidays" the
public holidays of the United States count; "country": null turns public holidays off.

Windows are wall-clock times, so 9:00 to 17:00 stays 9:00 to 17:00 on both sides of a
daylight-saving change; durations are counted in real elapsed time, so a window that
contains a change (a 24-hour operation on a Sunday in March) holds 23 hours. All
arithmetic is done in UTC: an aware datetime plus a timedelta in a zoneinfo zone is
wall-clock arithmetic and would be wrong by an hour across a change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
DEFAULT_WEEK: dict[str, list[list[str]]] = {day: [["09:00", "17:00"]] for day in DAY_NAMES[:5]}
DEFAULT_COUNTRY = "US"
# A calendar whose next working minute is further away than this is a configuration error.
MAX_DAYS_SCANNED = 3 * 366

_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

Window = tuple[int, int]  # minutes after local midnight: [opens, closes), closes <= 1440


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdivision, years=year))


@dataclass(frozen=True)
class Holidays:
    """Days off: a country's public holidays (observed days included), plus and minus dates."""

    country: str | None = DEFAULT_COUNTRY
    subdivision: str | None = None
    extra: frozenset[date] = frozenset()
    removed: frozenset[date] = frozenset()

    def __contains__(self, day: date) -> bool:
        if day in self.extra:
            return True
        if day in self.removed or self.country is None:
            return False
        return day in _public_holidays(self.country, self.subdivision, day.year)


@dataclass(frozen=True)
class BusinessCalendar:
    """When an organization works: a time zone, windows per weekday (Monday first), holidays."""

    timezone: ZoneInfo
    week: tuple[tuple[Window, ...], ...] = field(
        default_factory=lambda: tuple(((9 * 60, 17 * 60),) if i < 5 else () for i in range(7))
    )
    holidays: Holidays = field(default_factory=Holidays)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has seven days, Monday first")
        if not any(self.week):
            raise ValueError("business hours need at least one working day")

    def windows_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows as UTC (opens, closes), in order, from the one holding `start` on."""
        start = _as_utc(start)
        day = start.astimezone(self.timezone).date()
        for _ in range(MAX_DAYS_SCANNED):
            if day not in self.holidays:
                for opens_minute, closes_minute in self.week[day.weekday()]:
                    opens = _instant(day, opens_minute, self.timezone)
                    closes = _instant(day, closes_minute, self.timezone)
                    if closes > start and closes > opens:
                        yield opens, closes
            day += timedelta(days=1)
        raise ValueError(f"no business hours within {MAX_DAYS_SCANNED} days of {start.isoformat()}")


def _as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("business-hour arithmetic needs a timezone-aware datetime")
    return instant.astimezone(UTC)


def _instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock minute of `day`.

    A wall time skipped by spring-forward (2:30 on a March Sunday in Chicago) resolves to the
    instant an hour later; a repeated one (1:30 in November) to its first occurrence.
    """
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    return wall.replace(tzinfo=tz).astimezone(UTC)


def _duration(hours: float | timedelta) -> timedelta:
    duration = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    if duration < timedelta(0):
        raise ValueError("business hours to add cannot be negative")
    return duration


def add_business_hours(start: datetime, hours: float | timedelta, calendar: BusinessCalendar) -> datetime:
    """The UTC instant `hours` of working time after `start` (ending at a close, not the next opening)."""
    remaining = _duration(hours)
    start = _as_utc(start)
    for opens, closes in calendar.windows_from(start):
        begin = max(opens, start)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("windows_from never ends without raising")  # pragma: no cover


def business_hours_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    """Working time from `start` to `end` (zero when `end` is not after `start`)."""
    start, end = _as_utc(start), _as_utc(end)
    total = timedelta(0)
    if end <= start:
        return total
    for opens, closes in calendar.windows_from(start):
        if opens >= end:
            break
        total += min(closes, end) - max(opens, start)
    return total


def calendar_from_settings(settings: dict | None, timezone: str) -> BusinessCalendar:
    """Build and validate a calendar from `Organization.settings`; ValueError says what is wrong."""
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {timezone!r}") from exc
    config = (settings or {}).get("business_hours") or {}
    if not isinstance(config, dict):
        raise ValueError("business_hours must be an object")
    unknown = set(config) - {"week", "holidays"}
    if unknown:
        raise ValueError(f"unknown business_hours keys: {', '.join(sorted(unknown))}")
    week = _parse_week(config.get("week", DEFAULT_WEEK))
    return BusinessCalendar(timezone=tz, week=week, holidays=_parse_holidays(config.get("holidays", {})))


def _parse_week(raw) -> tuple[tuple[Window, ...], ...]:
    if not isinstance(raw, dict):
        raise ValueError("week must map day names (mon..sun) to lists of [opens, closes]")
    unknown = set(raw) - set(DAY_NAMES)
    if unknown:
        raise ValueError(f"unknown days in week: {', '.join(sorted(unknown))}")
    return tuple(_parse_windows(name, raw.get(name) or []) for name in DAY_NAMES)


def _parse_windows(day_name: str, raw) -> tuple[Window, ...]:
    if not isinstance(raw, list):
        raise ValueError(f"{day_name}: expected a list of [opens, closes]")
    windows = []
    for pair in raw:
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            raise ValueError(f"{day_name}: each window is [opens, closes], got {pair!r}")
        opens, closes = _minute_of_day(day_name, pair[0]), _minute_of_day(day_name, pair[1])
        if opens >= closes:
            raise ValueError(f"{day_name}: {pair[0]} to {pair[1]} does not move forward (overnight shifts are two windows)")
        windows.append((opens, closes))
    windows.sort()
    for (_, earlier_close), (later_open, _) in zip(windows, windows[1:], strict=False):
        if later_open < earlier_close:
            raise ValueError(f"{day_name}: windows overlap")
    return tuple(windows)


def _minute_of_day(day_name: str, value) -> int:
    match = _CLOCK.match(value) if isinstance(value, str) else None
    minute = int(match[1]) * 60 + int(match[2]) if match else -1
    if not 0 <= minute <= MINUTES_PER_DAY:
        raise ValueError(f"{day_name}: {value!r} is not a time between 00:00 and 24:00")
    return minute


def _parse_holidays(raw) -> Holidays:
    if not isinstance(raw, dict):
        raise ValueError("holidays must be an object")
    unknown = set(raw) - {"country", "subdivision", "extra", "removed"}
    if unknown:
        raise ValueError(f"unknown holidays keys: {', '.join(sorted(unknown))}")
    country = raw.get("country", DEFAULT_COUNTRY)
    subdivision = raw.get("subdivision")
    if country is not None:
        try:
            holidays_lib.country_holidays(country, subdiv=subdivision)
        except (NotImplementedError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"no public holidays known for country {country!r}, subdivision {subdivision!r}") from exc
    elif subdivision is not None:
        raise ValueError("a subdivision needs a country")
    return Holidays(country=country, subdivision=subdivision,
                    extra=_parse_dates("extra", raw.get("extra", [])),
                    removed=_parse_dates("removed", raw.get("removed", [])))


def _parse_dates(name: str, raw) -> frozenset[date]:
    if not isinstance(raw, list):
        raise ValueError(f"holidays.{name} must be a list of YYYY-MM-DD dates")
    try:
        return frozenset(date.fromisoformat(value) for value in raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"holidays.{name} must be a list of YYYY-MM-DD dates") from exc
