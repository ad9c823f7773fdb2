"""Tests for the incident metrics, on hand-made incident histories folded the way the tool folds them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from stories import (
    EVERY,
    LABEL,
    NOW,
    T0,
    Story,
    active,
    closed_unresolved,
    late_label,
    long,
    many_reopens,
    minutes,
    quick,
    reopened,
)

from incident_ops.core.history.fold import fold
from incident_ops.core.views.metrics import by_month, incident_figures, spread, summarise


def test_quick_incident() -> None:
    f = incident_figures(quick().state(), EVERY)
    assert f is not None
    assert (f.to_acknowledge, f.to_commander) == (minutes(1), minutes(10))
    assert (f.to_resolve, f.to_settle, f.to_close) == (
        timedelta(hours=5),
        timedelta(hours=5),
        timedelta(days=2),
    )
    assert (f.state, f.reopened, f.updates, f.age) == ("closed", 0, 2, None)
    # 0 → 30m → 3h → 5h (resolved): three intervals, all within 4 hours
    assert (f.intervals, f.intervals_kept, f.cadence_kept) == (3, 3, 1.0)


def test_reopened_incident_counts_its_first_resolution_and_settles_at_the_last() -> None:
    f = incident_figures(reopened().state(), EVERY, NOW)
    assert f is not None
    assert f.to_commander is None
    assert f.to_resolve == timedelta(hours=2)
    assert f.to_settle == timedelta(hours=13)
    assert (f.state, f.reopened, f.to_close, f.age) == ("resolved", 1, None, None)
    # active 0–2h: 0 → 1h → 2h; active again 6h–13h: 6h → 12h (late) → 13h
    assert (f.intervals, f.intervals_kept) == (4, 3)
    assert f.slowness == timedelta(hours=13)


def test_active_incident_counts_the_running_interval_once_it_is_late() -> None:
    state = active().state()
    early = incident_figures(state, EVERY, T0 + timedelta(hours=5))
    late = incident_figures(state, EVERY, T0 + timedelta(hours=9))
    assert early is not None and late is not None
    assert (early.intervals, early.intervals_kept) == (1, 1)
    assert (late.intervals, late.intervals_kept, late.cadence_kept) == (2, 1, 0.5)
    assert (late.to_acknowledge, late.to_commander, late.to_resolve, late.to_settle) == (None,) * 4
    assert late.state == "active" and late.age == timedelta(hours=9) == late.slowness
    assert incident_figures(state, EVERY).age is None  # type: ignore[union-attr]


def test_long_incident() -> None:
    f = incident_figures(long(400).state(), EVERY)
    assert f is not None
    assert f.updates == 400 and f.to_commander == minutes(5)
    # 400 gaps between updates and the declaration (40 of them 5 hours), and the last hour to the resolution
    assert (f.intervals, f.intervals_kept) == (401, 361)
    assert f.to_resolve == timedelta(hours=360 * 3 + 40 * 5 + 1)


def test_closed_without_resolution_settles_at_the_close() -> None:
    f = incident_figures(closed_unresolved().state(), EVERY)
    assert f is not None
    assert (f.to_resolve, f.to_settle, f.to_close) == (None, timedelta(hours=1), timedelta(hours=1))
    assert (f.intervals, f.intervals_kept) == (1, 1)


def test_declaration_is_the_label_not_the_issue_creation() -> None:
    f = incident_figures(late_label().state(), EVERY)
    assert f is not None
    assert f.declared_at == T0 + timedelta(days=1)
    assert f.to_commander == timedelta(hours=1)


def test_many_reopens() -> None:
    f = incident_figures(many_reopens(40).state(), EVERY)
    assert f is not None
    assert (f.reopened, f.to_resolve, f.to_settle) == (40, timedelta(hours=1), timedelta(hours=81))
    assert (f.intervals, f.intervals_kept) == (41, 41)


def test_an_issue_that_is_not_an_incident_has_no_figures() -> None:
    story = Story(8)
    story.events = []
    history = story.history()
    history = replace(history, issue=replace(history.issue, labels=()))
    assert incident_figures(fold(history, LABEL, lambda c: False), EVERY) is None


def test_spread() -> None:
    values = [timedelta(hours=h) for h in (1, 2, 3, 4, 10)] + [None]
    s = spread(values)
    assert (s.count, s.median, s.p90, s.maximum) == (
        5,
        timedelta(hours=3),
        timedelta(hours=10),
        timedelta(hours=10),
    )
    assert spread([None]).median is None
    assert spread([timedelta(hours=1), timedelta(hours=2)]).median == timedelta(minutes=90)


def test_summary_months_and_slowest() -> None:
    stories = [quick(), reopened(), active(), closed_unresolved(), late_label()]
    figures = [incident_figures(s.state(), EVERY, NOW) for s in stories]
    summary = summarise([f for f in figures if f], EVERY)
    assert [m.month for m in summary.months] == ["2026-03", "2026-04"]
    march, april = summary.months
    assert (march.declared, march.resolved, march.median_to_resolve) == (4, 1, timedelta(hours=5))
    assert (april.declared, april.resolved, april.median_to_resolve) == (1, 1, timedelta(hours=2))
    assert (summary.count("active"), summary.count("resolved"), summary.count("closed")) == (2, 1, 2)
    assert summary.resolve.count == 2 and summary.commander.count == 2
    # active #3 has run 40 days at NOW; #7 (declared a day later) 39 days; then #1 closed after 5h resolve
    assert [f.number for f in summary.slowest(3)] == [3, 7, 2]
    assert summary.intervals == 3 + 4 + 2 + 1 + 1
    assert summary.cadence_kept == pytest.approx(summary.intervals_kept / summary.intervals)


def test_months_include_empty_ones_and_cross_the_year() -> None:
    a = incident_figures(Story(1, at=datetime(2025, 11, 5, tzinfo=UTC)).state(), EVERY)
    b = incident_figures(Story(2, at=datetime(2026, 2, 1, tzinfo=UTC)).state(), EVERY)
    assert a is not None and b is not None
    months = by_month([a, b])
    assert [(m.month, m.declared) for m in months] == [
        ("2025-11", 1),
        ("2025-12", 0),
        ("2026-01", 0),
        ("2026-02", 1),
    ]
    assert by_month([]) == []
