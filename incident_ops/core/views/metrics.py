"""Incident metrics from the state fold: time to acknowledge, name an IC, resolve, close; update cadence.

Definitions (all durations count from the declaration, wall-clock):
- to acknowledge: the tool's first acknowledgement comment; to name an IC: the first `/commander`.
- to resolve: the *first* `/resolved` — how long the community waited for the first "it is fixed". A reopened
  incident keeps that figure; `to_settle` is the time until it was resolved for good (the last resolution when
  it is resolved or closed now, or the close when it was closed without one; None while it is active).
- to close: until the issue was closed (only for closed incidents).
- update cadence: each active period (declaration or `/reopen` until the next resolution or close) is cut
  into intervals by the update messages; an interval is kept when it lasts at most `updates.every`. Reminders
  do not count as updates. The running interval of an active incident counts only once it is late at `now`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from incident_ops import lazy
from incident_ops.core.state import IncidentState, active_periods, state_name
from incident_ops.core.views.follow_up_counts import FollowUpCount


@dataclass(frozen=True)
class IncidentFigures:
    """One incident's figures."""

    number: int
    title: str
    url: str
    state: str
    declared_at: datetime
    reported_at: datetime | None
    to_confirm: timedelta | None  # from the report of someone outside the team to the team's declaration
    to_acknowledge: timedelta | None
    to_commander: timedelta | None
    to_resolve: timedelta | None
    to_settle: timedelta | None
    to_close: timedelta | None
    age: timedelta | None
    reopened: int
    updates: int
    intervals: int
    intervals_kept: int
    severity: str | None = None  # its level now, when severity levels are configured
    follow_ups: FollowUpCount = field(default_factory=FollowUpCount)  # the issues `/follow-ups` opened for it

    @property
    def cadence_kept(self) -> float | None:
        """Share of update intervals within `updates.every` (None: no interval yet)."""
        return self.intervals_kept / self.intervals if self.intervals else None

    @property
    def slowness(self) -> timedelta:
        """How long it took to resolve for good, or has been running so far."""
        return self.to_settle or self.age or self.to_resolve or timedelta(0)

    @property
    def month(self) -> str:
        """The month of the declaration (UTC), as YYYY-MM."""
        return self.declared_at.astimezone(UTC).strftime("%Y-%m")


def incident_figures(
    state: IncidentState, every: timedelta, now: datetime | None = None
) -> IncidentFigures | None:
    """The figures of one incident (None when the issue was never declared an incident)."""
    declared = state.declared_at
    if declared is None:
        return None
    marks = state.milestones
    closed_at = state.closed_at
    if state.resolved and marks.resolved:
        settled: datetime | None = marks.resolved[-1]
    else:
        settled = closed_at if state.closed else None
    periods = active_periods(state)
    kept, total = _cadence(periods, marks.updates, every, now)
    return IncidentFigures(
        number=state.history.issue.number,
        title=state.history.issue.title,
        url=state.history.issue.html_url,
        state=state_name(state),
        severity=state.severity,
        declared_at=declared,
        reported_at=state.reported_at,
        to_confirm=_since(state.reported_at, declared) if state.reported_at else None,
        to_acknowledge=_since(declared, marks.acknowledged_at),
        to_commander=_since(declared, marks.commander_named_at),
        to_resolve=_since(declared, marks.resolved[0] if marks.resolved else None),
        to_settle=_since(declared, settled),
        to_close=_since(declared, closed_at),
        age=_since(declared, now) if settled is None and now is not None else None,
        reopened=len(marks.reopened),
        updates=len(marks.updates),
        intervals=total,
        intervals_kept=kept,
    )


def _since(start: datetime, end: datetime | None) -> timedelta | None:
    """end - start, never negative; None when `end` is unknown."""
    return None if end is None else max(end - start, timedelta(0))


def _cadence(
    periods: list[tuple[datetime, datetime | None]],
    updates: list[datetime],
    every: timedelta,
    now: datetime | None,
) -> tuple[int, int]:
    """(kept, total) update intervals over the active periods."""
    kept = total = 0
    for start, end in periods:
        marks = [start, *sorted(u for u in updates if start <= u and (end is None or u <= end))]
        gaps = [b - a for a, b in zip(marks, marks[1:], strict=False)]
        if end is not None:
            gaps.append(end - marks[-1])
        elif now is not None and now - marks[-1] > every:
            gaps.append(now - marks[-1])
        total += len(gaps)
        kept += sum(1 for gap in gaps if gap <= every)
    return kept, total


