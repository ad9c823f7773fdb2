"""The integrations' part of serving one incident: the requester-reply check and message delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from incident_ops.integrations.deliveries import Integrations, deliver, owed, owed_for_close
from incident_ops.integrations.http import IntegrationError
from incident_ops.markers import comment_marker
from incident_ops.model import Comment
from incident_ops.state import IncidentState
from incident_ops.timers import clocks, due, key_time

if TYPE_CHECKING:
    from incident_ops.handlers import Context

TOOL_CLOSE_WINDOW = timedelta(minutes=10)  # a closing comment this soon before the close: the tool closed it


@dataclass
class IntegrationRun:
    """Per-incident integration bookkeeping for one run: what is pending, what went wrong."""

    integrations: Integrations
    pending: list[str] | None = None
    ticket_reply_for: str | None = None
    closed_at: str | None = None
    close_hold: str | None = None
    warnings: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    _seen: set[int] = field(default_factory=set)

    def start(self, state: IncidentState) -> None:
        """Take over what earlier runs left pending (once per run)."""
        if self.pending is None:
            self.pending = list(state.cache.pending)
            self.ticket_reply_for = state.cache.ticket_reply_for
            self.closed_at = state.cache.closed_at

    def check_ticket_reply(self, state: IncidentState, ctx: Context) -> None:
        """Before auto-closing, ask FreshDesk whether the requester replied since the resolution."""
        desk = self.integrations.freshdesk
        if desk is None or not state.resolved or not state.ticket or state.community_replied:
            return
        if (
            state.resolved_at is None
            or not due(state, clocks(state, ctx.config, ctx.calendar), ctx.now).close
        ):
            return
        try:
            replied = desk.requester_replied_since(state.ticket, state.resolved_at)
        except IntegrationError as error:
            self.close_hold = "the FreshDesk ticket could not be checked for a requester reply"
            state.close_hold = self.close_hold
            self.warnings.append(f"{error}; auto-close waits for the next run")
            return
        if replied:
            self.ticket_reply_for = state.resolution_key
            state.community_replied = True

    def deliver(
        self,
        posted: list[Comment],
        state: IncidentState,
        closed_by_tool: bool,
        dry_run: bool,
        say: Callable[[str], None],
    ) -> None:
        """Send what new comments owe, what earlier runs could not, and a close made by a person."""
        fresh = [c for c in posted if c.id not in self._seen and _oldest_copy(c, state)]
        self._seen.update(c.id for c in posted)
        queue = [
            *(self.pending or []),
            *owed(fresh, self.integrations),
            *self._close_owed(state, closed_by_tool),
        ]
        queue = list(dict.fromkeys(queue))
        if not queue:
            return
        if dry_run:
            for item in queue:
                say(f"[dry run] #{state.history.issue.number}: would send {item}")
            return
        report = deliver(queue, state, self.integrations)
        self.sent.extend(report.sent)
        self.pending = list(report.failed)
        self.warnings.extend(f"{item}: {why}; retried on the next run" for item, why in report.failed.items())

    def _close_owed(self, state: IncidentState, closed_by_tool: bool) -> list[str]:
        """Deliveries for a close nobody announced: the issue was closed on GitHub by a person."""
        closed_at = state.closed_at
        if closed_at is None or not state.declared:
            return []  # not closed, a close this run undoes, or a dropped report
        when = key_time(closed_at)
        if when == self.closed_at:
            return []
        first_time = self.closed_at is None and state.status_comment is None
        self.closed_at = when
        if first_time or closed_by_tool or _announced(state, closed_at):
            return []
        return owed_for_close(f"closed/{when}", self.integrations)


def _oldest_copy(comment: Comment, state: IncidentState) -> bool:
    """Whether this comment is the copy of its key that stays (a younger duplicate yields)."""
    marker = comment_marker(comment)
    kept = state.keyed(marker.key) if marker else None
    return kept is not None and kept.id == comment.id


def _announced(state: IncidentState, closed_at: datetime) -> bool:
    """Whether the tool's closing comment came just before this close, or after it (the community's close
    confirmed): its own messages cover it."""
    return any(closed_at - TOOL_CLOSE_WINDOW <= c.created_at for c in state.of_kind("closing"))
