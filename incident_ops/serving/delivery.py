"""This run's part in delivering to chat, the ticket and the pager: which anchors are new, which may owe."""

from __future__ import annotations

from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.markers import comment_marker
from incident_ops.core.deliveries import PAGING_COMMANDS, command_anchor
from incident_ops.core.model import Comment
from incident_ops.core.state import IncidentState
from incident_ops.integrations.deliveries import steps_of
from incident_ops.integrations.run import IntegrationRun, Marks
from incident_ops.serving.services import Services


def deliver(
    extras: IntegrationRun,
    answered: IncidentState,
    current: IncidentState,
    posted: list[Comment],
    marks: Marks,
    services: Services,
) -> None:
    """What this run's new messages and commands owe chat, the ticket and the pager, and what earlier runs
    left for a retry (`answered` is the state the commands were answered from, `current` the one after)."""
    fresh = [(key, c) for c in posted if (key := kept_key(c, current)) and steps_of(key)]
    for outcome in answered.outcomes:
        cid = outcome.comment.id
        first = not answered.answered(cid) and cid not in answered.outsider_commands
        if outcome.accepted and first and outcome.command.name in PAGING_COMMANDS:
            fresh.append((command_anchor(cid), _comment(current, cid) or outcome.comment))
    now = services.context.now
    extras.deliver(current, fresh, anchors(current), marks, now, services.dry_run, services.say)


def _comment(state: IncidentState, comment_id: int) -> Comment | None:
    """A comment of the history, as last read."""
    return next((c for c in state.history.comments if c.id == comment_id), None)


def kept_key(comment: Comment, state: IncidentState) -> Key | None:
    """The key of one of the tool's comments when it is the copy that stays (a younger duplicate yields)."""
    marker = comment_marker(comment)
    kept = state.keyed(marker.key) if marker else None
    return Key.parse(marker.key) if marker and kept is not None and kept.id == comment.id else None


def anchors(state: IncidentState) -> list[tuple[Key, Comment]]:
    """Every comment that may owe a delivery: the tool's messages, and command comments that page."""
    found = [(key, cs[0]) for text, cs in state.bot_comments.items() if steps_of(key := Key.parse(text))]
    paging = {o.comment.id for o in state.outcomes if o.accepted and o.command.name in PAGING_COMMANDS}
    found += [(command_anchor(cid), c) for cid in sorted(paging) if (c := _comment(state, cid)) is not None]
    return found
