"""The integrations' part of serving one incident: the requester-reply check and message delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from incident_ops.core.context import Context
from incident_ops.core.markers import comment_marker
from incident_ops.core.model import Comment
from incident_ops.core.state import IncidentState
from incident_ops.core.timers import clocks, due
from incident_ops.integrations.deliveries import Integrations, deliver, owed, steps_owed
from incident_ops.integrations.http import IntegrationError
from incident_ops.integrations.paging import command_events, justified, send_command_event

FAILED_MARK = "eyes"  # the tool's reaction on its own comment whose messages could not all be delivered
DELIVERED_MARK = "rocket"  # ... and once the retries delivered them: the memo can no longer owe them


@dataclass(frozen=True)
class Claims:
    """Claiming a retry on GitHub first (the tool's rocket on its comment), so two runs never both send it."""

    claim: Callable[[int], int | None]  # comment id → the new reaction's id, or None when another run has it
    release: Callable[[int, int], None]  # a claim whose retry failed is taken back: the next run tries again


@dataclass
class IntegrationRun:
    """Per-incident integration bookkeeping for one run: what is pending, what went wrong."""

    integrations: Integrations
    pending: list[str] | None = None
    ticket_reply_for: str | None = None
    close_hold: str | None = None
    warnings: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    marks: list[tuple[int, str]] = field(default_factory=list)  # (comment, reaction) marking delivery state
    _seen: set[int] = field(default_factory=set)

    def start(self, state: IncidentState) -> None:
        """Take over what earlier runs left pending (once per run), keeping only what a failure explains.

        A step is owed only when the tool's comment that triggers it exists, owes that step, and carries the
        tool's mark of a failed delivery: a forged or copied memo cannot send what no trigger justifies.
        """
        if self.pending is not None:
            return
        self.pending = []
        for item in state.cache.pending:
            step, _, key = item.partition(":")
            trigger = state.keyed(key)
            marker = comment_marker(trigger) if trigger is not None else None
            failed = (
                trigger is not None
                and FAILED_MARK in trigger.reactions
                and DELIVERED_MARK not in trigger.reactions
            )
            if marker is not None and failed and step in steps_owed(marker.kind):
                self.pending.append(item)
            elif ":cmd/" in item and justified(state, item):
                self.pending.append(item)  # a command's PagerDuty event: the state itself must call for it
            else:
                self.warnings.append(f"ignored an undelivered message the history does not explain ({item})")

    def check_ticket_reply(self, state: IncidentState, ctx: Context) -> bool:
        """Before auto-closing, ask FreshDesk whether the requester replied since the resolution.

        True when it learnt something the state must be folded again with (`ticket_reply_for`, `close_hold`).
        """
        desk = self.integrations.freshdesk
        if desk is None or not state.resolved or not state.ticket or state.community_replied:
            return False
        if (
            state.resolved_at is None
            or not due(state, clocks(state, ctx.config, ctx.calendar), ctx.now).close
        ):
            return False
        try:
            replied = desk.requester_replied_since(state.ticket, state.resolved_at)
        except IntegrationError as error:
            self.close_hold = "the FreshDesk ticket could not be checked for a requester reply"
            self.warnings.append(f"{error}; auto-close waits for the next run")
            return True
        if replied:
            self.ticket_reply_for = state.resolution_key
        return replied

    def page_commands(
        self, answered: IncidentState, now: IncidentState, dry_run: bool, say: Callable[[str], None]
    ) -> None:
        """PagerDuty's part of the commands this run answered, and of those a failure left owed."""
        pager = self.integrations.pagerduty
        owed_before = [item for item in self.pending or [] if ":cmd/" in item]
        self.pending = [item for item in self.pending or [] if ":cmd/" not in item]
        if pager is None:
            return
        events = [
            e for e in dict.fromkeys([*owed_before, *command_events(answered, now)]) if justified(now, e)
        ]
        for event in events:
            if dry_run:
                say(f"[dry run] #{now.history.issue.number}: would send {event}")
                continue
            try:
                send_command_event(pager, event, now)
            except IntegrationError as error:
                self.pending.append(event)
                self.warnings.append(f"{event}: PagerDuty: {error}; retried on the next run")
                continue
            self.sent.append(event)

    def deliver(
        self,
        posted: list[Comment],
        state: IncidentState,
        dry_run: bool,
        say: Callable[[str], None],
        claims: Claims | None = None,
    ) -> None:
        """Send what new comments owe, and what earlier runs could not (claimed first, when `claims`)."""
        fresh = [c for c in posted if c.id not in self._seen and _oldest_copy(c, state)]
        self._seen.update(c.id for c in posted)
        commands = [item for item in self.pending or [] if ":cmd/" in item]  # sent by page_commands
        queue = [*(i for i in self.pending or [] if ":cmd/" not in i), *owed(fresh, self.integrations)]
        queue = list(dict.fromkeys(queue))
        if not queue:
            return
        if dry_run:
            for item in queue:
                say(f"[dry run] #{state.history.issue.number}: would send {item}")
            return
        retried = {item.partition(":")[2] for item in self.pending or [] if ":cmd/" not in item}
        claimed = self._claim(retried, state, claims)
        queue = [item for item in queue if item.partition(":")[2] not in retried - set(claimed)]
        report = deliver(queue, state, self.integrations)
        self.sent.extend(report.sent)
        self.pending = [*report.failed, *commands]
        still_owed = {item.partition(":")[2] for item in report.failed}
        for key in {item.partition(":")[2] for item in queue}:
            trigger = state.keyed(key)
            if trigger is None:
                continue
            if key in still_owed and FAILED_MARK not in trigger.reactions:
                self.marks.append((trigger.id, FAILED_MARK))
            elif key in retried and key not in still_owed and key not in claimed:
                self.marks.append((trigger.id, DELIVERED_MARK))
        for key, (comment_id, reaction_id) in claimed.items():
            if key in still_owed and claims is not None:
                claims.release(comment_id, reaction_id)
        self.warnings.extend(f"{item}: {why}; retried on the next run" for item, why in report.failed.items())

    def _claim(
        self, keys: set[str], state: IncidentState, claims: Claims | None
    ) -> dict[str, tuple[int, int]]:
        """Retries this run may send, each claimed on its trigger comment (another run's claim is left)."""
        if claims is None:
            return {}
        claimed = {}
        for key in sorted(keys):
            trigger = state.keyed(key)
            reaction = claims.claim(trigger.id) if trigger is not None else None
            if trigger is not None and reaction is not None:
                claimed[key] = (trigger.id, reaction)
            else:
                self.warnings.append(f"left the retry of {key} to the run that claimed it")
        return claimed


def _oldest_copy(comment: Comment, state: IncidentState) -> bool:
    """Whether this comment is the copy of its key that stays (a younger duplicate yields)."""
    marker = comment_marker(comment)
    kept = state.keyed(marker.key) if marker else None
    return kept is not None and kept.id == comment.id
