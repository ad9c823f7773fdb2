"""A fake GitHub port and services for the `report` subcommand's tests."""

from __future__ import annotations

import re
from datetime import datetime

from stories import (
    HOSTILE,
    NOW,
    REPO,
    TEAM,
    Story,
    active,
    closed_unresolved,
    late_label,
    long,
    quick,
    reopened,
)

from incident_ops.cli.report import run_report
from incident_ops.config.types import Config
from incident_ops.core.comments.render import Renderer
from incident_ops.core.context import Context
from incident_ops.core.model import Comment, Issue, IssueEvent, IssueHistory
from incident_ops.core.report.check import read_template
from incident_ops.core.workhours import WorkCalendar
from incident_ops.github.port import CallCounter, GitHubFailure
from incident_ops.serving.services import Services
from incident_ops.serving.team import Team

MERMAID_BLOCK = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)


class FakePort:
    """Just the reads `report` makes, over hand-made histories."""

    def __init__(self, histories: list[IssueHistory], broken: tuple[int, ...] = ()) -> None:
        self.counter = CallCounter()
        self.histories = {h.issue.number: h for h in histories}
        self.broken = broken
        self.listed: list[tuple[str, str, datetime | None]] = []

    def list_issues(self, label: str, state: str = "all", since: datetime | None = None) -> list[Issue]:
        """Issues with the label, updated since `since`."""
        self.counter.count("GET")
        self.listed.append((label, state, since))
        issues = [h.issue for h in self.histories.values() if h.issue.has_label(label)]
        return [i for i in issues if (since is None or i.updated_at >= since) and state in ("all", i.state)]

    def list_comments(self, number: int) -> list[Comment]:
        """The comments (a broken issue fails like GitHub after its retries)."""
        self.counter.count("GET")
        if number in self.broken:
            raise GitHubFailure(f"read comments of #{number}: GitHub answered 502 after 4 attempts")
        return list(self.histories[number].comments)

    def list_events(self, number: int) -> list[IssueEvent]:
        """The event log."""
        self.counter.count("GET")
        return list(self.histories[number].events or ())

    def role_of(self, login: str) -> str:
        """Team members can write."""
        self.counter.count("GET")
        return "write" if login in TEAM else "none"


def sample() -> list[Story]:
    """Incidents with known figures (see tests/core/test_metrics.py)."""
    hostile = long(30)
    hostile.title = "=HYPERLINK(1) | " + HOSTILE
    return [quick(), reopened(), active(), closed_unresolved(), late_label(), hostile]


def services(port: FakePort, now: datetime = NOW) -> Services:
    """Services around a fake port."""
    config = Config()
    context = Context(config, WorkCalendar(), Renderer(), now)
    return Services(REPO, port, Team(port, config.team), read_template(None), context)  # type: ignore[arg-type]


def report(stories: list[Story], *args: object, **kwargs: object) -> tuple[int, str, FakePort]:
    """Run the report over stories; (exit code, what it printed, the port)."""
    port = FakePort([s.history() for s in stories], **kwargs)  # type: ignore[arg-type]
    printed: list[str] = []
    code = run_report(services(port), *args, say=printed.append)  # type: ignore[arg-type]
    return code, "\n".join(printed), port
