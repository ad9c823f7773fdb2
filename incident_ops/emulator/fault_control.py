"""The emulator's fault controls: wrong answers, rate limits and races for the next matching requests."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .faults import Interleaving, make_fault, primary_rate_limit, secondary_rate_limit
from .server import App


class FaultControl:
    """Arms faults on the emulator's app (mixed into GitHubEmulator)."""

    _app: App

    def inject_fault(
        self,
        method: str = "POST",
        path: str = r"/issues/\d+/comments$",
        status: int = 502,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
        apply: bool = False,
    ) -> None:
        """The next `times` requests matching method ("*" = any) and the path regex (searched in
        the decoded path) get this answer; with apply=True the request is carried out first."""
        self._app.faults.add(make_fault(method, path, status, headers, body, times, apply))

    def inject_secondary_rate_limit(
        self, method: str, path: str, retry_after: int = 1, times: int = 1
    ) -> None:
        """GitHub's secondary rate limit: 403 with Retry-After and GitHub's message."""
        self._app.faults.add(secondary_rate_limit(method, path, retry_after, times))

    def inject_primary_rate_limit(self, method: str, path: str, reset_in: float = 1, times: int = 1) -> None:
        """GitHub's primary rate limit: 403, X-RateLimit-Remaining 0, reset `reset_in` s away."""
        self._app.faults.add(primary_rate_limit(method, path, reset_in, 5000, times))

    def before(self, method: str, path: str, body_has: str, action: Callable[[], None]) -> None:
        """Run `action` (another client's doing) just before the next request matching method, path regex
        and a substring of its body: a race, made to happen every time."""
        self._app.interleavings.add(Interleaving(method.upper(), re.compile(path), body_has, action))

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self._app.faults.clear()
