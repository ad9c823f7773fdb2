"""REST routes for labels, issue labels, assignees and reactions."""

from __future__ import annotations

from typing import Any

from .objects import Comment, Issue, Repo, invalid_request, not_found
from .routing import Ctx, R, Reply, number_of, repo_of, route

_ISSUE = R + r"/issues/(?P<number>\d+)"
_COMMENT = R + r"/issues/comments/(?P<cid>\d+)"


def _label_names(body: Any) -> list[Any]:
    """Label names from `["a"]`, `[{"name": "a"}]` or `{"labels": [...]}`, as GitHub accepts."""
    if isinstance(body, dict):
        body = body.get("labels", [])
    if body is None:
        return []
    if not isinstance(body, list):
        raise invalid_request(f"For 'properties/labels', {body!r} is not an array.")
    return [item.get("name") if isinstance(item, dict) else item for item in body]


def _labels_reply(ctx: Ctx, repo: Repo, issue: Issue) -> Reply:
    """The issue's labels after a change."""
    return Reply(data=[ctx.ser.label(repo, repo.labels[i]) for i in issue.label_ids])


# Repository labels.


@route("GET", R + "/labels")
def list_labels(ctx: Ctx, owner: str, name: str) -> Reply:
    """The repository's labels."""
    repo = repo_of(ctx, owner, name)
    labels = sorted(repo.labels.values(), key=lambda lb: lb.name.lower())
    return Reply(data=[ctx.ser.label(repo, lb) for lb in labels], paginate=True)


@route("POST", R + "/labels")
def create_label(ctx: Ctx, owner: str, name: str) -> Reply:
    """Create a label."""
    repo = repo_of(ctx, owner, name)
    body = ctx.obj()
    label = ctx.store.create_label(repo, body.get("name"), body.get("color"), body.get("description"))
    return Reply(201, ctx.ser.label(repo, label))


@route("GET", R + r"/labels/(?P<label>.+?)")
def get_label(ctx: Ctx, owner: str, name: str, label: str) -> Reply:
    """One label by name (case-insensitive)."""
    repo = repo_of(ctx, owner, name)
    return Reply(data=ctx.ser.label(repo, ctx.store.label(repo, label)))


@route("PATCH", R + r"/labels/(?P<label>.+?)")
def update_label(ctx: Ctx, owner: str, name: str, label: str) -> Reply:
    """Rename, recolor or describe a label."""
    repo = repo_of(ctx, owner, name)
    body = ctx.obj()
    updated = ctx.store.update_label(
        repo, label, body.get("new_name"), body.get("color"), body.get("description")
    )
    return Reply(data=ctx.ser.label(repo, updated))


@route("DELETE", R + r"/labels/(?P<label>.+?)")
def delete_label(ctx: Ctx, owner: str, name: str, label: str) -> Reply:
    """Delete a label."""
    ctx.store.delete_label(repo_of(ctx, owner, name), label)
    return Reply(204)


# Issue labels.


