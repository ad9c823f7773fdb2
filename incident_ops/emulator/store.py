"""The emulator's state and every change to it, validated the way GitHub validates."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .issues import IssueOps
from .objects import (
    DEFAULT_LABELS,
    REACTIONS,
    ROLES,
    Comment,
    Issue,
    Label,
    Reaction,
    Repo,
    User,
    check_comment_body,
    not_found,
    validation,
)

_ID_BASES = {
    "user": 1_000,
    "repo": 100_000,
    "label": 5_000_000,
    "issue": 2_000_000_000,
    "comment": 3_000_000_000,
    "event": 4_000_000_000,
    "reaction": 6_000_000,
}
_UNSET: Any = object()


class Store(IssueOps):
    """Users, tokens, repositories and their issues; callers hold `lock` around each operation."""

    def __init__(self, now: datetime) -> None:
        """Start empty at the given instant."""
        self.lock = threading.RLock()
        self.now = now
        self.users: dict[str, User] = {}
        self.tokens: dict[str, str] = {}
        self.repos: dict[str, Repo] = {}
        self._ids: dict[str, Iterator[int]] = {k: itertools.count(v) for k, v in _ID_BASES.items()}

    def next_id(self, kind: str) -> int:
        """A fresh id for an object of this kind."""
        return next(self._ids[kind])

    # Users, tokens, repositories and roles.

    def add_user(self, login: str, type: str = "User") -> User:
        """Create a user (or return the existing one, with its type updated)."""
        if type not in ("User", "Bot", "Organization"):
            raise ValueError(f"unknown user type {type!r}")
        user = self.users.get(login.lower())
        if user is None:
            user = User(self.next_id("user"), login, type, self.now)
            self.users[login.lower()] = user
        user.type = type
        return user

    def user(self, login: str) -> User:
        """The user with this login (case-insensitive), else 404."""
        user = self.users.get(login.lower())
        if user is None:
            raise not_found()
        return user

    def create_repo(self, full_name: str) -> Repo:
        """Create a repository with GitHub's default labels; its owner is created too."""
        owner, sep, name = full_name.partition("/")
        if not sep or not owner or not name or "/" in name:
            raise ValueError(f"repository must be owner/name, got {full_name!r}")
        if full_name.lower() in self.repos:
            raise ValueError(f"repository {full_name} already exists")
        known = self.users.get(owner.lower())
        owner_login = known.login if known else self.add_user(owner).login
        repo = Repo(self.next_id("repo"), owner_login, name, self.now)
        for label_name, color, description in DEFAULT_LABELS:
            label = Label(self.next_id("label"), label_name, color, description, default=True)
            repo.labels[label.id] = label
        self.repos[full_name.lower()] = repo
        return repo

    def repo(self, full_name: str) -> Repo:
        """The repository owner/name (case-insensitive), else 404."""
        repo = self.repos.get(full_name.lower())
        if repo is None:
            raise not_found()
        return repo

    def set_role(self, repo: Repo, login: str, role: str | None) -> None:
        """Give a user a repository role (None removes it)."""
        if role is not None and role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {role!r}")
        user = self.user(login)
        if role is None:
            repo.roles.pop(user.login.lower(), None)
        else:
            repo.roles[user.login.lower()] = role

    def role(self, repo: Repo, login: str) -> str | None:
        """The user's role on the repository; the owner is admin."""
        if login.lower() == repo.owner.lower():
            return "admin"
        return repo.roles.get(login.lower())

    def collaborates(self, repo: Repo, login: str) -> bool:
        """Whether the user exists and has a role on the repository (so can be assigned)."""
        return self.users.get(login.lower()) is not None and self.role(repo, login) is not None

    # Labels.

    def find_label(self, repo: Repo, name: str) -> Label | None:
        """The repository label with this name (case-insensitive), if any."""
        wanted = name.lower()
        return next((lb for lb in repo.labels.values() if lb.name.lower() == wanted), None)

    def label(self, repo: Repo, name: str) -> Label:
        """The repository label with this name, else 404."""
        label = self.find_label(repo, name)
        if label is None:
            raise not_found()
        return label

    def create_label(self, repo: Repo, name: Any, color: Any = None, description: Any = None) -> Label:
        """Create a repository label; 422 when the name is taken or the color is not hex."""
        if not isinstance(name, str) or not name.strip():
            raise validation("Label", "name", "missing_field")
        if self.find_label(repo, name) is not None:
            raise validation("Label", "name", "already_exists")
        label = Label(self.next_id("label"), name, "ededed", None)
        self._set_label_fields(label, color, description)
        repo.labels[label.id] = label
        return label

    def update_label(
        self,
        repo: Repo,
        name: str,
        new_name: Any = None,
        color: Any = None,
        description: Any = _UNSET,
    ) -> Label:
        """Rename or recolor a label; issues carrying it show the change."""
        label = self.label(repo, name)
        if new_name is not None:
            if not isinstance(new_name, str) or not new_name.strip():
                raise validation("Label", "name", "invalid")
            clash = self.find_label(repo, new_name)
            if clash is not None and clash is not label:
                raise validation("Label", "name", "already_exists")
            label.name = new_name
        self._set_label_fields(label, color, description)
        return label

    def delete_label(self, repo: Repo, name: str) -> None:
        """Delete a label from the repository and from every issue."""
        label = self.label(repo, name)
        del repo.labels[label.id]
        for issue in repo.issues.values():
            if label.id in issue.label_ids:
                issue.label_ids.remove(label.id)

    @staticmethod
    def _set_label_fields(label: Label, color: Any, description: Any) -> None:
        """Apply a color (six hex digits) and a description when given."""
        if color is not None:
            text = str(color)
            if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
                raise validation("Label", "color", "invalid")
            label.color = text.lower()
        if description is not _UNSET and description is not None:
            if not isinstance(description, str) or len(description) > 100:
                raise validation("Label", "description", "invalid")
            label.description = description

    def ensure_label(self, repo: Repo, name: Any) -> Label:
        """The named label, created with GitHub's default color when missing."""
        if isinstance(name, dict):
            name = name.get("name")
        if not isinstance(name, str) or not name.strip():
            raise validation("Label", "name", "invalid", value=name)
        return self.find_label(repo, name) or self.create_label(repo, name)

    # Comments and reactions.

    def comment(self, repo: Repo, comment_id: int) -> Comment:
        """The comment with this id in the repository, else 404."""
        comment = repo.comments.get(comment_id)
        if comment is None:
            raise not_found()
        return comment

    def add_comment(self, repo: Repo, number: int, actor: str, body: Any) -> Comment:
        """Comment on an issue; bumps the issue's comment count and updated_at."""
        issue = self.issue(repo, number)
        check_comment_body(body)
        login = self.user(actor).login
        comment = Comment(self.next_id("comment"), number, login, body, self.now, self.now)
        repo.comments[comment.id] = comment
        issue.comments += 1
        issue.updated_at = self.now
        return comment

    def edit_comment(self, repo: Repo, comment_id: int, body: Any) -> Comment:
        """Replace a comment's body; bumps its and its issue's updated_at."""
        comment = self.comment(repo, comment_id)
        check_comment_body(body)
        comment.body = body
        comment.updated_at = self.now
        repo.issues[comment.number].updated_at = self.now
        return comment

    def delete_comment(self, repo: Repo, comment_id: int) -> None:
        """Delete a comment."""
        comment = self.comment(repo, comment_id)
        del repo.comments[comment_id]
        issue = repo.issues[comment.number]
        issue.comments -= 1
        issue.updated_at = self.now

    def add_reaction(self, target: Issue | Comment, login: str, content: Any) -> tuple[Reaction, bool]:
        """React; the same user and content again returns the existing reaction (created False)."""
        if content not in REACTIONS:
            raise validation("Reaction", "content", "invalid", value=content)
        login = self.user(login).login
        for reaction in target.reactions:
            if reaction.login == login and reaction.content == content:
                return reaction, False
        reaction = Reaction(self.next_id("reaction"), login, content, self.now)
        target.reactions.append(reaction)
        return reaction, True

    @staticmethod
    def delete_reaction(target: Issue | Comment, reaction_id: int) -> None:
        """Remove a reaction, else 404."""
        kept = [r for r in target.reactions if r.id != reaction_id]
        if len(kept) == len(target.reactions):
            raise not_found()
        target.reactions[:] = kept
