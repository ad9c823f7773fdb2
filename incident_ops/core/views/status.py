"""The status comment: one view of the incident's roles, clocks, report checklist and timeline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from incident_ops.config.types import Config
from incident_ops.core.comments import keys
from incident_ops.core.comments.cache import StatusCache, read_cache, write_cache
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.comments.render import MAX_COMMENT, Renderer
from incident_ops.core.follow_ups import FollowUp
from incident_ops.core.planning.timers import Clocks
from incident_ops.core.report.check import DONE, MISSING, UNFILLED
from incident_ops.core.state import IncidentState, TimelineEntry, state_name
from incident_ops.core.text.digests import digest
from incident_ops.core.views.mermaid import incident_timeline

SECTION_WORDS = {MISSING: "missing", UNFILLED: "not filled in"}
MAX_TIMELINE = 50
TIMELINE_FALLBACKS = (20, 6, 2)  # shorter timelines to try when the status comment is over GitHub's limit
UTC_NAMES = frozenset(
    {"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"}
)  # longer incidents show the first and the latest entries


@dataclass(frozen=True)
class ClockLine:
    """One row of the clocks table."""

    name: str
    text: str


@dataclass(frozen=True)
class ReportLine:
    """One row of the report checklist."""

    name: str
    done: bool
    state: str


def stamp(when: datetime | None, zone: str) -> str:
    """A time in UTC, and in the calendar's zone when that differs."""
    if when is None:
        return "—"
    utc = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if zone in UTC_NAMES:
        return utc
    local = when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")
    return f"{local} ({utc})"


def render_status(
    state: IncidentState, clock: Clocks, config: Config, renderer: Renderer, cache: StatusCache
) -> str:
    """The status comment's body for the incident as it stands."""
    return renderer.render(
        Kind.STATUS, keys.STATUS, cache=write_cache(cache), **_context(state, clock, config)
    )


def status_body(
    state: IncidentState,
    clock: Clocks,
    config: Config,
    renderer: Renderer,
    cache: StatusCache,
    shown: str | None,
    restyle: bool = True,
) -> str | None:
    """The status comment's new body, or None when `shown` (the current body) is up to date.

    Without `restyle`, a comment whose data is unchanged keeps its looks from an earlier rendering: a new
    rendering is spread over the runs that have calls to spare.
    """
    context = _context(state, clock, config)
    zone = config.working_hours.timezone
    # Who is outside the team is only remembered when the comment changes anyway: it never costs an edit.
    view = digest(repr(sorted(context.items())) + write_cache(replace(cache, judged_outside={})))
    style = renderer.fingerprint
    seen = replace(cache, judged_outside=read_cache(shown).judged_outside) if shown is not None else cache
    if shown is not None and _still_shows(shown, seen, view, style):
        return None  # nothing it is drawn from has changed, and nobody edited it: no need to render
    if shown is not None and not restyle and _restyle_only(shown, seen, view):
        return None
    # Rendered with a stand-in digest of the same length, so the body fits GitHub's limit with the real one.
    viewed = write_cache(replace(cache, view=view, style=style, shown=digest("")))
    body = renderer.render(Kind.STATUS, keys.STATUS, cache=viewed, **context)
    for keep in TIMELINE_FALLBACKS:  # too long for GitHub: the timeline shrinks first, never the cache
        if len(body) < MAX_COMMENT or "timeline" not in context:
            break
        context = {**context, "timeline": [_timeline_line(e, zone) for e in shortened(state.timeline, keep)]}
        body = renderer.render(Kind.STATUS, keys.STATUS, cache=viewed, **context)
    text = digest(body.replace(viewed, "", 1))
    return body.replace(viewed, write_cache(replace(cache, view=view, style=style, shown=text)), 1)


def _still_shows(body: str, cache: StatusCache, view: str, style: str | None) -> bool:
    """Whether a status comment was drawn from `view` with `style` and `cache`, as the tool wrote it."""
    shown = read_cache(body).shown
    line = write_cache(replace(cache, view=view, style=style, shown=shown))
    return shown is not None and line in body and shown == digest(body.replace(line, "", 1))


def _restyle_only(body: str, cache: StatusCache, view: str) -> bool:
    """Whether only the rendering changed since the comment was drawn (or its cache predates styles)."""
    old = read_cache(body)
    return old.style is None or _still_shows(body, cache, view, old.style)


