"""Mermaid diagrams GitHub renders: an incident's timeline, and charts of incident metrics.

User text (titles, logins) enters diagrams only through `label`, which keeps letters, digits, spaces and a
little harmless punctuation and writes every other character as a Mermaid entity code (`#58;` for `:`), the
escape Mermaid itself documents: https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from incident_ops.core.planning.timers import Clocks
from incident_ops.core.state import IncidentState, active_periods

if TYPE_CHECKING:  # the report's charts; a run that draws only the status comment never loads the metrics
    from incident_ops.core.views.metrics import Summary

TIMELINE_BUDGET = 6000  # characters: leaves the status comment ample room below GitHub's 65,536
MIN_BUDGET = 1000  # the smallest timeline (declared, span, resolved, closed) always fits
CHART_BUDGET = 20000  # Mermaid refuses diagrams over 50,000 characters (its maxTextSize)
SAFE_PUNCTUATION = frozenset(" .,-_/()'!?@+")
DETAIL_LEVELS = (4, 2, 1, 0)  # repeated milestones shown at each end of a group before summarising


def label(text: str, limit: int = 60) -> str:
    """User text made safe for any Mermaid label: one line, at most `limit` characters before escaping."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return "".join(
        c if (c.isascii() and c.isalnum()) or c in SAFE_PUNCTUATION else f"#{ord(c)};" for c in flat
    )


def fenced(diagram: str) -> str:
    """A diagram as a Markdown code block GitHub renders as a picture."""
    return f"```mermaid\n{diagram.rstrip()}\n```"


@dataclass(frozen=True)
class Row:
    """One row of a Gantt chart: a bar (start to end) or a milestone (end is None)."""

    name: str
    start: datetime
    end: datetime | None = None
    tag: str = ""


def incident_timeline(
    state: IncidentState, clock: Clocks | None = None, zone: str = "UTC", budget: int = TIMELINE_BUDGET
) -> str:
    """The incident's timeline as a Gantt chart, summarised until it fits in `budget` characters."""
    if state.declared_at is None:
        raise ValueError("the issue is not a declared incident")
    if budget < MIN_BUDGET:
        raise ValueError(f"a timeline needs a budget of at least {MIN_BUDGET} characters")
    issue = state.history.issue
    title = f"{label(f'Incident #{issue.number}')} {label(issue.title, 50)} {label(f'(times in {zone})')}"
    due = _due_rows(state, clock)
    for keep in DETAIL_LEVELS:
        sections = {"Phases": _phase_rows(state, due, keep), "Steps": _step_rows(state, keep), "Due": due}
        text = gantt(title, sections, zone)
        if len(text) <= budget:
            return text
    overview = gantt(title, {"Incident": _overview_rows(state, due)}, zone)
    if len(overview) <= budget:
        return overview
    return gantt(label(f"Incident #{issue.number}"), {"Incident": _overview_rows(state, [])}, zone)


def _phase_rows(state: IncidentState, due: list[Row], keep: int) -> list[Row]:
    """Active and resolved stretches as bars; with many reopens, the middle ones as one bar."""
    assert state.declared_at is not None
    latest = _latest(state, due)
    rows = []
    periods = active_periods(state)
    for index, (start, end) in enumerate(periods):
        name = "Active" if index == 0 else "Active again"
        rows.append(Row(name, start, end or latest, "crit" if end is None else "active"))
        quiet_end = periods[index + 1][0] if index + 1 < len(periods) else None
        if end is not None and end in state.milestones.resolved:
            rows.append(Row("Resolved", end, quiet_end or state.closed_at or latest, "done"))
    if len(rows) <= 2 * keep + 1:
        return rows
    middle = rows[keep : len(rows) - keep]
    summary = Row(f"{len(middle)} more phases", middle[0].start, middle[-1].end, "active")
    return [*rows[:keep], summary, *(rows[-keep:] if keep else [])]


