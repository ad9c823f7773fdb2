"""From a folded incident to what the public may see of it: the team's public messages, and nothing else."""

from __future__ import annotations

import re

from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.markers import comment_marker
from incident_ops.core.model import Comment
from incident_ops.core.state import IncidentState, state_name
from incident_ops.status_page.model import PUBLIC_KINDS, PublicIncident, PublicMessage

# The acknowledgement and the closing name people and clocks: the page says these instead.
INVESTIGATING = "We are aware of this incident and are investigating."
CLOSED = "This incident is closed."
RESOLVED = "This incident has been resolved."
# When the command that a message answers can no longer be read (deleted, or edited since).
UPDATE_ELSEWHERE = "An update was posted on GitHub."
RESOLVED_ELSEWHERE = "This incident has been resolved; the details were posted on GitHub."
# The fold's stand-in text for a command it knows only from the tool's answer (see core.evidence).
POSTED = "(posted)"
# The command a message relays the text of, by the message's kind.
RELAYS = {"update": "update", "resolution": "resolved"}
# @login and @org/team; not an e-mail address or a path (something of the word before the @).
MENTION = re.compile(r"(?<![\w@./+-])@[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:/[A-Za-z0-9_.-]+)?(?![\w-])")
SOMEONE = "someone"


def public_incident(state: IncidentState) -> PublicIncident | None:
    """The incident as the status page shows it; None when the team never declared it."""
    if not state.declared or state.declared_at is None:
        return None
    issue = state.history.issue
    name = state_name(state)
    return PublicIncident(
        number=issue.number,
        title=issue.title,
        url=issue.html_url,
        severity=state.severity,
        state=name,
        declared_at=state.declared_at,
        resolved_at=state.resolved_at if state.resolved else None,
        closed_at=state.closed_at,
        messages=public_messages(state),
    )


def public_messages(state: IncidentState) -> tuple[PublicMessage, ...]:
    """The tool's public messages, oldest first: one per key (its oldest copy), never a person's comment."""
    found: list[tuple[Comment, PublicMessage]] = []
    for key in state.bot_comments:
        comment = state.keyed(key)
        marker = comment_marker(comment) if comment is not None else None
        if comment is None or marker is None or marker.kind not in PUBLIC_KINDS:
            continue
        text = _text(state, marker.kind, Key.parse(key).source)
        found.append((comment, PublicMessage(marker.kind, comment.created_at, text, comment.html_url)))
    found.sort(key=lambda pair: (pair[0].created_at, pair[0].id))
    return tuple(message for _, message in found)


def _text(state: IncidentState, kind: str, source: str) -> str:
    """What the page says for a message: the text the team relayed, or a fixed sentence of its own."""
    if kind == "acknowledgement":
        return INVESTIGATING
    if kind == "closing":
        return CLOSED
    relayed = relayed_text(state, RELAYS[kind], source)
    if relayed is None:
        return UPDATE_ELSEWHERE if kind == "update" else RESOLVED_ELSEWHERE
    if not relayed.strip():
        return RESOLVED
    return without_mentions(relayed)


def relayed_text(state: IncidentState, command: str, source: str) -> str | None:
    """The text of the accepted command in comment `source`, as posted; None when it cannot be read now."""
    if not source.isdigit() or int(source) in state.restored:
        return None  # not a command's answer, or its comment is deleted
    comment_id = int(source)
    for outcome in state.outcomes:
        if outcome.comment.id == comment_id and outcome.accepted and outcome.command.name == command:
            text = outcome.command.text
            return None if text == POSTED else text
    return None


def without_mentions(text: str) -> str:
    """The text with every @login and @org/team replaced: the page names nobody."""
    return MENTION.sub(SOMEONE, text)
