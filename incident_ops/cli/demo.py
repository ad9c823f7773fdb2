"""`incident-ops demo`: a whole incident played against the local GitHub emulator, printed as a thread."""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incident_ops.cli.exit_codes import OK
from incident_ops.config.load import load_config, repository_root
from incident_ops.config.types import Config
from incident_ops.core.markers import read_marker
from incident_ops.core.report_check import ReportTemplate, read_template
from incident_ops.emulator import GitHubEmulator
from incident_ops.emulator.records import ROLES

REPO = "example-hub/support"
TOKEN = "demo-token"
BOT = "github-actions[bot]"
LABEL = "type: Hub Incident"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
MAX_DAYS = 30  # the demo gives up on the auto-close after a month of daily sweeps
HIDDEN = re.compile(r"<!--.*?-->\n?", re.DOTALL)

REPORT = """### Summary
Users of the example hub could not log in: the authenticator timed out.

### Impact on users
Every user of the example hub, from 08:40 to 09:55 UTC; running sessions were unaffected.

### Important information
Hub URL: https://hub.example.org
Support ticket ref: 4242

### Tasks and updates
- [x] Discuss and address the incident, leaving updates as comments on this issue
- [x] The incident has been dealt with or is over
- [x] The after-action report below is filled in
- [x] The issue title is accurate and easy to find by searching
- [x] Every follow-up action has a linked issue

### Timeline
- 08:40 UTC: logins start failing
- 09:00 UTC: incident declared; 09:05 UTC: Incident Commander named
- 09:55 UTC: authenticator restarted with a longer timeout; logins work

### What went wrong
The identity provider slowed down and our authenticator's timeout was shorter than its answers.

### Where we got lucky
It happened on a Monday morning with the whole team online.

### Follow-up actions
- Process: none
- Documentation: document the authenticator timeout (#12)
- Technical improvements: alert on login failures (#13)
"""


Cli = Callable[[list[str], dict[str, str]], int]  # `incident-ops` itself: arguments, environment → exit code


