"""Read an incident's history from GitHub, as little as the decisions need, and fold it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from incident_ops.core.closes import CLOSE_WINDOW
from incident_ops.core.command_lines import find_commands
from incident_ops.core.comment_kinds import KINDS
from incident_ops.core.evidence import EDIT_GRACE, TOOL_REACTIONS, declaration_record
from incident_ops.core.fold import fold
from incident_ops.core.markers import comment_marker
from incident_ops.core.memo import read_cache
from incident_ops.core.model import Comment, Issue, IssueHistory
from incident_ops.core.plan import plan
from incident_ops.core.roles import KnownRoles
from incident_ops.core.state import IncidentState
from incident_ops.core.writes import Action, DeleteComment, PostComment, React, needed
from incident_ops.integrations.run import IntegrationRun
from incident_ops.serving.services import EventIssue, Services

# An event's copy of the issue stands in for a fresh read for this long after the issue last changed.
EVENT_ISSUE_FRESH_FOR = timedelta(minutes=10)


MAX_EDITED_READS = 10  # edited command comments (newest first) whose reactions one run may read
MAX_ROLE_PASSES = 10  # each pass looks up every login the last one lacked; two are usual
ANSWERS = frozenset(str(kind) for kind, spec in KINDS.items() if spec.to_people)


def read_history(
    services: Services,
    issue: Issue,
    edits: tuple[tuple[int, str], ...] = (),
    deleted: tuple[Comment, ...] = (),
) -> IssueHistory:
    """The issue's comments, and its events when the declaration or a close must be looked up."""
    comments = tuple(services.port.list_comments(issue.number))
    history = IssueHistory(services.repo, issue, comments, before_edit=edits, deleted=deleted)
    return _with_events(services, history)


def history_now(
    number: int,
    services: Services,
    seen: EventIssue | None,
    edits: tuple[tuple[int, str], ...],
    deleted: tuple[Comment, ...] = (),
) -> IssueHistory:
    """The history, with the event's copy of the issue when nothing can have changed it since."""
    port = services.port
    if seen is None or services.context.now - seen.issue.updated_at > EVENT_ISSUE_FRESH_FOR:
        return read_history(services, port.get_issue(number), edits, deleted)
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
    state = fold_now(history, services)
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
    status = next((c for c in history.comments if kind_of(c) == "status"), None)
    memo = read_cache(status.body if status else None)
    done = set(memo.done) if memo.issue == history.issue.number else set()
    found = set()
    edited_reads = MAX_EDITED_READS
    recorded = {ref for key in _keys(history) if (ref := key.partition("/")[2]).isdigit()}
    for comment in reversed(history.comments):
        if comment.author.is_bot or not comment.reactions & TOOL_REACTIONS:
            continue
        if comment.id in done:
            found.add(comment.id)
            continue
        before = history.text_before_edit(comment.id)
        ask = bool(find_commands(comment.body if before is None else before))
        edited = comment.updated_at - comment.created_at > EDIT_GRACE and str(comment.id) not in recorded
        if not ask and edited and edited_reads > 0:
            edited_reads -= 1  # an edit may have taken its commands out: was it answered before?
            ask = True
        if ask and _answered_by_tool(services, comment.id):
            found.add(comment.id)
    # A deleted comment's reactions cannot be read any more: its event's counts are all there is.
    found.update(c.id for c in history.deleted if c.id in done or c.reactions & TOOL_REACTIONS)
    return replace(history, tool_reacted=frozenset(found))


def _keys(history: IssueHistory) -> set[str]:
    """The keys of the tool's comments."""
    return {marker.key for c in history.comments if (marker := comment_marker(c)) is not None}


def _answered_by_tool(services: Services, comment_id: int) -> bool:
    """Whether the tool's own +1 or confused is on a command comment (its answer, the last write)."""
    return bool(services.port.tool_reactions(comment_id).keys() & TOOL_REACTIONS)


def _needs_events(history: IssueHistory, label: str) -> bool:
    """Events say who brought the label or closed the incident, and whether a person reopened it.

    The acknowledgement records the declaration; until there is one, the events are read unless the
    status comment is newer than every change to the issue (a report nobody touched since).
    """
    issue = history.issue
    if not issue.has_label(label):
        return False
    statuses = [c for c in history.comments if kind_of(c) == "status"]
    closings = [c for c in history.comments if kind_of(c) == "closing"]
    if issue.state == "open" and closings:
        return True
    if declaration_record(history) is None:
        if issue.state == "closed" and not any(kind_of(c) == "acknowledgement" for c in history.comments):
            return False  # a closed report is dropped
        return not statuses or issue.updated_at > statuses[0].created_at
    # A close no closing comment announced: who made it decides whether it stands.
    closed_at = issue.closed_at
    return issue.state == "closed" and (
        closed_at is None or not any(c.created_at >= closed_at - CLOSE_WINDOW for c in closings)
    )


def kind_of(comment: Comment) -> str | None:
    """The kind of one of the tool's comments."""
    marker = comment_marker(comment)
    return marker.kind if marker else None


def fold_now(
    history: IssueHistory, services: Services, extras: IntegrationRun | None = None
) -> IncidentState:
    """The incident's state, report checked against the template in use, with what integrations learnt."""
    learnt = {
        "ticket_reply_for": extras.ticket_reply_for if extras else None,
        "close_hold": extras.close_hold if extras else None,
        "template": services.template,
    }
    state = fold_with_roles(history, services, **learnt)
    if _decides_by_report(state, services) and state.body_check is state.cache.body is not None:
        # The memo's report check can be forged (its digest is no secret): parse the body where it decides.
        state = fold_with_roles(history, services, trust_memo_body=False, **learnt)
    return state


def fold_with_roles(history: IssueHistory, services: Services, **facts: Any) -> IncidentState:
    """Fold with every role the fold asks about looked up first: fold, look up what it lacked, fold again."""
    label = services.context.config.incident_label
    for _ in range(MAX_ROLE_PASSES):
        roles = KnownRoles(services.team.known)
        state = fold(history, label, roles, severities=services.context.config.severity, **facts)
        if not roles.missing:
            break
        services.team.look_up(roles.missing)
    return state  # after MAX_ROLE_PASSES, whoever is still unknown counts as outside the team


def _decides_by_report(state: IncidentState, services: Services) -> bool:
    """Whether the body's check decides something now: closing, report reminders, the ticket to write to."""
    closing = any(o.command.name == "close" for o in state.outcomes) or state.history.issue.state == "closed"
    return state.resolved or closing or services.integrations.freshdesk is not None


def verify(history: IssueHistory, services: Services, ours: list[Comment]) -> IssueHistory | None:
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
