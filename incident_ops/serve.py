"""Serve one incident: read its history, decide, write, refresh the status comment, converge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from incident_ops.body_check import BodyCheck
from incident_ops.closes import CLOSE_WINDOW
from incident_ops.commands import find_commands
from incident_ops.effects import Action, DeleteComment, EditComment, Executor, PostComment, React, needed
from incident_ops.evidence import TOOL_REACTIONS, declaration_record
from incident_ops.fold import fold
from incident_ops.github import GitHubFailure, GitHubPort
from incident_ops.handlers import Context, plan
from incident_ops.integrations.deliveries import Integrations
from incident_ops.integrations.run import IntegrationRun
from incident_ops.markers import comment_marker
from incident_ops.model import Comment, Issue, IssueHistory
from incident_ops.report import TemplateSource
from incident_ops.state import IncidentState, state_name
from incident_ops.status_cache import AnsweredComment, StatusCache, read_cache
from incident_ops.status_view import status_body
from incident_ops.team import Team
from incident_ops.timers import clocks

MAX_PASSES = 3  # re-reads when other runs write at the same time; each pass converges further
# An event's copy of the issue stands in for a fresh read for this long after the issue last changed.
EVENT_ISSUE_FRESH_FOR = timedelta(minutes=10)
ANSWERS = frozenset({"update", "resolution", "reply"})  # messages that answer a command, whatever the issue


@dataclass
class IncidentResult:
    """What one incident's run did, for outputs and the job summary."""

    number: int
    title: str
    url: str
    state: str = "not an incident"
    done: list[str] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    report_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Services:
    """The run's collaborators: the GitHub port, team check, report template, and options."""

    repo: str
    port: GitHubPort
    team: Team
    template: TemplateSource
    context: Context
    dry_run: bool = False
    say: Callable[[str], None] = print
    integrations: Integrations = field(default_factory=Integrations)


@dataclass(frozen=True)
class EventIssue:
    """The issue as a comment's event carried it, and the id of that comment."""

    issue: Issue
    comment_id: int


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
        history = _history_now(number, services, seen, edits)
    current = history.issue
    result = IncidentResult(number, current.title, current.html_url)
    executor = Executor(port, number, services.dry_run, services.say)
    extras = IntegrationRun(services.integrations)
    ctx = services.context
    for _ in range(MAX_PASSES):
        state = _fold(history, services, extras)
        if not state.declared and not state.outcomes and not (state.reported and not state.closed):
            return result
        extras.start(state)
        extras.check_ticket_reply(state, ctx)
        posted_before = len(executor.posted)
        try:
            history = executor.run(plan(state, ctx), history)
        except GitHubFailure:
            # What was posted before GitHub failed is still owed to chat and the ticket.
            partial = _fold(executor.history or history, services, extras)
            extras.deliver(executor.posted, partial, services.dry_run, services.say)
            raise
        posted = executor.posted[posted_before:]
        # Re-read before telling anyone: another run's older copy of a comment wins, ours yields.
        fresh = _verify(history, services, executor.posted) if posted and not services.dry_run else None
        history = fresh or history
        current = _fold(history, services, extras)
        extras.deliver(executor.posted, current, services.dry_run, services.say)
        marks = [React(cid, content) for cid, content in extras.marks]
        extras.marks.clear()
        history = executor.run(marks, history) if marks else history
        # Refreshing the status comment changes only that comment: `current` stays the incident's state.
        status_before = len(executor.posted)
        history = _refresh_status(history, current, services, executor, extras)
        created = executor.posted[status_before:]
        if created and current.closed and not services.dry_run:
            # No sweep comes back to a closed incident: a status comment another run also created yields now.
            raced = _verify(history, services, executor.posted)
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


def read_history(services: Services, issue: Issue, edits: tuple[tuple[int, str], ...] = ()) -> IssueHistory:
    """The issue's comments, and its events when the declaration or a close must be looked up."""
    comments = tuple(services.port.list_comments(issue.number))
    return _with_events(services, IssueHistory(services.repo, issue, comments, before_edit=edits))


def _history_now(
    number: int, services: Services, seen: EventIssue | None, edits: tuple[tuple[int, str], ...]
) -> IssueHistory:
    """The history, with the event's copy of the issue when nothing can have changed it since."""
    port = services.port
    if seen is None or services.context.now - seen.issue.updated_at > EVENT_ISSUE_FRESH_FOR:
        return read_history(services, port.get_issue(number), edits)
    comments = tuple(port.list_comments(number))
    issue = port.get_issue(number) if _moved_on(comments, seen) else seen.issue
    history = _with_events(services, IssueHistory(services.repo, issue, comments, before_edit=edits))
    return history if issue is not seen.issue else _settled(history, services)


def _settled(history: IssueHistory, services: Services) -> IssueHistory:
    """The history with the issue read after all, when the run would write what depends on it.

    The event's copy cannot show a close, label or body edit made since without a comment (GitHub's
    "Close with comment" closes just after its comment's event). Answers to commands do not depend on
    those; timers, labels, assignees, closing and the acknowledgement do.
    """
    state = _fold(history, services)
    writes = plan(state, services.context) if state.declared else []
    if not any(_depends_on_issue(action) and needed(action, history) for action in writes):
        return history
    fresh = services.port.get_issue(history.issue.number)
    return _with_events(services, replace(history, issue=fresh))


