"""The `report` subcommand: incident metrics over open and closed incidents, as Markdown, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from incident_ops.cli import runtime
from incident_ops.cli.exit_codes import GITHUB_FAILED, OK
from incident_ops.cli.parser import FORMATS
from incident_ops.core.state import INCIDENT_STATES
from incident_ops.core.text.wording import api_calls
from incident_ops.core.views.mermaid import fenced, summary_charts
from incident_ops.core.views.metrics import IncidentFigures, Spread, Summary, incident_figures, summarise
from incident_ops.github.port import GitHubFailure
from incident_ops.serving.read import read_history
from incident_ops.serving.services import Services
from incident_ops.serving.settle import settle

SLOWEST = 10


@dataclass
class Collected:
    """The figures of every incident read, and the incidents that could not be read."""

    figures: list[IncidentFigures] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def collect(services: Services, since: date | None) -> Collected:
    """Read open and closed incidents and fold each one, exactly as a run would."""
    config, port = services.context.config, services.port
    start = datetime.combine(since, time(), UTC) if since else None
    collected = Collected()
    # GitHub's `since` filters on the last update: a superset of the incidents declared since then.
    for issue in port.list_issues(config.incident_label, state="all", since=start):
        try:
            state = settle(read_history(services, issue), services)
        except GitHubFailure as error:
            collected.failures.append(f"#{issue.number}: {error}")
            continue
        pace = config.updates_for(state.severity).every  # each incident against its own level's pace
        figures = incident_figures(state, pace, services.context.now)
        if figures is not None and (start is None or figures.declared_at >= start):
            collected.figures.append(figures)
    return collected


def run_report(
    services: Services,
    since: date | None,
    fmt: str = "markdown",
    say: Callable[[str], None] = print,
    summary_path: str | None = None,
) -> int:
    """Print the report in `fmt`; the Markdown one also goes to the job summary. Exit 3 when reads failed."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    collected = collect(services, since)
    summary = summarise(collected.figures, services.context.config.updates.every)
    now, repo = services.context.now, services.repo
    markdown = render_markdown(summary, repo, since, now, collected.failures)
    if fmt == "json":
        say(render_json(summary, repo, since, now, collected.failures))
    elif fmt == "csv":
        say(render_csv(summary).rstrip("\n"))
    else:
        say(markdown)
    runtime.write_summary(summary_path, markdown)
    counter = services.port.counter
    print(api_calls(counter.reads, counter.writes), file=sys.stderr)
    for failure in collected.failures:
        print(f"::warning::could not read {runtime.escape_data(failure)}", file=sys.stderr)
    return GITHUB_FAILED if collected.failures else OK


MEASURES = (
    ("to_confirm", "confirm", "Time to confirm (reported by someone outside the team)"),
    ("to_acknowledge", "acknowledge", "Time to acknowledge"),
    ("to_commander", "commander", "Time to name an Incident Commander"),
    ("to_resolve", "resolve", "Time to resolve (first resolution)"),
    ("to_settle", "settle", "Time to resolve for good (last resolution)"),
    ("to_close", "close", "Time to close"),
)
NOTE = (
    "<sub>Times count from the declaration; an issue reported by someone outside the team is declared"
    " when the team confirms it, and its time to confirm runs from the report. A reopened incident keeps"
    " its first resolution as its time to resolve; the time to resolve for good runs to its last"
    " resolution. Update cadence: each active stretch (declaration or reopen to resolution) is cut into"
    " intervals by the update messages; an interval is kept when it is at most {every}; a running interval"
    " counts once it is late.</sub>"
)


def render_markdown(
    summary: Summary, repo: str, since: date | None, now: datetime, failures: list[str] | None = None
) -> str:
    """The report for people: figures, Mermaid charts, and the slowest incidents with links."""
    total = len(summary.incidents)
    scope = f"declared since {since.isoformat()}" if since else "declared"
    states = ", ".join(f"{summary.count(s)} {s}" for s in INCIDENT_STATES)
    lines = [f"## Incident metrics: {md(repo)}", ""]
    lines.append(f"{total} incident{'s' if total != 1 else ''} {scope} ({states}), as of {_stamp(now)}.")
    lines += [f"- could not read {md(f)}" for f in failures or []]
    if not total:
        return "\n".join(lines) + "\n"
    every = duration(summary.every)
    lines += [
        "",
        "| Measure | Incidents | Median | 90th percentile | Longest |",
        "| --- | --- | --- | --- | --- |",
    ]
    for _, key, name in MEASURES:
        lines.append(_spread_row(name, getattr(summary, key), total))
    cadence = f"{summary.intervals_kept} of {summary.intervals} update intervals within {every}"
    lines.append(f"| Update cadence kept | {cadence} | **{percent(summary.cadence_kept)}** | | |")
    if summary.by_severity():
        lines += ["", "| Severity | Incidents | Median time to resolve |", "| --- | --- | --- |"]
        lines += [f"| {md(lv)} | {n} | {duration(m)} |" for lv, n, m in summary.by_severity()]
    reopened = sum(1 for f in summary.incidents if f.reopened)
    no_ic = sum(1 for f in summary.incidents if f.to_commander is None)
    lines += ["", f"Reopened incidents: {reopened}. Incidents without an Incident Commander: {no_ic}."]
    charts = summary_charts(summary, slowest=SLOWEST)
    lines += ["", "### Incidents per month", ""]
    lines += [fenced(charts[name]) + "\n" for name in ("per-month", "resolve-per-month") if name in charts]
    lines += ["| Month | Declared | Resolved | Median time to resolve | Update cadence kept |"]
    lines += ["| --- | --- | --- | --- | --- |"]
    for m in summary.months:
        resolve = duration(m.median_to_resolve)
        lines.append(f"| {m.month} | {m.declared} | {m.resolved} | {resolve} | {percent(m.cadence_kept)} |")
    if "cadence" in charts:
        lines += ["", "### Update cadence", "", fenced(charts["cadence"])]
    lines += ["", "### Slowest incidents", ""]
    if "slowest" in charts:
        lines += [fenced(charts["slowest"]), ""]
    columns = ("Incident", "State", "Declared", "Acknowledged", "IC named", "Resolved", "For good", "Closed")
    lines += ["| " + " | ".join((*columns, "Cadence")) + " |", "| --- " * (len(columns) + 1) + "|"]
    lines += [_incident_row(f) for f in summary.slowest(SLOWEST)]
    return "\n".join([*lines, "", NOTE.format(every=every)]) + "\n"


