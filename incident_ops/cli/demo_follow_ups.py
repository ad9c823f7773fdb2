"""The demo's follow-up: once the report is filled in, `/follow-ups` opens the issue of its unticked action.

With the bundled config (whose `follow_ups.section` is null, as the default), the demo plays it with the
section set to the bundled report's "Follow-up actions", and says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from incident_ops.config.load import DEFAULT_CONFIG_PATH

if TYPE_CHECKING:
    from incident_ops.cli.demo import DemoRun

SECTION = "Follow-up actions"
ACTION = "- [ ] Alert when the identity provider answers slower than 2 seconds @engineer"


def with_follow_ups(workdir: Path) -> str:
    """Write the demo's config into its own workspace: the defaults, with the follow-ups section named."""
    config = workdir / DEFAULT_CONFIG_PATH
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"follow_ups:\n  section: {SECTION}\n", encoding="utf-8")
    return f"the bundled config (with follow_ups.section: {SECTION})"


def with_action(report: str) -> str:
    """The report with one unticked follow-up action under its follow-ups section."""
    heading = f"### {SECTION}\n"
    return report.replace(heading, f"{heading}{ACTION}\n\n", 1) if heading in report else report


def play_follow_ups(demo: DemoRun, number: int) -> None:
    """`/follow-ups`, the reply, and the issue it opened."""
    emu = demo.emu
    known = {issue["number"] for issue in emu.issues(demo.repo)}
    demo.narrate("@engineer opens the report's unticked follow-up action as an issue")
    demo.comment(number, "engineer", "/follow-ups")
    for issue in emu.issues(demo.repo):
        if issue["number"] not in known:
            demo.opened(issue["number"], issue["body"] or "")
