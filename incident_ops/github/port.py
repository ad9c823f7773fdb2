"""What the tool may ask of GitHub, and how that fails: the port's interface (stdlib and the core's model)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from incident_ops.core.model import Comment, Issue, IssueEvent, Reaction

# The Actions token allows about 1,000 requests an hour per repository: one run never takes more than half.
DEFAULT_BUDGET = 500


MAX_PAGES = 200  # 20,000 items: far past any incident, and a bound on a misbehaving server


class GitHubFailure(Exception):
    """GitHub kept failing after retries; the run stops with exit code 3 and may be rerun."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class CallBudgetSpent(GitHubFailure):
    """The run used its API-call budget; it stops politely and the next run carries on."""


class GitHubUnreachable(GitHubFailure):
    """No answer from GitHub at all (connection refused, DNS, TLS, timeouts) after the retries."""


class GitHubNotFound(GitHubFailure):
    """GitHub answered 404 for something the run needed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 404)


@dataclass
class CallCounter:
    """API calls made in one run, split into reads (GET) and writes (everything else)."""

    reads: int = 0
    writes: int = 0

    def count(self, verb: str) -> None:
        """Count one request."""
        if verb.upper() in ("GET", "HEAD"):
            self.reads += 1
        else:
            self.writes += 1

    @property
    def total(self) -> int:
        """Reads plus writes."""
        return self.reads + self.writes


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed GitHub call."""

    attempts: int = 4
    base_delay: float = 1.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff for the given 0-based attempt."""
        return min(self.base_delay * (2**attempt), self.max_wait)


class GitHubPort(Protocol):
    """What the rest of the tool may ask of GitHub."""

    counter: CallCounter

    def get_issue(self, number: int) -> Issue: ...
    def list_comments(self, number: int) -> list[Comment]: ...
    def comments_since(self, number: int, since: datetime | None) -> list[Comment]: ...
    def list_events(self, number: int) -> list[IssueEvent]: ...
    def list_issues(self, label: str, state: str = "all", since: datetime | None = None) -> list[Issue]: ...
    def create_issue(self, title: str, body: str, labels: list[str]) -> Issue: ...
    def ensure_label(self, name: str, color: str, description: str) -> bool: ...
    def role_of(self, login: str) -> str: ...
    def create_comment(self, number: int, body: str, key: str) -> Comment: ...
    def edit_comment(self, comment_id: int, body: str) -> None: ...
    def delete_comment(self, comment_id: int) -> None: ...
    def add_labels(self, number: int, labels: list[str]) -> None: ...
    def remove_label(self, number: int, label: str) -> None: ...
    def add_assignees(self, number: int, logins: list[str]) -> tuple[str, ...]: ...
    def reopen_issue(self, number: int) -> Issue: ...
    def remove_assignees(self, number: int, logins: list[str]) -> None: ...
    def close_issue(self, number: int, reason: str) -> Issue: ...
    def add_reaction(self, comment_id: int, content: str) -> None: ...
    def tool_reactions(self, comment_id: int) -> dict[str, Reaction]: ...
    def claim_reaction(self, comment_id: int, content: str) -> int | None: ...
    def delete_reaction(self, comment_id: int, reaction_id: int) -> None: ...