def _step_rows(state: IncidentState, keep: int) -> list[Row]:
    """Milestones in time order; long runs of one kind are summarised as a bar."""
    assert state.declared_at is not None
    marks = state.milestones
    rows = [Row("Declared", state.declared_at)]
    if marks.acknowledged_at:
        rows.append(Row("Acknowledged", marks.acknowledged_at))
    if marks.commander_named_at:
        rows.append(Row("IC named", marks.commander_named_at))
    rows += _group("Escalated", "escalations", marks.escalated_at, keep, "crit")
    rows += _group("Update", "updates", marks.updates, keep)
    rows += _group("Update overdue", "reminders", marks.update_reminders, keep, "crit")
    rows += _group("Resolved", "resolutions", marks.resolved, keep, "done")
    rows += _group("Reopened", "reopens", marks.reopened, keep, "crit")
    if state.closed_at:
        rows.append(Row("Closed", state.closed_at, None, "done"))
    return sorted(rows, key=lambda r: r.start)


def _group(name: str, plural: str, times: Sequence[datetime], keep: int, tag: str = "") -> list[Row]:
    """Milestones of one kind: all of them, or `keep` at each end and a bar for the rest."""
    ordered = sorted(times)
    numbered = len(ordered) > 1 and name == "Update"
    rows = [Row(f"{name} {i + 1}" if numbered else name, t, None, tag) for i, t in enumerate(ordered)]
    if len(rows) <= 2 * keep + 1:
        return rows
    middle = ordered[keep : len(ordered) - keep]
    summary = Row(f"{len(middle)} more {plural}", middle[0], middle[-1], tag)
    return [*rows[:keep], summary, *(rows[-keep:] if keep else [])]


def _due_rows(state: IncidentState, clock: Clocks | None) -> list[Row]:
    """What the clocks expect next, as milestones."""
    if clock is None or state.closed:
        return []
    due = (
        ("Escalation due", clock.escalation_due),
        ("Next update due", clock.update_due),
        ("Auto-close due", clock.autoclose_due),
    )
    return [Row(name, when, None, "crit" if name != "Auto-close due" else "") for name, when in due if when]


def _overview_rows(state: IncidentState, due: list[Row]) -> list[Row]:
    """The fewest rows that still tell the story: declared, the whole span, resolved, closed."""
    assert state.declared_at is not None
    marks = state.milestones
    rows = [Row("Declared", state.declared_at), Row("Incident", state.declared_at, _latest(state, due))]
    if marks.resolved:
        rows.append(Row("Last resolved", marks.resolved[-1], None, "done"))
    if state.closed_at:
        rows.append(Row("Closed", state.closed_at, None, "done"))
    return rows


def _latest(state: IncidentState, due: list[Row]) -> datetime:
    """The last moment the diagram knows of: an event, the close, or the next due clock."""
    assert state.declared_at is not None
    marks = state.milestones
    times = [state.declared_at, *marks.escalated_at, *marks.updates, *marks.update_reminders]
    times += [*marks.resolved, *marks.reopened, *(r.start for r in due)]
    times += [t for t in (marks.acknowledged_at, marks.commander_named_at, state.closed_at) if t]
    times += [entry.at for entry in state.timeline]
    return max(times)


def gantt(title: str, sections: dict[str, list[Row]], zone: str = "UTC") -> str:
    """A Gantt chart; `title` must already be a safe label, section and row names are escaped here."""
    tz = ZoneInfo(zone)
    times = [t for rows in sections.values() for r in rows for t in (r.start, r.end) if t is not None]
    span = max(times) - min(times) if times else timedelta(0)
    axis = (
        "%H:%M" if span <= timedelta(days=1) else "%d %b %H:%M" if span <= timedelta(days=7) else "%Y-%m-%d"
    )
    lines = ["gantt", f"    title {title}", "    dateFormat YYYY-MM-DDTHH:mm", f"    axisFormat {axis}"]
    lines.append("    todayMarker off")
    for section, rows in sections.items():
        if not rows:
            continue
        lines.append(f"    section {label(section, 40)}")
        for row in rows:
            lines.append(f"        {label(row.name, 50)} :{_task_data(row, tz)}")
    return "\n".join(lines) + "\n"


