"""Plain data the rest of the tool works on: issues, comments, events and people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DEFAULT_TOOL_LOGIN = "github-actions[bot]"


@dataclass(frozen=True)
class User:
    """A GitHub account as far as incident response cares."""

    login: str
    type: str = "User"
    tool: bool | None = None  # set by the GitHub port from the configured tool logins

    @property
    def is_bot(self) -> bool:
        """True for GitHub Apps and other bot accounts."""
        return self.type == "Bot"

    @property
    def is_tool(self) -> bool:
        """Whether this account is the one incident-ops posts as (the Actions bot unless configured)."""
        return self.tool if self.tool is not None else self.login.casefold() == DEFAULT_TOOL_LOGIN


@dataclass(frozen=True)
class Comment:
    """One issue comment."""

    id: int
    author: User
    body: str
    created_at: datetime
    updated_at: datetime
    html_url: str = ""
    reactions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reaction:
    """One reaction of the tool's on a comment: its id (to take it back) and when it was made."""

    id: int
    at: datetime


@dataclass(frozen=True)
class CommandLine:
    """A command found in a comment: its name, the rest of its line, its full text and line."""

    name: str
    args: str
    text: str
    line: int


@dataclass(frozen=True)
class IssueEvent:
    """One entry of an issue's event log (labeled, closed, …)."""

    id: int
    event: str
    actor: str
    created_at: datetime
    label: str | None = None
    actor_is_bot: bool = False  # an App or the tool's own account: never on the team
    actor_is_tool: bool = False


@dataclass(frozen=True)
class Issue:
    """An issue as read from GitHub."""

    number: int
    title: str
    body: str
    state: str
    author: User
    created_at: datetime
    updated_at: datetime
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    html_url: str = ""
    state_reason: str | None = None
    comment_count: int = 0
    closed_at: datetime | None = None

    def has_label(self, name: str) -> bool:
        """Whether the issue carries label `name` (GitHub compares label names case-insensitively)."""
        return name.casefold() in {label.casefold() for label in self.labels}

    def is_assigned(self, login: str) -> bool:
        """Whether `login` is an assignee."""
        return login.casefold() in {a.casefold() for a in self.assignees}


@dataclass(frozen=True)
class IssueHistory:
    """Everything read about one issue in a run: the issue, its comments and (when read) its events."""

    repo: str
    issue: Issue
    comments: tuple[Comment, ...] = ()
    events: tuple[IssueEvent, ...] | None = None
    # Command comments whose reaction is known to be the tool's (None: take any +1 or confused as the tool's)
    tool_reacted: frozenset[int] | None = None
    # (comment id, its text before an edit), from the edit's event
    before_edit: tuple[tuple[int, str], ...] = ()
    deleted: tuple[Comment, ...] = ()  # a comment as its deletion's event last showed it
    issue_from_event: bool = False  # the issue as the event carried it, not read since

    def was_deleted(self, comment_id: int) -> bool:
        """Whether this run's event says the comment was deleted."""
        return any(c.id == comment_id for c in self.deleted)

    def text_before_edit(self, comment_id: int) -> str | None:
        """What the comment said before its edit, when this run's event tells it."""
        return next((text for cid, text in self.before_edit if cid == comment_id), None)
