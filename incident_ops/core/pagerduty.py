"""PagerDuty incidents as the tool knows them, and the link between one and the GitHub issue it opened.

The link is a hidden line in the body of an issue the tool's own account opened; in anyone else's issue the
same line is ordinary text. What PagerDuty says of the incident now (acknowledged, resolved) is read from its
REST API in each sweep, never from a payload someone sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from incident_ops.core.model import Issue
from incident_ops.core.text.markdown import without_front_matter

_LOGIN = r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}"
LINK = re.compile(
    rf"<!-- incident-ops-pagerduty:(?P<id>[A-Z0-9]{{1,20}})(?: declared-by:(?P<by>{_LOGIN}))?"
    r"(?: since:(?P<since>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ))? -->"
)
SAFE_URL = re.compile(r"https://[^\s()<>\[\]`\"']{1,300}")
SHOWN = re.compile(
    r"^PagerDuty incident (?P<link>\[#\d{1,12}\]\(https://[^\s()<>\[\]`\"']{1,300}\)|#\d{1,12})$", re.M
)
MAX_TITLE = 256  # GitHub's limit on an issue title
STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Acknowledgement:
    """Someone acknowledged the PagerDuty incident: their email (when PagerDuty gave it) and when."""

    email: str | None
    at: datetime


@dataclass(frozen=True)
class PagerDutyIncident:
    """One PagerDuty incident as its REST API describes it now."""

    id: str
    number: int
    title: str
    status: str  # triggered, acknowledged or resolved
    html_url: str
    created_at: datetime
    service_id: str = ""
    priority: str | None = None  # its priority's name, like P2
    acknowledgements: tuple[Acknowledgement, ...] = ()
    assignees: tuple[str, ...] = ()  # the assignees' emails
    resolved_at: datetime | None = None
    resolved_by: str | None = None  # the email of whoever resolved it, when PagerDuty gave it

    @property
    def open(self) -> bool:
        """Whether it is triggered or acknowledged."""
        return self.status in ("triggered", "acknowledged")

    @property
    def link(self) -> str:
        """A Markdown link to it, or its number alone when its address looks wrong."""
        return (
            f"[#{self.number}]({self.html_url})" if SAFE_URL.fullmatch(self.html_url) else f"#{self.number}"
        )


@dataclass(frozen=True)
class PagerDutyLink:
    """The PagerDuty incident an issue stands for, and who of the team declared it (None: the tool)."""

    incident_id: str
    declared_by: str | None
    shown: str = ""  # the body's link to it, as the tool wrote it: "[#1234](https://…)"
    since: datetime | None = None  # when the PagerDuty incident was created, as the tool wrote it


def link_of(issue: Issue) -> PagerDutyLink | None:
    """The PagerDuty incident an issue the tool opened stands for; None for anyone else's issue."""
    if not issue.author.is_tool:
        return None
    found = LINK.match(issue.body or "")  # the line the tool starts the body with, never a quoted copy
    if found is None:
        return None
    shown = SHOWN.search(issue.body or "")
    since = datetime.strptime(found["since"], STAMP).replace(tzinfo=UTC) if found["since"] else None
    return PagerDutyLink(found["id"], found["by"], shown["link"] if shown else found["id"], since)


def link_line(link: PagerDutyLink) -> str:
    """The hidden line that links an issue to its PagerDuty incident (and says when that began)."""
    by = f" declared-by:{link.declared_by}" if link.declared_by else ""
    since = f" since:{link.since.astimezone(UTC).strftime(STAMP)}" if link.since else ""
    return f"<!-- incident-ops-pagerduty:{link.incident_id}{by}{since} -->"


def link_lines(link: PagerDutyLink) -> str:
    """The lines that keep an issue linked, for a body rewritten from the report draft."""
    return f"{link_line(link)}\n\nPagerDuty incident {link.shown}"


def issue_title(incident: PagerDutyIncident) -> str:
    """The issue's title: the PagerDuty incident's, on one line and within GitHub's limit."""
    title = " ".join(incident.title.split())[:MAX_TITLE]
    return title or f"PagerDuty incident #{incident.number}"


def issue_body(
    incident: PagerDutyIncident, report_template: str, severity: str | None, by: str | None
) -> str:
    """The body of a PagerDuty incident's issue: its link, its severity, then the report template."""
    link = PagerDutyLink(incident.id, by, incident.link, incident.created_at)
    parts = [link_line(link), f"PagerDuty incident {link.shown}"]
    if severity:
        parts.append(f"### Severity\n\n{severity}")
    parts.append(without_front_matter(report_template).strip())
    return "\n\n".join(part for part in parts if part) + "\n"


def at_or_above(priority: str | None, minimum: str | None, order: list[str]) -> bool:
    """Whether a priority is `minimum` or more severe (`order`: most severe first); no minimum keeps all."""
    if minimum is None:
        return True
    names = [name.casefold() for name in order]
    if priority is None or priority.casefold() not in names or minimum.casefold() not in names:
        return False
    return names.index(priority.casefold()) <= names.index(minimum.casefold())
