"""The incident's clocks and what is due now: escalation, update and report reminders, auto-close."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_ops.config.types import Config
from incident_ops.core.comments import keys
from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.model import Comment
from incident_ops.core.state import IncidentState
from incident_ops.core.workhours import WorkCalendar

REPORT_REMINDER_GAP = timedelta(hours=24)


@dataclass(frozen=True)
class Clocks:
    """When each timer falls due (None: not running), and why auto-close is held, if it is."""

    escalation_due: datetime | None = None
    escalation_key: Key | None = None
    update_due: datetime | None = None
    last_update: datetime | None = None  # the last update posted (None: none since the declaration)
    report_reminder_due: datetime | None = None
    report_reminder_key: Key | None = None
    autoclose_due: datetime | None = None
    autoclose_held: str | None = None
    overdue: bool = False


def clocks(state: IncidentState, config: Config, calendar: WorkCalendar) -> Clocks:
    """Every running clock of an incident, from its state alone (no `now`)."""
    if not state.declared or state.closed or state.declared_at is None:
        return Clocks()
    if not state.resolved:
        return _active_clocks(state, config)
    return _resolved_clocks(state, config, calendar)


def _active_clocks(state: IncidentState, config: Config) -> Clocks:
    """Escalation and update clocks of an unresolved incident."""
    assert state.declared_at is not None
    start = max(filter(None, (state.declared_at, state.reopened_at)))
    escalation_key = keys.escalation(state.escalation_epoch)
    after = config.escalation_for(state.severity).after
    escalation_due = None if state.keyed(escalation_key) else start + after
    reminders = [c.created_at for c in state.of_kind(Kind.UPDATE_REMINDER)]
    # Both clocks run from the declaration or the last reopen; the update clock restarts at each update or
    # reminder after it (a /severity or /commander is no update). Durations are the current level's.
    restarted = max(filter(None, (start, state.last_update_at)))
    last_reminder = max(reminders, default=None)
    overdue = last_reminder is not None and last_reminder > restarted
    return Clocks(
        escalation_due=escalation_due,
        escalation_key=escalation_key,
        update_due=max(restarted, last_reminder or restarted) + config.updates_for(state.severity).every,
        last_update=state.last_update_at,
        overdue=overdue,
    )


def _resolved_clocks(state: IncidentState, config: Config, calendar: WorkCalendar) -> Clocks:
    """Report-reminder and auto-close clocks of a resolved incident."""
    assert state.resolved_at is not None and state.resolution_key is not None
    report_due = report_key = None
    held = None
    complete = state.report is None or state.report.complete
    if not complete:
        held = "the incident report is not complete"
        first_key = keys.report_reminders(state.reminder_series or state.resolution_key)
        reminders = _reminders_since(state, first_key)
        if not reminders:
            report_due, report_key = state.resolved_at, first_key
        else:
            report_due = calendar.add_working_time(reminders[-1].created_at, REPORT_REMINDER_GAP)
            report_key = keys.later_report_reminder(first_key, report_due)
    if state.community_replied:
        held = "the community replied after the resolution; the team closes with `/close`"
    if state.keyed(keys.closing(state.resolution_key)) is not None and not state.close_unfinished:
        held = "the issue was reopened after it was closed; the team closes with `/close`"
    held = state.close_hold or held
    hours = timedelta(hours=config.close.after_working_hours)
    autoclose_due = calendar.add_working_time(state.resolved_at, hours)
    return Clocks(
        report_reminder_due=report_due,
        report_reminder_key=report_key,
        autoclose_due=autoclose_due,
        autoclose_held=held,
    )


def _reminders_since(state: IncidentState, first_key: Key) -> list[Comment]:
    """Report reminders for the current resolution, oldest first."""
    found = [
        comments[0]
        for key, comments in state.bot_comments.items()
        if keys.of_series(Key.parse(key), first_key)
    ]
    return sorted(found, key=lambda c: c.created_at)


@dataclass(frozen=True)
class Due:
    """The timers that have fallen due at `now`."""

    escalate: bool = False
    remind_update: bool = False
    remind_report: bool = False
    close: bool = False


def due(state: IncidentState, clock: Clocks, now: datetime) -> Due:
    """Which timers fire at `now`."""
    closing = state.resolution_key and state.keyed(keys.closing(state.resolution_key))
    return Due(
        escalate=clock.escalation_due is not None and now >= clock.escalation_due,
        remind_update=clock.update_due is not None and now >= clock.update_due,
        remind_report=clock.report_reminder_due is not None and now >= clock.report_reminder_due,
        close=(
            clock.autoclose_due is not None
            and clock.autoclose_held is None
            and now >= clock.autoclose_due
            and not closing
        ),
    )
