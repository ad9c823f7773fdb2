"""What people outside the team may cost: one reply per person per incident in any 24 hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_ops.core.markers import comment_marker
from incident_ops.core.model import Comment, IssueEvent
from incident_ops.core.state import IncidentState

REPLY_GAP = timedelta(hours=24)  # counted from the person's last reply


class ReplyBudget:
    """Who was answered when, read from the tool's keyed replies; decides whether one more is allowed."""

    def __init__(self, state: IncidentState) -> None:
        comments = {c.id: c for c in state.history.comments}
        events = {e.id: e for e in state.history.events or ()}
        # login → ((when the answered thing happened, its comment id), when it was answered, the reply's key)
        self._sent: dict[str, list[tuple[tuple[datetime, int], datetime, str]]] = {}
        for reply in state.of_kind("reply"):
            marker = comment_marker(reply)
            if marker is None:
                continue
            source = _source(marker.key, comments, events)
            to = marker.to or (source[1] if source else None)
            if to is not None:
                when = (source[0], source[2]) if source else (reply.created_at, 0)
                self._sent.setdefault(to.casefold(), []).append((when, reply.created_at, marker.key))

    def allow(self, login: str, at: datetime, key: str, comment_id: int = 0, any_order: bool = False) -> bool:
        """Whether `login` may be answered (under `key`) for what they did at `at`; remembers a yes.

        A reply already posted under `key` stays allowed. Otherwise the last reply to the same person for
        something earlier (with `any_order`, for anything) must be at least REPLY_GAP before `at`.
        """
        sent = self._sent.setdefault(login.casefold(), [])
        if any(k == key for _, _, k in sent):
            return True
        when = (at, comment_id)
        if any((any_order or source < when) and r > at - REPLY_GAP for source, r, _ in sent):
            return False
        sent.append((when, at, key))
        return True


def _source(
    key: str, comments: dict[int, Comment], events: dict[int, IssueEvent]
) -> tuple[datetime, str, int] | None:
    """When and by whom the thing a reply answers was done (a command comment, or a close), and its id."""
    ref = key.removeprefix("reply/")
    if ref.isdigit() and int(ref) in comments:
        comment = comments[int(ref)]
        return comment.created_at, comment.author.login, comment.id
    if ref.startswith("closed-") and ref[7:].isdigit() and int(ref[7:]) in events:
        event = events[int(ref[7:])]
        return event.created_at, event.actor, 0
    return None
