"""Serve one incident: settle → plan → execute → re-read → deliver → status, until other runs stop writing."""

from __future__ import annotations

from dataclasses import dataclass, field

from incident_ops.core.actions import Action, depends_on_issue, needed
from incident_ops.core.model import Comment, Issue, IssueHistory
from incident_ops.core.pagerduty import PagerDutyIncident
from incident_ops.core.planning.plan import plan, waiting_for_edit
from incident_ops.core.state import IncidentState, state_name
from incident_ops.core.views.report_draft import draft_comment
from incident_ops.github.port import GitHubFailure
from incident_ops.integrations.run import IntegrationRun, Marks
from incident_ops.serving.delivery import deliver
from incident_ops.serving.executor import Executor
from incident_ops.serving.read import history_now, read_history, records_pagerduty, verify, with_issue_read
from incident_ops.serving.services import EventIssue, IncidentResult, Services
from incident_ops.serving.settle import settle
from incident_ops.serving.status import refresh_status

MAX_PASSES = 4  # re-reads when other runs write at the same time, or to apply PagerDuty's records


@dataclass
class IncidentRun:
    """One run's work on one incident: its writes, its deliveries, and the marks they are claimed by."""

    services: Services
    executor: Executor
    extras: IntegrationRun
    marks: Marks
    last: IncidentState | None = field(default=None)


def serve(
    number: int,
    services: Services,
    issue: Issue | None = None,
    seen: EventIssue | None = None,
    before_edit: tuple[int, str] | None = None,
    deleted: Comment | None = None,
    pagerduty: PagerDutyIncident | None = None,
) -> IncidentResult:
    """Bring one incident up to date with its history (`issue` as listed, `seen` as the event had it).

    `before_edit` is an edited comment's id and text before the edit, as the edit's event tells; `deleted`
    a comment as its deletion's event last showed it; `pagerduty` the PagerDuty incident it was opened for,
    as the sweep read it.
    """
    edits, gone = ((before_edit,) if before_edit else ()), ((deleted,) if deleted else ())
    history = read_history(services, issue) if issue else history_now(number, services, seen, edits, gone)
    result = IncidentResult(number, history.issue.title, history.issue.html_url)
    port = services.port
    run = IncidentRun(
        services,
        Executor(port, number, services.dry_run, services.say, services.context.now),
        IntegrationRun(services.integrations, pagerduty_now=pagerduty),
        Marks(port.tool_reactions, port.claim_reaction, port.delete_reaction),
    )
    for _ in range(MAX_PASSES):
        state = settle(history, services, run.extras)
        if not state.declared and not state.outcomes and not (state.reported and not state.closed):
            return result
        actions = plan(state, services.context)
        if history.issue_from_event and any(depends_on_issue(a) and needed(a, history) for a in actions):
            # The event's copy cannot show a close, label or body edit made since without a comment.
            history = with_issue_read(history, services)
            continue
        posted_before, opened_before = len(run.executor.posted), len(run.executor.opened)
        history, raced = _pass(run, state, actions, history)
        result.state = state_name(run.last or state)
        opened = len(run.executor.opened) > opened_before
        if opened:
            run.extras.follow_ups = None  # read again: the next pass lists what this one opened
        # What PagerDuty said is applied as a command, new follow-up issues are listed: both in a next pass.
        if (
            not raced
            and not opened
            and not any(records_pagerduty(c) for c in run.executor.posted[posted_before:])
        ):
            break
    return _finished(result, run, state)


def _pass(
    run: IncidentRun, state: IncidentState, actions: list[Action], history: IssueHistory
) -> tuple[IssueHistory, bool]:
    """Execute, re-read, deliver, refresh the status; the history as it now is, and whether another run
    wrote meanwhile (so that one more pass converges)."""
    services, executor = run.services, run.executor
    before = len(executor.posted)
    try:
        history = executor.run(actions, history)
    except GitHubFailure:
        # What was posted before GitHub failed is still owed to chat, the ticket and the pager.
        partial = settle(executor.history or history, services, run.extras, look_up=False)
        deliver(run.extras, state, partial, executor.posted[before:], run.marks, services)
        raise
    posted = executor.posted[before:]
    # Re-read before telling anyone: another run's older copy of a comment wins, ours yields.
    fresh = verify(history, services, executor.posted) if posted and not services.dry_run else None
    history = fresh or history
    current = run.last = settle(history, services, run.extras)
    deliver(run.extras, state, current, posted, run.marks, services)
    # The report draft is drawn, like the status comment, from the state these writes left.
    draft = draft_comment(current, services.context)
    if draft is not None:
        history = executor.run([draft], history)
    # Refreshing the status comment changes only that comment: `current` stays the incident's state.
    status_before = len(executor.posted)
    if not waiting_for_edit(current, services.context.now):
        history = refresh_status(history, current, services, executor)
    if executor.posted[status_before:] and current.closed and not services.dry_run:
        # No sweep comes back to a closed incident: a status comment another run also created yields now.
        fresh = verify(history, services, executor.posted) or fresh
        history = fresh or history
    return history, fresh is not None


def _finished(result: IncidentResult, run: IncidentRun, state: IncidentState) -> IncidentResult:
    """What the run did, and what its people should know."""
    current = run.last or state
    if current.resolved and current.report is not None and not current.report.complete:
        result.report_problems = current.report.problems()
    result.done = run.executor.done + [f"sent {item}" for item in run.extras.sent]
    result.warnings = run.executor.refused + run.extras.warnings
    if state.unsettled_edits:
        ids = ", ".join(str(cid) for cid in sorted(state.unsettled_edits))
        lost = "timers, labels and the status comment wait for it"
        if not waiting_for_edit(state, run.services.context.now):
            lost = "what it held is lost: give its commands again"
        result.warnings.append(
            f"comment {ids} was edited after its commands were applied and no run has recorded what it held "
            f"(its edit's own run reads it from the edit's event): {lost}"
        )
    if state.cache_problem:
        result.warnings.insert(
            0, f"the status comment's cache was dropped: {state.cache_problem}; rebuilt from the history"
        )
    return result
