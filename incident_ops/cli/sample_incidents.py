"""Sample incidents that make the tool write every kind of message, to try a config's templates on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from incident_ops.config.types import Config
from incident_ops.core.model import DEFAULT_TOOL_LOGIN, Comment, Issue, IssueEvent, IssueHistory, User
from incident_ops.core.pagerduty import Acknowledgement, PagerDutyIncident, issue_body
from incident_ops.core.report.check import ReportTemplate

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
TEAM = frozenset({"sample-steward", "sample-engineer"})
STRANGER, REPORTER = "sample-passer-by", "sample-reporter"
ROLES = "/commander\n/sme @sample-expert\n/community @sample-reporter\n/ticket 1\n/update We found the cause."


@dataclass(frozen=True)
class Sample:
    """One sample incident's history and the moment it is served at."""

    name: str
    history: IssueHistory
    now: datetime
    pagerduty: PagerDutyIncident | None = None  # what PagerDuty says of it, for an issue opened from there


def filled_report(template: ReportTemplate) -> str:
    """An issue body that completes the report template: every section written, every task ticked."""
    parts = [f"### {name}\nWritten by the steward for {name.lower()}.\n" for name in template.sections]
    parts.append("\n".join(f"- [x] {task}" for task in template.tasks))
    return "\n".join(parts) + "\n"


def samples(config: Config, template: ReportTemplate) -> Iterator[Sample]:
    """Incidents at every severity level (and none), reported, active, resolved, closing and closed, between
    them calling for every kind of message: acknowledgement, escalation, reminders, update, resolution,
    replies, closing (by the timer, by `/close`, by hand, by the community) and the status comment."""
    levels = [None, *(level.name for level in config.severity.levels)]
    report = filled_report(template)
    later, late = T0 + timedelta(days=3), T0 + timedelta(days=60)
    yield Sample("reported", _history(config, (), "", labelled_by=REPORTER), later)
    for level in levels:
        severity = f"\n/severity {level}" if level else ""
        first = _comment(11, "sample-engineer", ROLES + severity, 1)
        refused = _comment(12, STRANGER, "/resolved", 2)
        helped = _comment(13, "sample-engineer", "/help", 3)
        people = (first, refused, helped)
        resolved = (*people, _comment(14, "sample-engineer", "/resolved Logins work again.", 10))
        reopened = (*resolved, _comment(15, "sample-engineer", "/reopen", 20))
        closed = (*resolved, _comment(16, "sample-engineer", "/close", 30))
        resolved = (*resolved, _comment(17, "sample-engineer", "/follow-ups", 11))
        yield Sample(f"active {level}", _history(config, people, ""), later)
        yield Sample(f"reopened {level}", _history(config, reopened, ""), later)
        yield Sample(f"resolved {level}", _history(config, resolved, ""), T0 + timedelta(minutes=11))
        yield Sample(f"closing {level}", _history(config, resolved, report), late)
        yield Sample(f"/close {level}", _history(config, closed, report), late)
        for who in ("sample-steward", REPORTER):
            yield Sample(f"closed by {who} {level}", _history(config, resolved, report, who), later)
    # Opened by the team, with nobody named for the community: messages address no Representative.
    team_only = (
        _comment(21, "sample-engineer", "/commander\n/update We found the cause.", 1),
        _comment(22, "sample-engineer", "/resolved Logins work again.", 10),
    )
    team_issue = _history(config, team_only, "", author=User("sample-steward"))
    yield Sample("opened by the team", team_issue, T0 + timedelta(minutes=11))
    sync = config.integrations.pagerduty.sync if config.integrations.pagerduty else None
    if sync is not None:
        yield from _from_pagerduty(config, template, [email for email, _ in sync.users])


def _from_pagerduty(config: Config, template: ReportTemplate, emails: list[str]) -> Iterator[Sample]:
    """An incident opened from PagerDuty: acknowledged there by a mapped user (when `users` maps one), then
    resolved there by nobody mapped."""
    acknowledged = tuple(Acknowledgement(email, T0) for email in emails[:1])
    incident = PagerDutyIncident(
        "PSAMPLE",
        1234,
        "Users cannot log in",
        "acknowledged",
        "https://example.pagerduty.com/incidents/PSAMPLE",
        T0,
        acknowledgements=acknowledged,
    )
    body = issue_body(incident, filled_report(template), None, None)
    history = _history(config, (), body, author=User(DEFAULT_TOOL_LOGIN, "Bot", tool=True))
    yield Sample("from PagerDuty, acknowledged", history, T0 + timedelta(minutes=5), incident)
    resolved = replace(incident, status="resolved", resolved_at=T0 + timedelta(minutes=30))
    yield Sample("from PagerDuty, resolved", history, T0 + timedelta(minutes=35), resolved)


def _comment(cid: int, login: str, body: str, minutes: int) -> Comment:
    """A person's comment `minutes` after the declaration."""
    at = T0 + timedelta(minutes=minutes)
    return Comment(cid, User(login), body, at, at)


def _history(
    config: Config,
    comments: tuple[Comment, ...],
    body: str,
    closed_by: str | None = None,
    labelled_by: str = "sample-steward",
    author: User | None = None,
) -> IssueHistory:
    """The sample issue, labelled at T0 (by the steward: declared), with these comments (and closed)."""
    label = config.incident_label
    events = [IssueEvent(1, "labeled", labelled_by, T0, label)]
    closed_at = T0 + timedelta(minutes=40) if closed_by else None
    if closed_by:
        events.append(IssueEvent(2, "closed", closed_by, closed_at))
    issue = Issue(
        1,
        "[Incident] Users cannot log in",
        body or "Logins fail since 08:40.",
        "closed" if closed_by else "open",
        author or User(REPORTER),
        T0,
        T0,
        (label,),
        html_url="https://github.com/sample-org/support/issues/1",
        closed_at=closed_at,
    )
    return IssueHistory("sample-org/support", issue, comments, tuple(events))
