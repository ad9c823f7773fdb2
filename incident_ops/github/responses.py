"""GitHub's answers: their shape, which errors are worth a retry, how long a rate limit asks to wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from github import GithubException

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


def wait_for(error: GithubException, now: Callable[[], float]) -> float | None:
    """Seconds a rate-limit answer asks us to wait, or None when it is not a rate limit."""
    if error.status not in (403, 429):
        return None
    headers = {k.lower(): v for k, v in (error.headers or {}).items()}
    if "retry-after" in headers:
        return max(float(headers["retry-after"]), 0.0)
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        return max(float(headers["x-ratelimit-reset"]) - now(), 0.0) + 1.0
    message = str((error.data or {}).get("message", "")) if isinstance(error.data, dict) else ""
    if "rate limit" in message.lower():
        return 60.0
    return None


def message_of(error: GithubException) -> str:
    """GitHub's own message from an error answer."""
    if isinstance(error.data, dict) and error.data.get("message"):
        return str(error.data["message"])
    return "no message"


class Answer(NamedTuple):
    """GitHub's answer to one request."""

    status: int
    headers: dict[str, str]
    data: Any
