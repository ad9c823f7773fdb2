"""Read an incident's history from GitHub, as little as the decisions need; re-read it after posting."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from incident_ops.core.commands.lines import find_commands
from incident_ops.core.comments.cache import read_cache
from incident_ops.core.comments.keys import PAGERDUTY, Key
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.comments.markers import comment_marker
from incident_ops.core.history.closes import CLOSE_WINDOW
from incident_ops.core.history.evidence import EDIT_GRACE, TOOL_REACTIONS, declaration_record
from incident_ops.core.model import Comment, Issue, IssueHistory
from incident_ops.serving.services import EventIssue, Services

# An event's copy of the issue stands in for a fresh read for this long after the issue last changed.
EVENT_ISSUE_FRESH_FOR = timedelta(minutes=10)


MAX_EDITED_READS = 10  # edited command comments (newest first) whose reactions one run may read


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
    history = IssueHistory(services.repo, issue, comments, before_edit=edits, deleted=deleted)
    return replace(_with_events(services, history), issue_from_event=issue is seen.issue)


def with_issue_read(history: IssueHistory, services: Services) -> IssueHistory:
    """The history with the issue read after all, in place of the event's copy of it."""
    fresh = services.port.get_issue(history.issue.number)
    return _with_events(services, replace(history, issue=fresh, issue_from_event=False))


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


def records_pagerduty(comment: Comment) -> bool:
    """Whether a comment is the tool's record of what PagerDuty said (a command, answered like any other)."""
    marker = comment_marker(comment)
    return marker is not None and Key.parse(marker.key).family == PAGERDUTY


def _with_tool_reactions(services: Services, history: IssueHistory) -> IssueHistory:
    """The history with the command comments whose +1 or confused is the tool's own.

    Anyone can react to a comment, and a reaction would mark a team command done before the tool saw it.
    The cache lists the comments the tool finished; only a command comment it does not list, yet showing
    such a reaction, costs a read of its reactions.
    """
    if history.tool_reacted is not None:
        return history
    status = next((c for c in history.comments if kind_of(c) == Kind.STATUS), None)
    cache = read_cache(status.body if status else None)
    done = set(cache.done) if cache.issue == history.issue.number else set()
    found = set()
    edited_reads = MAX_EDITED_READS
    recorded = {key.comment_id for key in _keys(history) if key.comment_id is not None}
    for comment in reversed(history.comments):
        if not comment.reactions & TOOL_REACTIONS or (
            comment.author.is_bot and not records_pagerduty(comment)
        ):
            continue
        if comment.id in done:
            found.add(comment.id)
            continue
        before = history.text_before_edit(comment.id)
        ask = records_pagerduty(comment) or bool(find_commands(comment.body if before is None else before))
        edited = comment.updated_at - comment.created_at > EDIT_GRACE and comment.id not in recorded
        if not ask and edited and edited_reads > 0:
            edited_reads -= 1  # an edit may have taken its commands out: was it answered before?
            ask = True
        if ask and _answered_by_tool(services, comment.id):
            found.add(comment.id)
    # A deleted comment's reactions cannot be read any more: its event's counts are all there is.
    found.update(c.id for c in history.deleted if c.id in done or c.reactions & TOOL_REACTIONS)
    return replace(history, tool_reacted=frozenset(found))


def _keys(history: IssueHistory) -> set[Key]:
    """The keys of the tool's comments."""
    return {Key.parse(marker.key) for c in history.comments if (marker := comment_marker(c)) is not None}


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
    statuses = [c for c in history.comments if kind_of(c) == Kind.STATUS]
    closings = [c for c in history.comments if kind_of(c) == Kind.CLOSING]
    if issue.state == "open" and closings:
        return True
    if declaration_record(history) is None:
        if issue.state == "closed" and not any(kind_of(c) == Kind.ACKNOWLEDGEMENT for c in history.comments):
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
