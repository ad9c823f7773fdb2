"""The route registry and what every route shares: the request context, the reply, parameters."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from .objects import Repo, invalid_request, validation
from .serialize import Serializer
from .store import Store


@dataclass
class Ctx:
    """One request as the routes see it."""

    store: Store
    ser: Serializer
    login: str | None
    query: dict[str, str]
    body: Any

    def obj(self) -> dict[str, Any]:
        """The body as a JSON object ({} when empty)."""
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise invalid_request(f"{self.body!r} is not an object.")
        return self.body

    @property
    def actor(self) -> str:
        """The authenticated login (routes that write are only reached with one)."""
        assert self.login is not None
        return self.login


@dataclass
class Reply:
    """A route's answer; lists with `paginate` are paged by the server."""

    status: int = 200
    data: Any = None
    paginate: bool = False
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[..., Reply]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []
R = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a handler for a method and a path pattern (matched on the raw path)."""

    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}/?$"), handler))
        return handler

    return register


def find(method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
    """The handler and decoded path parameters; None when no route matches."""
    for verb, pattern, handler in ROUTES:
        match = pattern.match(path)
        if match and verb == method:
            return handler, {k: unquote(v) for k, v in match.groupdict().items()}
    return None


def repo_of(ctx: Ctx, owner: str, name: str) -> Repo:
    """The repository named in the path, else 404."""
    return ctx.store.repo(f"{owner}/{name}")


def number_of(text: str) -> int:
    """An issue number from the path."""
    return int(text)


def since_param(ctx: Ctx, resource: str) -> datetime | None:
    """The `since` parameter as an aware datetime."""
    text = ctx.query.get("since")
    if not text:
        return None
    try:
        # A literal "+" in a query string arrives as a space: 09:00:00+01:00 -> "09:00:00 01:00".
        text = re.sub(r" (\d\d:?\d\d)$", r"+\1", text.strip())
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise validation(resource, "since", "invalid", value=text) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def choice_param(ctx: Ctx, name: str, allowed: tuple[str, ...], resource: str) -> str:
    """A parameter restricted to `allowed` (the first is the default)."""
    value = ctx.query.get(name) or allowed[0]
    if value not in allowed:
        raise validation(resource, name, "invalid", value=value)
    return value
