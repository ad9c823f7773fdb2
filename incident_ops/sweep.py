"""The timer pass: serve every open incident, one failure never stopping the others."""

from __future__ import annotations

from incident_ops.github import GitHubFailure
from incident_ops.render import TemplateProblem
from incident_ops.serve import IncidentResult, Services, serve


def sweep(services: Services) -> list[IncidentResult]:
    """Serve each open incident; a broken one is reported in its result, the rest still served."""
    label = services.context.config.incident_label
    results = []
    for issue in services.port.list_open_issues(label):
        try:
            results.append(serve(issue.number, services, issue=issue))
        except Exception as error:  # noqa: BLE001 - one broken incident must not stop the others
            failed = IncidentResult(issue.number, issue.title, issue.html_url, state="failed")
            known = isinstance(error, GitHubFailure | TemplateProblem)
            failed.error = str(error) if known else f"unexpected {type(error).__name__}: {error}"
            results.append(failed)
    return results
