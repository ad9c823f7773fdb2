"""The timer pass: serve every open incident, one failure never stopping the others."""

from __future__ import annotations

from datetime import timedelta

from incident_ops.core.comments.render import TemplateProblem
from incident_ops.core.text.wording import counted
from incident_ops.github.port import CallBudgetSpent, GitHubFailure
from incident_ops.serving.pagerduty_sync import sync_pagerduty
from incident_ops.serving.serve import serve
from incident_ops.serving.services import IncidentResult, Services

RECENT_CLOSES = timedelta(hours=6)  # how far back a sweep looks for closes nobody's run judged


def sweep(services: Services) -> list[IncidentResult]:
    """Serve each open incident (PagerDuty's new ones opened first); a broken one is reported in its result,
    the rest still served."""
    label = services.context.config.incident_label
    results = []
    # Incidents closed lately too: a close whose event was lost is still judged (and undone if it must be).
    recently = services.context.now - RECENT_CLOSES
    open_now = services.port.list_issues(label, "open")
    news = sync_pagerduty(services, open_now)
    services.integrations.problems.extend(news.warnings)
    incidents = [*open_now, *news.opened, *services.port.list_issues(label, "closed", recently)]
    for index, issue in enumerate(incidents):
        try:
            pagerduty = news.incidents.get(issue.number)
            results.append(serve(issue.number, services, issue=issue, pagerduty=pagerduty))
        except CallBudgetSpent as spent:
            left = len(incidents) - index
            stopped = IncidentResult(issue.number, issue.title, issue.html_url, state="not served")
            stopped.warnings.append(f"{spent}: {counted(left, 'incident')} left for the next sweep")
            results.append(stopped)
            break
        except Exception as error:  # noqa: BLE001 - one broken incident must not stop the others
            results.append(failed(issue.number, issue.title, issue.html_url, error))
    return results


def failed(number: int, title: str, url: str, error: Exception) -> IncidentResult:
    """The result of an incident that could not be served, saying why in one line."""
    result = IncidentResult(number, title, url, state="failed")
    known = isinstance(error, GitHubFailure | TemplateProblem)
    why = str(error) if known else f"unexpected {type(error).__name__}: {error}"
    result.error = " ".join(why.split())[:500]
    result.failure = error
    return result
