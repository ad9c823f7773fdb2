"""REST routes for users, repositories, issues, events and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .objects import ApiError, Comment, Issue, not_found
from .routing import Ctx, R, Reply, choice_param, number_of, repo_of, route, since_param

# Users and rate limit.


@route("GET", "/user")
def get_authenticated_user(ctx: Ctx) -> Reply:
    """GET /user; an Actions-style bot token cannot read it."""
    if ctx.login is None:
        raise ApiError(401, "Requires authentication")
    if ctx.store.user(ctx.login).type == "Bot":
        raise ApiError(403, "Resource not accessible by integration")
    return Reply(data=ctx.ser.user(ctx.login, full=True))


@route("GET", r"/users/(?P<login>[^/]+)")
def get_user(ctx: Ctx, login: str) -> Reply:
    """GET /users/{login}."""
    return Reply(data=ctx.ser.user(login, full=True))


@route("GET", R)
def getrepo_of(ctx: Ctx, owner: str, name: str) -> Reply:
    """GET /repos/{owner}/{repo}."""
    return Reply(data=ctx.ser.repo(repo_of(ctx, owner, name), ctx.login))


@route("GET", R + r"/collaborators/(?P<login>[^/]+)/permission")
def get_permission(ctx: Ctx, owner: str, name: str, login: str) -> Reply:
    """The legacy permission and the real role of a user."""
    repo = repo_of(ctx, owner, name)
    ctx.store.user(login)
    return Reply(data=ctx.ser.permission(repo, login))


@route("GET", R + r"/collaborators/(?P<login>[^/]+)")
def check_collaborator(ctx: Ctx, owner: str, name: str, login: str) -> Reply:
    """204 for a collaborator, 404 otherwise."""
    repo = repo_of(ctx, owner, name)
    if not ctx.store.collaborates(repo, login):
        raise not_found()
    return Reply(204)


# Issues.


@route("GET", R + "/issues")
def list_issues(ctx: Ctx, owner: str, name: str) -> Reply:
    """List issues with GitHub's filters and sort order."""
    repo = repo_of(ctx, owner, name)
    state = choice_param(ctx, "state", ("open", "closed", "all"), "Issue")
    sort = choice_param(ctx, "sort", ("created", "updated", "comments"), "Issue")
    direction = choice_param(ctx, "direction", ("desc", "asc"), "Issue")
    since = since_param(ctx, "Issue")
    wanted = {x.strip().lower() for x in ctx.query.get("labels", "").split(",") if x.strip()}
    creator = ctx.query.get("creator", "").lower()
    assignee = ctx.query.get("assignee", "")

    def keep(issue: Issue) -> bool:
        names = {repo.labels[i].name.lower() for i in issue.label_ids}
        return (
            (state == "all" or issue.state == state)
            and wanted <= names
            and (since is None or issue.updated_at >= since)
            and (not creator or issue.login.lower() == creator)
            and _assignee_matches(issue, assignee)
        )

    def key(issue: Issue) -> tuple[Any, int]:
        value = {"created": issue.created_at, "updated": issue.updated_at}.get(sort)
        return (issue.comments if value is None else value, issue.number)

    issues = sorted(filter(keep, repo.issues.values()), key=key, reverse=direction == "desc")
    return Reply(data=[ctx.ser.issue(repo, i) for i in issues], paginate=True)


def _assignee_matches(issue: Issue, wanted: str) -> bool:
    """GitHub's `assignee` filter: a login, "none" or "*"."""
    if not wanted:
        return True
    if wanted == "none":
        return not issue.assignees
    if wanted == "*":
        return bool(issue.assignees)
    return wanted.lower() in {a.lower() for a in issue.assignees}


@route("POST", R + "/issues")
def create_issue(ctx: Ctx, owner: str, name: str) -> Reply:
    """Open an issue."""
    repo = repo_of(ctx, owner, name)
    body = ctx.obj()
    assignees = list(body.get("assignees") or [])
    if body.get("assignee"):
        assignees.insert(0, body["assignee"])
    issue = ctx.store.create_issue(
        repo,
        ctx.actor,
        body.get("title"),
        body.get("body"),
        labels=body.get("labels") or [],
        assignees=assignees,
    )
    return Reply(201, ctx.ser.issue(repo, issue, full=True))