def _depends_on_issue(action: Action) -> bool:
    """Whether a write is right only for the issue as it is now: its state, labels, body or assignees."""
    if isinstance(action, React | DeleteComment):
        return False
    return not (isinstance(action, PostComment) and action.kind in ANSWERS)


def _moved_on(comments: tuple[Comment, ...], seen: EventIssue) -> bool:
    """Whether any comment was posted or edited after the event: another run may have changed the issue."""
    since = seen.issue.updated_at
    return any(
        c.id > seen.comment_id or (c.id != seen.comment_id and c.updated_at >= since) for c in comments
    )


def _with_events(services: Services, history: IssueHistory) -> IssueHistory:
    """The history with the issue's events, when the declaration or a close must be looked up."""
    if history.events is None and _needs_events(history, services.context.config.incident_label):
        events = services.port.list_events(history.issue.number)
        history = replace(history, events=tuple(events))
    return _with_tool_reactions(services, history)


def _with_tool_reactions(services: Services, history: IssueHistory) -> IssueHistory:
    """The history with the command comments whose +1 or confused is the tool's own.

    Anyone can react to a comment, and a reaction would mark a team command done before the tool saw it.
    The memo lists the comments the tool finished; only a command comment it does not list, yet showing
    such a reaction, costs a read of its reactions.
    """
    if history.tool_reacted is not None:
        return history
    status = next((c for c in history.comments if _kind(c) == "status"), None)
    memo = read_cache(status.body if status else None)
    done = set(memo.done) if memo.issue == history.issue.number else set()
    found = set()
    for comment in history.comments:
        if comment.author.is_bot or not comment.reactions & TOOL_REACTIONS:
            continue
        body = next((text for cid, text in history.before_edit if cid == comment.id), comment.body)
        if comment.id in done or (find_commands(body) and services.port.tool_reacted(comment.id)):
            found.add(comment.id)
    return replace(history, tool_reacted=frozenset(found))


def _needs_events(history: IssueHistory, label: str) -> bool:
    """Events say who brought the label or closed the incident, and whether a person reopened it.

    The acknowledgement records the declaration; until there is one, the events are read unless the
    status comment is newer than every change to the issue (a report nobody touched since).
    """
    issue = history.issue
    if not issue.has_label(label):
        return False
    statuses = [c for c in history.comments if _kind(c) == "status"]
    closings = [c for c in history.comments if _kind(c) == "closing"]
    if issue.state == "open" and closings:
        return True
    if declaration_record(history) is None:
        if issue.state == "closed" and not any(_kind(c) == "acknowledgement" for c in history.comments):
            return False  # a closed report is dropped
        return not statuses or issue.updated_at > statuses[0].created_at
    # A close no closing comment announced: who made it decides whether it stands.
    closed_at = issue.closed_at
    return issue.state == "closed" and (
        closed_at is None or not any(c.created_at >= closed_at - CLOSE_WINDOW for c in closings)
    )


def _kind(comment: Comment) -> str | None:
    """The kind of one of the tool's comments."""
    marker = comment_marker(comment)
    return marker.kind if marker else None


def _fold(history: IssueHistory, services: Services, extras: IntegrationRun | None = None) -> IncidentState:
    """The incident's state, report checked against the template in use, with what integrations learnt."""
    label = services.context.config.incident_label
    reply_for = extras.ticket_reply_for if extras else None
    state = fold(history, label, services.team, ticket_reply_for=reply_for, template=services.template)
    if _decides_by_report(state, services) and state.body_check is state.cache.body is not None:
        # The memo's report check can be forged (its digest is no secret): parse the body where it decides.
        state = fold(
            history,
            label,
            services.team,
            ticket_reply_for=reply_for,
            template=services.template,
            trust_memo_body=False,
        )
    if extras is not None:
        state.close_hold = extras.close_hold
    return state


def _decides_by_report(state: IncidentState, services: Services) -> bool:
    """Whether the body's check decides something now: closing, report reminders, the ticket to write to."""
    closing = any(o.command.name == "close" for o in state.outcomes) or state.history.issue.state == "closed"
    return state.resolved or closing or services.integrations.freshdesk is not None


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
        # An update's or resolution's text is in its posted message: only the command is remembered.
        args = "" if o.command.name in ("update", "resolved") else o.command.args
        done = (*(entry.commands if entry else ()), (o.command.name, args, o.accepted))
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


def _verify(history: IssueHistory, services: Services, ours: list[Comment]) -> IssueHistory | None:
    """Re-read after posting: another run's copy or new comments mean one more pass.

    The re-read starts from the newest comment this run read, not from its own posts: another run's copy
    may be older than ours by seconds. GitHub's `since` has whole seconds, hence the second's margin.
    """
    mine = {c.id for c in ours}
    read = [c.updated_at for c in history.comments if c.id not in mine]
    since = max(read) - timedelta(seconds=1) if read else None
    seen = {c.id for c in history.comments}
    recent = services.port.comments_since(history.issue.number, since)
    fresh = [c for c in recent if c.id not in seen]
    if not fresh:
        return None
    comments = tuple(sorted((*history.comments, *fresh), key=lambda c: c.id))
    return replace(history, comments=comments)
