"""The status comment: created, or edited when what it shows changed, with what later runs remember."""

from __future__ import annotations

from incident_ops.core.actions import EditComment, PostComment
from incident_ops.core.comments import keys
from incident_ops.core.comments.cache import StatusCache
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.model import IssueHistory
from incident_ops.core.planning.timers import clocks
from incident_ops.core.report.body import BodyCheck
from incident_ops.core.state import IncidentState
from incident_ops.core.views.status import status_body
from incident_ops.serving.executor import Executor
from incident_ops.serving.services import Services


def refresh_status(
    history: IssueHistory, state: IncidentState, services: Services, executor: Executor
) -> IssueHistory:
    """Create the status comment, or edit it when its content changed (`state` is `history` folded)."""
    if not state.declared and (not state.reported or state.closed):
        return history  # a plain issue has no status comment; a closed report is dropped
    config = services.context.config
    clock = clocks(state, config, services.context.calendar)
    existing = state.status_comment
    shown = existing.body if existing is not None else None
    renderer, restyle = services.context.renderer, services.may_restyle()
    body = status_body(state, clock, config, renderer, _cache_of(state), shown, restyle)
    if body is None:
        return history
    if existing is None:
        action: PostComment | EditComment = PostComment(Kind.STATUS, keys.STATUS, body)
    else:
        action = EditComment(existing.id, body)
    return executor.run([action], history)


def _cache_of(state: IncidentState) -> StatusCache:
    """What the status comment remembers for later runs; nothing of what outsiders wrote.

    What they get (a reply or nothing) is decided from GitHub alone, so it costs them no status edit; who they
    are is remembered (saving a permission read) only when the comment changes anyway.
    """
    judged = dict(state.cache.judged_outside)
    for o in state.outcomes:
        if o.comment.id in state.outsider_commands:
            login = o.comment.author.login.casefold()
            judged[login] = max(judged.get(login, 0), o.comment.id)
    return StatusCache(
        issue=state.history.issue.number,
        done=tuple(sorted(state.answered_ids - set(state.restored))),
        judged_outside=judged,
        reported_at=state.reported_at if state.reported else None,
        reported_by=state.reported_by if state.reported else None,
        body=_body_to_remember(state),
    )


def _body_to_remember(state: IncidentState) -> BodyCheck | None:
    """The body's check for the cache; the one already there when it reads the same.

    A body edit that changes no verdict must not edit the status comment; later runs parse the body again.
    """
    new, old = state.body_check, state.cache.body
    if not state.declared:
        return None  # a reported issue's status shows no report: editing the body must cost no write
    if new is not None and old is not None and (new.report, new.ticket) == (old.report, old.ticket):
        return old
    return new
