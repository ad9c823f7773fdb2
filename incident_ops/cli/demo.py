"""`incident-ops demo`: a whole incident played against the local GitHub emulator, printed as a thread."""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incident_ops.cli.demo_follow_ups import play_follow_ups, with_action, with_follow_ups
from incident_ops.cli.demo_pagerduty import SYNC, play_pagerduty
from incident_ops.cli.demo_report import REPORT
from incident_ops.cli.exit_codes import OK, PROBLEM
from incident_ops.cli.local_services import LocalServices
from incident_ops.cli.local_setup import LocalSetup
from incident_ops.cli.sample_incidents import filled_report
from incident_ops.core.comments.markers import read_marker
from incident_ops.core.report.check import read_template
from incident_ops.emulator import GitHubEmulator
from incident_ops.emulator.objects import ROLES
from incident_ops.standins import Heard

REPO = "example-hub/support"
TOKEN = "demo-token"
BOT = "github-actions[bot]"
LABEL = "type: Hub Incident"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
MAX_DAYS = 30  # the demo gives up on the auto-close after a month of daily sweeps
HIDDEN = re.compile(r"<!--.*?-->\n?", re.DOTALL)


Cli = Callable[[list[str], dict[str, str]], int]  # `incident-ops` itself: arguments, environment → exit code


class DemoRun:
    """Drives `incident-ops run` and `sweep` in-process against the emulator and prints the thread."""

    repo = REPO

    def __init__(
        self,
        emu: GitHubEmulator,
        workdir: Path,
        write: Callable[[str], None],
        cli: Cli,
        setup: LocalSetup,
        services: LocalServices,
    ) -> None:
        self.emu = emu
        self._main = cli
        self.workdir = workdir
        self.setup = setup
        self.write = write
        self.shown: set[int] = set()
        self.calls = 0
        self.said = ""  # what the last run of the tool printed
        self.services_env = services.environment()
        self.heard: list[Heard] = []  # what the stand-ins accepted and the thread has not shown yet
        services.listen(self.heard.append)

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
        path = self.setup.path
        env = {
            **self.services_env,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": self.emu.api_url,
            "GITHUB_WORKSPACE": str(self.setup.workspace if path else self.workdir),
            "GITHUB_TOKEN": TOKEN,
            **({"INCIDENT_OPS_CONFIG": str(path)} if path else {}),
            "INCIDENT_OPS_NOW": self.emu.now.isoformat(),
            **extra,
        }
        before = len(self.emu.requests)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = self._main(argv, env)
        self.calls += len(self.emu.requests) - before
        self.said = out.getvalue().rstrip()
        if code != 0:
            raise DemoFailed(code, f"incident-ops {argv[0]} exited {code}:\n{self.said}")

    def failed(self, what: str) -> DemoFailed:
        """The demo cannot go on: what went wrong, and what the last run of the tool said."""
        return DemoFailed(PROBLEM, f"{what}; incident-ops said:\n{self.said}")

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

    def opened(self, number: int, shown: str) -> None:
        """Print an issue as opened (its author and title, `shown` for its body), then its thread."""
        issue = self.emu.issue(REPO, number)
        self.write(f"\n  @{issue['user']['login']} opens #{number} {issue['title']!r}:")
        self.write(_quoted(shown))
        self.show(number)

    def show(self, number: int) -> None:
        """Print comments not shown yet, then what the integrations' stand-ins received because of them;
        the status comment is shown at the end only."""
        for c in self.emu.comments(REPO, number):
            marker = read_marker(c["body"])
            if c["id"] in self.shown or (marker and marker.kind == "status"):
                continue
            self.shown.add(c["id"])
            who = c["user"]["login"] + (f"  [{marker.kind}]" if marker else "")
            self.write(f"\n  @{who}:")
            self.write(_quoted(c["body"]))
        while self.heard:
            heard = self.heard.pop(0)
            self.write(f"\n  → {heard.service} · {heard.what}" + (":" if heard.text else ""))
            if heard.text:
                self.write(_quoted(heard.text))


