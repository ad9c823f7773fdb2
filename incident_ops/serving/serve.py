"""Serve one incident: read, fold, plan, write, tell chat and FreshDesk, refresh the status comment."""

from __future__ import annotations

from incident_ops.core.body_check import BodyCheck
from incident_ops.core.commands import args_to_remember
from incident_ops.core.memo import AnsweredComment, StatusCache
from incident_ops.core.model import Issue, IssueHistory
from incident_ops.core.plan import plan
from incident_ops.core.state import IncidentState, state_name
from incident_ops.core.status_view import status_body
from incident_ops.core.timers import clocks
from incident_ops.core.writes import EditComment, PostComment, React
from incident_ops.github.port import GitHubFailure
from incident_ops.integrations.run import DELIVERED_MARK, Claims, IntegrationRun
from incident_ops.serving.executor import Executor
from incident_ops.serving.history import fold_now, history_now, read_history, verify
from incident_ops.serving.services import EventIssue, IncidentResult, Services

MAX_PASSES = 3  # re-reads when other runs write at the same time; each pass converges further


def serve(
    number: int,
    services: Services,
    issue: Issue | None = None,
    seen: EventIssue | None = None,
    before_edit: tuple[int, str] | None = None,
) -> IncidentResult:
    """Bring one incident up to date with its history (`issue` as listed, `seen` as the event had it).

    `before_edit` is an edited comment's id and text before the edit, as the edit's event tells.
    """
    port = services.port
    edits = (before_edit,) if before_edit else ()
    if issue is not None:
        history = read_history(services, issue)
    else:
        history = history_now(number, services, seen, edits)
    current = history.issue
    result = IncidentResult(number, current.title, current.html_url)
    executor = Executor(port, number, services.dry_run, services.say)
    extras = IntegrationRun(services.integrations)
    ctx = services.context
    claims = Claims(
        lambda cid: port.claim_reaction(cid, DELIVERED_MARK), lambda cid, rid: port.delete_reaction(cid, rid)
    )
    for _ in range(MAX_PASSES):
        state = fold_now(history, services, extras)
        if not state.declared and not state.outcomes and not (state.reported and not state.closed):
            return result
        extras.start(state)
        if extras.check_ticket_reply(state, ctx):
            state = fold_now(history, services, extras)  # the state follows what FreshDesk said
        posted_before = len(executor.posted)
        try:
            history = executor.run(plan(state, ctx), history)
        except GitHubFailure:
            # What was posted before GitHub failed is still owed to chat and the ticket.
            partial = fold_now(executor.history or history, services, extras)
            extras.deliver(executor.posted, partial, services.dry_run, services.say)
            raise
        posted = executor.posted[posted_before:]
        # Re-read before telling anyone: another run's older copy of a comment wins, ours yields.
        fresh = verify(history, services, executor.posted) if posted and not services.dry_run else None
        history = fresh or history
        current = fold_now(history, services, extras)
        extras.deliver(executor.posted, current, services.dry_run, services.say, claims)
        extras.page_commands(state, current, services.dry_run, services.say)
        marks = [React(cid, content) for cid, content in extras.marks]
        extras.marks.clear()
        history = executor.run(marks, history) if marks else history
        # Refreshing the status comment changes only that comment: `current` stays the incident's state.
        status_before = len(executor.posted)
        history = _refresh_status(history, current, services, executor, extras)
        created = executor.posted[status_before:]
        if created and current.closed and not services.dry_run:
            # No sweep comes back to a closed incident: a status comment another run also created yields now.
            raced = verify(history, services, executor.posted)
            history, fresh = (raced, raced) if raced is not None else (history, fresh)
        result.state = state_name(current)
        if current.resolved and current.report is not None and not current.report.complete:
            result.report_problems = current.report.problems()
        if fresh is None:
            break
    result.done = executor.done + [f"sent {item}" for item in extras.sent]
    result.warnings = executor.refused + extras.warnings
    if state.cache_problem:
        result.warnings.insert(
            0, f"the status comment's memo was dropped: {state.cache_problem}; rebuilt from the history"
        )
    return result


def _refresh_status(
    history: IssueHistory,
    state: IncidentState,
    services: Services,
    executor: Executor,
    extras: IntegrationRun,
) -> IssueHistory:
    """Create the status comment, or edit it when its content changed (`state` is `history` folded)."""
    if not state.declared and (not state.reported or state.closed):
        return history  # a plain issue has no status comment; a closed report is dropped
    config = services.context.config
    clock = clocks(state, config, services.context.calendar)
    existing = state.status_comment
    shown = existing.body if existing is not None else None
    body = status_body(state, clock, config, services.context.renderer, _cache_of(state, extras), shown)
    if body is None:
        return history
    if existing is None:
        action: PostComment | EditComment = PostComment("status", "status", body)
    else:
        action = EditComment(existing.id, body)
    return executor.run([action], history)


def _cache_of(state: IncidentState, extras: IntegrationRun) -> StatusCache:
    """What the status comment remembers for later runs; nothing of what outsiders wrote.

    What they get (a reply or nothing) is decided from GitHub alone, so it costs them no status edit; who they
    are is remembered (saving a permission read) only when the comment changes anyway.
    """
    team_outcomes = [o for o in state.outcomes if o.comment.id not in state.outsiders]
    answered: dict[int, AnsweredComment] = {}
    for o in team_outcomes:
        entry = answered.get(o.comment.id)
        done = (*(entry.commands if entry else ()), (o.command.name, args_to_remember(o.command), o.accepted))
        answered[o.comment.id] = AnsweredComment(o.comment.created_at, o.comment.author.login, done)
    outsiders = dict(state.cache.outsiders)
    for o in state.outcomes:
        if o.comment.id in state.outsiders:
            login = o.comment.author.login.casefold()
            outsiders[login] = max(outsiders.get(login, 0), o.comment.id)
    return StatusCache(
        issue=state.history.issue.number,
        done=tuple(sorted(state.answered_ids - set(state.restored))),
        outsiders=outsiders,
        reported_at=state.reported_at if state.reported else None,
        reported_by=state.reported_by if state.reported else None,
        verdicts={cid: True for cid, team in state.verdicts.items() if team and cid > 0},
        answered=answered,
        pending=tuple(extras.pending or ()),
        body=_body_to_remember(state),
    )


def _body_to_remember(state: IncidentState) -> BodyCheck | None:
    """The body's check for the cache; the one already there when it reads the same.

    A body edit that changes no verdict must not edit the status comment; later runs parse the body again.
    """
    new, old = state.body_check, state.cache.body
    if not state.declared:
        return None  # a reported issue's status shows no report: editing the body must cost no write
    if new is not None and old is not None and (new.report, new.ticket) == (old.report, old.ticket):
        return old
    return new
