"""The writes a run decides on, and the executor that makes each one at most once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from incident_ops.github import GitHubFailure, GitHubPort
from incident_ops.markers import comment_marker
from incident_ops.model import Comment, IssueHistory


@dataclass(frozen=True)
class PostComment:
    """A new comment of the tool's, skipped when its key is already on the issue."""

    kind: str
    key: str
    body: str


@dataclass(frozen=True)
class EditComment:
    """Replace the body of one of the tool's comments (the status comment)."""

    comment_id: int
    body: str


@dataclass(frozen=True)
class DeleteComment:
    """Remove a younger duplicate of a keyed comment."""

    comment_id: int
    why: str


@dataclass(frozen=True)
class AddLabel:
    """Put a label on the issue."""

    label: str


@dataclass(frozen=True)
class RemoveLabel:
    """Take a label off the issue."""

    label: str


@dataclass(frozen=True)
class Assign:
    """Assign someone."""

    login: str


@dataclass(frozen=True)
class Unassign:
    """Unassign someone."""

    login: str


@dataclass(frozen=True)
class CloseIssue:
    """Close the issue."""

    reason: str = "completed"


@dataclass(frozen=True)
class ReopenIssue:
    """Reopen the issue (a /reopen of a closed incident)."""


@dataclass(frozen=True)
class React:
    """React to a command comment to show it was seen."""

    comment_id: int
    content: str


Action = (
    PostComment
    | EditComment
    | DeleteComment
    | AddLabel
    | RemoveLabel
    | Assign
    | Unassign
    | CloseIssue
    | ReopenIssue
    | React
)


def describe(action: Action) -> str:
    """One line saying what a write does, for dry runs and the job summary."""
    match action:
        case PostComment(kind=kind, key=key):
            return f"post {kind} comment ({key})"
        case EditComment(comment_id=cid):
            return f"edit status comment {cid}"
        case DeleteComment(comment_id=cid, why=why):
            return f"delete comment {cid} ({why})"
        case AddLabel(label=label):
            return f"add label {label!r}"
        case RemoveLabel(label=label):
            return f"remove label {label!r}"
        case Assign(login=login):
            return f"assign @{login}"
        case Unassign(login=login):
            return f"unassign @{login}"
        case CloseIssue(reason=reason):
            return f"close the issue ({reason})"
        case ReopenIssue():
            return "reopen the issue"
        case React(comment_id=cid, content=content):
            return f"react {content} to comment {cid}"
    raise TypeError(action)


def needed(action: Action, history: IssueHistory) -> bool:
    """Whether the write would change anything on the issue as last read."""
    issue = history.issue
    match action:
        case PostComment(key=key):
            return not any(_key_of(c) == key for c in history.comments)
        case EditComment(comment_id=cid, body=body):
            return any(c.id == cid and c.body != body for c in history.comments)
        case DeleteComment(comment_id=cid):
            return any(c.id == cid for c in history.comments)
        case AddLabel(label=label):
            return not issue.has_label(label)
        case RemoveLabel(label=label):
            return issue.has_label(label)
        case Assign(login=login):
            return not issue.is_assigned(login)
        case Unassign(login=login):
            return issue.is_assigned(login)
        case CloseIssue():
            return issue.state != "closed"
        case ReopenIssue():
            return issue.state == "closed"
        case React(comment_id=cid, content=content):
            # Already showing that reaction (after a lost status comment, say): nothing to add.
            # Someone else's reaction of the same kind does not count: only the tool's marks the comment done.
            known = history.tool_reacted
            mine = known is None or cid in known
            return not any(c.id == cid and content in c.reactions and mine for c in history.comments)
    return True


def _refused(failure: GitHubFailure) -> bool:
    """A 4xx answer other than a rate limit or a missing issue: retrying the same write cannot help."""
    # 401/403 mean the token cannot write at all: that stops the run (exit 3), it is not one refusal.
    return (
        failure.status is not None
        and 400 <= failure.status < 500
        and failure.status not in (401, 403, 404, 429)
    )


def _key_of(comment: Comment) -> str | None:
    """The key a comment answers, if it is one of the tool's."""
    marker = comment_marker(comment)
    return marker.key if marker else None


class Executor:
    """Makes the decided writes against the port, skipping what is already there; or only prints them."""

    def __init__(self, port: GitHubPort, number: int, dry_run: bool, say: Callable[[str], None]):
        self._port = port
        self._number = number
        self._dry_run = dry_run
        self._say = say
        self.done: list[str] = []
        self.posted: list[Comment] = []
        self.refused: list[str] = []
        self.closed_issue = False
        self.history: IssueHistory | None = None  # as far as the writes got, should one fail

    def run(self, actions: list[Action], history: IssueHistory) -> IssueHistory:
        """Execute actions in order; returns the history as it now stands on GitHub."""
        for action in actions:
            if not needed(action, history):
                continue
            line = describe(action)
            if self._dry_run:
                self._say(f"[dry run] #{self._number}: would {line}")
                self.done.append(f"would {line}")
                continue
            try:
                history = self._apply(action, history)
                self.history = history
            except GitHubFailure as failure:
                if not _refused(failure):
                    raise
                # GitHub will refuse this every time: say so, and serve the rest of the incident.
                self.refused.append(f"GitHub refused to {line}: {failure}")
                continue
            self.done.append(line)
        return history

    def _apply(self, action: Action, history: IssueHistory) -> IssueHistory:
        """One write, and its effect on the local copy of the history."""
        port, number, issue = self._port, self._number, history.issue
        match action:
            case PostComment(key=key, body=body):
                comment = port.create_comment(number, body, key)
                self.posted.append(comment)
                return replace(history, comments=(*history.comments, comment))
            case EditComment(comment_id=cid, body=body):
                port.edit_comment(cid, body)
                comments = tuple(replace(c, body=body) if c.id == cid else c for c in history.comments)
                return replace(history, comments=comments)
            case DeleteComment(comment_id=cid):
                port.delete_comment(cid)
                return replace(history, comments=tuple(c for c in history.comments if c.id != cid))
            case AddLabel(label=label):
                port.add_labels(number, [label])
                issue = replace(issue, labels=(*issue.labels, label))
            case RemoveLabel(label=label):
                port.remove_label(number, label)
                kept = tuple(x for x in issue.labels if x.casefold() != label.casefold())
                issue = replace(issue, labels=kept)
            case Assign(login=login):
                assignees = port.add_assignees(number, [login])
                if not any(a.casefold() == login.casefold() for a in assignees):
                    self.refused.append(f"GitHub did not assign @{login}: they cannot be assigned here")
                issue = replace(issue, assignees=assignees)
            case ReopenIssue():
                issue = port.reopen_issue(number)
            case Unassign(login=login):
                port.remove_assignees(number, [login])
                kept = tuple(x for x in issue.assignees if x.casefold() != login.casefold())
                issue = replace(issue, assignees=kept)
            case CloseIssue(reason=reason):
                closed = port.close_issue(number, reason)
                self.closed_issue = True
                issue = replace(issue, state="closed", state_reason=reason, closed_at=closed.closed_at)
            case React(comment_id=cid, content=content):
                port.add_reaction(cid, content)
                comments = tuple(
                    replace(c, reactions=c.reactions | {content}) if c.id == cid else c
                    for c in history.comments
                )
                known = history.tool_reacted
                reacted = known | {cid} if known is not None else None
                return replace(history, issue=issue, comments=comments, tool_reacted=reacted)
        return replace(history, issue=issue)
