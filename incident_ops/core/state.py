"""The incident's state as derived from its history: roles, clocks' inputs, commands, bot comments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from incident_ops.config.types import SeverityConfig
from incident_ops.core.comments import keys
from incident_ops.core.comments.cache import StatusCache
from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.comments.records import AppliedCommand, Declaration, Source
from incident_ops.core.follow_ups import FollowUp
from incident_ops.core.model import CommandLine, Comment, IssueEvent, IssueHistory
from incident_ops.core.pagerduty import PagerDutyIncident, PagerDutyLink
from incident_ops.core.report.body import BodyCheck
from incident_ops.core.report.check import ReportCheck

IsTeam = Callable[[Comment], bool]


@dataclass(frozen=True)
class Outcome:
    """One command as the fold understood it: accepted with its effect, or refused with a reason."""

    comment: Comment
    command: CommandLine
    accepted: bool
    reason: str = ""
    target: str | None = None
    previous: str | None = None


class Stretch(NamedTuple):
    """A stretch of activity: from the declaration or a reopen, with the page epoch of its alert."""

    start: datetime
    epoch: str


@dataclass(frozen=True)
class TimelineEntry:
    """Something that happened, for the status comment's timeline."""

    at: datetime
    who: str
    what: str
    url: str = ""
    order: int = 0


@dataclass
class Milestones:
    """When each step of the process happened, for the timeline picture and the metrics."""

    acknowledged_at: datetime | None = None
    escalated_at: list[datetime] = field(default_factory=list)
    commander_named_at: datetime | None = None
    updates: list[datetime] = field(default_factory=list)
    update_reminders: list[datetime] = field(default_factory=list)
    resolved: list[datetime] = field(default_factory=list)
    reopened: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class OutsiderClose:
    """A close by someone not on the team, undone by reopening the issue."""

    event_id: int
    by: str
    at: datetime

    @property
    def reply_key(self) -> Key:
        """The key of the reply that says why the issue was reopened."""
        return Key(Kind.REPLY, keys.closed_by(self.event_id))