class DemoRun:
    """Drives `incident-ops run` and `sweep` in-process against the emulator and prints the thread."""

    def __init__(
        self, emu: GitHubEmulator, workdir: Path, write: Callable[[str], None], cli: Cli, setup: DemoSetup
    ) -> None:
        self.emu = emu
        self._main = cli
        self.workdir = workdir
        self.setup = setup
        self.write = write
        self.shown: set[int] = set()
        self.calls = 0

    def narrate(self, text: str) -> None:
        """A line of narration between the comments."""
        self.write(f"\n=== {self.emu.now:%a %d %b %H:%M} UTC · {text}")

    def event(self, name: str, payload: dict[str, Any]) -> None:
        """Run the tool on one event."""
        path = self.workdir / "event.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        self._cli(["run"], {"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(path)})

    def sweep(self) -> None:
        """Run the scheduled timer pass."""
        self._cli(["sweep", "--repo", REPO], {"GITHUB_EVENT_NAME": "schedule"})

    def _cli(self, argv: list[str], extra: dict[str, str]) -> None:
        """Call the CLI with a runner-like environment; the tool's own output is kept quiet."""
        env = {
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": self.emu.api_url,
            "GITHUB_WORKSPACE": str(self.setup.workspace or self.workdir),
            "GITHUB_TOKEN": TOKEN,
            **({"INCIDENT_OPS_CONFIG": str(self.setup.config_path)} if self.setup.config_path else {}),
            "INCIDENT_OPS_NOW": self.emu.now.isoformat(),
            **extra,
        }
        before = len(self.emu.requests)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = self._main(argv, env)
        self.calls += len(self.emu.requests) - before
        if code != 0:
            raise RuntimeError(f"incident-ops {' '.join(argv)} exited {code}:\n{out.getvalue()}")

    def comment(self, number: int, author: str, body: str) -> None:
        """A person comments, and the comment event runs."""
        cid = self.emu.add_comment(REPO, number, author, body)
        comment = self.emu.comment(REPO, cid)
        self.event("issue_comment", self._payload("created", number, comment["user"], comment=comment))
        self.show(number)

    def _payload(self, action: str, number: int, sender: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """A webhook payload shaped like GitHub's for this issue."""
        return {
            "action": action,
            "issue": self.emu.issue(REPO, number),
            "repository": self.emu.repo_json(REPO),
            "sender": sender,
            **extra,
        }

    def show(self, number: int) -> None:
        """Print comments not shown yet; the status comment is shown at the end only."""
        for c in self.emu.comments(REPO, number):
            marker = read_marker(c["body"])
            if c["id"] in self.shown or (marker and marker.kind == "status"):
                continue
            self.shown.add(c["id"])
            who = c["user"]["login"] + (f"  [{marker.kind}]" if marker else "")
            self.write(f"\n  @{who}:")
            self.write(_quoted(c["body"]))


@dataclass(frozen=True)
class DemoSetup:
    """What the demo plays with: the bundled setup, or a repository's own config, templates and report."""

    config: Config
    config_path: Path | None = None
    workspace: Path | None = None
    report: str = REPORT


def demo_setup(config_path: str | None) -> DemoSetup:
    """The setup for `demo [--config PATH]`: templates and report template count from the repository root."""
    if config_path is None:
        return DemoSetup(Config())
    path = Path(config_path).resolve()
    workspace = repository_root(path, otherwise=path.parent)
    config = load_config(workspace, str(path))  # ConfigError / ConfigUnreadable: the caller reports them
    template = read_template(workspace / config.report.template if config.report.template else None)
    return DemoSetup(
        config, path, workspace, filled_report(template.parsed) if config.report.template else REPORT
    )


def filled_report(template: ReportTemplate) -> str:
    """An issue body that completes the template: every section written, every task ticked."""
    parts = [f"### {name}\nWritten by the demo's steward for {name.lower()}.\n" for name in template.sections]
    parts.append("\n".join(f"- [x] {task}" for task in template.tasks))
    return "\n".join(parts) + "\n"


def run_demo(
    cli: Cli,
    write: Callable[[str], None] = print,
    setup: DemoSetup | None = None,
    status_page: Path | None = None,
) -> int:
    """Play declare → commands → escalation → update → resolve → report → auto-close (→ the status page)."""
    setup = setup or DemoSetup(Config())
    config = setup.config
    label = config.incident_label
    with GitHubEmulator(now=START) as emu, tempfile.TemporaryDirectory() as tmp:
        _seed(emu, config.team.min_permission)
        demo = DemoRun(emu, Path(tmp), write, cli, setup)
        where = f"the config {setup.config_path}" if setup.config_path else "the bundled config"
        write(
            f"incident-ops demo: an incident on a local GitHub emulator (no token, no network), with {where}"
        )
        number = emu.create_issue(REPO, "[Incident] Users cannot log in", "", "community-rep")
        demo.narrate(f"@community-rep opens an issue; @steward labels it {label!r}")
        emu.add_labels(REPO, number, [label], "steward")
        demo.event(
            "issues",
            demo._payload("labeled", number, emu.user_json("steward"), label=emu.label_json(REPO, label)),
        )
        demo.show(number)
        emu.advance(timedelta(minutes=5))
        demo.narrate("@engineer takes command and brings in an SME")
        demo.comment(number, "engineer", "/commander\n/sme @db-expert")
        demo.narrate("a community member tries a team command")
        demo.comment(number, "community-rep", "/resolved")
        emu.advance(config.escalation.after - timedelta(minutes=4))
        late = int((config.escalation.after + timedelta(minutes=1)).total_seconds() // 60)
        demo.narrate(f"the scheduled sweep: {late} minutes without a resolution")
        demo.sweep()
        demo.show(number)
        emu.advance(timedelta(minutes=10))
        demo.narrate("the Incident Commander posts an update")
        demo.comment(number, "engineer", "/update The identity provider is slow; we are raising the timeout.")
        emu.advance(timedelta(minutes=14))
        demo.narrate("the Support Steward links the community's FreshDesk ticket")
        demo.comment(number, "steward", "/ticket 4242")
        demo.narrate("fixed")
        demo.comment(number, "engineer", "/resolved Logins work again. Thanks for your patience!")
        emu.advance(timedelta(hours=2))
        demo.narrate("@steward fills in the incident report (the issue body)")
        emu.edit_issue(REPO, number, "steward", body=setup.report)
        demo.event("issues", demo._payload("edited", number, emu.user_json("steward")))
        after = f"{config.close.after_working_hours:g}"
        for _ in range(MAX_DAYS):  # a sweep each morning until the auto-close
            emu.advance(timedelta(days=1))
            demo.sweep()
            if emu.issue(REPO, number)["state"] == "closed":
                demo.narrate(
                    f"{after} working hours after the resolution, no community reply: the sweep closed it"
                )
                break
        demo.show(number)
        final = emu.issue(REPO, number)
        write(f"\nThe issue is now {final['state']} ({final['state_reason'] or 'still waiting'}).")
        status = next(c for c in emu.comments(REPO, number) if "incident-ops:status" in c["body"])
        write("\nThe status comment, edited in place throughout:\n")
        write(_quoted(status["body"]))
        if status_page is not None:
            _second_incident(demo, label)
            demo._cli(["status-page", "--out", str(status_page)], {})
            index = (status_page / "index.html").resolve()
            write(
                f"\nThe community status page, built from both incidents: open {index.as_uri()} in a browser."
            )
        write(f"\nGitHub API calls made by incident-ops in this demo: {demo.calls}")
    return OK


def _second_incident(demo: DemoRun, label: str) -> None:
    """A second incident, still going on, so that the status page shows both states."""
    emu = demo.emu
    emu.advance(timedelta(hours=3))
    number = emu.create_issue(REPO, "[Incident] Notebooks are slow to start", "", "community-rep")
    demo.narrate("a second incident, still going on when the status page is built")
    emu.add_labels(REPO, number, [label], "steward")
    steward = emu.user_json("steward")
    demo.event("issues", demo._payload("labeled", number, steward, label=emu.label_json(REPO, label)))
    emu.advance(timedelta(minutes=20))
    demo.comment(number, "engineer", "/update The image registry is slow; servers start, but take minutes.")
    emu.advance(timedelta(minutes=10))


def _seed(emu: GitHubEmulator, min_permission: str = "triage") -> None:
    """The hub's support repository, its team (at least `min_permission`) and a community member."""
    emu.create_repo(REPO)
    emu.add_user(BOT, type="Bot")
    emu.add_token(TOKEN, BOT)
    for login, role in (
        ("steward", "triage"),
        ("engineer", "write"),
        ("db-expert", "read"),
        ("community-rep", None),
    ):
        emu.add_user(login)
        if role:
            emu.set_permission(REPO, login, max(role, min_permission, key=ROLES.index))


def _quoted(body: str) -> str:
    """A comment body without its hidden lines, set off as a quoted block."""
    return textwrap.indent(HIDDEN.sub("", body).strip(), "  │ ", predicate=lambda _: True)
