"""What the tool knows of an incident for its report: the roles, the durations and the timeline, written out.

The report draft and the after-action document both use it; the timeline's lines are the status comment's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_ops.config.types import Config
from incident_ops.core.state import IncidentState, TimelineEntry
from incident_ops.core.text.wording import duration
from incident_ops.core.views.metrics import incident_figures
from incident_ops.core.views.status import shortened, stamp


@dataclass(frozen=True)
class Retrospective:
    """An incident's roles, durations and timeline, each a Markdown line."""

    roles: tuple[str, ...]
    durations: tuple[str, ...]
    timeline: tuple[str, ...]


def retrospective(
    state: IncidentState, config: Config, now: datetime, keep: int | None = None
) -> Retrospective:
    """The roles, durations and timeline of a declared incident, times in the configured zone (the timeline's
    middle left out beyond `keep` entries, as the status comment does)."""
    zone = config.working_hours.timezone
    timeline = shortened(state.timeline, keep) if keep is not None else state.timeline
    return Retrospective(_roles(state), _durations(state, config, now), timeline_lines(timeline, zone))


def timeline_lines(timeline: list[TimelineEntry], zone: str) -> tuple[str, ...]:
    """Each timeline entry as a list item, oldest first, as the status comment writes it."""
    entries = sorted(timeline, key=lambda e: (e.at, e.order))
    return tuple(
        f"- {stamp(e.at, zone)} — @{e.who} {e.what}" + (f" ([comment]({e.url}))" if e.url else "")
        for e in entries
    )


def _roles(state: IncidentState) -> tuple[str, ...]:
    """Who held each role."""
    smes = ", ".join(f"@{login}" for login in state.smes) or "—"
    past = ", ".join(f"@{login}" for login in state.past_commanders if login != state.commander)
    commander = f"@{state.commander}" if state.commander else "—"
    return (
        f"- Incident Commander: {commander}" + (f" (before: {past})" if past else ""),
        f"- Support Steward: {'@' + state.steward if state.steward else '—'}",
        f"- Subject Matter Experts: {smes}",
        f"- Community Representative: {'@' + state.community if state.community else '—'}",
    )


def _durations(state: IncidentState, config: Config, now: datetime) -> tuple[str, ...]:
    """How long each step took from the declaration, as far as the incident got."""
    figures = incident_figures(state, config.updates_for(state.severity).every, now)
    if figures is None:
        return ()
    steps: tuple[tuple[str, timedelta | None], ...] = (
        ("to acknowledge", figures.to_acknowledge),
        ("to name an Incident Commander", figures.to_commander),
        ("to resolve", figures.to_resolve),
    )
    return tuple(f"- Time {name}: {duration(value) if value is not None else '—'}" for name, value in steps)
