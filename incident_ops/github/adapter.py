"""The GitHub port over PyGithub's requester: counts calls, retries politely, converts answers."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException

from incident_ops.core.comments.markers import comment_marker
from incident_ops.core.model import DEFAULT_TOOL_LOGIN, Comment, Issue, IssueEvent, Reaction
from incident_ops.github.convert import (
    comment_from,
    event_from,
    github_time,
    issue_from,
    next_link,
    parse_time,
    user_from,
)
from incident_ops.github.port import (
    DEFAULT_BUDGET,
    MAX_PAGES,
    CallBudgetSpent,
    CallCounter,
    GitHubFailure,
    GitHubNotFound,
    GitHubUnreachable,
    RetryPolicy,
)
from incident_ops.github.responses import RETRYABLE_STATUSES, Answer, message_of, wait_for

T = TypeVar("T")
Params = dict[str, Any] | None


class PyGithubPort:
    """GitHubPort over PyGithub: counts calls, retries politely, converts to plain data."""

    def __init__(
        self,
        repo: str,
        token: str | None,
        api_url: str = "https://api.github.com",
        retry: RetryPolicy | None = None,
        timeout: int = 30,
        tool_logins: frozenset[str] = frozenset(),
        budget: int = DEFAULT_BUDGET,
    ) -> None:
        self.repo = repo
        self.budget = budget
        self._tool_logins = frozenset(login.casefold() for login in (*tool_logins, DEFAULT_TOOL_LOGIN))
        self.counter = CallCounter()
        self._retry = retry or RetryPolicy()
        self._newest_seen: dict[int, str] = {}
        # PyGithub's own retry re-sends a POST on 5xx, which can duplicate a comment: retry here.
        self._gh = Github(
            base_url=api_url.rstrip("/"),
            auth=Auth.Token(token) if token else None,
            retry=None,
            timeout=timeout,
            per_page=100,
            seconds_between_requests=0,
            seconds_between_writes=0,
            lazy=True,
        )
        self._requester = self._gh.requester
        self._base = f"/repos/{repo}"

    def _request(
        self, verb: str, path: str, params: dict[str, Any] | None = None, body: Any = None
    ) -> Answer:
        """One counted HTTP request, refused once the run's budget is spent; GitHub's errors raised."""
        if self.counter.total >= self.budget:
            raise CallBudgetSpent(f"the run's budget of {self.budget} API calls is spent")
        self.counter.count(verb)
        status, headers, output = self._requester.requestJson(verb, path, parameters=params, input=body)
        data = json.loads(output) if output else None
        if status >= 400:
            raise self._requester.createException(status, headers, data)
        return Answer(status, headers, data)

    def _retrying(self, what: str, call: Callable[[], T], recover: Callable[[], T | None] | None = None) -> T:
        """Run `call` with retries; `recover` may find a write that landed although its answer was lost."""
        last, unreachable = "", False
        for attempt in range(self._retry.attempts):
            try:
                return call()
            except GithubException as error:
                if error.status == 404:
                    raise GitHubNotFound(f"{what}: not found") from error
                wait = wait_for(error, time.time)
                if wait is None and error.status not in RETRYABLE_STATUSES:
                    message = f"{what}: GitHub answered {error.status}: {message_of(error)}"
                    raise GitHubFailure(message, error.status) from error
                if wait is not None and wait > self._retry.max_wait:
                    raise GitHubFailure(f"{what}: rate limited for {wait:.0f}s more; rerun later") from error
                last, unreachable = f"GitHub answered {error.status}", False
            except requests.exceptions.RequestException as error:
                last, unreachable = f"connection failed ({type(error).__name__})", True
                wait = None
            if attempt + 1 < self._retry.attempts:
                self._retry.sleep(wait if wait is not None else self._retry.backoff(attempt))
            if recover is not None:
                found = recover()
                if found is not None:
                    return found
        failure = GitHubUnreachable if unreachable else GitHubFailure
        raise failure(f"{what}: {last} after {self._retry.attempts} attempts")

    def _paginate(self, what: str, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a paginated list, following Link headers."""
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            answer = self._retrying(what, partial(self._request, "GET", url, query))
            yield from answer.data or []
            url, query = next_link(answer.headers), None
        raise GitHubFailure(f"{what}: more than {MAX_PAGES} pages")

    def get_issue(self, number: int) -> Issue:
        """The issue as it is now."""
        answer = self._retrying(
            f"read issue #{number}", lambda: self._request("GET", f"{self._base}/issues/{number}")
        )
        return issue_from(answer.data)

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
        return [issue_from(i) for i in items if "pull_request" not in i]

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
        return issue_from(answer.data).assignees

    def reopen_issue(self, number: int) -> Issue:
        """Reopen an issue the tool closed."""
        path = f"{self._base}/issues/{number}"
        body = {"state": "open"}
        answer = self._retrying(f"reopen #{number}", lambda: self._request("PATCH", path, body=body))
        return issue_from(answer.data)

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
        return issue_from(answer.data)

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
