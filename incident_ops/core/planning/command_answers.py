"""The writes that answer command comments: each accepted command's writes, assignees, replies, reactions."""

from __future__ import annotations

from collections.abc import Iterator

from incident_ops.core.actions import (
    Action,
    Assign,
    OpenFollowUp,
    PostComment,
    React,
    Unassign,
)
from incident_ops.core.commands.registry import REGISTRY, help_markdown
from incident_ops.core.comments import keys
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.context import Context
from incident_ops.core.state import IncidentState, Outcome
from incident_ops.core.text.relay import defuse


def answer_commands(state: IncidentState, ctx: Context) -> Iterator[Action]:
    """Writes, replies and reactions for the command comments no earlier run answered."""
    by_comment: dict[int, list[Outcome]] = {}
    for outcome in state.outcomes:
        if not state.answered(outcome.comment.id):
            by_comment.setdefault(outcome.comment.id, []).append(outcome)
    new = [o for outcomes in by_comment.values() for o in outcomes]
    yield from _assignments(state, new)
    for comment_id, outcomes in by_comment.items():
        if comment_id in state.outsider_commands:
            # Someone outside the team: at most the one reply their budget allows, never a reaction.
            if comment_id not in state.withheld:
                yield from _reply(ctx, outcomes, outside=True)
            continue
        opening = False
        for outcome in outcomes:
            if outcome.accepted:
                for action in REGISTRY[outcome.command.name].writes(state, ctx, outcome):
                    opening = opening or isinstance(action, OpenFollowUp)
                    yield action
        if opening:
            continue  # its follow-up issues first: the next pass answers the comment, once they exist
        yield from _reply(ctx, outcomes)
        applied = all(o.accepted for o in outcomes)
        # The reaction is a comment's last write: the cursor moves past it only once all are done.
        yield React(comment_id, "+1" if applied else "confused")


def _assignments(state: IncidentState, new: list[Outcome]) -> Iterator[Action]:
    """The net assignee change of the new /commander commands: the final IC in, the ones before out."""
    handovers = [o for o in new if o.accepted and o.command.name == "commander" and o.target]
    if not handovers or state.commander is None:
        return
    final = state.commander
    yield Assign(final)
    earlier = {o.previous for o in handovers if o.previous} | {o.target for o in handovers if o.target}
    for login in sorted(earlier):
        if login.casefold() != final.casefold():
            yield Unassign(login)


def _reply(ctx: Context, outcomes: list[Outcome], outside: bool = False) -> Iterator[Action]:
    """One reply per command comment: why commands were refused, and /help's list."""
    comment = outcomes[0].comment
    lines = [
        f"`/{o.command.name}` was not applied: {defuse(o.reason)}. Nothing was changed."
        for o in outcomes
        if not o.accepted
    ]
    wants_help = any(o.command.name == "help" and o.accepted for o in outcomes)
    if not lines and not wants_help:
        return
    # Later runs read which commands were refused from this record.
    refused = [str(index) for index, o in enumerate(outcomes) if not o.accepted]
    key = keys.answer(Kind.REPLY, comment.id)
    body = ctx.renderer.render(
        Kind.REPLY,
        key,
        {
            "to": comment.author.login,
            "refused": ",".join(refused) or None,
            "outside": "yes" if outside else None,
        },
        author=comment.author.login,
        lines=lines,
        help=help_markdown() if wants_help else "",
    )
    yield PostComment(Kind.REPLY, key, body)
