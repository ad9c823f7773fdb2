"""The one-time writes an accepted command asks for, by command (the registry's `writes`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from incident_ops.core.actions import Action, CloseIssue, PostComment, ReopenIssue
from incident_ops.core.comments import keys
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.comments.records import source_fact
from incident_ops.core.context import Context, number_text
from incident_ops.core.state import IncidentState, Outcome
from incident_ops.core.text.relay import defuse

Writes = Callable[[IncidentState, Context, Outcome], Iterator[Action]]


def nothing(state: IncidentState, ctx: Context, outcome: Outcome) -> Iterator[Action]:
    """Commands that change only the state (the status comment shows it); /commander's assignee change is
    planned once for all of a run's handovers (see answers.py)."""
    return iter(())


def reopen(state: IncidentState, ctx: Context, outcome: Outcome) -> Iterator[Action]:
    """Reopen the issue when the incident was closed."""
    if state.closed:
        yield ReopenIssue()


def message(state: IncidentState, ctx: Context, outcome: Outcome) -> Iterator[Action]:
    """The update or resolution message to the community, recording who gave the command and when."""
    comment = outcome.comment
    kind = Kind.UPDATE if outcome.command.name == "update" else Kind.RESOLUTION
    body = ctx.renderer.render(
        kind,
        keys.answer(kind, comment.id),
        {"source": source_fact(comment.author.login, comment.created_at)},
        community=state.community,
        text=defuse(outcome.command.text),
        author=comment.author.login,
        at=comment.created_at,
        close_after=number_text(ctx.config.close.after_working_hours),
    )
    yield PostComment(kind, keys.answer(kind, comment.id), body)


def close(state: IncidentState, ctx: Context, outcome: Outcome) -> Iterator[Action]:
    """The closing comment, then the close; once the comment is posted the /close is done."""
    comment = outcome.comment
    key = keys.closing(str(comment.id))
    if state.keyed(key) is not None:
        return  # a person may have reopened the issue since: the /close does not close it again
    body = ctx.renderer.render(
        Kind.CLOSING,
        key,
        {"source": source_fact(comment.author.login, comment.created_at)},
        by=comment.author.login,
        confirmed=False,
        resolved_at=state.resolved_at,
        close_after="",
    )
    yield PostComment(Kind.CLOSING, key, body)
    yield CloseIssue("completed")
