"""The GitHub port over PyGithub's requester: counts calls, retries politely, converts answers."""

from __future__ import annotations

import contextlib
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from incident_ops.core.comments.markers import comment_marker
from incident_ops.core.model import Comment, Issue, IssueEvent, Reaction
from incident_ops.github.convert import (
    comment_from,
    event_from,
    github_time,
    issue_from,
    parse_time,
    user_from,
)
from incident_ops.github.port import (
    GitHubFailure,
    GitHubNotFound,
)
from incident_ops.github.transport import GitHubTransport

T = TypeVar("T")


class PyGithubPort(GitHubTransport):
    """GitHubPort over PyGithub: counts calls, retries politely, converts to plain data."""

    def get_issue(self, number: int) -> Issue:
        """The issue as it is now."""
        answer = self._retrying(
            f"read issue #{number}", lambda: self._request("GET", f"{self._base}/issues/{number}")
        )
        return issue_from(answer.data, self._tool_logins)

    def list_comments(self, number: int) -> list[Comment]:
        """All comments of an issue, oldest first."""
        what = f"read comments of #{number}"
        raw = list(self._paginate(what, f"{self._base}/issues/{number}/comments"))
        if raw:
            self._newest_seen[number] = max(str(c.get("updated_at") or "") for c in raw)
        return [comment_from(c, self._tool_logins) for c in raw]

    def list_events(self, number: int) -> list[IssueEvent]:
        """The issue's event log, oldest first."""
        what = f"read events of #{number}"
        return [
            event_from(e, self._tool_logins)
            for e in self._paginate(what, f"{self._base}/issues/{number}/events")
        ]

    def list_issues(self, label: str, state: str = "all", since: datetime | None = None) -> list[Issue]:
        """Issues carrying `label` in `state` (open, closed or all), updated at or after `since`; no PRs."""
        params: dict[str, Any] = {"state": state, "labels": label, "sort": "created", "direction": "asc"}
        if since is not None:
            params["since"] = github_time(since)
        items = self._paginate(f"list {state} issues labelled {label!r}", f"{self._base}/issues", params)
        return [issue_from(i, self._tool_logins) for i in items if "pull_request" not in i]

    def create_issue(self, title: str, body: str, labels: list[str]) -> Issue:
        """Open an issue as the tool; the issue as opened."""
        data = {"title": title, "body": body, "labels": labels}
        call = partial(self._request, "POST", f"{self._base}/issues", body=data)
        return issue_from(
            self._retrying(f"open an issue titled {title[:60]!r}", call).data, self._tool_logins
        )

    def ensure_label(self, name: str, color: str, description: str) -> bool:
        """Create a repository label unless one of that name exists (any case); True when created."""
        path = f"{self._base}/labels"
        with contextlib.suppress(GitHubNotFound):
            self._retrying(
                f"read label {name!r}", lambda: self._request("GET", f"{path}/{quote(name, safe='')}")
            )
            return False
        body = {"name": name, "color": color, "description": description}
        self._retrying(f"create label {name!r}", lambda: self._request("POST", path, body=body))
        return True

    def role_of(self, login: str) -> str:
        """The user's repository role (read, triage, write, maintain, admin or none)."""
        path = f"{self._base}/collaborators/{quote(login)}/permission"
        try:
            data = self._retrying(f"read permission of @{login}", lambda: self._request("GET", path)).data
        except GitHubNotFound:
            return "none"
        except GitHubFailure as failure:
            # Denied on any answer GitHub gives; only an outage (5xx after retries) stops the run.
            if failure.status is not None and failure.status < 500:
                return "none"
            raise
        # `permission` is the legacy field (triage reads as read); `role_name` is the real role.
        return str(data.get("role_name") or data.get("permission") or "none")

    def create_comment(self, number: int, body: str, key: str) -> Comment:
        """Post a keyed comment; after a lost answer, look for it before posting again."""
        path = f"{self._base}/issues/{number}/comments"
        since = self._newest_seen.get(number)

        def post() -> Comment:
            return comment_from(self._request("POST", path, body={"body": body}).data, self._tool_logins)

        def landed() -> Comment | None:
            params = {"since": since} if since else None
            for raw in self._paginate(f"re-read comments of #{number}", path, params):
                found = comment_from(raw, self._tool_logins)
                marker = comment_marker(found)
                if marker is not None and marker.key == key:
                    return found
            return None

        return self._retrying(f"comment on #{number}", post, recover=landed)

    def comments_since(self, number: int, since: datetime | None) -> list[Comment]:
        """Comments updated at or after `since` (UTC; None: all): the cheap re-read after posting."""
        params = {"since": github_time(since)} if since is not None else {}
        what = f"re-read comments of #{number}"
        return [
            comment_from(c, self._tool_logins)
            for c in self._paginate(what, f"{self._base}/issues/{number}/comments", params)
        ]

    def edit_comment(self, comment_id: int, body: str) -> None:
        """Replace the body of one of the tool's comments."""
        path = f"{self._base}/issues/comments/{comment_id}"
        self._retrying(
            f"edit comment {comment_id}", lambda: self._request("PATCH", path, body={"body": body})
        )

    def delete_comment(self, comment_id: int) -> None:
        """Delete one of the tool's comments (a duplicate); already gone is fine."""
        path = f"{self._base}/issues/comments/{comment_id}"
        with contextlib.suppress(GitHubNotFound):
            self._retrying(f"delete comment {comment_id}", lambda: self._request("DELETE", path))

    def add_labels(self, number: int, labels: list[str]) -> None:
        """Add labels to an issue."""
        path = f"{self._base}/issues/{number}/labels"
        self._retrying(f"label #{number}", lambda: self._request("POST", path, body={"labels": labels}))

    def remove_label(self, number: int, label: str) -> None:
        """Remove a label from an issue; already absent is fine."""
        path = f"{self._base}/issues/{number}/labels/{quote(label, safe='')}"
        with contextlib.suppress(GitHubNotFound):
            self._retrying(f"unlabel #{number}", lambda: self._request("DELETE", path))

    def add_assignees(self, number: int, logins: list[str]) -> tuple[str, ...]:
        """Assign people to an issue; the assignees it has now (GitHub skips people it cannot assign)."""
        path = f"{self._base}/issues/{number}/assignees"
        body = {"assignees": logins}
        answer = self._retrying(f"assign #{number}", lambda: self._request("POST", path, body=body))
        return issue_from(answer.data, self._tool_logins).assignees

    def reopen_issue(self, number: int) -> Issue:
        """Reopen an issue the tool closed."""
        path = f"{self._base}/issues/{number}"
        body = {"state": "open"}
        answer = self._retrying(f"reopen #{number}", lambda: self._request("PATCH", path, body=body))
        return issue_from(answer.data, self._tool_logins)

    def remove_assignees(self, number: int, logins: list[str]) -> None:
        """Unassign people from an issue."""
        path = f"{self._base}/issues/{number}/assignees"
        body = {"assignees": logins}
        self._retrying(f"unassign #{number}", lambda: self._request("DELETE", path, body=body))

    def close_issue(self, number: int, reason: str) -> Issue:
        """Close an issue with a state reason (completed or not_planned); the issue as closed."""
        path = f"{self._base}/issues/{number}"
        body = {"state": "closed", "state_reason": reason}
        answer = self._retrying(f"close #{number}", lambda: self._request("PATCH", path, body=body))
        return issue_from(answer.data, self._tool_logins)

    def add_reaction(self, comment_id: int, content: str) -> None:
        """React to a comment (GitHub answers the existing reaction when it is already there)."""
        self.claim_reaction(comment_id, content)

    def claim_reaction(self, comment_id: int, content: str) -> int | None:
        """The tool's reaction as a claim: its id when new (201), None when already there (200)."""
        path = f"{self._base}/issues/comments/{comment_id}/reactions"
        answer = self._retrying(
            f"claim comment {comment_id} with {content}",
            lambda: self._request("POST", path, body={"content": content}),
        )
        data = answer.data
        return int(data["id"]) if answer.status == 201 and isinstance(data, dict) and "id" in data else None

    def delete_reaction(self, comment_id: int, reaction_id: int) -> None:
        """Take one of the tool's reactions back (a claim whose work failed)."""
        path = f"{self._base}/issues/comments/{comment_id}/reactions/{reaction_id}"
        self._retrying(f"remove a reaction from comment {comment_id}", lambda: self._request("DELETE", path))

    def tool_reactions(self, comment_id: int) -> dict[str, Reaction]:
        """The tool's own reactions on a comment by content (anyone can add a reaction)."""
        path = f"{self._base}/issues/comments/{comment_id}/reactions"
        what = f"read reactions of comment {comment_id}"
        mine = (r for r in self._paginate(what, path) if user_from(r.get("user"), self._tool_logins).is_tool)
        return {str(r["content"]): Reaction(int(r["id"]), parse_time(r.get("created_at"))) for r in mine}