@route("GET", _ISSUE + "/labels")
def list_issue_labels(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """An issue's labels."""
    repo = repo_of(ctx, owner, name)
    reply = _labels_reply(ctx, repo, ctx.store.issue(repo, number_of(number)))
    reply.paginate = True
    return reply


@route("POST", _ISSUE + "/labels")
def add_issue_labels(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """Add labels to an issue (missing ones are created)."""
    repo = repo_of(ctx, owner, name)
    issue = ctx.store.add_labels(repo, number_of(number), _label_names(ctx.body), ctx.actor)
    return _labels_reply(ctx, repo, issue)


@route("PUT", _ISSUE + "/labels")
def set_issue_labels(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """Replace an issue's labels."""
    repo = repo_of(ctx, owner, name)
    issue = ctx.store.set_labels(repo, number_of(number), _label_names(ctx.body), ctx.actor)
    return _labels_reply(ctx, repo, issue)


@route("DELETE", _ISSUE + "/labels")
def clear_issue_labels(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """Remove every label from an issue."""
    repo = repo_of(ctx, owner, name)
    ctx.store.set_labels(repo, number_of(number), [], ctx.actor)
    return Reply(204)


@route("DELETE", _ISSUE + r"/labels/(?P<label>.+?)")
def remove_issue_label(ctx: Ctx, owner: str, name: str, number: str, label: str) -> Reply:
    """Remove one label; 404 when the issue does not carry it."""
    repo = repo_of(ctx, owner, name)
    issue = ctx.store.remove_label(repo, number_of(number), label, ctx.actor)
    return _labels_reply(ctx, repo, issue)


# Assignees.


def _assignees(ctx: Ctx) -> list[Any]:
    """The `assignees` list of the body."""
    value = ctx.obj().get("assignees", [])
    if not isinstance(value, list):
        raise invalid_request(f"For 'properties/assignees', {value!r} is not an array.")
    return value


@route("POST", _ISSUE + "/assignees")
def add_assignees(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """Add assignees; users who cannot be assigned are silently skipped."""
    repo = repo_of(ctx, owner, name)
    issue = ctx.store.add_assignees(repo, number_of(number), _assignees(ctx), ctx.actor)
    return Reply(201, ctx.ser.issue(repo, issue))


@route("DELETE", _ISSUE + "/assignees")
def remove_assignees(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """Remove assignees."""
    repo = repo_of(ctx, owner, name)
    issue = ctx.store.remove_assignees(repo, number_of(number), _assignees(ctx), ctx.actor)
    return Reply(data=ctx.ser.issue(repo, issue))


@route("GET", R + r"/assignees/(?P<login>[^/]+)")
def check_assignee(ctx: Ctx, owner: str, name: str, login: str) -> Reply:
    """204 when the user can be assigned to the repository's issues, else 404."""
    repo = repo_of(ctx, owner, name)
    if not ctx.store.collaborates(repo, login):
        raise not_found()
    return Reply(204)


# Reactions.


def _list_reactions(ctx: Ctx, target: Issue | Comment) -> Reply:
    """Reactions, optionally of one `content`."""
    wanted = ctx.query.get("content")
    found = [r for r in target.reactions if not wanted or r.content == wanted]
    return Reply(data=[ctx.ser.reaction(r) for r in found], paginate=True)


def _react(ctx: Ctx, target: Issue | Comment) -> Reply:
    """201 for a new reaction, 200 with the existing one when repeated."""
    reaction, created = ctx.store.add_reaction(target, ctx.actor, ctx.obj().get("content"))
    return Reply(201 if created else 200, ctx.ser.reaction(reaction))


@route("GET", _COMMENT + "/reactions")
def list_comment_reactions(ctx: Ctx, owner: str, name: str, cid: str) -> Reply:
    """A comment's reactions."""
    return _list_reactions(ctx, ctx.store.comment(repo_of(ctx, owner, name), int(cid)))


@route("POST", _COMMENT + "/reactions")
def react_to_comment(ctx: Ctx, owner: str, name: str, cid: str) -> Reply:
    """React to a comment."""
    return _react(ctx, ctx.store.comment(repo_of(ctx, owner, name), int(cid)))


@route("DELETE", _COMMENT + r"/reactions/(?P<rid>\d+)")
def delete_comment_reaction(ctx: Ctx, owner: str, name: str, cid: str, rid: str) -> Reply:
    """Delete a comment reaction."""
    comment = ctx.store.comment(repo_of(ctx, owner, name), int(cid))
    ctx.store.delete_reaction(comment, int(rid))
    return Reply(204)


@route("GET", _ISSUE + "/reactions")
def list_issue_reactions(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """An issue's reactions."""
    repo = repo_of(ctx, owner, name)
    return _list_reactions(ctx, ctx.store.issue(repo, number_of(number)))


@route("POST", _ISSUE + "/reactions")
def react_to_issue(ctx: Ctx, owner: str, name: str, number: str) -> Reply:
    """React to an issue."""
    repo = repo_of(ctx, owner, name)
    return _react(ctx, ctx.store.issue(repo, number_of(number)))


@route("DELETE", _ISSUE + r"/reactions/(?P<rid>\d+)")
def delete_issue_reaction(ctx: Ctx, owner: str, name: str, number: str, rid: str) -> Reply:
    """Delete an issue reaction."""
    issue = ctx.store.issue(repo_of(ctx, owner, name), number_of(number))
    ctx.store.delete_reaction(issue, int(rid))
    return Reply(204)
