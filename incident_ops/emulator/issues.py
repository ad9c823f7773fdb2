"""Issue changes: open, edit, close/reopen, labels and assignees, each with its events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .objects import (
    STATE_REASONS,
    Event,
    Issue,
    Repo,
    User,
    check_issue_body,
    check_str,
    invalid_request,
    not_found,
    validation,
)

_UNSET: Any = object()


class IssueOps:
    """Mixed into the store (which provides ids, users, roles and labels): issue changes."""

    now: datetime
    users: dict[str, User]

    def issue(self, repo: Repo, number: int) -> Issue:
        """The issue with this number, else 404."""
        issue = repo.issues.get(number)
        if issue is None:
            raise not_found()
        return issue

    def create_issue(
        self,
        repo: Repo,
        actor: str,
        title: Any,
        body: Any = None,
        labels: Iterable[Any] = (),
        assignees: Iterable[Any] = (),
    ) -> Issue:
        """Open an issue; its labels and assignees are recorded as events by the author."""
        if title is None or (isinstance(title, str) and not title.strip()):
            raise validation("Issue", "title", "missing_field")
        check_str("title", title)
        check_issue_body(body)
        author = self.user(actor).login
        wanted = [self._assignable(repo, None, author, login, strict=True) for login in assignees]
        label_ids = [self.ensure_label(repo, name).id for name in labels]
        number = max(repo.issues, default=0) + 1
        issue = Issue(self.next_id("issue"), number, title, body, author, self.now, self.now)
        repo.issues[number] = issue
        self._apply_labels(repo, issue, author, issue.label_ids + list(dict.fromkeys(label_ids)))
        self._apply_assignees(repo, issue, author, list(dict.fromkeys(wanted)))
        return issue

    def edit_issue(self, repo: Repo, number: int, actor: str, fields: dict[str, Any]) -> Issue:
        """Apply a PATCH body: title, body, state, state_reason, labels, assignees."""
        issue = self.issue(repo, number)
        actor = self.user(actor).login
        state, reason = fields.get("state", _UNSET), fields.get("state_reason", _UNSET)
        if state is not _UNSET and state not in ("open", "closed"):
            raise validation("Issue", "state", "invalid", value=state)
        if reason is not _UNSET and reason is not None and reason not in STATE_REASONS:
            raise validation("Issue", "state_reason", "invalid", value=reason)
        if "title" in fields and (not isinstance(fields["title"], str) or not fields["title"]):
            raise validation("Issue", "title", "missing_field")
        if "body" in fields:
            check_issue_body(fields["body"])
        assignees = _assignee_field(fields)
        wanted = None
        if assignees is not None:
            wanted = [self._assignable(repo, issue, actor, a, strict=True) for a in assignees]
        labels = None
        if "labels" in fields:
            labels = [self.ensure_label(repo, name).id for name in _list("labels", fields)]
        before = _snapshot(issue)
        if "title" in fields and fields["title"] != issue.title:
            self._event(repo, issue, actor, "renamed", rename=(issue.title, fields["title"]))
            issue.title = fields["title"]
        if "body" in fields:
            issue.body = fields["body"]
        if state is not _UNSET:
            self._set_state(repo, issue, actor, state, None if reason is _UNSET else reason)
        if labels is not None:
            self._apply_labels(repo, issue, actor, list(dict.fromkeys(labels)))
        if wanted is not None:
            self._apply_assignees(repo, issue, actor, list(dict.fromkeys(wanted)))
        if _snapshot(issue) != before:
            issue.updated_at = self.now
        return issue

    def _set_state(self, repo: Repo, issue: Issue, actor: str, state: str, reason: str | None) -> None:
        """Close or reopen; GitHub only honours state_reason when state is given."""
        if state == "closed":
            if reason == "reopened":
                raise validation("Issue", "state_reason", "invalid", value=reason)
            reason = reason or "completed"
            if issue.state == "open":
                issue.state, issue.closed_at, issue.closed_by = "closed", self.now, actor
                self._event(repo, issue, actor, "closed", state_reason=reason)
            issue.state_reason = reason
        elif issue.state == "closed":
            issue.state, issue.state_reason = "open", "reopened"
            issue.closed_at = issue.closed_by = None
            self._event(repo, issue, actor, "reopened", state_reason="reopened")

    def add_labels(self, repo: Repo, number: int, names: Iterable[Any], actor: str) -> Issue:
        """Add labels (created when missing) to an issue."""
        issue = self.issue(repo, number)
        ids = [self.ensure_label(repo, name).id for name in names]
        self._change(repo, issue, actor, labels=list(dict.fromkeys(issue.label_ids + ids)))
        return issue

    def set_labels(self, repo: Repo, number: int, names: Iterable[Any], actor: str) -> Issue:
        """Replace an issue's labels."""
        issue = self.issue(repo, number)
        ids = [self.ensure_label(repo, name).id for name in names]
        self._change(repo, issue, actor, labels=list(dict.fromkeys(ids)))
        return issue

    def remove_label(self, repo: Repo, number: int, name: str, actor: str) -> Issue:
        """Remove one label from an issue; 404 when the issue does not carry it."""
        issue = self.issue(repo, number)
        label = self.find_label(repo, name)
        if label is None or label.id not in issue.label_ids:
            raise not_found("Label does not exist")
        self._change(repo, issue, actor, labels=[i for i in issue.label_ids if i != label.id])
        return issue

    def add_assignees(self, repo: Repo, number: int, logins: Iterable[Any], actor: str) -> Issue:
        """Add assignees; users who cannot be assigned are skipped, as GitHub does."""
        issue = self.issue(repo, number)
        found = [self._assignable(repo, issue, actor, a, strict=False) for a in logins]
        wanted = issue.assignees + [a for a in found if a and a not in issue.assignees]
        self._change(repo, issue, actor, assignees=list(dict.fromkeys(wanted))[:10])
        return issue

    def remove_assignees(self, repo: Repo, number: int, logins: Iterable[Any], actor: str) -> Issue:
        """Remove assignees."""
        issue = self.issue(repo, number)
        gone = {str(a).lower() for a in logins}
        kept = [a for a in issue.assignees if a.lower() not in gone]
        self._change(repo, issue, actor, assignees=kept)
        return issue

    def _change(
        self,
        repo: Repo,
        issue: Issue,
        actor: str,
        labels: list[int] | None = None,
        assignees: list[str] | None = None,
    ) -> None:
        """Apply new labels/assignees with their events; bump updated_at when anything changed."""
        actor = self.user(actor).login
        before = _snapshot(issue)
        if labels is not None:
            self._apply_labels(repo, issue, actor, labels)
        if assignees is not None:
            self._apply_assignees(repo, issue, actor, assignees)
        if _snapshot(issue) != before:
            issue.updated_at = self.now

    def _apply_labels(self, repo: Repo, issue: Issue, actor: str, ids: list[int]) -> None:
        """Set the label ids, recording unlabeled/labeled events."""
        for label_id in [i for i in issue.label_ids if i not in ids]:
            label = repo.labels[label_id]
            self._event(repo, issue, actor, "unlabeled", label=(label.name, label.color))
        for label_id in [i for i in ids if i not in issue.label_ids]:
            label = repo.labels[label_id]
            self._event(repo, issue, actor, "labeled", label=(label.name, label.color))
        issue.label_ids = ids

    def _apply_assignees(self, repo: Repo, issue: Issue, actor: str, logins: list[str]) -> None:
        """Set the assignees, recording unassigned/assigned events."""
        for login in [a for a in issue.assignees if a not in logins]:
            self._event(repo, issue, actor, "unassigned", assignee=login)
        for login in [a for a in logins if a not in issue.assignees]:
            self._event(repo, issue, actor, "assigned", assignee=login)
        issue.assignees = logins

    def _assignable(self, repo: Repo, issue: Issue | None, actor: str, login: Any, strict: bool) -> str:
        """The canonical login when the user may be assigned: a collaborator, the actor, the
        issue's author or a commenter; else 422 (strict) or ""."""
        user = self.users.get(login.lower()) if isinstance(login, str) else None
        ok = user is not None and (
            self.role(repo, user.login) is not None
            or user.login.lower() == actor.lower()
            or (issue is not None and user.login == issue.login)
            or (
                issue is not None
                and any(c.number == issue.number and c.login == user.login for c in repo.comments.values())
            )
        )
        if user is not None and ok:
            return user.login
        if strict:
            raise validation("Issue", "assignees", "invalid", value=login)
        return ""

    def _event(self, repo: Repo, issue: Issue, actor: str, kind: str, **details: Any) -> None:
        """Record an issue event at the current instant."""
        event = Event(self.next_id("event"), issue.number, actor, kind, self.now, **details)
        repo.events.append(event)

    def _event(self, repo: Repo, issue: Issue, actor: str, kind: str, **details: Any) -> None:
        """Record an issue event at the current instant."""
        event = Event(self.next_id("event"), issue.number, actor, kind, self.now, **details)
        repo.events.append(event)


def _snapshot(issue: Issue) -> tuple[Any, ...]:
    """The fields whose change bumps updated_at."""
    return (
        issue.title,
        issue.body,
        issue.state,
        issue.state_reason,
        tuple(issue.label_ids),
        tuple(issue.assignees),
    )


def _list(name: str, fields: dict[str, Any]) -> list[Any]:
    """A list-valued field of a request body."""
    value = fields.get(name)
    if not isinstance(value, list):
        raise invalid_request(f"For 'properties/{name}', {value!r} is not an array.")
    return value


def _assignee_field(fields: dict[str, Any]) -> list[Any] | None:
    """The wanted assignees from `assignees` or the older single `assignee`."""
    if "assignees" in fields:
        return _list("assignees", fields)
    if "assignee" in fields:
        return [] if fields["assignee"] is None else [fields["assignee"]]
    return None