def _task_data(row: Row, tz: ZoneInfo) -> str:
    """A row's tags, start and end (a bar lasts at least a minute so that it shows)."""
    start = _at(row.start, tz)
    if row.end is None:
        return ", ".join(filter(None, (row.tag, "milestone", start, "0m")))
    end = _at(max(row.end, row.start + timedelta(minutes=1)), tz)
    return ", ".join(filter(None, (row.tag, start, end)))


def _at(when: datetime, tz: ZoneInfo) -> str:
    """A time as the chart's dateFormat writes it, in the chart's zone."""
    return when.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def bar_chart(
    title: str, names: Sequence[str], values: Sequence[float], axis: str, horizontal: bool = False
) -> str:
    """An XY bar chart; names are escaped here."""
    if not names or len(names) != len(values):
        raise ValueError("a bar chart needs one value per name, and at least one")
    top = math.ceil(max(max(values), 1) * 1.1)
    head = "xychart-beta horizontal" if horizontal else "xychart-beta"
    quoted = ", ".join(f'"{label(n, 30)}"' for n in names)
    numbers = ", ".join(_number(v) for v in values)
    return (
        "\n".join(
            [
                head,
                f'    title "{label(title, 80)}"',
                f"    x-axis [{quoted}]",
                f'    y-axis "{label(axis, 40)}" 0 --> {top}',
                f"    bar [{numbers}]",
            ]
        )
        + "\n"
    )


def _number(value: float) -> str:
    """A number as Mermaid reads it."""
    return f"{value:.1f}".removesuffix(".0")


def pie_chart(title: str, slices: Sequence[tuple[str, int]]) -> str:
    """A pie chart of the non-zero slices; names are escaped here."""
    shown = [(name, value) for name, value in slices if value > 0]
    if not shown:
        raise ValueError("a pie chart needs at least one non-zero slice")
    lines = ["pie", f"    title {label(title, 80)}"]
    lines += [f'    "{label(name, 40)}" : {value}' for name, value in shown]
    return "\n".join(lines) + "\n"


def summary_charts(summary: Summary, months: int = 24, slowest: int = 10) -> dict[str, str]:
    """The report's pictures by name: incidents per month, hours to resolve, cadence, slowest incidents."""
    charts: dict[str, str] = {}
    recent = summary.months[-months:]
    if recent:
        names = [m.month for m in recent]
        charts["per-month"] = bar_chart(
            "Incidents declared per month", names, [m.declared for m in recent], "incidents"
        )
        hours = [_hours(m.median_to_resolve) for m in recent]
        if any(m.resolved for m in recent):
            title = "Median hours to first resolution, by month declared"
            charts["resolve-per-month"] = bar_chart(title, names, hours, "hours")
    if summary.intervals:
        slices = [
            ("In time", summary.intervals_kept),
            ("Late", summary.intervals - summary.intervals_kept),
        ]
        charts["cadence"] = pie_chart("Update intervals within each incident's pace", slices)
    worst = [f for f in summary.slowest(slowest) if f.slowness > timedelta(0)]
    if worst:
        names = [f"#{f.number} {f.title}" for f in worst]
        title = "Slowest incidents: hours until resolved for good (or open so far)"
        charts["slowest"] = bar_chart(
            title, names, [_hours(f.slowness) for f in worst], "hours", horizontal=True
        )
    return {name: _within(chart) for name, chart in charts.items()}


def _hours(value: timedelta | None) -> float:
    """Hours, for a chart (0 when unknown)."""
    return round(value.total_seconds() / 3600, 1) if value else 0.0


def _duration(value: timedelta) -> str:
    """A short duration such as 4h or 30m."""
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def _within(chart: str) -> str:
    """A chart, refused when over the budget (the callers bound their rows, so this never happens)."""
    if len(chart) > CHART_BUDGET:
        raise ValueError(f"a chart of {len(chart)} characters is over the {CHART_BUDGET} budget")
    return chart