def _spread_row(name: str, s: Spread, total: int) -> str:
    """One measure's row."""
    times = " | ".join(duration(v) for v in (s.median, s.p90, s.maximum))
    return f"| {name} | {s.count} of {total} | {times} |"


def _incident_row(f: IncidentFigures) -> str:
    """One incident's row, linked."""
    settle = duration(f.to_settle) if f.to_settle is not None else f"open {duration(f.age)} so far"
    cells = [f"[#{f.number} {md(f.title)}]({f.url})", f.state, _stamp(f.declared_at)]
    cells += [duration(v) for v in (f.to_acknowledge, f.to_commander, f.to_resolve)]
    cells += [settle, duration(f.to_close), percent(f.cadence_kept)]
    return "| " + " | ".join(cells) + " |"


md = runtime.markdown_text


def _stamp(when: datetime) -> str:
    """A UTC time for people."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration(value: timedelta | None) -> str:
    """A duration for people: 45s, 12m, 5h 05m, 2d 3h; a dash when unknown."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours < 1:
        return f"{minutes}m"
    if days < 1:
        return f"{hours}h {minutes % 60:02d}m"
    return f"{days}d {hours % 24}h"


def percent(share: float | None) -> str:
    """A share as a whole percentage; a dash when there is nothing to share."""
    return "—" if share is None else f"{round(100 * share)}%"


def _seconds(value: timedelta | None) -> int | None:
    """Whole seconds, for the machine-readable formats."""
    return None if value is None else int(value.total_seconds())


INCIDENT_FIELDS = ("number", "title", "url", "state", "severity", "reported_at", "declared_at")
COUNT_FIELDS = ("reopened", "updates", "update_intervals", "update_intervals_kept", "cadence_kept")


def _iso(when: datetime) -> str:
    """A UTC time for machines: 2026-03-02T09:00:00Z."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def incident_record(f: IncidentFigures) -> dict[str, object]:
    """One incident as a flat record (durations in seconds)."""
    record: dict[str, object] = {"number": f.number, "title": f.title, "url": f.url, "state": f.state}
    record["severity"] = f.severity
    record["reported_at"] = _iso(f.reported_at) if f.reported_at else None
    record["declared_at"] = _iso(f.declared_at)
    for attr, _, _ in MEASURES:
        record[f"{attr}_seconds"] = _seconds(getattr(f, attr))
    record["open_for_seconds"] = _seconds(f.age)
    record.update(reopened=f.reopened, updates=f.updates, update_intervals=f.intervals)
    record.update(update_intervals_kept=f.intervals_kept, cadence_kept=f.cadence_kept)
    return record


def render_json(
    summary: Summary, repo: str, since: date | None, now: datetime, failures: list[str] | None = None
) -> str:
    """The report as JSON: the summary, months and every incident (durations in seconds)."""
    spreads = {
        attr: {
            "incidents": s.count,
            "median_seconds": _seconds(s.median),
            "p90_seconds": _seconds(s.p90),
            "max_seconds": _seconds(s.maximum),
        }
        for attr, key, _ in MEASURES
        for s in [getattr(summary, key)]
    }
    data = {
        "repository": repo,
        "since": since.isoformat() if since else None,
        "generated_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "update_every_seconds": _seconds(summary.every),
        "incidents_total": len(summary.incidents),
        "states": {s: summary.count(s) for s in INCIDENT_STATES},
        "severities": {
            level: {"incidents": count, "median_to_resolve_seconds": _seconds(median)}
            for level, count, median in summary.by_severity()
        },
        "times": spreads,
        "update_intervals": summary.intervals,
        "update_intervals_kept": summary.intervals_kept,
        "cadence_kept": summary.cadence_kept,
        "months": [
            {
                "month": m.month,
                "declared": m.declared,
                "resolved": m.resolved,
                "median_to_resolve_seconds": _seconds(m.median_to_resolve),
                "update_intervals": m.intervals,
                "update_intervals_kept": m.intervals_kept,
            }
            for m in summary.months
        ],
        "incidents": [incident_record(f) for f in summary.incidents],
        "failures": list(failures or []),
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_csv(summary: Summary) -> str:
    """One row per incident; a title a spreadsheet would run as a formula gets a leading apostrophe."""
    out = io.StringIO()
    records = [incident_record(f) for f in summary.incidents]
    fields = list(records[0]) if records else list(incident_record_fields())
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records:
        title = str(record["title"])
        record["title"] = "'" + title if title[:1] in ("=", "+", "-", "@", "\t", "\r") else title
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return out.getvalue()


def incident_record_fields() -> tuple[str, ...]:
    """The CSV columns, in order."""
    measures = tuple(f"{attr}_seconds" for attr, _, _ in MEASURES)
    return (*INCIDENT_FIELDS, *measures, "open_for_seconds", *COUNT_FIELDS)
