"""Records of applied commands whose comments were edited or deleted since, kept before the cache forgets."""

from __future__ import annotations

from collections.abc import Iterator

from incident_ops.core.actions import Action, PostComment
from incident_ops.core.commands.registry import args_to_remember
from incident_ops.core.comments import keys
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.comments.records import AppliedCommand, applied_fact, source_fact
from incident_ops.core.comments.render import Renderer
from incident_ops.core.state import IncidentState, Outcome

# Their posted messages record these; the rest change only the incident's state, which nothing else records.
RECORDED_ELSEWHERE = frozenset({"update", "resolved", "close", "status", "help"})


def record_edited(state: IncidentState, renderer: Renderer) -> Iterator[Action]:
    """A keyed record of each applied team command comment since edited or deleted (see to_record)."""
    by_comment: dict[int, list[Outcome]] = {}
    for outcome in state.outcomes:
        if outcome.comment.id in state.to_record and outcome.comment.id not in state.outsider_commands:
            by_comment.setdefault(outcome.comment.id, []).append(outcome)
    for comment_id, outcomes in sorted(by_comment.items()):
        kept = [o for o in outcomes if o.accepted and o.command.name not in RECORDED_ELSEWHERE]
        if not kept or not state.verdicts.get(comment_id):
            continue
        comment = outcomes[0].comment
        # A refused command's arguments decide nothing, and may be as long as a comment: they are not kept.
        commands = [
            AppliedCommand(o.command.name, args_to_remember(o.command) if o.accepted else "", o.accepted)
            for o in outcomes
        ]
        shown = ", ".join(
            f"`/{o.command.name}{' ' + o.command.args if o.command.args else ''}`" for o in kept
        )
        line = (
            f"Comment {comment_id} was changed after its commands were applied; they stay applied: {shown}. "
            "To undo one, give the command that does (for example a new `/commander`)."
        )
        key = keys.applied(comment_id)
        facts = {
            "applied": applied_fact(commands),
            "source": source_fact(comment.author.login, comment.created_at),
        }
        body = renderer.render(Kind.REPLY, key, facts, author=comment.author.login, lines=[line], help="")
        yield PostComment(Kind.REPLY, key, body)
