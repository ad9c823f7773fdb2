"""The plan: every write an incident needs now, in order: acknowledgement, answers, timers, labels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from incident_ops.core.actions import (
    Action,
    AddLabel,
    CloseIssue,
    DeleteComment,
    PostComment,
    RemoveLabel,
    ReopenIssue,
)
from incident_ops.core.comments import keys
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.comments.records import Declaration, declaration_fact
from incident_ops.core.context import Context, duration_text, number_text
from incident_ops.core.planning.applied_records import record_edited
from incident_ops.core.planning.command_answers import answer_commands
from incident_ops.core.planning.pagerduty import pagerduty_records
from incident_ops.core.planning.timers import Clocks, Due, clocks, due
from incident_ops.core.state import IncidentState

EDIT_RUN_WAIT = timedelta(hours=1)  # how long an edit's own run may take to record what the comment held


def waiting_for_edit(state: IncidentState, now: datetime) -> bool:
    """Whether a done command comment was edited so lately that its edit's run may not have recorded it.

    Until it has, the incident's state lacks that comment's commands: nothing but answers is written.
    """
    edited = [c.updated_at for c in state.history.comments if c.id in state.unsettled_edits]
    return any(now - when < EDIT_RUN_WAIT for when in edited)


def plan(state: IncidentState, ctx: Context) -> list[Action]:
    """Every write the incident needs now, in order; the executor skips what is already done."""
    if not state.declared:
        if state.history.issue.state == "closed":
            return []  # a closed report is dropped: nobody is answered on it
        return list(answer_commands(state, ctx))  # a reported issue (or a plain one) is only answered
    if waiting_for_edit(state, ctx.now):
        return [*answer_commands(state, ctx), *record_edited(state, ctx.renderer), *_duplicates(state)]
    clock = clocks(state, ctx.config, ctx.calendar)
    fired = due(state, clock, ctx.now)
    said = list(pagerduty_records(state, ctx))
    if said:
        # What PagerDuty said comes in as commands: timers and labels wait for the pass that applies them.
        return [*_declaration(state, ctx), *answer_commands(state, ctx), *said, *_duplicates(state)]
    answers = [
        *_undo_close(state, ctx),
        *_declaration(state, ctx),
        *answer_commands(state, ctx),
        *record_edited(state, ctx.renderer),
        *_confirmed_close(state, ctx),
        *_closed_by_hand(state, ctx),
    ]
    # Timers and labels follow the state these writes leave: an incident closed now is due nothing more.
    closing = state.close_unfinished or any(isinstance(action, CloseIssue) for action in answers)
    return [
        *answers,
        *([] if closing else _timers(state, ctx, clock, fired)),
        *([CloseIssue("completed")] if state.close_unfinished else []),
        *_labels(state, ctx, clock, fired, closing),
        *_duplicates(state),
    ]


def _undo_close(state: IncidentState, ctx: Context) -> Iterator[Action]:
    """Reopen an incident someone outside the team closed before the process allowed it, saying why."""
    undo = state.undo_close
    if undo is None:
        return
    yield ReopenIssue()
    if state.withheld_close:
        return
    if not state.resolved:
        why = "the incident is not resolved yet"
    elif state.report is not None and not state.report.complete:
        why = "the incident report is not complete yet"
    else:
        why = "only the Community Representative, the issue's author or the response team can close it"
    line = f"This incident was reopened: {why}. The response team closes it with `/close`."
    facts = {"to": undo.by, "outside": "yes"}
    body = ctx.renderer.render(Kind.REPLY, undo.reply_key, facts, author=undo.by, lines=[line], help="")
    yield PostComment(Kind.REPLY, undo.reply_key, body)


def _declaration(state: IncidentState, ctx: Context) -> Iterator[Action]:
    """The incident label, when a `/declare` made the issue an incident; then the acknowledgement."""
    if state.declared_by_comment is not None:
        yield AddLabel(ctx.config.incident_label)
    yield from _acknowledge(state, ctx)


def _confirmed_close(state: IncidentState, ctx: Context) -> Iterator[Action]:
    """The closing comment when the community closed a resolved incident whose report is complete."""
    if state.close_confirmed_by is None or state.resolution_key is None:
        return
    key = keys.closing(state.resolution_key)
    if state.keyed(key) is None:
        body = ctx.renderer.render(
            Kind.CLOSING,
            key,
            by=state.close_confirmed_by,
            confirmed=True,
            resolved_at=state.resolved_at,
            close_after="",
        )
        yield PostComment(Kind.CLOSING, key, body)


def _closed_by_hand(state: IncidentState, ctx: Context) -> Iterator[Action]:
    """The closing comment for a close a team member made on GitHub: the record chat and the ticket follow."""
    close = state.team_close
    if close is None:
        return
    key = keys.closing(keys.closed_by(close.id))
    body = ctx.renderer.render(
        Kind.CLOSING,
        key,
        by=close.actor,
        manual=True,
        confirmed=False,
        resolved_at=state.resolved_at,
        close_after="",
    )
    yield PostComment(Kind.CLOSING, key, body)


def _acknowledge(state: IncidentState, ctx: Context) -> Iterator[Action]:
    """The acknowledgement to the Community Representative, once per incident."""
    if state.keyed(keys.ACKNOWLEDGEMENT) is not None:
        return
    yield PostComment(
        Kind.ACKNOWLEDGEMENT,
        keys.ACKNOWLEDGEMENT,
        ctx.renderer.render(
            Kind.ACKNOWLEDGEMENT,
            keys.ACKNOWLEDGEMENT,
            {"declared": _declaration_fact(state)},
            community=state.community,
            reported=not state.author_on_team,  # someone outside the team opened it: thanked for that
            steward=state.steward,
            declared_at=state.declared_at,
            update_every=duration_text(ctx.config.updates_for(state.severity).every.total_seconds()),
        ),
    )


def _declaration_fact(state: IncidentState) -> str | None:
    """The acknowledgement's record of the declaration, which later runs read instead of the event log."""
    if state.declared_at is None or not state.declared_by:
        return None
    reported = state.reported_at, state.reported_by
    record = Declaration(state.declared_at, state.declared_by, *reported, state.author_on_team)
    return declaration_fact(record)


