"""What reaches people outside GitHub: each message's delivery steps, and the tool's marks that record them.

A delivery is one step (a chat message, a ticket reply, a page…) owed by an anchor: one of the tool's keyed
comments, or a team member's command comment for the PagerDuty events of `/reopen` and `/commander`. Its only
records are the tool's own reactions on the anchor (read with their users, never GitHub's counts): a claim,
made on GitHub before the step is sent, and the retry mark, left while a step failed and must be tried again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.kinds import KINDS, Kind

RETRY_MARK = "eyes"  # the tool's mark on an anchor one of whose steps failed: later runs retry it


class Step(StrEnum):
    """One way a message leaves GitHub."""

    CHAT = "slack"
    FRESHDESK_REPLY = "freshdesk-reply"
    FRESHDESK_NOTE = "freshdesk-note"
    FRESHDESK_STATUS = "freshdesk-status"
    PAGERDUTY = "pagerduty"

    @property
    def claim(self) -> str:
        """The tool's reaction that claims this step on its anchor."""
        return CLAIMS[self]

    @property
    def channel(self) -> str:
        """The integration that sends it: slack, freshdesk or pagerduty."""
        return self.value.split("-", 1)[0]


# One reaction per step, distinct on any one anchor (GitHub keeps one reaction per person and content).
CLAIMS = {
    Step.CHAT: "rocket",
    Step.FRESHDESK_REPLY: "heart",
    Step.FRESHDESK_NOTE: "laugh",
    Step.FRESHDESK_STATUS: "+1",
    Step.PAGERDUTY: "hooray",
}
COMMAND_MARKS = frozenset({"+1", "confused"})  # the tool's answer on a command comment
COMMAND_STEPS = frozenset({Step.PAGERDUTY})  # the only step a command comment anchors

COMMAND_ANCHOR = "cmd"  # the key prefix of a command comment as an anchor: cmd/<comment id>
PAGING_COMMANDS = {"reopen": "trigger", "commander": "acknowledge"}  # a command's own PagerDuty event


def steps_of_kind(kind: str) -> tuple[Step, ...]:
    """Every step a comment of `kind` can owe, in the order they are sent."""
    spec = KINDS.get(Kind(kind)) if kind in KINDS else None
    if spec is None:
        return ()
    steps = [Step.CHAT] if spec.chat else []
    steps += [Step(step) for step in spec.freshdesk]
    steps += [Step.PAGERDUTY] if spec.pagerduty or spec.pagerduty_sync else []
    return tuple(steps)


@dataclass(frozen=True)
class Delivery:
    """One step owed by one anchor (comment `anchor_id`, known by its key)."""

    step: Step
    anchor_key: Key
    anchor_id: int

    def __str__(self) -> str:
        return f"{self.step}:{self.anchor_key}"


def command_anchor(comment_id: int) -> Key:
    """The anchor key of a command comment."""
    return Key(COMMAND_ANCHOR, str(comment_id))