@dataclass
class IncidentState:
    """Everything the tool knows about one incident, derived from its history."""

    history: IssueHistory
    cache: StatusCache
    declared_at: datetime | None = None
    declared_by: str | None = None
    declared_by_comment: int | None = None  # a new /declare that declares it in this run (adding the label)
    declare_comments: set[int] = field(default_factory=set)  # the /declare comments that took effect
    reported_at: datetime | None = None  # the label brought by someone not on the team
    reported_by: str | None = None
    steward: str | None = None
    commander: str | None = None
    past_commanders: list[str] = field(default_factory=list)
    smes: list[str] = field(default_factory=list)
    community: str | None = None
    resolved: bool = False
    resolved_at: datetime | None = None
    resolution_key: str | None = None
    reminder_series: str | None = (
        None  # the first /resolved of this resolved stretch: report reminders follow it
    )
    reopened_at: datetime | None = None
    severities: SeverityConfig = field(default_factory=SeverityConfig)  # the configured levels (input)
    severity: str | None = None  # the incident's level, when levels are configured
    escalation_epoch: str = "declared"  # one escalation per stretch of activity: a reopen starts a new one
    page_epoch: str = "declared"  # one paging alert per stretch of activity: a reopen starts a new one
    stretches: list[Stretch] = field(default_factory=list)  # oldest first
    last_update_at: datetime | None = None
    ticket: str | None = None
    community_replied: bool = False
    close_hold: str | None = None
    outsider_commands: set[int] = field(default_factory=set)  # command comments by people not on the team
    withheld: set[int] = field(default_factory=set)  # outsiders' comments left unanswered (see REPLY_GAP)
    undo_close: OutsiderClose | None = None
    withheld_close: bool = False  # the reply to the undone close is left out (see REPLY_GAP)
    close_confirmed_by: str | None = None  # the community closed a resolved incident with a complete report
    outcomes: list[Outcome] = field(default_factory=list)
    bot_comments: dict[str, list[Comment]] = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)
    verdicts: dict[int, bool] = field(default_factory=dict)
    answered_ids: set[int] = field(default_factory=set)  # command comments the tool reacted to: done
    restored: dict[int, list[CommandLine]] = field(default_factory=dict)  # deleted, as their answers record
    refused: dict[int, frozenset[int]] = field(default_factory=dict)  # commands (by position) a reply refused
    applied: dict[int, tuple[AppliedCommand, ...]] = field(default_factory=dict)  # edited, as recorded
    to_record: set[int] = field(default_factory=set)  # edited or deleted: only this run's event tells of it
    unsettled_edits: set[int] = field(default_factory=set)  # done, edited since, and not recorded yet
    vouched: set[str] = field(default_factory=set)  # logins whose commands the tool's messages record
    recorded_outsiders: set[str] = field(
        default_factory=set
    )  # logins the tool's replies record as outside the team
    declaration: Declaration | None = None  # as the acknowledgement records it
    pagerduty: PagerDutyLink | None = None  # the PagerDuty incident the tool opened this issue for
    pagerduty_now: PagerDutyIncident | None = None  # what PagerDuty says of it in this run (a sweep's read)
    follow_ups: tuple[FollowUp, ...] | None = (
        None  # the issues opened for its follow-up items (None: not read)
    )
    pagerduty_records: dict[int, Source] = field(
        default_factory=dict
    )  # records of PagerDuty events, as commands
    author_on_team: bool = False
    cache_problem: str | None = None  # why the status comment's cache was dropped
    team_close: IssueEvent | None = None  # a close by a team member that no closing comment follows yet
    report: ReportCheck | None = None
    body_check: BodyCheck | None = None
    milestones: Milestones = field(default_factory=lambda: Milestones())

    @property
    def declared(self) -> bool:
        """Whether the issue is an incident at all."""
        return self.declared_at is not None

    @property
    def reported(self) -> bool:
        """Reported by someone not on the team, and not (yet) declared by the team."""
        return self.reported_at is not None and not self.declared

    @property
    def closed(self) -> bool:
        """Whether the issue is closed (a close this run undoes does not count)."""
        return self.history.issue.state == "closed" and self.undo_close is None

    @property
    def close_unfinished(self) -> bool:
        """A closing comment is posted but the issue is open, and no person reopened it since."""
        closings = self.of_kind(Kind.CLOSING)
        if self.closed or not closings or self.history.events is None:
            return False
        last = closings[-1].created_at
        return not any(e.event == "reopened" and e.created_at >= last for e in self.history.events)

    @property
    def closed_at(self) -> datetime | None:
        """When the issue was closed, if it is."""
        return self.history.issue.closed_at if self.closed else None

    def keyed(self, key: Key | str) -> Comment | None:
        """The tool's (oldest) comment answering `key`, if posted."""
        found = self.bot_comments.get(str(key))
        return found[0] if found else None

    def of_kind(self, kind: Kind) -> list[Comment]:
        """The tool's comments of one kind, oldest first."""
        return sorted(
            (c[0] for k, c in self.bot_comments.items() if Key.parse(k).family == kind),
            key=lambda c: c.id,
        )

    def answered(self, comment_id: int) -> bool:
        """Whether an earlier run finished a command comment: its reaction, the last write, is there."""
        return comment_id in self.answered_ids

    @property
    def status_comment(self) -> Comment | None:
        """The one status comment (the oldest, when a race left two)."""
        return self.keyed(keys.STATUS)


def add_timeline(state: IncidentState, comment: Comment, what: str) -> None:
    """Record a command's effect in the timeline."""
    entry = TimelineEntry(comment.created_at, comment.author.login, what, comment.html_url, comment.id)
    state.timeline.append(entry)


def not_team(name: str) -> str:
    """The refusal for someone outside the response team."""
    return "only the incident response team can run it"


INCIDENT_STATES = ("active", "resolved", "closed")  # a declared incident's states, in order


def state_name(state: IncidentState) -> str:
    """reported, active, resolved, closed or not an incident."""
    if state.reported:
        return "reported"
    if not state.declared:
        return "not an incident"
    if state.closed:
        return "closed"
    return "resolved" if state.resolved else "active"


def active_periods(state: IncidentState) -> list[tuple[datetime, datetime | None]]:
    """(start, end) of each stretch the incident was active; the end is None while it still is."""
    assert state.declared_at is not None
    marks = state.milestones
    changes = sorted([(t, "resolved") for t in marks.resolved] + [(t, "reopened") for t in marks.reopened])
    periods: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = state.declared_at
    for when, change in changes:
        if change == "resolved" and start is not None:
            periods.append((start, when))
            start = None
        elif change == "reopened" and start is None:
            start = when
    if start is not None:
        periods.append((start, state.closed_at if state.closed else None))
    return periods
