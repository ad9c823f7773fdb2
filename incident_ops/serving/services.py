"""What a run serves incidents with, and what serving one incident reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from incident_ops.core.context import Context
from incident_ops.core.model import Issue
from incident_ops.core.report.check import TemplateSource
from incident_ops.github.port import GitHubPort
from incident_ops.integrations.deliveries import Integrations
from incident_ops.serving.team import Team


@dataclass
class IncidentResult:
    """What one incident's run did, for outputs and the job summary."""

    number: int
    title: str
    url: str
    state: str = "not an incident"
    done: list[str] = field(default_factory=list)
    error: str | None = None
    failure: Exception | None = None  # what made it fail, for the command line to say what to change
    warnings: list[str] = field(default_factory=list)
    report_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Services:
    """The run's collaborators: the GitHub port, team check, report template, and options."""

    repo: str
    port: GitHubPort
    team: Team
    template: TemplateSource
    context: Context
    dry_run: bool = False
    say: Callable[[str], None] = print
    integrations: Integrations = field(default_factory=Integrations)
    redact: Callable[[str], str] = str  # masks every configured secret in what the run prints
    # Whether the run has calls to spare for redrawing a status comment only in a new rendering's looks.
    may_restyle: Callable[[], bool] = lambda: True


@dataclass(frozen=True)
class EventIssue:
    """The issue as a comment's event carried it, and the id of that comment."""

    issue: Issue
    comment_id: int
