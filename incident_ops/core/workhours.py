"""The working-hours calendar: local working windows per day, all arithmetic in UTC."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident_ops import lazy

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
MINUTES_PER_DAY = 24 * 60
# add_working_time gives up after this many consecutive days without any working time.
MAX_IDLE_DAYS = 3660
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")

Window = tuple[datetime, datetime]


class WorkCalendar:
    """Working time on a local calendar; instants in are aware datetimes, instants out are UTC."""

    def __init__(
        self,
        timezone: str = "UTC",
        days: Iterable[str] = ("mon", "tue", "wed", "thu", "fri"),
        start: str = "00:00",
        end: str = "24:00",
        holidays: Iterable[date] = (),
        country: str | None = None,
        subdivision: str | None = None,
    ) -> None:
        """Validate and store the calendar; raise ValueError for anything unusable."""
        self._zone_name = timezone
        self._zone = _parse_zone(timezone)
        self._weekdays = _parse_days(days)
        self._start = _parse_time(start, "start", allow_24=False)
        self._end = _parse_time(end, "end", allow_24=True)
        if self._start >= self._end:
            raise ValueError(f"working_hours: start {start!r} must be before end {end!r}")
        self._holidays = frozenset(_parse_date(d) for d in holidays)
        self._country, self._subdivision = _parse_country(country, subdivision)
        self._public: dict[int, frozenset[date]] = {}

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """Return the working time between two instants; zero when end <= start."""
        start, end = _to_utc(start, "start"), _to_utc(end, "end")
        if end <= start:
            return ZERO
        total = ZERO
        day, last = self._local_date(start) - ONE_DAY, self._local_date(end)
        while day <= last:
            window = self._window(day)
            if window is not None:
                low, high = max(window[0], start), min(window[1], end)
                if high > low:
                    total += high - low
            day += ONE_DAY
        return total

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Return the earliest instant t >= start with working_time(start, t) >= amount, in UTC."""
        start = _to_utc(start, "start")
        if amount < ZERO:
            raise ValueError(f"amount must not be negative, got {amount}")
        if amount == ZERO:
            return start
        remaining = amount
        for window_start, window_end in self._windows_from(self._local_date(start) - ONE_DAY):
            begin = max(window_start, start)
            if window_end <= begin:
                continue
            if remaining <= window_end - begin:
                return begin + remaining
            remaining -= window_end - begin
        raise AssertionError("unreachable: _windows_from never ends without raising")

    def is_working(self, instant: datetime) -> bool:
        """Say whether the instant lies inside a working window (start inclusive, end exclusive)."""
        instant = _to_utc(instant, "instant")
        day = self._local_date(instant)
        for candidate in (day - ONE_DAY, day, day + ONE_DAY):
            window = self._window(candidate)
            if window is not None and window[0] <= instant < window[1]:
                return True
        return False

    def is_working_day(self, day: date) -> bool:
        """Say whether the local date is a working weekday and not a holiday."""
        if isinstance(day, datetime):
            raise TypeError("is_working_day takes a date, not a datetime")
        if day.weekday() not in self._weekdays or day in self._holidays:
            return False
        return day not in self._public_holidays(day.year)

    def describe(self) -> str:
        """Return one line for people, e.g. 'Mon–Fri 09:00–17:00 Europe/Berlin'."""
        text = f"{_describe_days(self._weekdays)} {_hhmm(self._start)}–{_hhmm(self._end)}"
        text += f" {self._zone_name}"
        if self._country is not None:
            region = self._country + (f"-{self._subdivision}" if self._subdivision else "")
            text += f", {region} public holidays"
        if self._holidays:
            count = len(self._holidays)
            text += f", {count} extra holiday{'s' if count != 1 else ''}"
        return text

    def _local_date(self, instant: datetime) -> date:
        """Return the local calendar date of a UTC instant."""
        return instant.astimezone(self._zone).date()

    def _window(self, day: date) -> Window | None:
        """Return the UTC window of a local day, or None when it is not a working day."""
        if not self.is_working_day(day):
            return None
        return self._wall_to_utc(day, self._start), self._wall_to_utc(day, self._end)

    def _windows_from(self, day: date) -> Iterator[Window]:
        """Yield the non-empty windows from a local day on; raise when working time runs out."""
        idle_since = day
        while True:
            if day >= date.max - ONE_DAY:
                raise ValueError("working time runs past the end of the calendar")
            window = self._window(day)
            if window is not None and window[1] > window[0]:
                yield window
                idle_since = day + ONE_DAY
            elif (day - idle_since).days >= MAX_IDLE_DAYS:
                raise ValueError(f"no working time in {MAX_IDLE_DAYS} days from {idle_since}")
            day += ONE_DAY

    def _wall_to_utc(self, day: date, minutes: int) -> datetime:
        """Map a local wall time to UTC: gaps move to the transition, overlaps take fold=0."""
        if minutes == MINUTES_PER_DAY:
            day, minutes = day + ONE_DAY, 0
        wall = datetime.combine(day, time(minutes // 60, minutes % 60))
        utc = wall.replace(tzinfo=self._zone).astimezone(UTC)
        if utc.astimezone(self._zone).replace(tzinfo=None) == wall:
            return utc
        return self._gap_end(wall)

    def _gap_end(self, wall: datetime) -> datetime:
        """Return the first instant after a nonexistent wall time: the transition skipping it."""
        # In a gap zoneinfo reads fold=0 with the offset before the transition and fold=1 with
        # the one after, so the transition lies between the two readings.
        readings = [wall.replace(tzinfo=self._zone, fold=f).astimezone(UTC) for f in (0, 1)]
        low = int(min(readings).timestamp())
        high = int(max(readings).timestamp()) + 1
        while low < high:
            middle = (low + high) // 2
            local = datetime.fromtimestamp(middle, UTC).astimezone(self._zone)
            if local.replace(tzinfo=None) >= wall:
                high = middle
            else:
                low = middle + 1
        return datetime.fromtimestamp(low, UTC)

    def _public_holidays(self, year: int) -> frozenset[date]:
        """Return the public holidays of one year, loaded on first use and cached."""
        if self._country is None:
            return frozenset()
        if year not in self._public:
            holidays_lib = lazy.load("holidays")
            found = holidays_lib.country_holidays(self._country, subdiv=self._subdivision, years=year)
            self._public[year] = frozenset(found.keys())
        return self._public[year]


def _to_utc(instant: datetime, name: str) -> datetime:
    """Convert an aware datetime to UTC; reject naive ones."""
    if not isinstance(instant, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")
    return instant.astimezone(UTC)


def _parse_zone(name: str) -> ZoneInfo:
    """Load an IANA time zone or raise ValueError."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"working_hours.timezone must be an IANA zone name, got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"working_hours.timezone: unknown time zone {name!r}") from error


def _parse_days(days: Iterable[str]) -> frozenset[int]:
    """Turn day names ('mon' or 'monday', any case) into weekday numbers."""
    if isinstance(days, str):
        raise ValueError(f"working_hours.days must be a list of day names, got {days!r}")
    weekdays = set()
    for name in days:
        key = name.strip().lower() if isinstance(name, str) else name
        if key in DAY_NAMES:
            weekdays.add(DAY_NAMES.index(key))
        elif key in FULL_DAY_NAMES:
            weekdays.add(FULL_DAY_NAMES.index(key))
        else:
            raise ValueError(f"working_hours.days: unknown day {name!r} (use mon, tue, … sun)")
    if not weekdays:
        raise ValueError("working_hours.days: at least one working day is needed")
    return frozenset(weekdays)


def _parse_time(text: str, name: str, allow_24: bool) -> int:
    """Turn 'HH:MM' into minutes since midnight; '24:00' only where allowed."""
    match = _TIME_RE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"working_hours.{name} must be 'HH:MM', got {text!r}")
    hours, minutes = int(match[1]), int(match[2])
    if hours == 24 and minutes == 0 and allow_24:
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        limit = "00:00–24:00" if allow_24 else "00:00–23:59"
        raise ValueError(f"working_hours.{name} must be within {limit}, got {text!r}")
    return hours * 60 + minutes


def _parse_date(value: date | str) -> date:
    """Accept a date or an ISO date string as a holiday."""
    if isinstance(value, datetime):
        raise ValueError(f"working_hours.holidays: expected a date, got datetime {value}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(f"working_hours.holidays: not an ISO date: {value!r}") from error
    raise ValueError(f"working_hours.holidays: expected a date, got {value!r}")


def _parse_country(country: str | None, subdivision: str | None) -> tuple[str | None, str | None]:
    """Check the country and subdivision against the holidays package."""
    if country is None:
        if subdivision is not None:
            raise ValueError("working_hours.subdivision needs working_hours.country")
        return None, None
    if not isinstance(country, str) or not country.strip():
        raise ValueError(f"working_hours.country must be a country code, got {country!r}")
    code = country.strip().upper()
    try:
        holidays_lib = lazy.load("holidays")
        holidays_lib.country_holidays(code, subdiv=subdivision)
    except NotImplementedError as error:
        raise ValueError(f"working_hours: {error}") from error
    return code, subdivision


def _describe_days(weekdays: frozenset[int]) -> str:
    """Name the working days, folding runs of three or more into 'Mon–Fri'."""
    names = [name.capitalize() for name in DAY_NAMES]
    parts: list[str] = []
    ordered = sorted(weekdays)
    run_start = 0
    for index, day in enumerate(ordered):
        run_ends = index + 1 == len(ordered) or ordered[index + 1] != day + 1
        if not run_ends:
            continue
        run = ordered[run_start : index + 1]
        if len(run) >= 3:
            parts.append(f"{names[run[0]]}–{names[run[-1]]}")
        else:
            parts.extend(names[d] for d in run)
        run_start = index + 1
    return ", ".join(parts)


def _hhmm(minutes: int) -> str:
    """Format minutes since midnight as HH:MM (1440 as 24:00)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
