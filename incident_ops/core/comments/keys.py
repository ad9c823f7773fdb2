"""What each of the tool's comments answers (its key): one type, one way to write it, one way to read it.

A key is a family and a source, written `family/source` in the comment's hidden marker: `update/123` answers
the command in comment 123, `escalation/declared` the declared stretch, `status` the one status comment.
The family is the comment's kind, but for `applied` (the record a reply keeps of an edited command comment)
and `pagerduty` (a reply recording what PagerDuty said, applied as the command it stands for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_ops.core.comments.kinds import Kind

APPLIED = "applied"  # the family of a reply that records what an edited or deleted command comment held
CLOSED_BY = "closed-"  # a source naming the close event a reply or a closing answers
PAGERDUTY = "pagerduty"  # the family of a reply recording what PagerDuty said: the command it stands for


@dataclass(frozen=True)
class Key:
    """A key: its family and what it answers."""

    family: str
    source: str = ""

    def __str__(self) -> str:
        return f"{self.family}/{self.source}" if self.source else self.family

    @classmethod
    def parse(cls, text: str) -> Key:
        """A key from a marker's text."""
        family, _, source = text.partition("/")
        return cls(family, source)

    @property
    def comment_id(self) -> int | None:
        """The command comment it answers, when its source is one."""
        return int(self.source) if self.source.isdigit() else None

    @property
    def close_event(self) -> int | None:
        """The close event it answers, when its source is one."""
        rest = self.source.removeprefix(CLOSED_BY)
        return int(rest) if self.source.startswith(CLOSED_BY) and rest.isdigit() else None


def answer(kind: Kind, comment_id: int) -> Key:
    """The key of the tool's `kind` message answering the command in a comment."""
    return Key(kind, str(comment_id))


def applied(comment_id: int) -> Key:
    """The key of the record of what an edited or deleted command comment held."""
    return Key(APPLIED, str(comment_id))


def closing(source: str) -> Key:
    """The key of a closing comment: after a resolution (its source), a `/close`, or a close on GitHub."""
    return Key(Kind.CLOSING, source)


def closed_by(event_id: int) -> str:
    """The source naming a close made on GitHub."""
    return f"{CLOSED_BY}{event_id}"


def escalation(epoch: str) -> Key:
    """The key of the escalation of a stretch of activity (declared, or a reopen)."""
    return Key(Kind.ESCALATION, epoch)


def update_reminder(due: datetime) -> Key:
    """The key of the update reminder for one deadline."""
    return Key(Kind.UPDATE_REMINDER, moment(due))


def report_reminders(series: str) -> Key:
    """The key of the first report reminder of a resolution; later ones add their time to its source."""
    return Key(Kind.REPORT_REMINDER, series)


def later_report_reminder(first: Key, due: datetime) -> Key:
    """The key of a later report reminder of the same series."""
    return Key(first.family, f"{first.source}/{moment(due)}")


def of_series(key: Key, first: Key) -> bool:
    """Whether a report reminder's key belongs to the series `first` begins."""
    return key == first or (key.family == first.family and key.source.startswith(first.source + "/"))


def moment(when: datetime) -> str:
    """A compact UTC time for keys: 20260302T093000Z."""
    return when.strftime("%Y%m%dT%H%M%SZ")


def report_draft(series: str) -> Key:
    """The key of the report draft of a resolution (its first `/resolved`): one per resolution."""
    return Key(Kind.REPORT_DRAFT, series)


def pagerduty(event: str) -> Key:
    """The key of the record of a PagerDuty event (acknowledged, resolved): one per incident."""
    return Key(PAGERDUTY, event)


STATUS = Key(Kind.STATUS)
ACKNOWLEDGEMENT = Key(Kind.ACKNOWLEDGEMENT)
