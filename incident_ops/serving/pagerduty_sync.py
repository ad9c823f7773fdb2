"""PagerDuty → GitHub: read the configured services' incidents and open one GitHub incident for each new one.

Nothing a caller sends is believed: a sweep (and a `repository_dispatch`, which only wakes one) reads
PagerDuty's REST API. An open PagerDuty incident without an issue gets one, declared at once; the issues of
incidents PagerDuty acknowledged or resolved are served with what PagerDuty says now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from incident_ops.config.types import PagerDutySyncConfig
from incident_ops.core.model import Issue
from incident_ops.core.pagerduty import PagerDutyIncident, at_or_above, issue_body, issue_title, link_of
from incident_ops.integrations.http import IntegrationError
from incident_ops.serving.open_issues import open_once
from incident_ops.serving.services import Services

SKEW = timedelta(minutes=5)  # GitHub's and PagerDuty's clocks differ by a little


@dataclass
class PagerDutyNews:
    """What a sweep learnt from PagerDuty: each linked issue's incident as read now, and the issues opened."""

    incidents: dict[int, PagerDutyIncident] = field(default_factory=dict)  # issue number → its incident
    opened: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def sync_pagerduty(services: Services, open_incidents: list[Issue]) -> PagerDutyNews:
    """Read PagerDuty and open the missing issues; a PagerDuty failure is a warning, retried next sweep."""
    news = PagerDutyNews()
    rest, sync = services.integrations.pagerduty_rest, services.integrations.sync
    if rest is None or sync is None:
        return news
    try:
        found = rest.open_incidents(sync.services)
        order = rest.priorities() if sync.min_priority is not None else []
    except IntegrationError as error:
        news.warnings.append(f"{error}; PagerDuty's incidents are read again on the next sweep")
        return news
    if sync.min_priority is not None and sync.min_priority.casefold() not in {p.casefold() for p in order}:
        names = ", ".join(order) or "none"
        news.warnings.append(
            f"integrations.pagerduty.sync.min_priority: {sync.min_priority!r} is not one of PagerDuty's "
            f"priorities ({names}): no PagerDuty incident is brought over"
        )
    linked = {link.incident_id: issue for issue in open_incidents if (link := link_of(issue)) is not None}
    for incident in found:
        if incident.id in linked:
            news.incidents[linked[incident.id].number] = incident
    wanted = [i for i in found if i.id not in linked and at_or_above(i.priority, sync.min_priority, order)]
    if wanted:
        _open_issues(services, wanted, news)
    _resolved(services, open_incidents, linked, {i.id for i in found}, news)
    return news


def _resolved(
    services: Services,
    open_incidents: list[Issue],
    linked: dict[str, Issue],
    still_open: set[str],
    news: PagerDutyNews,
) -> None:
    """Ask PagerDuty about linked incidents not resolved on GitHub that are no longer open in PagerDuty."""
    rest, sync = services.integrations.pagerduty_rest, services.integrations.sync
    resolved_label = services.context.config.resolved_label
    gone = [
        issue
        for incident_id, issue in linked.items()
        if incident_id not in still_open and not issue.has_label(resolved_label)
    ]
    if not gone or rest is None or sync is None:
        return
    # PagerDuty's `since` counts from each incident's creation, which may be long before its issue's.
    since = min((link.since or issue.created_at) for issue in gone if (link := link_of(issue))) - SKEW
    try:
        resolved = rest.resolved_since(sync.services, since, services.context.now)
    except IntegrationError as error:
        news.warnings.append(f"{error}; PagerDuty's resolutions are read again on the next sweep")
        return
    numbers = {incident_id: issue.number for incident_id, issue in linked.items()}
    for incident in resolved:
        if incident.id in numbers and incident.id not in still_open:
            news.incidents[numbers[incident.id]] = incident


def _open_issues(services: Services, wanted: list[PagerDutyIncident], news: PagerDutyNews) -> None:
    """One issue per PagerDuty incident that has none: those opened earlier (and closed since) count too."""
    label = services.context.config.incident_label
    since = min(incident.created_at for incident in wanted) - SKEW
    known = {
        link.incident_id
        for issue in services.port.list_issues(label, "all", since)
        if (link := link_of(issue))
    }
    for incident in wanted:
        if incident.id in known:
            continue  # its issue was closed on GitHub: PagerDuty hears of that from the close
        issue = _open_issue(services, incident)
        if issue is not None:
            news.opened.append(issue)
            news.incidents[issue.number] = incident


def _open_issue(services: Services, incident: PagerDutyIncident) -> Issue | None:
    """Open the incident's issue; if another run opened one at the same moment, the older one stays."""
    ctx, sync = services.context, services.integrations.sync
    config = ctx.config
    by = _responder(incident, sync)
    level = config.severity.level(incident.priority) if incident.priority else None
    body = issue_body(incident, services.template.text, level.name if level else None, by)
    title = issue_title(incident)
    if services.dry_run:
        services.say(f"[dry run] would open an issue for PagerDuty incident #{incident.number}: {title}")
        return None

    def same(issue: Issue) -> bool:
        link = link_of(issue)
        return link is not None and link.incident_id == incident.id

    since = incident.created_at - SKEW
    opened = open_once(services.port, title, body, config.incident_label, same, since, services.say)
    if opened is not None:
        services.say(f"opened #{opened.number} for PagerDuty incident #{incident.number}")
    return opened


def _responder(incident: PagerDutyIncident, sync: PagerDutySyncConfig | None) -> str | None:
    """Who of the team declares it: the first acknowledger, else assignee, that `users` maps; else None."""
    if sync is None:
        return None
    emails = [ack.email for ack in incident.acknowledgements] + list(incident.assignees)
    return next((login for email in emails if (login := sync.login_of(email))), None)
