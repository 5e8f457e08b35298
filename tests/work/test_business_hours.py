"""Business-hour arithmetic: weekends, DST, holidays, odd starts, settings; checked against a brute-force count."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import marshmallow as ma
import pytest

from app.work.business_hours import (
    add_business_hours,
    business_hours_between,
    calendar_from_settings,
)
from app.work.schemas import BusinessHoursSettingsSchema

CHICAGO = ZoneInfo("America/Chicago")
DEFAULT = calendar_from_settings({}, "America/Chicago")
ALWAYS_OPEN = calendar_from_settings({"business_hours": {
    "week": {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "holidays": {"country": None}}}, "America/Chicago")


def chicago(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def local(instant: datetime) -> datetime:
    return instant.astimezone(CHICAGO)


def settings(**business_hours) -> dict:
    return {"business_hours": business_hours}


# --- the default calendar: Monday to Friday, 9 to 5, US public holidays -----------------

def test_friday_afternoon_plus_a_working_day_lands_on_monday_afternoon():
    due = add_business_hours(chicago(2026, 1, 9, 15), 8, DEFAULT)  # Friday 15:00
    assert local(due) == chicago(2026, 1, 12, 15)  # Monday 15:00
    assert due.tzinfo == UTC


def test_a_48_hour_sla_is_six_working_days_across_a_weekend():
    due = add_business_hours(chicago(2026, 1, 5, 10), 48, DEFAULT)  # Monday 10:00
    assert local(due) == chicago(2026, 1, 13, 10)  # the Tuesday after next, 10:00


def test_work_that_fills_a_day_is_due_at_its_close_not_the_next_morning():
    assert local(add_business_hours(chicago(2026, 1, 5, 9), 8, DEFAULT)) == chicago(2026, 1, 5, 17)


@pytest.mark.parametrize(("start", "expected"), [
    (chicago(2026, 1, 6, 20), chicago(2026, 1, 7, 11)),  # Tuesday evening: from Wednesday's opening
    (chicago(2026, 1, 6, 7), chicago(2026, 1, 6, 11)),  # Tuesday before opening: from 9:00
    (chicago(2026, 1, 10, 12), chicago(2026, 1, 12, 11)),  # Saturday: from Monday's opening
    (chicago(2026, 1, 9, 17), chicago(2026, 1, 12, 11)),  # Friday at closing time
    (chicago(2026, 1, 6, 16, 30), chicago(2026, 1, 7, 10, 30)),  # half an hour left today
])
def test_a_start_outside_or_near_the_end_of_working_hours(start, expected):
    assert local(add_business_hours(start, 2, DEFAULT)) == expected


def test_zero_hours_is_the_next_working_instant():
    assert local(add_business_hours(chicago(2026, 1, 10, 12), 0, DEFAULT)) == chicago(2026, 1, 12, 9)
    assert local(add_business_hours(chicago(2026, 1, 6, 12), 0, DEFAULT)) == chicago(2026, 1, 6, 12)


def test_fractions_of_an_hour_and_timedeltas():
    start = chicago(2026, 1, 6, 16)
    assert local(add_business_hours(start, 1.5, DEFAULT)) == chicago(2026, 1, 7, 9, 30)
    assert add_business_hours(start, timedelta(minutes=90), DEFAULT) == add_business_hours(start, 1.5, DEFAULT)


def test_naive_instants_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_hours(datetime(2026, 1, 6, 12), 1, DEFAULT)
    with pytest.raises(ValueError, match="negative"):
        add_business_hours(chicago(2026, 1, 6, 12), -1, DEFAULT)


# --- daylight saving time (Chicago: 2026-03-08 spring forward, 2026-11-01 fall back) ----------

def test_across_spring_forward_the_working_day_keeps_its_wall_clock_hours():
    start = chicago(2026, 3, 6, 16)  # Friday 16:00 CST = 22:00 UTC
    due = add_business_hours(start, 8, DEFAULT)
    assert local(due) == chicago(2026, 3, 9, 16)  # Monday 16:00 CDT
    assert due == datetime(2026, 3, 9, 21, tzinfo=UTC)  # one hour earlier in UTC than on Friday
    assert business_hours_between(start, due, DEFAULT) == timedelta(hours=8)


def test_across_fall_back_the_working_day_keeps_its_wall_clock_hours():
    due = add_business_hours(chicago(2026, 10, 30, 16), 8, DEFAULT)  # Friday 16:00 CDT
    assert local(due) == chicago(2026, 11, 2, 16)  # Monday 16:00 CST
    assert due == datetime(2026, 11, 2, 22, tzinfo=UTC)


def test_round_the_clock_operations_count_real_hours_on_change_days():
    assert business_hours_between(chicago(2026, 3, 8), chicago(2026, 3, 9), ALWAYS_OPEN) == timedelta(hours=23)
    assert business_hours_between(chicago(2026, 11, 1), chicago(2026, 11, 2), ALWAYS_OPEN) == timedelta(hours=25)
    # 24 real hours after Saturday noon CST is Sunday 13:00 CDT.
    assert local(add_business_hours(chicago(2026, 3, 7, 12), 24, ALWAYS_OPEN)) == chicago(2026, 3, 8, 13)


def test_a_window_that_contains_the_change_holds_its_real_length():
    night = calendar_from_settings(settings(week={"sun": [["01:00", "04:00"]]}, holidays={"country": None}),
                                   "America/Chicago")
    assert business_hours_between(chicago(2026, 3, 8), chicago(2026, 3, 9), night) == timedelta(hours=2)
    assert business_hours_between(chicago(2026, 11, 1), chicago(2026, 11, 2), night) == timedelta(hours=4)


# --- holidays -----------------------------------------------------------------------------

def test_thanksgiving_is_skipped():
    due = add_business_hours(chicago(2026, 11, 25, 15), 8, DEFAULT)  # Wednesday before Thanksgiving
    assert local(due) == chicago(2026, 11, 27, 15)  # Friday


def test_an_observed_holiday_is_skipped():
    # Independence Day 2026 is a Saturday; Friday 3 July is the observed day off.
    assert local(add_business_hours(chicago(2026, 7, 2, 16), 2, DEFAULT)) == chicago(2026, 7, 6, 10)


def test_extra_dates_are_days_off_and_removed_holidays_are_working_days():
    extra = calendar_from_settings(settings(holidays={"country": "US", "extra": ["2026-11-27"]}), "America/Chicago")
    assert local(add_business_hours(chicago(2026, 11, 25, 15), 8, extra)) == chicago(2026, 11, 30, 15)
    columbus_day_worked = calendar_from_settings(settings(holidays={"removed": ["2026-10-12"]}), "America/Chicago")
    friday = chicago(2026, 10, 9, 16)
    assert local(add_business_hours(friday, 2, DEFAULT)) == chicago(2026, 10, 13, 10)
    assert local(add_business_hours(friday, 2, columbus_day_worked)) == chicago(2026, 10, 12, 10)


def test_subdivision_holidays_count_only_when_configured():
    illinois = calendar_from_settings(settings(holidays={"country": "US", "subdivision": "IL"}), "America/Chicago")
    wednesday = chicago(2026, 2, 11, 16)  # Lincoln's Birthday (Illinois) is Thursday 12 February
    assert local(add_business_hours(wednesday, 2, DEFAULT)) == chicago(2026, 2, 12, 10)
    assert local(add_business_hours(wednesday, 2, illinois)) == chicago(2026, 2, 13, 10)


def test_no_public_holidays_when_the_country_is_null():
    none = calendar_from_settings(settings(holidays={"country": None}), "America/Chicago")
    assert local(add_business_hours(chicago(2026, 11, 25, 15), 8, none)) == chicago(2026, 11, 26, 15)


def test_another_country_in_its_own_time_zone():
    berlin = ZoneInfo("Europe/Berlin")
    calendar = calendar_from_settings(settings(holidays={"country": "DE"}), "Europe/Berlin")
    # Labour Day, Friday 1 May 2026, is a public holiday in Germany.
    due = add_business_hours(datetime(2026, 4, 30, 16, tzinfo=berlin), 2, calendar)
    assert due.astimezone(berlin) == datetime(2026, 5, 4, 10, tzinfo=berlin)


# --- configurable weeks -------------------------------------------------------------------

def test_split_shifts_and_a_saturday_morning():
    calendar = calendar_from_settings(settings(week={
        "mon": [["08:00", "12:00"], ["13:00", "17:00"]],
        "sat": [["08:00", "12:00"]],
    }), "America/Chicago")
    assert local(add_business_hours(chicago(2026, 1, 5, 11), 2, calendar)) == chicago(2026, 1, 5, 14)
    # Monday 16:00 + 3h: one hour on Monday, then Saturday morning, the next working day.
    assert local(add_business_hours(chicago(2026, 1, 5, 16), 3, calendar)) == chicago(2026, 1, 10, 10)


@pytest.mark.parametrize(("business_hours", "message"), [
    ({"week": {"funday": [["09:00", "17:00"]]}}, "unknown days"),
    ({"week": {"mon": [["17:00", "09:00"]]}}, "does not move forward"),
    ({"week": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "overlap"),
    ({"week": {"mon": [["9am", "5pm"]]}}, "not a time"),
    ({"week": {"mon": [["09:00", "24:30"]]}}, "not a time"),
    ({"week": {"mon": ["09:00", "17:00"]}}, "each window"),
    ({"week": {}}, "at least one working day"),
    ({"holidays": {"country": "XX"}}, "no public holidays known"),
    ({"holidays": {"country": "US", "subdivision": "ZZ"}}, "no public holidays known"),
    ({"holidays": {"country": None, "subdivision": "IL"}}, "needs a country"),
    ({"holidays": {"extra": ["next tuesday"]}}, "YYYY-MM-DD"),
    ({"holidays": {"colour": "red"}}, "unknown holidays keys"),
    ({"hours": {}}, "unknown business_hours keys"),
])
def test_unusable_settings_say_what_is_wrong(business_hours, message):
    with pytest.raises(ValueError, match=message):
        calendar_from_settings({"business_hours": business_hours}, "America/Chicago")


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="unknown time zone"):
        calendar_from_settings({}, "America/Springfield")


def test_a_calendar_whose_only_working_days_are_holidays_cannot_reach_a_deadline():
    calendar = calendar_from_settings(settings(week={"fri": [["09:00", "17:00"]]},
                                               holidays={"country": None, "extra": ["2026-12-25"]}),
                                      "America/Chicago")
    assert local(add_business_hours(chicago(2026, 12, 24, 12), 1, calendar)) == chicago(2027, 1, 1, 10)


# --- exhaustive: every quarter-hour start in hard weeks, against a brute-force count -----------

QUARTER = timedelta(minutes=15)
NIGHT_SHIFTS = calendar_from_settings(settings(
    week={"sat": [["22:00", "24:00"]], "sun": [["00:00", "04:00"], ["20:00", "23:00"]], "mon": [["06:00", "10:00"]]},
    holidays={"country": None}), "America/Chicago")


def brute_force_deadline(start: datetime, hours: float, calendar) -> datetime:
    """Walk real time a quarter-hour at a time, counting the quarters that are working time locally."""
    remaining, instant = round(hours * 4), start.astimezone(UTC)
    while remaining:
        wall = instant.astimezone(calendar.timezone)
        minute = wall.hour * 60 + wall.minute
        if wall.date() not in calendar.holidays and any(
                opens <= minute < closes for opens, closes in calendar.week[wall.weekday()]):
            remaining -= 1
        instant += QUARTER
    return instant


HARD_WEEKS = [
    date(2026, 3, 5),  # spring forward
    date(2026, 10, 29),  # fall back
    date(2026, 11, 24),  # Thanksgiving
    date(2026, 12, 23),  # Christmas to New Year
]


@pytest.mark.parametrize("calendar", [DEFAULT, ALWAYS_OPEN, NIGHT_SHIFTS], ids=["default", "always", "night"])
@pytest.mark.parametrize("first_day", HARD_WEEKS, ids=str)
def test_every_quarter_hour_start_agrees_with_a_brute_force_count(calendar, first_day):
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
    for step in range(0, 4 * 24 * 5, 3):  # every 45 minutes over five days
        instant = start + step * QUARTER
        for hours in (0.25, 1, 7.5, 8, 13, 48):
            due = add_business_hours(instant, hours, calendar)
            assert due == brute_force_deadline(instant, hours, calendar), (instant, hours)
            assert business_hours_between(instant, due, calendar) == timedelta(hours=hours)
            assert business_hours_between(instant, due - timedelta(minutes=1), calendar) < timedelta(hours=hours)


# --- the settings schema a settings API validates with --------------------------------------

def test_the_settings_schema_accepts_a_usable_calendar_and_explains_an_unusable_one():
    schema = BusinessHoursSettingsSchema()
    good = {"week": {"mon": [["08:00", "16:00"]]}, "holidays": {"country": "US", "subdivision": "IL"}}
    assert schema.load(good) == good
    with pytest.raises(ma.ValidationError, match="overlap"):
        schema.load({"week": {"mon": [["08:00", "12:00"], ["11:00", "16:00"]]}})
    with pytest.raises(ma.ValidationError, match="Unknown field"):
        schema.load({"weekends": "off"})
