"""Serve one incident: read, fold, plan, write, deliver to chat, ticket and pager, refresh the status."""

from __future__ import annotations

from incident_ops.core.body_check import BodyCheck
from incident_ops.core.deliveries import PAGING_COMMANDS, command_anchor
from incident_ops.core.markers import comment_marker
from incident_ops.core.memo import StatusCache
from incident_ops.core.model import Comment, Issue, IssueHistory
from incident_ops.core.plan import plan, waiting_for_edit
from incident_ops.core.state import IncidentState, state_name
from incident_ops.core.status_view import status_body
from incident_ops.core.timers import clocks
from incident_ops.core.writes import EditComment, PostComment
from incident_ops.github.port import GitHubFailure
from incident_ops.integrations.deliveries import steps_of
from incident_ops.integrations.run import IntegrationRun, Marks
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
    deleted: Comment | None = None,
) -> IncidentResult:
    """Bring one incident up to date with its history (`issue` as listed, `seen` as the event had it).

    `before_edit` is an edited comment's id and text before the edit, as the edit's event tells; `deleted`
    a comment as its deletion's event last showed it.
    """
    port = services.port
    edits = (before_edit,) if before_edit else ()
    gone = (deleted,) if deleted else ()
    if issue is not None:
        history = read_history(services, issue)
    else:
        history = history_now(number, services, seen, edits, gone)
    current = history.issue
    result = IncidentResult(number, current.title, current.html_url)
    ctx = services.context
    executor = Executor(port, number, services.dry_run, services.say, ctx.now)
    extras = IntegrationRun(services.integrations)
    marks = Marks(port.tool_reactions, port.claim_reaction, port.delete_reaction)
    for _ in range(MAX_PASSES):
        state = fold_now(history, services, extras)
        if not state.declared and not state.outcomes and not (state.reported and not state.closed):
            return result
        if extras.check_ticket_reply(state, ctx):
            state = fold_now(history, services, extras)  # the state follows what FreshDesk said
        posted_before = len(executor.posted)
        try:
            history = executor.run(plan(state, ctx), history)
        except GitHubFailure:
            # What was posted before GitHub failed is still owed to chat, the ticket and the pager.
            partial = fold_now(executor.history or history, services, extras)
            _deliver(extras, state, partial, executor.posted[posted_before:], marks, services)
            raise
        posted = executor.posted[posted_before:]
        # Re-read before telling anyone: another run's older copy of a comment wins, ours yields.
        fresh = verify(history, services, executor.posted) if posted and not services.dry_run else None
        history = fresh or history
        current = fold_now(history, services, extras)
        _deliver(extras, state, current, posted, marks, services)
        # Refreshing the status comment changes only that comment: `current` stays the incident's state.
        status_before = len(executor.posted)
        if not waiting_for_edit(current, ctx.now):
            history = _refresh_status(history, current, services, executor)
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
    if state.unsettled_edits:
        ids = ", ".join(str(cid) for cid in sorted(state.unsettled_edits))
        lost = "timers, labels and the status comment wait for it"
        if not waiting_for_edit(state, ctx.now):
            lost = "what it held is lost: give its commands again"
        result.warnings.append(
            f"comment {ids} was edited after its commands were applied and no run has recorded what it held "
            f"(its edit's own run reads it from the edit's event): {lost}"
        )
    if state.cache_problem:
        result.warnings.insert(
            0, f"the status comment's memo was dropped: {state.cache_problem}; rebuilt from the history"
        )
    return result


def _deliver(
    extras: IntegrationRun,
    answered: IncidentState,
    current: IncidentState,
    posted: list[Comment],
    marks: Marks,
    services: Services,
) -> None:
    """What this run's new messages and commands owe chat, the ticket and the pager, and what earlier runs
    left for a retry (`answered` is the state the commands were answered from, `current` the one after)."""
    fresh = [(key, c) for c in posted if (key := kept_key(c, current)) and steps_of(key)]
    for outcome in answered.outcomes:
        cid = outcome.comment.id
        first = not answered.answered(cid) and cid not in answered.outsiders
        if outcome.accepted and first and outcome.command.name in PAGING_COMMANDS:
            fresh.append((command_anchor(cid), _comment(current, cid) or outcome.comment))
    now = services.context.now
    extras.deliver(current, fresh, anchors(current), marks, now, services.dry_run, services.say)


def _comment(state: IncidentState, comment_id: int) -> Comment | None:
    """A comment of the history, as last read."""
    return next((c for c in state.history.comments if c.id == comment_id), None)


def kept_key(comment: Comment, state: IncidentState) -> str | None:
    """The key of one of the tool's comments when it is the copy that stays (a younger duplicate yields)."""
    marker = comment_marker(comment)
    kept = state.keyed(marker.key) if marker else None
    return marker.key if marker and kept is not None and kept.id == comment.id else None


def anchors(state: IncidentState) -> list[tuple[str, Comment]]:
    """Every comment that may owe a delivery: the tool's messages, and command comments that page."""
    found = [(key, comments[0]) for key, comments in state.bot_comments.items() if steps_of(key)]
    paging = {o.comment.id for o in state.outcomes if o.accepted and o.command.name in PAGING_COMMANDS}
    found += [(command_anchor(cid), c) for cid in sorted(paging) if (c := _comment(state, cid)) is not None]
    return found


def _refresh_status(
    history: IssueHistory, state: IncidentState, services: Services, executor: Executor
) -> IssueHistory:
    """Create the status comment, or edit it when its content changed (`state` is `history` folded)."""
    if not state.declared and (not state.reported or state.closed):
        return history  # a plain issue has no status comment; a closed report is dropped
    config = services.context.config
    clock = clocks(state, config, services.context.calendar)
    existing = state.status_comment
    shown = existing.body if existing is not None else None
    body = status_body(state, clock, config, services.context.renderer, _cache_of(state), shown)
    if body is None:
        return history
    if existing is None:
        action: PostComment | EditComment = PostComment("status", "status", body)
    else:
        action = EditComment(existing.id, body)
    return executor.run([action], history)


def _cache_of(state: IncidentState) -> StatusCache:
    """What the status comment remembers for later runs; nothing of what outsiders wrote.

    What they get (a reply or nothing) is decided from GitHub alone, so it costs them no status edit; who they
    are is remembered (saving a permission read) only when the comment changes anyway.
    """
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
