"""Plain records of the emulator's state and the API error they raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ROLES = ("read", "triage", "write", "maintain", "admin")
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
STATE_REASONS = ("completed", "not_planned", "duplicate", "reopened")
MAX_BODY = 65536
DOCS_URL = "https://docs.github.com/rest"

# GitHub's labels for a new repository: (name, color, description).
DEFAULT_LABELS = (
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
)


class ApiError(Exception):
    """An error answer of the REST API: status, message, and GitHub's `errors` list."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Keep the parts of the answer."""
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body GitHub sends for this error."""
        data: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            data["errors"] = self.errors
        data["documentation_url"] = DOCS_URL
        data["status"] = str(self.status)
        return data


def not_found(message: str = "Not Found") -> ApiError:
    """GitHub's 404."""
    return ApiError(404, message)


def validation(resource: str, field_name: str, code: str = "invalid", **extra: Any) -> ApiError:
    """GitHub's 422 with one entry in `errors`."""
    error = {"resource": resource, "field": field_name, "code": code, **extra}
    return ApiError(422, "Validation Failed", [error])


def invalid_request(detail: str) -> ApiError:
    """GitHub's 422 for a body that does not fit the route's schema."""
    return ApiError(422, f"Invalid request.\n\n{detail}")


@dataclass
class User:
    """A user or bot account."""

    id: int
    login: str
    type: str
    created_at: datetime


@dataclass
class Label:
    """A repository label."""

    id: int
    name: str
    color: str
    description: str | None
    default: bool = False


@dataclass
class Reaction:
    """One user's reaction on an issue or a comment."""

    id: int
    login: str
    content: str
    created_at: datetime


@dataclass
class Comment:
    """An issue comment."""

    id: int
    number: int
    login: str
    body: str
    created_at: datetime
    updated_at: datetime
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class Event:
    """An issue event; `label` is the (name, color) at the time, `rename` is (from, to)."""

    id: int
    number: int
    actor: str
    event: str
    created_at: datetime
    label: tuple[str, str] | None = None
    assignee: str | None = None
    rename: tuple[str, str] | None = None
    state_reason: str | None = None


@dataclass
class Issue:
    """An issue; labels are held by label id so renames show through."""

    id: int
    number: int
    title: str
    body: str | None
    login: str
    created_at: datetime
    updated_at: datetime
    state: str = "open"
    state_reason: str | None = None
    label_ids: list[int] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    closed_at: datetime | None = None
    closed_by: str | None = None
    comments: int = 0
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class Repo:
    """A repository with its labels, issues, comments, events and collaborator roles."""

    id: int
    owner: str
    name: str
    created_at: datetime
    labels: dict[int, Label] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        """owner/name."""
        return f"{self.owner}/{self.name}"


def check_str(name: str, value: Any) -> None:
    """422 unless value is a string."""
    if not isinstance(value, str):
        raise invalid_request(f"For 'properties/{name}', {value!r} is not a string.")


def check_issue_body(body: Any) -> None:
    """An issue body: a string (or null) of at most 65536 characters."""
    if body is None:
        return
    check_str("body", body)
    if len(body) > MAX_BODY:
        message = f"body is too long (maximum is {MAX_BODY} characters)"
        raise validation("Issue", "body", "custom", message=message)


def check_comment_body(body: Any) -> None:
    """A comment body: present, not blank, at most 65536 characters."""
    if body is None or (isinstance(body, str) and not body.strip()):
        raise validation("IssueComment", "body", "missing_field")
    check_str("body", body)
    if len(body) > MAX_BODY:
        message = f"Body is too long (maximum is {MAX_BODY} characters)"
        raise validation("IssueComment", "data", "unprocessable", message=message)
