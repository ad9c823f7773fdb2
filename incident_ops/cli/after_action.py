"""`report --incident N`: one incident's after-action document, read and folded exactly as a run would."""

from __future__ import annotations

import sys
from collections.abc import Callable

from incident_ops.cli.exit_codes import OK, PROBLEM
from incident_ops.core.state import IncidentState
from incident_ops.core.text.wording import api_calls
from incident_ops.core.views.after_action import after_action
from incident_ops.github.port import GitHubNotFound
from incident_ops.serving.read import read_history
from incident_ops.serving.services import Services
from incident_ops.serving.settle import settle


def run_after_action(services: Services, number: int, say: Callable[[str], None] = print) -> int:
    """Print incident #number's after-action document; exit 1 when the issue is no declared incident."""
    try:
        issue = services.port.get_issue(number)
    except GitHubNotFound as error:
        _problem(
            f"{services.repo} has no issue #{number} ({error}): check --incident, the repository (--repo or "
            "GITHUB_REPOSITORY) and that GITHUB_TOKEN may read its issues"
        )
        return PROBLEM
    state = settle(read_history(services, issue), services)
    context = services.context
    counter = services.port.counter
    if not state.declared:
        _problem(f"#{number} is not a declared incident: {_why_not(state, context.config.incident_label)}")
        return PROBLEM
    say(after_action(state, context.config, services.template.parsed, context.now).rstrip("\n"))
    print(api_calls(counter.reads, counter.writes), file=sys.stderr)
    return OK


def _why_not(state: IncidentState, label: str) -> str:
    """Why an issue is not a declared incident, and which number to give instead."""
    if state.reported:
        return f"it is reported ({label!r} from someone outside the team) and awaits a team member's /declare"
    return f"no team member labelled it {label!r}; give the number of an incident's issue"


def _problem(line: str) -> None:
    """One line on standard error for a problem the user must fix."""
    print(f"incident-ops: {line}", file=sys.stderr)
