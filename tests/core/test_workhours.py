"""Tests for the working-hours calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident_ops.core.workhours import WorkCalendar

H = timedelta(hours=1)
M = timedelta(minutes=1)
ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    """Build a UTC datetime."""
    return datetime(*args, tzinfo=UTC)


DEFAULT = WorkCalendar()
OFFICE_BERLIN = WorkCalendar("Europe/Berlin", start="09:00", end="17:00")
CALENDARS = {
    "default": DEFAULT,
    "office-berlin": OFFICE_BERLIN,
    "xmas": WorkCalendar(holidays=[date(2024, 12, 25), "2024-12-26"]),
    "us": WorkCalendar(country="US"),
    "berlin-24h-all": WorkCalendar("Europe/Berlin", days=ALL_DAYS),
    "berlin-24h-weekdays": WorkCalendar("Europe/Berlin"),
    "berlin-sun-office": WorkCalendar("Europe/Berlin", days=["sun"], start="09:00", end="17:00"),
    "berlin-02:30-24": WorkCalendar("Europe/Berlin", days=["sun"], start="02:30"),
    "berlin-00-02:30": WorkCalendar("Europe/Berlin", days=["sun"], end="02:30"),
    "ny-24h-sun": WorkCalendar("America/New_York", days=["sun"]),
    "ny-sun-office": WorkCalendar("America/New_York", days=["sun"], start="09:00", end="17:00"),
    "ny-02:30-24": WorkCalendar("America/New_York", days=["sun"], start="02:30"),
    "ny-01:30-24": WorkCalendar("America/New_York", days=["sun"], start="01:30"),
    "kolkata": WorkCalendar("Asia/Kolkata", start="09:00", end="17:00"),
    "adelaide": WorkCalendar("Australia/Adelaide", start="09:00", end="17:00"),
    "adelaide-24h-sun": WorkCalendar("Australia/Adelaide", days=["sun"]),
    "evenings": WorkCalendar(start="18:00", end="24:00"),
}

# (calendar, start, end, expected working time)
WORKING_TIME_CASES = [
    # Default: Fri 2024-06-07 12:00 → Tue 11:00 = Fri 12 h + Mon 24 h + Tue 11 h.
    ("default", utc(2024, 6, 7, 12), utc(2024, 6, 11, 11), 47 * H),
    ("default", utc(2024, 6, 7, 12), utc(2024, 6, 11, 12), 48 * H),
    ("default", utc(2024, 6, 8), utc(2024, 6, 10), 0 * H),  # the weekend
    ("default", utc(2024, 6, 10, 12), utc(2024, 6, 10, 11), 0 * H),  # end before start
    ("default", utc(2024, 6, 10, 12), utc(2024, 6, 10, 12), 0 * H),
    # 522 whole weeks from a Monday: 2610 weekdays, ten years in one call.
    ("default", utc(2024, 1, 1), utc(2024, 1, 1) + timedelta(weeks=522), 522 * 5 * 24 * H),
    # Mon 23rd, Tue 24th and Fri 27th count; Christmas Day and Boxing Day do not.
    ("xmas", utc(2024, 12, 23), utc(2024, 12, 30), 72 * H),
    # Wed 3 July 12:00 → Fri 5 July 12:00 skips Independence Day (Thursday).
    ("us", utc(2024, 7, 3, 12), utc(2024, 7, 5, 12), 24 * H),
    # Berlin spring forward (Sun 2024-03-31): local midnight to midnight is 23 h,
    # 2024-03-30 23:00 UTC (00:00 CET) → 2024-03-31 22:00 UTC (00:00 CEST).
    ("berlin-24h-all", utc(2024, 3, 30, 23), utc(2024, 3, 31, 22), 23 * H),
    ("berlin-24h-all", utc(2024, 3, 30), utc(2024, 4, 2), 72 * H),  # every instant counts
    # Berlin fall back (Sun 2024-10-27): 22:00 UTC (00:00 CEST) → 23:00 UTC next day = 25 h.
    ("berlin-24h-all", utc(2024, 10, 26, 22), utc(2024, 10, 27, 23), 25 * H),
    ("berlin-sun-office", utc(2024, 3, 25), utc(2024, 4, 5), 8 * H),  # 07:00–15:00 UTC
    ("berlin-sun-office", utc(2024, 10, 21), utc(2024, 11, 1), 8 * H),  # 08:00–16:00 UTC
    # 02:30 does not exist on 2024-03-31: the window opens at 03:00 CEST = 01:00 UTC and runs
    # to 22:00 UTC = 21 h. On 2024-10-27 02:30 happens twice; the first (CEST) is 00:30 UTC,
    # and the day ends at 23:00 UTC = 22.5 h.
    ("berlin-02:30-24", utc(2024, 3, 25), utc(2024, 4, 5), 21 * H),
    ("berlin-02:30-24", utc(2024, 10, 21), utc(2024, 11, 1), 22 * H + 30 * M),
    # An end in the gap closes at 01:00 UTC (window 23:00 → 01:00 = 2 h); in the overlap, at its
    # first occurrence 00:30 UTC (22:00 → 00:30 = 2.5 h).
    ("berlin-00-02:30", utc(2024, 3, 25), utc(2024, 4, 5), 2 * H),
    ("berlin-00-02:30", utc(2024, 10, 21), utc(2024, 11, 1), 2 * H + 30 * M),
    # New York spring forward (Sun 2024-03-10): 05:00 UTC (00:00 EST) → 04:00 UTC next day.
    ("ny-24h-sun", utc(2024, 3, 5), utc(2024, 3, 15), 23 * H),
    # New York fall back (Sun 2024-11-03): 04:00 UTC (00:00 EDT) → 05:00 UTC next day.
    ("ny-24h-sun", utc(2024, 10, 29), utc(2024, 11, 8), 25 * H),
    ("ny-sun-office", utc(2024, 3, 5), utc(2024, 3, 15), 8 * H),  # 13:00–21:00 UTC
    ("ny-sun-office", utc(2024, 10, 29), utc(2024, 11, 8), 8 * H),  # 14:00–22:00 UTC
    # 02:30 on 2024-03-10 is in the gap: opens 03:00 EDT = 07:00 UTC, closes 04:00 UTC = 21 h.
    ("ny-02:30-24", utc(2024, 3, 5), utc(2024, 3, 15), 21 * H),
    # 01:30 on 2024-11-03 happens twice: first as EDT = 05:30 UTC, closes 05:00 UTC = 23.5 h.
    ("ny-01:30-24", utc(2024, 10, 29), utc(2024, 11, 8), 23 * H + 30 * M),
    # Berlin office, CEST (UTC+2): Wed 2024-06-12 08:00 local → Thu 08:00 local = 8 h.
    ("office-berlin", utc(2024, 6, 12, 6), utc(2024, 6, 13, 6), 8 * H),
    # Fri 14:00 local → Mon 14:00 local: 3 h Friday + 5 h Monday.
    ("office-berlin", utc(2024, 6, 14, 12), utc(2024, 6, 17, 12), 8 * H),
    ("office-berlin", utc(2024, 6, 15), utc(2024, 6, 17), 0 * H),
    # Kolkata (UTC+5:30): 09:00–17:00 IST is 03:30–11:30 UTC.
    ("kolkata", utc(2024, 6, 12), utc(2024, 6, 13), 8 * H),
    ("kolkata", utc(2024, 6, 12, 4), utc(2024, 6, 12, 11), 7 * H),
    # Adelaide in June (ACST, UTC+9:30): Wed 09:00 local is Tue 23:30 UTC.
    ("adelaide", utc(2024, 6, 11, 23), utc(2024, 6, 12, 1), 1 * H + 30 * M),
    # Adelaide spring forward (Sun 2024-10-06, 02:00 ACST → 03:00 ACDT): 14:30 UTC → 13:30 UTC.
    ("adelaide-24h-sun", utc(2024, 10, 5, 14, 30), utc(2024, 10, 6, 13, 30), 23 * H),
    # 18:00–24:00 UTC on Mon and Tue.
    ("evenings", utc(2024, 6, 10), utc(2024, 6, 12), 12 * H),
]


@pytest.mark.parametrize(("calendar", "start", "end", "expected"), WORKING_TIME_CASES)
def test_working_time(calendar: str, start: datetime, end: datetime, expected: timedelta) -> None:
    """Working time between two instants matches the hand-computed value."""
    assert CALENDARS[calendar].working_time(start, end) == expected


# (calendar, start, amount, expected result)
ADD_CASES = [
    # The default auto-close: resolved Friday 12:00 UTC, 48 working hours later is Tuesday 12:00.
    ("default", utc(2024, 6, 7, 12), 48 * H, utc(2024, 6, 11, 12)),
    ("default", utc(2024, 6, 8, 10), 1 * H, utc(2024, 6, 10, 1)),  # Saturday → Monday
    ("default", utc(2024, 6, 7, 23), 1 * H, utc(2024, 6, 8)),  # ends exactly at Friday 24:00
    ("default", utc(2024, 6, 7, 12), 0 * H, utc(2024, 6, 7, 12)),
    ("default", utc(2024, 6, 8, 12), 0 * H, utc(2024, 6, 8, 12)),  # zero outside hours: start
    # Tue 24th 12:00: 12 h that day, Christmas and Boxing Day skipped, 12 h on Friday.
    ("xmas", utc(2024, 12, 24, 12), 24 * H, utc(2024, 12, 27, 12)),
    ("us", utc(2024, 7, 3, 12), 24 * H, utc(2024, 7, 5, 12)),
    # Berlin spring-forward Sunday: 24 h from local midnight ends at 01:00 local on Monday.
    ("berlin-24h-all", utc(2024, 3, 30, 23), 24 * H, utc(2024, 3, 31, 23)),
    ("berlin-24h-all", utc(2024, 10, 26, 22), 24 * H, utc(2024, 10, 27, 22)),
    # Fri 2024-03-29 12:00 CET: 12 h to Friday's end, then Monday 00:00 CEST (22:00 UTC) + 12 h.
    ("berlin-24h-weekdays", utc(2024, 3, 29, 11), 24 * H, utc(2024, 4, 1, 10)),
    ("berlin-02:30-24", utc(2024, 3, 31), 1 * H, utc(2024, 3, 31, 2)),  # opens 01:00 UTC
    ("berlin-02:30-24", utc(2024, 10, 27), 1 * H, utc(2024, 10, 27, 1, 30)),  # opens 00:30 UTC
    ("ny-sun-office", utc(2024, 3, 10), 1 * H, utc(2024, 3, 10, 14)),  # opens 13:00 UTC
    ("ny-sun-office", utc(2024, 11, 3), 1 * H, utc(2024, 11, 3, 15)),  # opens 14:00 UTC
    ("ny-02:30-24", utc(2024, 3, 10), 1 * H, utc(2024, 3, 10, 8)),  # opens 07:00 UTC
    ("ny-01:30-24", utc(2024, 11, 3), 1 * H, utc(2024, 11, 3, 6, 30)),  # opens 05:30 UTC
    # Berlin office (CEST = UTC+2) on Wed 2024-06-12, window 07:00–15:00 UTC.
    ("office-berlin", utc(2024, 6, 12, 6), 1 * H, utc(2024, 6, 12, 8)),  # before hours
    ("office-berlin", utc(2024, 6, 12, 12), 1 * H, utc(2024, 6, 12, 13)),  # during
    ("office-berlin", utc(2024, 6, 12, 12), 3 * H, utc(2024, 6, 12, 15)),  # to the close
    ("office-berlin", utc(2024, 6, 12, 12), 4 * H, utc(2024, 6, 13, 8)),  # into Thursday
    ("office-berlin", utc(2024, 6, 12, 16), 1 * H, utc(2024, 6, 13, 8)),  # after hours
    ("office-berlin", utc(2024, 6, 15, 10), 1 * H, utc(2024, 6, 17, 8)),  # weekend
    ("office-berlin", utc(2024, 6, 14, 12), 8 * H, utc(2024, 6, 17, 12)),  # over a weekend
    # A whole working week from Wednesday morning ends at Tuesday's close, not Wednesday's open.
    ("office-berlin", utc(2024, 6, 12, 6), 40 * H, utc(2024, 6, 18, 15)),
    # Kolkata: before hours (05:30 IST) → opens 03:30 UTC, + 1 h.
    ("kolkata", utc(2024, 6, 12), 1 * H, utc(2024, 6, 12, 4, 30)),
    ("kolkata", utc(2024, 6, 12, 11), 1 * H, utc(2024, 6, 13, 4)),  # 30 min Wed, 30 min Thu
    # Adelaide: Fri 16:30 ACST; 30 min Friday, then Monday opens Sun 23:30 UTC, + 30 min.
    ("adelaide", utc(2024, 6, 14, 7), 1 * H, utc(2024, 6, 17)),
    # Adelaide in January (ACDT, UTC+10:30): Wed 2024-01-10 09:00 local is Tue 22:30 UTC.
    ("adelaide", utc(2024, 1, 9, 12), 1 * H, utc(2024, 1, 9, 23, 30)),
    ("evenings", utc(2024, 6, 10, 23), 2 * H, utc(2024, 6, 11, 19)),  # through 24:00
]


@pytest.mark.parametrize(("calendar", "start", "amount", "expected"), ADD_CASES)
def test_add_working_time(calendar: str, start: datetime, amount: timedelta, expected: datetime) -> None:
    """Adding working time lands on the hand-computed instant, in UTC, and inverts back."""
    result = CALENDARS[calendar].add_working_time(start, amount)
    assert result == expected
    assert result.utcoffset() == timedelta(0) and result.tzinfo == UTC
    assert CALENDARS[calendar].working_time(start, result) == amount


def test_default_auto_close_boundary() -> None:
    """At Tuesday 11:00 only 47 working hours have passed since Friday 12:00."""
    resolved = utc(2024, 6, 7, 12)
    assert DEFAULT.working_time(resolved, utc(2024, 6, 11, 11)) < 48 * H
    assert DEFAULT.working_time(resolved, utc(2024, 6, 11, 12)) >= 48 * H


def test_results_are_utc_for_local_input() -> None:
    """Instants given in another zone come back as the same instant in UTC."""
    start = datetime(2024, 6, 12, 14, tzinfo=BERLIN)  # 12:00 UTC
    assert OFFICE_BERLIN.add_working_time(start, 0 * H) == utc(2024, 6, 12, 12)
    assert OFFICE_BERLIN.add_working_time(start, 0 * H).tzinfo == UTC
    assert OFFICE_BERLIN.add_working_time(start, 1 * H) == utc(2024, 6, 12, 13)


# (calendar, instant, working?)
IS_WORKING_CASES = [
    ("default", utc(2024, 6, 7, 23, 59, 59, 999999), True),  # last instant of Friday
    ("default", utc(2024, 6, 8), False),  # Saturday 00:00
    ("default", utc(2024, 6, 9, 23, 59), False),
    ("default", utc(2024, 6, 10), True),  # Monday 00:00
    ("office-berlin", utc(2024, 6, 12, 6, 59), False),  # 08:59 local
    ("office-berlin", utc(2024, 6, 12, 7), True),  # 09:00 local: start is inclusive
    ("office-berlin", utc(2024, 6, 12, 14, 59), True),
    ("office-berlin", utc(2024, 6, 12, 15), False),  # 17:00 local: end is exclusive
    ("office-berlin", utc(2024, 6, 15, 10), False),  # Saturday
    ("office-berlin", utc(2024, 1, 10, 8), True),  # 09:00 CET in winter
    ("office-berlin", utc(2024, 1, 10, 7), False),
    ("berlin-sun-office", utc(2024, 3, 31, 7), True),
    ("berlin-sun-office", utc(2024, 3, 31, 15), False),
    ("berlin-02:30-24", utc(2024, 3, 31, 0, 59), False),
    ("berlin-02:30-24", utc(2024, 3, 31, 1), True),
    ("berlin-02:30-24", utc(2024, 10, 27, 0, 30), True),
    ("berlin-02:30-24", utc(2024, 10, 27, 0, 29), False),
    ("kolkata", utc(2024, 6, 12, 3, 29), False),
    ("kolkata", utc(2024, 6, 12, 3, 30), True),
    ("kolkata", utc(2024, 6, 12, 11, 30), False),
    ("adelaide", utc(2024, 6, 11, 23, 30), True),  # Wed 09:00 ACST
    ("adelaide", utc(2024, 6, 11, 23, 29), False),
    ("adelaide", utc(2024, 6, 12, 7, 30), False),  # Wed 17:00 ACST
    ("us", utc(2024, 7, 4, 12), False),
    ("xmas", utc(2024, 12, 24, 23, 59), True),
    ("xmas", utc(2024, 12, 25), False),
]


@pytest.mark.parametrize(("calendar", "instant", "expected"), IS_WORKING_CASES)
def test_is_working(calendar: str, instant: datetime, expected: bool) -> None:
    """Window starts are inclusive and ends exclusive, on the local calendar."""
    assert CALENDARS[calendar].is_working(instant) is expected


# (calendar kwargs, day, working day?)
WORKING_DAY_CASES = [
    ({}, date(2024, 6, 7), True),  # Friday
    ({}, date(2024, 6, 8), False),  # Saturday
    ({"holidays": [date(2024, 12, 25)]}, date(2024, 12, 25), False),
    ({"holidays": ["2024-12-25"]}, date(2024, 12, 24), True),
    ({"country": "US"}, date(2024, 7, 4), False),  # Independence Day, Thursday
    ({"country": "US"}, date(2024, 7, 5), True),
    ({"country": "US"}, date(2026, 7, 3), False),  # observed for Saturday 4 July 2026
    ({"country": "us"}, date(2024, 7, 4), False),
    ({"country": "US", "subdivision": "CA"}, date(2024, 3, 29), True),
    ({"country": "DE", "subdivision": "BE"}, date(2024, 3, 8), False),  # Women's Day in Berlin
    ({"country": "DE"}, date(2024, 3, 8), True),  # not a national holiday
    ({"country": "DE"}, date(2024, 10, 3), False),  # German Unity Day
    # Easter Sunday is a public holiday only in Brandenburg.
    ({"country": "DE", "subdivision": "BB", "days": ALL_DAYS}, date(2024, 3, 31), False),
    ({"country": "DE", "days": ALL_DAYS}, date(2024, 3, 31), True),
    ({"days": ["sat", "Sunday"]}, date(2024, 6, 9), True),
]


@pytest.mark.parametrize(("kwargs", "day", "expected"), WORKING_DAY_CASES)
def test_is_working_day(kwargs: dict, day: date, expected: bool) -> None:
    """Weekdays, configured holidays and public holidays decide a working day."""
    assert WorkCalendar(**kwargs).is_working_day(day) is expected


def test_public_holidays_load_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    """Public holidays are fetched lazily, one year at a time, and cached."""
    calendar = WorkCalendar(country="DE", subdivision="BE")
    years: list[object] = []
    import holidays as holidays_lib

    original = holidays_lib.country_holidays

    def counting(*args: object, **kwargs: object) -> object:
        years.append(kwargs.get("years"))
        return original(*args, **kwargs)

    monkeypatch.setattr(holidays_lib, "country_holidays", counting)
    calendar.working_time(utc(2024, 1, 1), utc(2025, 12, 31))
    calendar.working_time(utc(2024, 1, 1), utc(2025, 12, 31))
    # The span starts on Sunday 2023-12-31 local, which is no weekday: 2023 is never needed.
    assert sorted(y for y in years if y is not None) == [2024, 2025]


BERLIN_HOLIDAYS = {"country": "DE", "subdivision": "BE"}

# (calendar kwargs, description)
DESCRIBE_CASES = [
    ({}, "Mon–Fri 00:00–24:00 UTC"),
    (
        {"timezone": "Europe/Berlin", "start": "09:00", "end": "17:00", **BERLIN_HOLIDAYS},
        "Mon–Fri 09:00–17:00 Europe/Berlin, DE-BE public holidays",
    ),
    (
        {"country": "US", "holidays": [date(2024, 12, 24)]},
        "Mon–Fri 00:00–24:00 UTC, US public holidays, 1 extra holiday",
    ),
    ({"days": ["mon", "wed", "fri"], "start": "8:30"}, "Mon, Wed, Fri 08:30–24:00 UTC"),
    ({"days": ["sat", "sun", "mon", "tue", "wed"]}, "Mon–Wed, Sat, Sun 00:00–24:00 UTC"),
    (
        {"days": ALL_DAYS, "holidays": ["2024-01-01", "2024-01-02"]},
        "Mon–Sun 00:00–24:00 UTC, 2 extra holidays",
    ),
]


@pytest.mark.parametrize(("kwargs", "expected"), DESCRIBE_CASES)
def test_describe(kwargs: dict, expected: str) -> None:
    """The one-line description names days, hours, zone and holidays."""
    assert WorkCalendar(**kwargs).describe() == expected


INVALID_CALENDARS = [
    {"days": []},
    {"days": ["mon", "funday"]},
    {"days": "mon"},
    {"start": "17:00", "end": "09:00"},
    {"start": "09:00", "end": "09:00"},
    {"start": "24:00"},
    {"end": "24:01"},
    {"start": "25:00"},
    {"start": "09:60"},
    {"start": "9am"},
    {"timezone": "Mars/Olympus_Mons"},
    {"timezone": ""},
    {"holidays": ["christmas"]},
    {"holidays": [datetime(2024, 12, 25, tzinfo=UTC)]},
    {"country": "XX"},
    {"country": "DE", "subdivision": "XX"},
    {"subdivision": "BE"},
]


@pytest.mark.parametrize("kwargs", INVALID_CALENDARS)
def test_invalid_calendar(kwargs: dict) -> None:
    """Unusable settings raise ValueError at construction."""
    with pytest.raises(ValueError):
        WorkCalendar(**kwargs)


def test_naive_datetimes_are_rejected() -> None:
    """Every method that takes an instant refuses a naive datetime."""
    naive, aware = datetime(2024, 6, 10, 12), utc(2024, 6, 10, 12)
    with pytest.raises(ValueError):
        DEFAULT.working_time(naive, aware)
    with pytest.raises(ValueError):
        DEFAULT.working_time(aware, naive)
    with pytest.raises(ValueError):
        DEFAULT.add_working_time(naive, H)
    with pytest.raises(ValueError):
        DEFAULT.is_working(naive)


def test_negative_amount_is_rejected() -> None:
    """Working time cannot be added backwards."""
    with pytest.raises(ValueError):
        DEFAULT.add_working_time(utc(2024, 6, 10), -H)


def test_is_working_day_takes_a_date() -> None:
    """A datetime has no single local date, so is_working_day refuses it."""
    with pytest.raises(TypeError):
        DEFAULT.is_working_day(utc(2024, 6, 10))


def test_no_working_time_for_ten_years_raises() -> None:
    """A calendar whose every working day is a holiday stops instead of looping."""
    mondays = [date(2024, 1, 1) + timedelta(weeks=week) for week in range(600)]
    calendar = WorkCalendar(days=["mon"], holidays=mondays)
    assert calendar.working_time(utc(2024, 1, 1), utc(2030, 1, 1)) == timedelta(0)
    with pytest.raises(ValueError):
        calendar.add_working_time(utc(2024, 1, 1), H)


def test_gap_skipping_a_whole_day() -> None:
    """Samoa skipped 30 December 2011: a window on that day is empty, not an error."""
    calendar = WorkCalendar("Pacific/Apia", days=["thu", "fri", "sat"])
    # Thu 29th 00:00 (UTC-10) = 10:00 UTC; the day ran to the jump at 2011-12-30 10:00 UTC.
    assert calendar.working_time(utc(2011, 12, 29), utc(2011, 12, 30, 10)) == 24 * H
    # Sat 31st 00:00 (UTC+14) = 2011-12-30 10:00 UTC; nothing lies in between.
    assert calendar.add_working_time(utc(2011, 12, 30, 10), H) == utc(2011, 12, 30, 11)


instants = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2040, 1, 1),
    timezones=st.sampled_from([UTC, BERLIN, ZoneInfo("America/New_York")]),
)
minutes = st.integers(min_value=0, max_value=60 * 24 * 90).map(lambda n: n * M)
gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120))


@pytest.mark.parametrize("calendar", [DEFAULT, OFFICE_BERLIN], ids=["default", "office-berlin"])
@given(start=instants, amount=minutes)
def test_add_then_measure_is_identity(calendar: WorkCalendar, start: datetime, amount: timedelta) -> None:
    """working_time(s, add_working_time(s, d)) == d, and the result is the earliest such instant."""
    end = calendar.add_working_time(start, amount)
    assert end >= start
    assert calendar.working_time(start, end) == amount
    if amount:
        assert calendar.working_time(start, end - timedelta(microseconds=1)) < amount


@pytest.mark.parametrize("calendar", [DEFAULT, OFFICE_BERLIN], ids=["default", "office-berlin"])
@given(a=instants, first=gaps, second=gaps)
def test_working_time_is_additive(
    calendar: WorkCalendar, a: datetime, first: timedelta, second: timedelta
) -> None:
    """Splitting a span at any instant inside it does not change its working time."""
    a = a.astimezone(UTC)  # aware arithmetic in a local zone is wall-clock, not elapsed time
    b, c = a + first, a + first + second
    assert calendar.working_time(a, c) == calendar.working_time(a, b) + calendar.working_time(b, c)
