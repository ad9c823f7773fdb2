"""Incidents told as the tool tells them (keyed messages that record their command), for the status page."""

from __future__ import annotations

from datetime import timedelta

from stories import BOT, LABEL, T0, TEAM, Story, minutes

from incident_ops.config.types import SeverityConfig, SeverityLevel
from incident_ops.core.comments.markers import marker_lines
from incident_ops.core.comments.records import source_fact
from incident_ops.core.history.fold import fold
from incident_ops.core.model import IssueEvent
from incident_ops.core.state import IncidentState
from incident_ops.status_page.extract import public_incident
from incident_ops.status_page.model import PublicIncident

HOSTILE_TITLE = "<script>alert(1)</script> Hub </title><img src=x onerror=alert(2)> down"
STRANGER_TEXT = "STRANGER-7f3a9c please call me at my number"
LEVELS = SeverityConfig((SeverityLevel("SEV1"), SeverityLevel("SEV2")), "SEV2")


class Told(Story):
    """A story whose /update and /resolved get the tool's keyed answer, as a run posts it."""

    def command(self, login: str, command: str, after: timedelta, answer: str | None = None) -> Told:
        """A team member's command comment and, when it owes one, the tool's message answering it."""
        self.say(login, command, after)
        cid, at = self._id, self.declared + after
        if answer is not None:
            facts = {"source": source_fact(login, at)}
            hidden = marker_lines(answer, f"{answer}/{cid}", **facts)
            body = f"{hidden}\n### Incident {answer}\n@{login} said so."
            self._add(BOT, body, after + timedelta(seconds=20))
        return self

    def told(self, text: str, after: timedelta, login: str = "engineer") -> Told:
        """`/update TEXT` and its update message."""
        return self.command(login, f"/update {text}", after, "update")

    def resolve(self, text: str, after: timedelta, login: str = "lead") -> Told:
        """`/resolved TEXT` and its resolution message."""
        return self.command(login, f"/resolved {text}".rstrip(), after, "resolution")

    def closing(self, after: timedelta) -> Told:
        """The closing message (which names people) and the close."""
        text = "Closing, thanks @lead and @reporter."
        self._add(BOT, marker_lines("closing", "closing/auto") + "\n" + text, after)
        return self.close(after)

    def acknowledged(self) -> Told:
        """The acknowledgement, addressed to the reporter by name."""
        hidden = marker_lines("acknowledgement", "acknowledgement")
        self._add(BOT, f"{hidden}\nHi @reporter: we are on it.", minutes(1))
        return self

    def folded(self, severities: SeverityConfig | None = None) -> IncidentState:
        """The folded state (with severity levels when given)."""
        return fold(self.history(), LABEL, lambda c: c.author.login in TEAM, severities=severities)

    def public(self, severities: SeverityConfig | None = None) -> PublicIncident | None:
        """What the status page shows of it."""
        return public_incident(self.folded(severities))


def active_sev1() -> Told:
    """Active at SEV1, acknowledged, an update with Markdown, a stranger's comment."""
    story = Told(12, "Hub login fails").acknowledged()
    story.say("steward", "/severity SEV1", minutes(2))
    story.told("The identity provider is *slow*; we are raising the timeout.", minutes(20))
    return story.say("passer-by", STRANGER_TEXT, minutes(25))


def resolved_and_closed() -> Told:
    """Acknowledged, updated, resolved with a note, closed two days later."""
    story = Told(7, "Notebooks do not start", at=T0 - timedelta(days=5)).acknowledged()
    story.told("Restarting the node pool.", minutes(30))
    return story.resolve("Servers start again.", timedelta(hours=2)).closing(timedelta(days=2))


def reported_only() -> Told:
    """Labelled through the issue form by someone outside the team, never confirmed."""
    story = Told(9, "My notebook is slow")
    story.events = [IssueEvent(1, "labeled", "passer-by", story.declared, LABEL)]
    return story


def with_title(story: Told, title: str) -> Told:
    """The same story under another title."""
    story.title = title
    return story
