"""GitHub's JSON (issues, comments, events, users) as the core's plain data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from incident_ops.core.model import Comment, Issue, IssueEvent, User


def parse_time(value: str | None) -> datetime:
    """GitHub's ISO 8601 timestamp as an aware UTC datetime."""
    if not value:
        return datetime.fromtimestamp(0, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def user_from(data: dict[str, Any] | None, tool_logins: frozenset[str] = frozenset()) -> User:
    """A User from GitHub's user object; the tool's own account (when not an App) counts as a bot."""
    if not data:
        return User("ghost")
    login = str(data.get("login", "ghost"))
    tool = login.casefold() in tool_logins
    # The tool's own account counts as a bot even when it is a person's token (its comments are no commands).
    kind = "Bot" if tool else str(data.get("type", "User"))
    return User(login, kind, tool if tool_logins else None)


def issue_from(data: dict[str, Any], tool_logins: frozenset[str] = frozenset()) -> Issue:
    """An Issue from GitHub's issue object (its author known as the tool's account by `tool_logins`)."""
    return Issue(
        number=int(data["number"]),
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        state=str(data.get("state") or "open"),
        author=user_from(data.get("user"), tool_logins),
        created_at=parse_time(data.get("created_at")),
        updated_at=parse_time(data.get("updated_at")),
        labels=tuple(str(label["name"]) for label in data.get("labels") or ()),
        assignees=tuple(str(a["login"]) for a in data.get("assignees") or ()),
        html_url=str(data.get("html_url") or ""),
        state_reason=data.get("state_reason"),
        comment_count=int(data.get("comments") or 0),
        closed_at=parse_time(data["closed_at"]) if data.get("closed_at") else None,
    )


def comment_from(data: dict[str, Any], tool_logins: frozenset[str] = frozenset()) -> Comment:
    """A Comment from GitHub's issue-comment object."""
    return Comment(
        id=int(data["id"]),
        author=user_from(data.get("user"), tool_logins),
        body=str(data.get("body") or ""),
        created_at=parse_time(data.get("created_at")),
        updated_at=parse_time(data.get("updated_at")),
        html_url=str(data.get("html_url") or ""),
        reactions=_reaction_kinds(data.get("reactions")),
    )


def _reaction_kinds(summary: Any) -> frozenset[str]:
    """The reaction contents a comment carries (from its reactions summary)."""
    if not isinstance(summary, dict):
        return frozenset()
    kinds = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
    return frozenset(kind for kind in kinds if isinstance(summary.get(kind), int) and summary[kind] > 0)


def event_from(data: dict[str, Any], tool_logins: frozenset[str] = frozenset()) -> IssueEvent:
    """An IssueEvent from GitHub's issue-event object."""
    label = data.get("label") or {}
    actor = user_from(data.get("actor"), tool_logins)
    return IssueEvent(
        id=int(data.get("id") or 0),
        event=str(data.get("event") or ""),
        actor=actor.login,
        created_at=parse_time(data.get("created_at")),
        label=label.get("name"),
        actor_is_bot=actor.is_bot,
        actor_is_tool=actor.is_tool,
    )


def next_link(headers: dict[str, str]) -> str | None:
    """The rel="next" URL of GitHub's Link header, if any."""
    for part in (headers.get("link") or "").split(","):
        url, _, rel = part.partition(";")
        if rel.strip() == 'rel="next"':
            return url.strip().strip("<>")
    return None


def github_time(moment: datetime) -> str:
    """A time as GitHub's `since` parameters take it (UTC, ISO 8601)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