def _context(state: IncidentState, clock: Clocks, config: Config) -> dict[str, Any]:
    """What the status template is given, besides its marker and cache."""
    zone = config.working_hours.timezone
    reported = dict(
        state=state_name(state).capitalize(),
        reported=stamp(state.reported_at, zone),
        label=config.incident_label,
    )
    if state.reported:
        return reported  # all it shows until the team confirms: what people outside it write changes nothing
    return dict(
        **reported,
        next=_next_due(state, clock, zone),
        commander=state.commander,
        steward=state.steward,
        smes=list(state.smes),
        community=state.community,
        ticket=state.ticket,
        pagerduty=state.pagerduty.shown if state.pagerduty else None,
        follow_ups=[
            {"number": f.number, "open": f.open} for f in sorted(state.follow_ups or (), key=_number)
        ],
        severity=state.severity,
        zones="UTC" if zone in UTC_NAMES else f"{zone} (and UTC)",
        clocks=_clock_lines(state, clock, zone),
        report=_report_lines(state),
        timeline=[_timeline_line(e, zone) for e in shortened(state.timeline)],
        mermaid_timeline=incident_timeline(state, clock, zone),
    )


def _number(follow_up: FollowUp) -> int:
    """A follow-up's issue number, to list them in order."""
    return follow_up.number


def _next_due(state: IncidentState, clock: Clocks, zone: str) -> str:
    """One sentence: the next thing the process expects."""
    if state.closed:
        return "This incident is closed."
    if state.resolved:
        if clock.autoclose_held:
            return f"**Next:** closing is on hold: {clock.autoclose_held}."
        return (
            f"**Next:** closes automatically at {stamp(clock.autoclose_due, zone)} without a community reply."
        )
    steps = []
    if clock.escalation_due:
        steps.append(f"escalation at {stamp(clock.escalation_due, zone)} unless resolved")
    if clock.update_due:
        steps.append(f"next update due by {stamp(clock.update_due, zone)}")
    if not state.commander:
        steps.append("name an Incident Commander with `/commander`")
    return "**Next:** " + "; ".join(steps) + "."


def _clock_lines(state: IncidentState, clock: Clocks, zone: str) -> list[ClockLine]:
    """The clocks table."""
    lines = [ClockLine("Reported", stamp(state.reported_at, zone))] if state.reported_at else []
    declared = stamp(state.declared_at, zone)
    if state.reported_at and state.declared_at:
        declared += f" (confirmed after {_took(state.declared_at - state.reported_at)})"
    lines.append(ClockLine("Declared", declared))
    escalation = state.keyed(clock.escalation_key) if clock.escalation_key else None
    if escalation is not None:
        lines.append(ClockLine("Escalation", f"sent {stamp(escalation.created_at, zone)}"))
    elif clock.escalation_due:
        lines.append(ClockLine("Escalation due", stamp(clock.escalation_due, zone)))
    if clock.update_due:
        overdue = " (overdue: reminder sent)" if clock.overdue else ""
        lines.append(ClockLine("Next update due", stamp(clock.update_due, zone) + overdue))
    if state.resolved_at:
        lines.append(ClockLine("Resolved", stamp(state.resolved_at, zone)))
    if clock.report_reminder_due:
        lines.append(ClockLine("Report reminder", stamp(clock.report_reminder_due, zone)))
    if clock.autoclose_due:
        held = f" (on hold: {clock.autoclose_held})" if clock.autoclose_held else ""
        lines.append(ClockLine("Auto-close due", stamp(clock.autoclose_due, zone) + held))
    return lines


def _took(span: timedelta) -> str:
    """A span for people, to the minute: 1 day 2 h 5 min, or 0 min."""
    minutes = int(span.total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    return " ".join([*parts, f"{mins} min"] if mins or not parts else parts)


def _report_lines(state: IncidentState) -> list[ReportLine]:
    """The report checklist: each section and whether tasks are ticked."""
    if state.report is None:
        return []
    # Worded as check-report and the report reminder word the same finding.
    lines = [
        ReportLine(s.name, s.state == DONE, SECTION_WORDS.get(s.state, s.state))
        for s in state.report.sections
    ]
    unticked = len(state.report.unticked_tasks)
    lines.append(ReportLine("All tasks ticked", unticked == 0, f"{unticked} not ticked"))
    return lines


def shortened(timeline: list[TimelineEntry], keep: int = MAX_TIMELINE) -> list[TimelineEntry]:
    """The timeline, oldest first, with the middle left out when it has more than `keep` entries."""
    entries = sorted(timeline, key=lambda e: (e.at, e.order))
    if len(entries) <= keep:
        return entries
    first = min(10, keep // 2)
    head, tail = entries[:first], entries[len(entries) - max(keep - first - 1, 1) :]
    gap = TimelineEntry(tail[0].at, "…", f"({len(entries) - len(head) - len(tail)} more entries)")
    return [*head, gap, *tail]


def _timeline_line(entry: TimelineEntry, zone: str) -> dict[str, str]:
    """A timeline entry with its time written for people."""
    return {"at": stamp(entry.at, zone), "who": entry.who, "what": entry.what, "url": entry.url}
