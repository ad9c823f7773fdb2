"""The integrations' part of serving one incident: the requester-reply check and delivering each step once.

Every step is claimed on GitHub before it is sent: the tool's reaction for that step on its anchor, which
only one run can create. A step that fails gives its claim back and leaves the tool's retry mark on the
anchor; later runs send what the anchor still owes. Only the tool's own reactions count, read with their
users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from incident_ops.core.comments.keys import Key
from incident_ops.core.context import Context
from incident_ops.core.deliveries import RETRY_MARK, Delivery
from incident_ops.core.follow_ups import FollowUp
from incident_ops.core.model import Comment, Reaction
from incident_ops.core.pagerduty import PagerDutyIncident
from incident_ops.core.planning.timers import clocks, due
from incident_ops.core.state import IncidentState
from incident_ops.integrations.deliveries import Integrations, owed_now, preview, send, steps_of
from incident_ops.integrations.http import IntegrationError

Anchor = tuple[Key, Comment]  # an anchor's key and its comment


# A claim younger than this may belong to a run still sending (a delivery with its retries takes far less):
# until then a retry mark stays, in case that run fails and gives the claim back.
IN_FLIGHT = timedelta(minutes=10)


@dataclass(frozen=True)
class Marks:
    """The tool's reactions on GitHub, as delivery records (given by serving, which holds the port).

    `read`: a comment's reactions of the tool's, by content. `claim`: react, and the new reaction's id, or
    None when the tool's reaction was there already. `release`: take one of the tool's reactions back.
    """

    read: Callable[[int], dict[str, Reaction]]
    claim: Callable[[int, str], int | None]
    release: Callable[[int, int], None]


@dataclass
class IntegrationRun:
    """Per-incident integration bookkeeping for one run: what was sent, what went wrong."""

    integrations: Integrations
    ticket_reply_for: str | None = None
    close_hold: str | None = None
    warnings: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    ticket_checked: bool = False
    pagerduty_now: PagerDutyIncident | None = None  # the sweep's read of the PagerDuty incident it stands for
    follow_ups: tuple[FollowUp, ...] | None = None  # the follow-up issues, once this run has read them

    def check_ticket_reply(self, state: IncidentState, ctx: Context) -> bool:
        """Before auto-closing, ask FreshDesk whether the requester replied since the resolution.

        True when it learnt something the state must be folded again with (`ticket_reply_for`, `close_hold`).
        """
        desk = self.integrations.freshdesk
        if self.ticket_checked or desk is None or not state.resolved or not state.ticket:
            return False
        if state.community_replied:
            return False
        if (
            state.resolved_at is None
            or not due(state, clocks(state, ctx.config, ctx.calendar), ctx.now).close
        ):
            return False
        self.ticket_checked = True  # once per run
        try:
            replied = desk.requester_replied_since(state.ticket, state.resolved_at)
        except IntegrationError as error:
            self.close_hold = "the FreshDesk ticket could not be checked for a requester reply"
            self.warnings.append(f"{error}; auto-close waits for the next run")
            return True
        if replied:
            self.ticket_reply_for = state.resolution_key
        return replied

    def deliver(
        self,
        state: IncidentState,
        fresh: list[Anchor],
        candidates: list[Anchor],
        marks: Marks,
        now: datetime,
        dry_run: bool = False,
        say: Callable[[str], None] = print,
    ) -> None:
        """Send what this run's new anchors owe, and what anchors carrying the tool's retry mark still owe."""
        if not self.integrations.any:
            return
        fresh = list({anchor.id: (key, anchor) for key, anchor in fresh}.values())
        work = [
            (Delivery(step, key, anchor.id), anchor)
            for key, anchor in fresh
            for step in steps_of(key)
            if owed_now(step, key, anchor, state, self.integrations)
        ]
        retrying, in_flight = self._retries(state, fresh, candidates, marks, work, now)
        if dry_run:
            number = state.history.issue.number
            for delivery, anchor in work:
                text = preview(delivery, anchor, state, self.integrations)
                say(f"[dry run] #{number}: would send {delivery}{text}")
            return
        failed, left = self._send(state, work, marks)
        for anchor_id in sorted(failed - set(retrying)):
            marks.claim(anchor_id, RETRY_MARK)
        for anchor_id, mark in sorted(retrying.items()):
            # Another run's claim may yet fail and be given back: only a retry done whole takes the mark off.
            if anchor_id not in failed | left | in_flight:
                marks.release(anchor_id, mark)

    def _retries(
        self,
        state: IncidentState,
        fresh: list[Anchor],
        candidates: list[Anchor],
        marks: Marks,
        work: list[tuple[Delivery, Comment]],
        now: datetime,
    ) -> tuple[dict[int, int], set[int]]:
        """Add the unclaimed steps of anchors the tool marked for a retry; their retry marks' ids, and the
        anchors with a claim so young that its run may still be sending (and may yet give it back)."""
        new = {anchor.id for _, anchor in fresh}
        retrying, in_flight = {}, set()
        for key, anchor in candidates:
            # Anyone can add an 👀: GitHub's count only says whether the tool's is worth a read.
            if anchor.id in new or RETRY_MARK not in anchor.reactions:
                continue
            mine = marks.read(anchor.id)
            if RETRY_MARK not in mine:
                continue
            retrying[anchor.id] = mine[RETRY_MARK].id
            for step in steps_of(key):
                claim = mine.get(step.claim)
                if claim is not None and now - claim.at < IN_FLIGHT:
                    in_flight.add(anchor.id)
                elif claim is None and owed_now(step, key, anchor, state, self.integrations):
                    work.append((Delivery(step, key, anchor.id), anchor))
        return retrying, in_flight

    def _send(
        self, state: IncidentState, work: list[tuple[Delivery, Comment]], marks: Marks
    ) -> tuple[set[int], set[int]]:
        """Claim, then send, each step; the anchors of steps that failed, and of steps another run claimed."""
        failed, left = set(), set()
        for delivery, anchor in work:
            claim = marks.claim(anchor.id, delivery.step.claim)
            if claim is None:
                self.warnings.append(f"left {delivery} to the run that claimed it")
                left.add(anchor.id)
                continue
            try:
                send(delivery.step, delivery.anchor_key, anchor, state, self.integrations)
            except IntegrationError as error:
                marks.release(anchor.id, claim)
                failed.add(anchor.id)
                self.warnings.append(f"{delivery}: {error}; retried on the next run")
                continue
            self.sent.append(str(delivery))
        return failed, left
