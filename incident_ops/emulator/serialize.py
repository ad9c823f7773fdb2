"""Turn the emulator's records into the JSON GitHub's REST API returns."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from .objects import REACTIONS, Comment, Event, Issue, Label, Reaction, Repo, User
from .shapes import LEGACY_PERMISSION, REPO_URLS, _profile, permissions
from .store import Store


def timestamp(moment: datetime | None) -> str | None:
    """GitHub's timestamp format: 2026-03-02T09:00:00Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(kind: str, number: int) -> str:
    """A node id in GitHub's legacy global-id form."""
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


class Serializer:
    """Builds GitHub-shaped dicts; URLs point at the emulator's base URL."""

    def __init__(self, store: Store, base_url: str) -> None:
        """Serialize records of this store with URLs under base_url."""
        self.store = store
        self.base = base_url.rstrip("/")

    def user(self, login: str, full: bool = False) -> dict[str, Any]:
        """A simple user object (the full profile when full)."""
        user = self.store.user(login)
        url = f"{self.base}/users/{user.login}"
        data: dict[str, Any] = {
            "login": user.login,
            "id": user.id,
            "node_id": node_id("Bot" if user.type == "Bot" else "User", user.id),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
            "gravatar_id": "",
            "url": url,
            "html_url": self._user_html(user),
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": user.type,
            "user_view_type": "public",
            "site_admin": False,
        }
        if full:
            data.update(_profile(user))
        return data

    def _user_html(self, user: User) -> str:
        """A user's page; bots live under /apps."""
        if user.type == "Bot" and user.login.endswith("[bot]"):
            return f"{self.base}/apps/{user.login.removesuffix('[bot]')}"
        return f"{self.base}/{user.login}"

    def repo(self, repo: Repo, viewer: str | None = None) -> dict[str, Any]:
        """A full repository object; `permissions` is the viewer's."""
        url = f"{self.base}/repos/{repo.full_name}"
        open_count = sum(1 for i in repo.issues.values() if i.state == "open")
        data: dict[str, Any] = {
            "id": repo.id,
            "node_id": node_id("Repository", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": False,
            "owner": self.user(repo.owner),
            "html_url": f"{self.base}/{repo.full_name}",
            "description": None,
            "fork": False,
            "url": url,
        }
        data.update({f"{key}_url": url + suffix for key, suffix in REPO_URLS.items()})
        host = self.base.split("://", 1)[-1]
        data["git_url"] = f"git://{host}/{repo.full_name}.git"
        data["ssh_url"] = f"git@{host.split(':')[0]}:{repo.full_name}.git"
        data["svn_url"] = data["html_url"]
        data.update(
            created_at=timestamp(repo.created_at),
            updated_at=timestamp(repo.created_at),
            pushed_at=timestamp(repo.created_at),
            clone_url=f"{self.base}/{repo.full_name}.git",
            homepage=None,
            size=0,
            stargazers_count=0,
            watchers_count=0,
            language=None,
            has_issues=True,
            has_projects=True,
            has_wiki=True,
            has_pages=False,
            has_discussions=False,
            forks_count=0,
            mirror_url=None,
            archived=False,
            disabled=False,
            open_issues_count=open_count,
            license=None,
            allow_forking=True,
            is_template=False,
            topics=[],
            visibility="public",
            forks=0,
            open_issues=open_count,
            watchers=0,
            default_branch="main",
            network_count=0,
            subscribers_count=0,
        )
        if viewer is not None:
            data["permissions"] = permissions(self.store.role(repo, viewer))
        return data

    def label(self, repo: Repo, label: Label) -> dict[str, Any]:
        """A label object."""
        return {
            "id": label.id,
            "node_id": node_id("Label", label.id),
            "url": f"{self.base}/repos/{repo.full_name}/labels/{quote(label.name, safe='')}",
            "name": label.name,
            "color": label.color,
            "default": label.default,
            "description": label.description,
        }

    def issue(self, repo: Repo, issue: Issue, full: bool = False) -> dict[str, Any]:
        """An issue object; `closed_by` appears only on the single-issue answer, as on GitHub."""
        repo_url = f"{self.base}/repos/{repo.full_name}"
        url = f"{repo_url}/issues/{issue.number}"
        data: dict[str, Any] = {
            "url": url,
            "repository_url": repo_url,
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{self.base}/{repo.full_name}/issues/{issue.number}",
            "id": issue.id,
            "node_id": node_id("Issue", issue.id),
            "number": issue.number,
            "title": issue.title,
            "user": self.user(issue.login),
            "labels": [self.label(repo, repo.labels[i]) for i in issue.label_ids],
            "state": issue.state,
            "locked": False,
            "assignee": self.user(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self.user(login) for login in issue.assignees],
            "milestone": None,
            "comments": issue.comments,
            "created_at": timestamp(issue.created_at),
            "updated_at": timestamp(issue.updated_at),
            "closed_at": timestamp(issue.closed_at),
            "author_association": self.association(repo, issue.login),
            "type": None,
            "active_lock_reason": None,
            "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
            "body": issue.body,
            "reactions": self.rollup(f"{url}/reactions", issue.reactions),
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }
        if full:
            data["closed_by"] = self.user(issue.closed_by) if issue.closed_by else None
        return data

    def comment(self, repo: Repo, comment: Comment) -> dict[str, Any]:
        """An issue comment object."""
        repo_url = f"{self.base}/repos/{repo.full_name}"
        url = f"{repo_url}/issues/comments/{comment.id}"
        html = f"{self.base}/{repo.full_name}/issues/{comment.number}"
        return {
            "url": url,
            "html_url": f"{html}#issuecomment-{comment.id}",
            "issue_url": f"{repo_url}/issues/{comment.number}",
            "id": comment.id,
            "node_id": node_id("IssueComment", comment.id),
            "user": self.user(comment.login),
            "created_at": timestamp(comment.created_at),
            "updated_at": timestamp(comment.updated_at),
            "author_association": self.association(repo, comment.login),
            "body": comment.body,
            "reactions": self.rollup(f"{url}/reactions", comment.reactions),
            "performed_via_github_app": None,
        }

    def event(self, repo: Repo, event: Event) -> dict[str, Any]:
        """An issue event object."""
        data: dict[str, Any] = {
            "id": event.id,
            "node_id": node_id("IssueEvent", event.id),
            "url": f"{self.base}/repos/{repo.full_name}/issues/events/{event.id}",
            "actor": self.user(event.actor),
            "event": event.event,
            "commit_id": None,
            "commit_url": None,
            "created_at": timestamp(event.created_at),
            "performed_via_github_app": None,
        }
        if event.label is not None:
            data["label"] = {"name": event.label[0], "color": event.label[1]}
        if event.assignee is not None:
            data["assignee"] = self.user(event.assignee)
            data["assigner"] = self.user(event.actor)
        if event.rename is not None:
            data["rename"] = {"from": event.rename[0], "to": event.rename[1]}
        if event.event in ("closed", "reopened"):
            data["state_reason"] = event.state_reason
        return data

    def reaction(self, reaction: Reaction) -> dict[str, Any]:
        """A reaction object."""
        return {
            "id": reaction.id,
            "node_id": node_id("Reaction", reaction.id),
            "user": self.user(reaction.login),
            "content": reaction.content,
            "created_at": timestamp(reaction.created_at),
        }

    @staticmethod
    def rollup(url: str, reactions: list[Reaction]) -> dict[str, Any]:
        """The reactions summary embedded in issues and comments."""
        data: dict[str, Any] = {"url": url, "total_count": len(reactions)}
        for content in REACTIONS:
            data[content] = sum(1 for r in reactions if r.content == content)
        return data

    def association(self, repo: Repo, login: str) -> str:
        """author_association: OWNER, COLLABORATOR or NONE."""
        if login.lower() == repo.owner.lower():
            return "OWNER"
        return "COLLABORATOR" if self.store.role(repo, login) else "NONE"

    def permission(self, repo: Repo, login: str) -> dict[str, Any]:
        """The collaborator-permission answer: legacy `permission` plus the real `role_name`."""
        role = self.store.role(repo, login)
        user = self.user(login)
        user["permissions"] = permissions(role)
        user["role_name"] = role or "none"
        legacy = LEGACY_PERMISSION.get(role, role) if role else "none"
        return {"permission": legacy, "role_name": role or "none", "user": user}