@route("GET", R + r"/issues/(?P<number>\d+)")
def get_issue(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """One issue."""
    repo = repo_of(ctx, owner, name)
    return Reply(data=ctx.ser.issue(repo, ctx.store.issue(repo, number_of(number)), full=True))


@route("PATCH", R + r"/issues/(?P<number>\d+)")
def edit_issue(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """Edit an issue: title, body, state, state_reason, labels, assignees."""
    repo = repo_of(ctx, owner, name)
    issue = ctx.store.edit_issue(repo, number_of(number), ctx.actor, ctx.obj())
    return Reply(data=ctx.ser.issue(repo, issue, full=True))


@route("GET", R + r"/issues/(?P<number>\d+)/events")
def list_issue_events(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """An issue's events, oldest first."""
    repo = repo_of(ctx, owner, name)
    issue = ctx.store.issue(repo, number_of(number))
    events = [e for e in repo.events if e.number == issue.number]
    return Reply(data=[ctx.ser.event(repo, e) for e in events], paginate=True)


@route("GET", R + r"/issues/events")
def list_repo_events(ctx: Ctx, owner: str, name: str) -> Reply:
    """Every issue event of the repository, newest first."""
    repo = repo_of(ctx, owner, name)
    return Reply(data=[ctx.ser.event(repo, e) for e in reversed(repo.events)], paginate=True)


@route("GET", R + r"/issues/events/(?P<event_id>\d+)")
def get_event(ctx: Ctx, owner: str, name: str, event_id: str) -> Reply:
    """One issue event."""
    repo = repo_of(ctx, owner, name)
    event = next((e for e in repo.events if e.id == int(event_id)), None)
    if event is None:
        raise not_found()
    return Reply(data=ctx.ser.event(repo, event))


# Comments.


@route("GET", R + r"/issues/(?P<number>\d+)/comments")
def list_comments(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """An issue's comments in id order; `since` keeps those updated at or after it."""
    repo = repo_of(ctx, owner, name)
    issue = ctx.store.issue(repo, number_of(number))
    since = since_param(ctx, "IssueComment")
    found = [
        c
        for c in sorted(repo.comments.values(), key=lambda c: c.id)
        if c.number == issue.number and (since is None or c.updated_at >= since)
    ]
    return Reply(data=[ctx.ser.comment(repo, c) for c in found], paginate=True)


@route("POST", R + r"/issues/(?P<number>\d+)/comments")
def create_comment(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """Comment on an issue."""
    repo = repo_of(ctx, owner, name)
    comment = ctx.store.add_comment(repo, number_of(number), ctx.actor, ctx.obj().get("body"))
    return Reply(201, ctx.ser.comment(repo, comment))


@route("GET", R + r"/issues/comments")
def list_repo_comments(ctx: Ctx, owner: str, name: str) -> Reply:
    """Every comment of the repository, by creation (or update) time."""
    repo = repo_of(ctx, owner, name)
    sort = choice_param(ctx, "sort", ("created", "updated"), "IssueComment")
    direction = choice_param(ctx, "direction", ("asc", "desc"), "IssueComment")
    since = since_param(ctx, "IssueComment")

    def key(c: Comment) -> tuple[datetime, int]:
        return (c.created_at if sort == "created" else c.updated_at, c.id)

    found = [c for c in repo.comments.values() if since is None or c.updated_at >= since]
    found.sort(key=key, reverse=direction == "desc")
    return Reply(data=[ctx.ser.comment(repo, c) for c in found], paginate=True)


@route("GET", R + r"/issues/comments/(?P<cid>\d+)")
def get_comment(ctx: Ctx, owner: str, name: str, cid: str) -> Reply:
    """One comment."""
    repo = repo_of(ctx, owner, name)
    return Reply(data=ctx.ser.comment(repo, ctx.store.comment(repo, int(cid))))


@route("PATCH", R + r"/issues/comments/(?P<cid>\d+)")
def edit_comment(ctx: Ctx, owner: str, name: str, cid: str) -> Reply:
    """Replace a comment's body."""
    repo = repo_of(ctx, owner, name)
    comment = ctx.store.edit_comment(repo, int(cid), ctx.obj().get("body"))
    return Reply(data=ctx.ser.comment(repo, comment))


@route("DELETE", R + r"/issues/comments/(?P<cid>\d+)")
def delete_comment(ctx: Ctx, owner: str, name: str, cid: str) -> Reply:
    """Delete a comment."""
    ctx.store.delete_comment(repo_of(ctx, owner, name), int(cid))
    return Reply(204)
