"""The integrations' part of serving one incident: the requester-reply check and message delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from incident_ops.config import Config
from incident_ops.integrations.deliveries import Integrations, deliver, owed
from incident_ops.integrations.http import IntegrationError
from incident_ops.model import Comment
from incident_ops.state import IncidentState
from incident_ops.timers import clocks, due
from incident_ops.workhours import WorkCalendar


@dataclass
class IntegrationRun:
    """Per-incident integration bookkeeping for one run: what is pending, what went wrong."""

    integrations: Integrations
    pending: list[str] | None = None
    ticket_reply_for: str | None = None
    warnings: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    _seen: set[int] = field(default_factory=set)

    def start(self, state: IncidentState) -> None:
        """Take over what earlier runs left pending (once per run)."""
        if self.pending is None:
            self.pending = list(state.cache.pending)
            self.ticket_reply_for = state.cache.ticket_reply_for

    def check_ticket_reply(
        self, state: IncidentState, config: Config, calendar: WorkCalendar, now: object
    ) -> None:
        """Before auto-closing, ask FreshDesk whether the requester replied since the resolution."""
        desk = self.integrations.freshdesk
        if desk is None or not state.resolved or not state.ticket or state.community_replied:
            return
        if state.resolved_at is None or not due(state, clocks(state, config, calendar), now).close:  # type: ignore[arg-type]
            return
        try:
            replied = desk.requester_replied_since(state.ticket, state.resolved_at)
        except IntegrationError as error:
            state.close_hold = "the FreshDesk ticket could not be checked for a requester reply"
            self.warnings.append(f"{error}; auto-close waits for the next run")
            return
        if replied:
            self.ticket_reply_for = state.resolution_key
            state.community_replied = True

    def deliver(
        self,
        posted: list[Comment],
        state: IncidentState,
        config: Config,
        dry_run: bool,
        say: Callable[[str], None],
    ) -> None:
        """Send what this run's new comments owe, and what earlier runs could not."""
        fresh = [c for c in posted if c.id not in self._seen]
        self._seen.update(c.id for c in fresh)
        queue = list(dict.fromkeys([*(self.pending or []), *owed(fresh, self.integrations)]))
        if not queue:
            return
        if dry_run:
            for item in queue:
                say(f"[dry run] #{state.history.issue.number}: would send {item}")
            return
        report = deliver(queue, state, config, self.integrations)
        self.sent.extend(report.sent)
        self.pending = list(report.failed)
        self.warnings.extend(f"{item}: {why}; retried on the next run" for item, why in report.failed.items())
