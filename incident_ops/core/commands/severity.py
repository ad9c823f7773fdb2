"""An incident's severity: where it starts (the team's issue form, else the default) and `/severity`."""

from __future__ import annotations

import re
from dataclasses import replace

from incident_ops.core.commands.args import CommandError
from incident_ops.core.state import IncidentState, Outcome, add_timeline

# The issue form's optional field, as GitHub writes it into the body: a heading, then the answer.
FORM_FIELD = re.compile(
    r"^#{1,6}[ \t]*Severity[ \t]*\n+[ \t]*(?P<level>[A-Za-z0-9_-]{1,20})[ \t]*$", re.M | re.I
)


def initial_severity(state: IncidentState) -> str | None:
    """The level a declared incident starts at: its form's field when a team member wrote the issue.

    Someone outside the team cannot choose it: a level that pages would let them page the team.
    """
    levels = state.severities
    if not levels.levels or not state.declared:
        return None
    found = FORM_FIELD.search(state.history.issue.body or "")
    chosen = levels.level(found["level"]) if found and state.author_on_team else None
    return chosen.name if chosen is not None else levels.default


def set_severity(state: IncidentState, outcome: Outcome) -> Outcome:
    """`/severity LEVEL`: the clocks follow the new level's durations from the same starting points (the
    declaration or reopen, the last update); a time already past falls due at once."""
    levels = state.severities
    if not levels.levels:
        raise CommandError("no severity levels are configured (severity.levels in the config)")
    names = ", ".join(level.name for level in levels.levels)
    wanted = outcome.command.args.split()[0] if outcome.command.args.split() else ""
    level = levels.level(wanted)
    if level is None:
        raise CommandError(f"give one of the levels: {names} (e.g. `/severity {levels.levels[0].name}`)")
    previous = state.severity
    if previous == level.name:
        return outcome
    state.severity = level.name
    add_timeline(
        state,
        outcome.comment,
        f"set the severity to {level.name}" + (f" (was {previous})" if previous else ""),
    )
    return replace(outcome, target=level.name, previous=previous)
