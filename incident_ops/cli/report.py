"""The `report` subcommand: incident metrics over open and closed incidents, as Markdown, JSON or CSV."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from incident_ops.cli import runtime
from incident_ops.cli.exit_codes import GITHUB_FAILED, OK
from incident_ops.cli.parser import FORMATS
from incident_ops.cli.report_formats import MEASURES, render_csv, render_json
from incident_ops.core.follow_ups import FollowUp, follow_up_of
from incident_ops.core.state import INCIDENT_STATES
from incident_ops.core.text.wording import api_calls
from incident_ops.core.views.follow_up_counts import FollowUpCount, follow_up_counts
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
    try:
        follow_ups = follow_up_counts(read_follow_ups(services), services.context.now)
    except GitHubFailure as error:
        collected.failures.append(f"the follow-up issues: {error}")
        follow_ups = {}
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
            counted = follow_ups.get(figures.number, FollowUpCount())
            collected.figures.append(replace(figures, follow_ups=counted))
    return collected


def read_follow_ups(services: Services) -> list[FollowUp]:
    """Every follow-up issue the tool opened, open or closed: one listing of the follow-up label."""
    issues = services.port.list_issues(services.context.config.follow_ups.label, "all")
    return [found for issue in issues if (found := follow_up_of(issue)) is not None]


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


NOTE = (
    "<sub>Times count from the declaration; an issue reported by someone outside the team is declared"
    " when the team confirms it, and its time to confirm runs from the report. A reopened incident keeps"
    " its first resolution as its time to resolve; the time to resolve for good runs to its last"
    " resolution. Update cadence: each active stretch (declaration or reopen to resolution) is cut into"
    " intervals by the update messages; an interval is kept when it is at most the incident's pace (its"
    " severity level's `updates.every`; {every} without a level); a running interval"
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
    cadence = f"{summary.intervals_kept} of {summary.intervals} update intervals within their pace"
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
    lines += follow_up_lines(summary)
    lines += ["", "### Slowest incidents", ""]
    if "slowest" in charts:
        lines += [fenced(charts["slowest"]), ""]
    columns = ("Incident", "State", "Declared", "Acknowledged", "IC named", "Resolved", "For good", "Closed")
    lines += ["| " + " | ".join((*columns, "Cadence")) + " |", "| --- " * (len(columns) + 1) + "|"]
    lines += [_incident_row(f) for f in summary.slowest(SLOWEST)]
    return "\n".join([*lines, "", NOTE.format(every=every)]) + "\n"


def follow_up_lines(summary: Summary) -> list[str]:
    """Open follow-ups per incident and the oldest one's age; the incidents whose follow-ups are all done."""
    counted = [f for f in summary.incidents if f.follow_ups.total]
    if not counted:
        return []
    still = sorted((f for f in counted if f.follow_ups.open), key=lambda f: (-_oldest(f), f.number))
    total = sum(len(f.follow_ups.open) for f in still)
    incidents = f"{len(counted)} incident{'s' if len(counted) != 1 else ''} with follow-ups"
    still_open = f"{total} follow-up{'s' if total != 1 else ''} still open, in {len(still)} of them"
    lines = ["", "### Follow-ups", "", f"{incidents}; {still_open}."]
    if still:
        lines += ["", "| Incident | State | Open follow-ups | Oldest open for |", "| --- | --- | --- | --- |"]
    for f in still:
        links = ", ".join(f"[#{i.number}]({i.html_url})" for i in f.follow_ups.open)
        cells = (_linked(f), f.state, f"{links} ({len(f.follow_ups.open)} of {f.follow_ups.total})")
        lines.append("| " + " | ".join((*cells, duration(f.follow_ups.oldest_open_age))) + " |")
    done = [_linked(f) for f in counted if f.follow_ups.done]
    lines += ["", "Follow-ups all done: " + (", ".join(done) if done else "none yet") + "."]
    return lines


def _oldest(f: IncidentFigures) -> float:
    """The age of an incident's oldest open follow-up, in seconds."""
    age = f.follow_ups.oldest_open_age
    return age.total_seconds() if age is not None else 0.0


def _linked(f: IncidentFigures) -> str:
    """An incident as a Markdown link with its number and title."""
    return f"[#{f.number} {md(f.title)}]({f.url})"


def _spread_row(name: str, s: Spread, total: int) -> str:
    """One measure's row."""
    times = " | ".join(duration(v) for v in (s.median, s.p90, s.maximum))
    return f"| {name} | {s.count} of {total} | {times} |"


def _incident_row(f: IncidentFigures) -> str:
    """One incident's row, linked."""
    settle = duration(f.to_settle) if f.to_settle is not None else f"open {duration(f.age)} so far"
    cells = [_linked(f), f.state, _stamp(f.declared_at)]
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
