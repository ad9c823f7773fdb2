"""GitHub's REST API through PyGithub's requester: each call counted and budgeted, retried politely."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException

from incident_ops.core.model import DEFAULT_TOOL_LOGIN
from incident_ops.github.convert import next_link
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


class GitHubTransport:
    """Requests to GitHub's REST API through PyGithub's requester: counted, budgeted, retried politely."""

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
