"""The writes a run decides on, as plain data: what each does, and whether it is still needed."""

from __future__ import annotations

from dataclasses import dataclass

from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.kinds import KINDS, Kind
from incident_ops.core.comments.markers import comment_marker
from incident_ops.core.model import Comment, IssueHistory

ANSWERS = frozenset(str(kind) for kind, spec in KINDS.items() if spec.to_people)  # kinds that answer people


@dataclass(frozen=True)
class PostComment:
    """A new comment of the tool's, skipped when its key is already on the issue."""

    kind: Kind
    key: Key
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


@dataclass(frozen=True)
class OpenFollowUp:
    """Open an issue for one follow-up item of the incident (another run's copy at the same moment yields)."""

    item_key: str
    title: str
    body: str
    label: str
    assignee: str | None = None


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
    | OpenFollowUp
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
        case OpenFollowUp(title=title):
            return f"open follow-up issue {title[:60]!r}"
    raise TypeError(action)


def needed(action: Action, history: IssueHistory) -> bool:
    """Whether the write would change anything on the issue as last read."""
    issue = history.issue
    match action:
        case PostComment(key=key):
            return not any(key_of(c) == str(key) for c in history.comments)
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


def key_of(comment: Comment) -> str | None:
    """The key a comment answers, if it is one of the tool's."""
    marker = comment_marker(comment)
    return marker.key if marker else None


def depends_on_issue(action: Action) -> bool:
    """Whether a write is right only for the issue as it is now: its state, labels, body or assignees.

    An answer to a command (a message, a reply, a reaction) is right whatever the issue looks like since.
    """
    if isinstance(action, React | DeleteComment | OpenFollowUp):
        return False
    return not (isinstance(action, PostComment) and action.kind in ANSWERS)
