"""What people outside the team may cost: one reply per person per incident in any 24 hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.comments.markers import comment_marker
from incident_ops.core.model import Comment, IssueEvent
from incident_ops.core.state import IncidentState

REPLY_GAP = timedelta(hours=24)  # counted from the person's last reply


class Answered(NamedTuple):
    """What a reply answers: when and by whom it was done (a command comment, or a close), and its comment."""

    at: datetime
    by: str
    comment_id: int  # 0 for a close


class Reply(NamedTuple):
    """One reply to a person: what it answered (ordered by time, then comment), when, and its key."""

    answered: tuple[datetime, int]
    at: datetime
    key: str


class ReplyBudget:
    """Who was answered when, read from the tool's keyed replies; decides whether one more is allowed."""

    def __init__(self, state: IncidentState) -> None:
        comments = {c.id: c for c in state.history.comments}
        events = {e.id: e for e in state.history.events or ()}
        self._sent: dict[str, list[Reply]] = {}  # login → the replies they got
        for reply in state.of_kind(Kind.REPLY):
            marker = comment_marker(reply)
            if marker is None:
                continue
            source = _answered(Key.parse(marker.key), comments, events)
            to = marker.to or (source.by if source else None)
            if to is not None:
                when = (source.at, source.comment_id) if source else (reply.created_at, 0)
                self._sent.setdefault(to.casefold(), []).append(Reply(when, reply.created_at, marker.key))

    def allow(self, login: str, at: datetime, key: Key, comment_id: int = 0, any_order: bool = False) -> bool:
        """Whether `login` may be answered (under `key`) for what they did at `at`; remembers a yes.

        A reply already posted under `key` stays allowed. Otherwise the last reply to the same person for
        something earlier (with `any_order`, for anything) must be at least REPLY_GAP before `at`.
        """
        sent = self._sent.setdefault(login.casefold(), [])
        if any(reply.key == str(key) for reply in sent):
            return True
        when = (at, comment_id)
        if any((any_order or reply.answered < when) and reply.at > at - REPLY_GAP for reply in sent):
            return False
        sent.append(Reply(when, at, str(key)))
        return True


def _answered(key: Key, comments: dict[int, Comment], events: dict[int, IssueEvent]) -> Answered | None:
    """What a reply's key answers, when it is still on the issue."""
    if key.comment_id is not None and key.comment_id in comments:
        comment = comments[key.comment_id]
        return Answered(comment.created_at, comment.author.login, comment.id)
    if key.close_event is not None and key.close_event in events:
        event = events[key.close_event]
        return Answered(event.created_at, event.actor, 0)
    return None