class DemoFailed(Exception):
    """A run of the tool inside the demo failed: its exit code, and what it said."""

    def __init__(self, code: int, said: str) -> None:
        super().__init__(said)
        self.code = code


def run_demo(
    cli: Cli,
    write: Callable[[str], None] = print,
    setup: LocalSetup | None = None,
    status_page: Path | None = None,
) -> int:
    """Play declare → commands → escalation → update → resolve → report → auto-close (→ the status page),
    with a local stand-in for each integration the config turns on."""
    setup = setup or LocalSetup()
    config = setup.config
    with (
        GitHubEmulator(now=START) as emu,
        LocalServices(config, lambda: emu.now) as services,
        tempfile.TemporaryDirectory() as tmp,
    ):
        _seed(emu, config.team.min_permission)
        demo = DemoRun(emu, Path(tmp), write, cli, setup, services)
        where = with_follow_ups(Path(tmp)) if setup.path is None else f"the config {setup.shown}"
        write(
            f"incident-ops demo: an incident on a local GitHub emulator (no token, no network), with {where}"
        )
        if services.running:
            write(f"Integrations, each against a local stand-in on 127.0.0.1: {', '.join(services.names())}")
        if services.pagerduty_rest is not None:
            write(f"With {SYNC}: after this incident, a second one that starts in PagerDuty.")
        try:
            number = _incident(demo)
            _ending(demo, number, status_page, services)
        except DemoFailed as failure:
            write(f"\nincident-ops demo: {failure}")
            return failure.code
    return OK


def _incident(demo: DemoRun) -> int:
    """The incident, from the declaration to the filled-in report; its number."""
    emu, config = demo.emu, demo.setup.config
    label = config.incident_label
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
    demo.narrate("the Support Steward links the community's FreshDesk ticket")
    demo.comment(number, "steward", "/ticket 4242")
    emu.advance(timedelta(minutes=4))
    demo.narrate("the Incident Commander posts an update")
    demo.comment(number, "engineer", "/update The identity provider is slow; we are raising the timeout.")
    emu.advance(timedelta(minutes=10))
    demo.narrate("fixed")
    demo.comment(number, "engineer", "/resolved Logins work again. Thanks for your patience!")
    emu.advance(timedelta(hours=2))
    demo.narrate("@steward fills in the incident report (the issue body)")
    emu.edit_issue(REPO, number, "steward", body=with_action(_report(demo.setup)))
    demo.event("issues", demo._payload("edited", number, emu.user_json("steward")))
    demo.show(number)
    play_follow_ups(demo, number)
    return number


def _ending(demo: DemoRun, number: int, status_page: Path | None, services: LocalServices) -> None:
    """Daily sweeps until the auto-close, the status comment, (with the sync) an incident started in
    PagerDuty, (the status page), the API calls."""
    emu, write = demo.emu, demo.write
    after = f"{demo.setup.config.close.after_working_hours:g}"
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
    if services.pagerduty_rest is not None and services.sync is not None:
        play_pagerduty(demo, services.pagerduty_rest, services.sync)
    if status_page is not None:
        _second_incident(demo, demo.setup.config.incident_label)
        demo._cli(["status-page", "--out", str(status_page)], {})
        index = (status_page / "index.html").resolve()
        which = "both incidents" if services.pagerduty_rest is None else "the three incidents"
        write(f"\nThe community status page, built from {which}: open {index.as_uri()} in a browser.")
    write(f"\nGitHub API calls made by incident-ops in this demo: {demo.calls}")


def _report(setup: LocalSetup) -> str:
    """The report the steward writes: the bundled example, or one that completes the config's template."""
    template = setup.config.report.template
    return filled_report(read_template(setup.workspace / template).parsed) if template else REPORT


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
