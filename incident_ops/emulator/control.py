"""GitHubEmulator: start/stop the server, seed state as humans, inspect it, inject faults."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from .fault_control import FaultControl
from .objects import Repo
from .server import WRITE_METHODS, App, EmulatorServer, RequestRecord
from .store import Store

DEFAULT_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_ISSUE_FIELDS = {"title", "body", "state", "state_reason", "labels", "assignees", "assignee"}


class GitHubEmulator(FaultControl):
    """A stateful GitHub REST v3 emulator on 127.0.0.1 that real HTTP clients talk to."""

    def __init__(self, now: datetime | None = None, *, port: int = 0) -> None:
        """Bind a port (0 picks a free one); serving starts with start()."""
        self._store = Store(_utc(now or DEFAULT_NOW))
        self._server = EmulatorServer(lambda base: App(self._store, base), "127.0.0.1", port)
        self._app = self._server.app
        self._thread: threading.Thread | None = None

    # Lifecycle.

    @property
    def api_url(self) -> str:
        """The base URL to give PyGithub, e.g. http://127.0.0.1:PORT."""
        return self._app.base_url

    def start(self) -> GitHubEmulator:
        """Serve requests on a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> GitHubEmulator:
        """Start on entering a with-block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on leaving it."""
        self.stop()

    # Clock.

    @property
    def now(self) -> datetime:
        """The instant stamped on everything created or changed."""
        return self._store.now

    def set_now(self, moment: datetime) -> None:
        """Move the clock to an instant (naive means UTC)."""
        with self._store.lock:
            self._store.now = _utc(moment)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward; returns the new instant."""
        with self._store.lock:
            self._store.now = self._store.now + delta
            return self._store.now

    # Users, tokens, repositories.

    def add_user(self, login: str, type: str = "User") -> dict[str, Any]:
        """Create a user or bot ("User" or "Bot"); returns its GET /users/{login} JSON."""
        with self._store.lock:
            self._store.add_user(login, type)
            return self._app.ser.user(login, full=True)

    def add_token(self, token: str, login: str) -> None:
        """Requests with `Authorization: token TOKEN` (or Bearer) act as login."""
        with self._store.lock:
            self._store.tokens[token] = self._ensure_user(login)

    def create_repo(self, full_name: str) -> dict[str, Any]:
        """Create owner/name with GitHub's default labels; returns its JSON."""
        with self._store.lock:
            return self._app.ser.repo(self._store.create_repo(full_name))

    def set_permission(self, repo: str, login: str, role: str | None) -> None:
        """Give a user a role: read, triage, write, maintain or admin (None or "none" removes)."""
        with self._store.lock:
            login = self._ensure_user(login)
            self._store.set_role(self._repo(repo), login, None if role == "none" else role)

    def ensure_label(self, repo: str, name: str) -> None:
        """Create the repository label unless it exists (any case)."""
        with self._store.lock:
            self._store.ensure_label(self._repo(repo), name)

    # Seeding as humans.

    def create_issue(
        self,
        repo: str,
        title: str,
        body: str | None,
        user: str,
        labels: Any = (),
        assignees: Any = (),
    ) -> int:
        """Open an issue as user; returns its number."""
        with self._store.lock:
            author = self._ensure_user(user)
            issue = self._store.create_issue(
                self._repo(repo), author, title, body, list(labels), list(assignees)
            )
            return issue.number

    def add_comment(self, repo: str, number: int, user: str, body: str) -> int:
        """Comment as user; returns the comment id."""
        with self._store.lock:
            login = self._ensure_user(user)
            return self._store.add_comment(self._repo(repo), number, login, body).id

    def edit_comment(self, repo: str, comment_id: int, body: str) -> None:
        """Replace a comment's body."""
        with self._store.lock:
            self._store.edit_comment(self._repo(repo), comment_id, body)

    def delete_comment(self, repo: str, comment_id: int) -> None:
        """Delete a comment."""
        with self._store.lock:
            self._store.delete_comment(self._repo(repo), comment_id)

    def edit_issue(self, repo: str, number: int, actor: str, **fields: Any) -> None:
        """Edit as actor: title, body, state, state_reason, labels, assignees."""
        unknown = set(fields) - _ISSUE_FIELDS
        if unknown:
            raise TypeError(f"edit_issue got unknown fields: {', '.join(sorted(unknown))}")
        with self._store.lock:
            login = self._ensure_user(actor)
            self._store.edit_issue(self._repo(repo), number, login, fields)

    def add_labels(self, repo: str, number: int, labels: Any, actor: str) -> None:
        """Add labels as actor (missing ones are created)."""
        if isinstance(labels, str):
            labels = [labels]
        with self._store.lock:
            login = self._ensure_user(actor)
            self._store.add_labels(self._repo(repo), number, list(labels), login)

    def remove_label(self, repo: str, number: int, label: str, actor: str) -> None:
        """Remove a label as actor."""
        with self._store.lock:
            login = self._ensure_user(actor)
            self._store.remove_label(self._repo(repo), number, label, login)

    def react(self, repo: str, comment_id: int, user: str, content: str) -> int:
        """React to a comment as user; returns the reaction id."""
        with self._store.lock:
            login = self._ensure_user(user)
            comment = self._store.comment(self._repo(repo), comment_id)
            return self._store.add_reaction(comment, login, content)[0].id

    # Inspection: the same JSON the REST API returns.

    def issue(self, repo: str, number: int) -> dict[str, Any]:
        """GET /repos/{repo}/issues/{number}."""
        with self._store.lock:
            found = self._repo(repo)
            return self._app.ser.issue(found, self._store.issue(found, number), full=True)

    def issues(self, repo: str) -> list[dict[str, Any]]:
        """Every issue of the repository, by number."""
        with self._store.lock:
            found = self._repo(repo)
            return [self._app.ser.issue(found, i) for _, i in sorted(found.issues.items())]

    def comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        """Every comment of an issue, in id order."""
        with self._store.lock:
            found = self._repo(repo)
            self._store.issue(found, number)
            chosen = [c for c in found.comments.values() if c.number == number]
            return [self._app.ser.comment(found, c) for c in sorted(chosen, key=lambda c: c.id)]

    def comment(self, repo: str, comment_id: int) -> dict[str, Any]:
        """GET /repos/{repo}/issues/comments/{id}."""
        with self._store.lock:
            found = self._repo(repo)
            return self._app.ser.comment(found, self._store.comment(found, comment_id))

    def events(self, repo: str, number: int) -> list[dict[str, Any]]:
        """Every event of an issue, oldest first."""
        with self._store.lock:
            found = self._repo(repo)
            self._store.issue(found, number)
            chosen = [e for e in found.events if e.number == number]
            return [self._app.ser.event(found, e) for e in chosen]

    def reactions(self, repo: str, comment_id: int) -> list[dict[str, Any]]:
        """Every reaction on a comment."""
        with self._store.lock:
            comment = self._store.comment(self._repo(repo), comment_id)
            return [self._app.ser.reaction(r) for r in comment.reactions]

    def repo_json(self, repo: str) -> dict[str, Any]:
        """GET /repos/{repo} (without a viewer's permissions)."""
        with self._store.lock:
            return self._app.ser.repo(self._repo(repo))

    def user_json(self, login: str) -> dict[str, Any]:
        """GET /users/{login}."""
        with self._store.lock:
            return self._app.ser.user(login, full=True)

    def label_json(self, repo: str, name: str) -> dict[str, Any]:
        """GET /repos/{repo}/labels/{name}."""
        with self._store.lock:
            found = self._repo(repo)
            return self._app.ser.label(found, self._store.label(found, name))

    # Request log.

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, in order (a copy)."""
        with self._store.lock:
            return list(self._app.log)

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._store.lock:
            self._app.log.clear()

    def writes(self) -> list[RequestRecord]:
        """The successful writes: POST/PATCH/PUT/DELETE answered below 400."""
        return [r for r in self.requests if r.method in WRITE_METHODS and r.status < 400]

    # Helpers.

    def _repo(self, full_name: str) -> Repo:
        """The repository, else KeyError-like ApiError 404."""
        return self._store.repo(full_name)

    def _ensure_user(self, login: str) -> str:
        """The canonical login, creating the user (a Bot when named like `x[bot]`) if unknown."""
        known = self._store.users.get(login.lower())
        if known is not None:
            return known.login
        return self._store.add_user(login, "Bot" if login.endswith("[bot]") else "User").login


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime (naive input is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
