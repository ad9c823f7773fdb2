"""The timer pass: serve every open incident, one failure never stopping the others."""

from __future__ import annotations

from incident_ops.github import CallBudgetSpent, GitHubFailure
from incident_ops.render import TemplateProblem
from incident_ops.serve import IncidentResult, Services, serve


def sweep(services: Services) -> list[IncidentResult]:
    """Serve each open incident; a broken one is reported in its result, the rest still served."""
    label = services.context.config.incident_label
    results = []
    incidents = services.port.list_issues(label, "open")
    for index, issue in enumerate(incidents):
        try:
            results.append(serve(issue.number, services, issue=issue))
        except CallBudgetSpent as spent:
            left = len(incidents) - index
            stopped = IncidentResult(issue.number, issue.title, issue.html_url, state="not served")
            stopped.warnings.append(f"{spent}: {left} incidents left for the next sweep")
            results.append(stopped)
            break
        except Exception as error:  # noqa: BLE001 - one broken incident must not stop the others
            failed = IncidentResult(issue.number, issue.title, issue.html_url, state="failed")
            known = isinstance(error, GitHubFailure | TemplateProblem)
            failed.error = str(error) if known else f"unexpected {type(error).__name__}: {error}"
            results.append(failed)
    return results