def _timers(state: IncidentState, ctx: Context, clock: Clocks, fired: Due) -> Iterator[Action]:
    """Escalation, reminders and auto-close that have fallen due."""
    config, render = ctx.config, ctx.renderer.render
    if fired.escalate and clock.escalation_key:
        body = render(
            Kind.ESCALATION,
            clock.escalation_key,
            declared_at=state.reopened_at or state.declared_at,
            reopened=state.reopened_at is not None,
            after=duration_text(config.escalation_for(state.severity).after.total_seconds()),
            mentions=list(config.escalation_for(state.severity).mention),
            severity=state.severity,
            commander=state.commander,
        )
        yield PostComment(Kind.ESCALATION, clock.escalation_key, body)
    if fired.remind_update and clock.update_due:
        key = keys.update_reminder(clock.update_due)
        who = state.commander or state.steward
        every = duration_text(config.updates_for(state.severity).every.total_seconds())
        body = render(Kind.UPDATE_REMINDER, key, who=who, last=clock.last_update, every=every)
        yield PostComment(Kind.UPDATE_REMINDER, key, body)
    if fired.remind_report and clock.report_reminder_key and state.report is not None:
        who = state.commander or state.steward
        key = clock.report_reminder_key
        body = render(Kind.REPORT_REMINDER, key, who=who, problems=state.report.problems())
        yield PostComment(Kind.REPORT_REMINDER, key, body)
    if fired.close and state.resolution_key:
        key = keys.closing(state.resolution_key)
        after = number_text(config.close.after_working_hours)
        body = render(
            Kind.CLOSING, key, by=None, confirmed=False, resolved_at=state.resolved_at, close_after=after
        )
        yield PostComment(Kind.CLOSING, key, body)
        yield CloseIssue("completed")


def _labels(state: IncidentState, ctx: Context, clock: Clocks, fired: Due, closing: bool) -> Iterator[Action]:
    """The resolved and update-overdue labels follow the incident's state."""
    config = ctx.config
    yield AddLabel(config.resolved_label) if state.resolved else RemoveLabel(config.resolved_label)
    closed = state.closed or closing
    overdue = not state.resolved and not closed and (clock.overdue or fired.remind_update)
    yield AddLabel(config.stale_label) if overdue else RemoveLabel(config.stale_label)


def _duplicates(state: IncidentState) -> Iterator[Action]:
    """Younger copies of a keyed comment (two runs posted at once) yield to the oldest."""
    for key, comments in state.bot_comments.items():
        for younger in sorted(comments, key=lambda c: c.id)[1:]:
            yield DeleteComment(younger.id, f"duplicate of {key}")