@dataclass(frozen=True)
class Spread:
    """Median, 90th percentile and maximum of one measure, over the incidents that have it."""

    count: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None
    maximum: timedelta | None = None


def spread(values: Iterable[timedelta | None]) -> Spread:
    """The spread of the known values (nearest-rank 90th percentile)."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return Spread()
    seconds = lazy.load("statistics").median(v.total_seconds() for v in known)
    p90 = known[max(math.ceil(0.9 * len(known)) - 1, 0)]
    return Spread(len(known), timedelta(seconds=seconds), p90, known[-1])


@dataclass(frozen=True)
class MonthFigures:
    """Incidents declared in one month."""

    month: str
    declared: int
    resolved: int
    median_to_resolve: timedelta | None
    intervals: int
    intervals_kept: int

    @property
    def cadence_kept(self) -> float | None:
        """Share of the month's update intervals kept."""
        return self.intervals_kept / self.intervals if self.intervals else None


def by_month(figures: Sequence[IncidentFigures]) -> list[MonthFigures]:
    """Counts and medians per month of declaration, oldest first, empty months included."""
    if not figures:
        return []
    months = _month_range(min(f.month for f in figures), max(f.month for f in figures))
    result = []
    for month in months:
        these = [f for f in figures if f.month == month]
        resolve = spread(f.to_resolve for f in these)
        result.append(
            MonthFigures(
                month=month,
                declared=len(these),
                resolved=resolve.count,
                median_to_resolve=resolve.median,
                intervals=sum(f.intervals for f in these),
                intervals_kept=sum(f.intervals_kept for f in these),
            )
        )
    return result


def _month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from `first` to `last`."""
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True)
class Summary:
    """The figures of a set of incidents."""

    incidents: list[IncidentFigures]
    every: timedelta
    confirm: Spread = field(default_factory=Spread)
    acknowledge: Spread = field(default_factory=Spread)
    commander: Spread = field(default_factory=Spread)
    resolve: Spread = field(default_factory=Spread)
    settle: Spread = field(default_factory=Spread)
    close: Spread = field(default_factory=Spread)
    intervals: int = 0
    intervals_kept: int = 0
    months: list[MonthFigures] = field(default_factory=list)

    @property
    def cadence_kept(self) -> float | None:
        """Share of all update intervals kept."""
        return self.intervals_kept / self.intervals if self.intervals else None

    def by_severity(self) -> list[tuple[str, int, timedelta | None]]:
        """Per severity level (as the incidents have them): how many, and the median time to resolve."""
        levels = sorted({f.severity for f in self.incidents if f.severity})
        rows = []
        for level in levels:
            chosen = [f for f in self.incidents if f.severity == level]
            rows.append((level, len(chosen), spread(f.to_resolve for f in chosen).median))
        return rows

    def count(self, state: str) -> int:
        """How many incidents are in `state` (active, resolved or closed)."""
        return sum(1 for f in self.incidents if f.state == state)

    def slowest(self, limit: int = 10) -> list[IncidentFigures]:
        """The incidents that took (or are taking) longest to resolve for good."""
        return sorted(self.incidents, key=lambda f: (-f.slowness, f.number))[:limit]


def summarise(figures: Sequence[IncidentFigures], every: timedelta) -> Summary:
    """Spreads, cadence and months over many incidents (oldest declaration first)."""
    ordered = sorted(figures, key=lambda f: (f.declared_at, f.number))
    return Summary(
        incidents=ordered,
        every=every,
        confirm=spread(f.to_confirm for f in ordered),
        acknowledge=spread(f.to_acknowledge for f in ordered),
        commander=spread(f.to_commander for f in ordered),
        resolve=spread(f.to_resolve for f in ordered),
        settle=spread(f.to_settle for f in ordered),
        close=spread(f.to_close for f in ordered),
        intervals=sum(f.intervals for f in ordered),
        intervals_kept=sum(f.intervals_kept for f in ordered),
        months=by_month(ordered),
    )
