"""Plain data of the status page: an incident as the public sees it, and the messages it was told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The tool's comments that speak to the community, in the order an incident meets them.
PUBLIC_KINDS = ("acknowledgement", "update", "resolution", "closing")


@dataclass(frozen=True)
class PublicMessage:
    """One message the team made public: its kind, when, its text (Markdown) and the comment's link."""

    kind: str
    at: datetime
    text: str
    url: str = ""


@dataclass(frozen=True)
class PublicIncident:
    """A declared incident as the status page shows it: no people, no hidden data."""

    number: int
    title: str
    url: str
    severity: str | None
    state: str  # active, resolved or closed
    declared_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    messages: tuple[PublicMessage, ...] = ()

    @property
    def active(self) -> bool:
        """Whether the incident is still going on."""
        return self.state == "active"

    @property
    def latest(self) -> PublicMessage | None:
        """The last message the public was told that still holds: for an incident going on again, none from
        before it was reopened (the resolution it reopened is not news)."""
        told = list(self.messages)
        if self.active:
            ended = [index for index, m in enumerate(told) if m.kind in ("resolution", "closing")]
            told = told[ended[-1] + 1 :] if ended else told
        return told[-1] if told else None

    @property
    def summary(self) -> PublicMessage | None:
        """What a list of past incidents says of it: its last message before the closing, if any."""
        told = [m for m in self.messages if m.kind != "closing"]
        return told[-1] if told else self.latest

    @property
    def last_at(self) -> datetime:
        """The last moment anything public happened to it."""
        moments = [self.declared_at, self.resolved_at, self.closed_at, *(m.at for m in self.messages)]
        return max(m for m in moments if m is not None)
