"""The kinds of comment the tool writes: one entry each, with all the rest of the tool needs to know."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Kind(StrEnum):
    """A kind of the tool's comments, as its hidden marker names it."""

    STATUS = "status"
    ACKNOWLEDGEMENT = "acknowledgement"
    ESCALATION = "escalation"
    UPDATE_REMINDER = "update-reminder"
    UPDATE = "update"
    RESOLUTION = "resolution"
    REPORT_REMINDER = "report-reminder"
    REPORT_DRAFT = "report-draft"
    CLOSING = "closing"
    REPLY = "reply"


@dataclass(frozen=True)
class KindSpec:
    """What a kind of comment means beyond its text."""

    timeline: str | None = (
        None  # the status timeline's entry for it, when the comment is not a command's answer
    )
    answers: str | None = None  # the command it answers, keyed by that command's comment id
    to_people: bool = False  # an answer to someone, right whatever the labels or state are now
    chat: bool = False  # Slack hears of it
    freshdesk: tuple[str, ...] = ()  # the FreshDesk steps it owes, each delivered and retried on its own
    pagerduty: str | None = None  # the paging event it owes at a level that pages: trigger or resolve
    # What the PagerDuty incident an issue was opened for hears of it: a note, or resolve (and a note)
    pagerduty_sync: str | None = None


KINDS: Mapping[Kind, KindSpec] = MappingProxyType(
    {
        Kind.STATUS: KindSpec(),
        Kind.ACKNOWLEDGEMENT: KindSpec(
            timeline="acknowledged the incident to the community",
            chat=True,
            freshdesk=("freshdesk-reply",),
            pagerduty="trigger",  # only with integrations.pagerduty.on_declare
            pagerduty_sync="note",  # the link, on the PagerDuty incident it was opened for
        ),
        Kind.ESCALATION: KindSpec(timeline="escalated the incident", chat=True, pagerduty="trigger"),
        Kind.UPDATE_REMINDER: KindSpec(timeline="reminded that an update is due"),
        Kind.UPDATE: KindSpec(
            answers="update", to_people=True, freshdesk=("freshdesk-reply",), pagerduty_sync="note"
        ),
        Kind.RESOLUTION: KindSpec(
            answers="resolved",
            to_people=True,
            chat=True,
            freshdesk=("freshdesk-reply", "freshdesk-note", "freshdesk-status"),
            pagerduty="resolve",
            pagerduty_sync="resolve-note",
        ),
        Kind.REPORT_REMINDER: KindSpec(timeline="reminded that the incident report is incomplete"),
        Kind.REPORT_DRAFT: KindSpec(),
        Kind.CLOSING: KindSpec(
            timeline="closed the incident",
            answers="close",
            chat=True,
            freshdesk=("freshdesk-status",),
            pagerduty="resolve",
            pagerduty_sync="resolve",
        ),
        Kind.REPLY: KindSpec(to_people=True),
    }
)
