"""Injected faults: the next N matching requests get an error answer, or another client acts first."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000."
)
SECONDARY_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)
PRIMARY_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit"
)


@dataclass
class Fault:
    """An error answer for `times` requests whose method and (decoded) path match."""

    method: str
    path: re.Pattern[str]
    status: int
    headers: dict[str, str]
    body: Any
    times: int
    apply: bool = False
    reset_in: float | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault answers the request; method "*" matches any."""
        return self.method in ("*", method) and self.path.search(path) is not None

    def answer(self) -> tuple[int, dict[str, str], Any]:
        """The status, headers and body to send; a primary rate limit resets `reset_in` from now."""
        headers = dict(self.headers)
        if self.reset_in is not None:
            headers["X-RateLimit-Remaining"] = "0"
            headers["X-RateLimit-Reset"] = str(int(time.time() + self.reset_in))
        body = self.body
        if body is None:
            body = {"message": HTTPStatus(self.status).phrase}
        return self.status, headers, body


class FaultTable:
    """The pending faults, consumed in the order they were injected."""

    def __init__(self) -> None:
        """Start with no faults."""
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching the request, with one use spent."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._faults.clear()


def make_fault(
    method: str,
    path: str,
    status: int,
    headers: dict[str, str] | None = None,
    body: Any = None,
    times: int = 1,
    apply: bool = False,
) -> Fault:
    """A plain fault."""
    return Fault(method.upper(), re.compile(path), status, dict(headers or {}), body, times, apply)


def secondary_rate_limit(method: str, path: str, retry_after: int, times: int) -> Fault:
    """GitHub's secondary rate limit: 403 with Retry-After."""
    body = {"message": SECONDARY_MESSAGE, "documentation_url": SECONDARY_DOCS}
    return make_fault(method, path, 403, {"Retry-After": str(retry_after)}, body, times)


def primary_rate_limit(method: str, path: str, reset_in: float, limit: int, times: int) -> Fault:
    """GitHub's primary rate limit: 403 with X-RateLimit-Remaining 0 and the reset time."""
    body = {"message": "API rate limit exceeded for user ID 1.", "documentation_url": PRIMARY_DOCS}
    headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Used": str(limit)}
    fault = make_fault(method, path, 403, headers, body, times)
    fault.reset_in = reset_in
    return fault


@dataclass
class Interleaving:
    """Something another party does just before the next request whose method, path and body match."""

    method: str
    path: re.Pattern[str]
    body_has: str
    action: Callable[[], None]

    def matches(self, method: str, path: str, body: Any) -> bool:
        """Whether the request is the one to act before."""
        text = body if isinstance(body, str) else repr(body)
        return self.method == method and self.path.search(path) is not None and self.body_has in text


class InterleavingTable:
    """Pending interleavings, each used once."""

    def __init__(self) -> None:
        """Start with none."""
        self._lock = threading.Lock()
        self._pending: list[Interleaving] = []

    def add(self, item: Interleaving) -> None:
        """Queue one."""
        with self._lock:
            self._pending.append(item)

    def take(self, method: str, path: str, body: Any) -> Interleaving | None:
        """The first one matching the request, removed."""
        with self._lock:
            for item in self._pending:
                if item.matches(method, path, body):
                    self._pending.remove(item)
                    return item
        return None
