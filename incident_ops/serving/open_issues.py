"""Opening an issue once: GitHub has no unique key for issues, so after opening one the tool looks again; of
two opened for the same thing at the same moment by runs at once, the older stays and the newer yields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from incident_ops.core.model import Issue
from incident_ops.github.port import GitHubPort


def open_once(
    port: GitHubPort,
    title: str,
    body: str,
    label: str,
    same: Callable[[Issue], bool],
    since: datetime,
    say: Callable[[str], None],
) -> Issue | None:
    """Open the issue; None when another run's copy, opened at the same moment, is older (ours is then closed,
    its label taken off)."""
    opened = port.create_issue(title, body, [label])
    twins = [issue for issue in port.list_issues(label, "all", since) if same(issue)]
    first = min(twins, key=lambda issue: issue.number, default=opened)
    if first.number >= opened.number:
        return opened
    port.remove_label(opened.number, label)
    port.close_issue(opened.number, "not_planned")
    say(f"closed #{opened.number}: #{first.number} was opened for the same thing at the same moment")
    return None
