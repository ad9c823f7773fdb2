"""End-to-end harness: a seeded emulator and `incident-ops run` driven in-process over real HTTP."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from webhooks import make_payload, write_event

from incident_ops.cli.main import main
from incident_ops.core.comments.markers import read_marker
from incident_ops.emulator import GitHubEmulator

REPO = "hub-org/support"
TOKEN = "ghs_actions_token_for_tests"
BOT = "github-actions[bot]"
LABEL = "type: Hub Incident"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class RunResult:
    """What one CLI run printed and wrote."""

    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


@dataclass
class World:
    """A repository on the emulator, its people, and a workspace for config and event files."""

    emu: GitHubEmulator
    workspace: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        """The emulator's clock (the tool's clock follows it)."""
        return self.emu.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.emu.advance(timedelta(**delta))

    def write_config(self, text: str) -> Path:
        """Write .github/incident-ops.yml in the workspace."""
        path = self.workspace / ".github" / "incident-ops.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def open_issue(self, author: str, title: str = "Hub down", body: str = "", labels=()) -> int:
        """A person opens an issue."""
        return self.emu.create_issue(REPO, title, body, author, labels=tuple(labels))

    def declare(self, number: int, actor: str) -> RunResult:
        """`actor` labels the issue as an incident; the labeled event runs."""
        self.emu.add_labels(REPO, number, [LABEL], actor)
        return self.issues_event("labeled", number, actor, label=LABEL)

    def issues_event(self, action: str, number: int, sender: str, label: str | None = None) -> RunResult:
        """Run the tool on an `issues` event for the issue as it is now."""
        extra: dict[str, Any] = {}
        if label is not None:
            extra["label"] = self.emu.label_json(REPO, label)
        payload = make_payload(
            f"issues.{action}",
            repository=self.emu.repo_json(REPO),
            issue=self.emu.issue(REPO, number),
            sender=self.emu.user_json(sender),
            **extra,
        )
        return self.run_payload("issues", payload)

    def issues_event_with_args(self, action: str, number: int, sender: str, *args: str) -> RunResult:
        """An `issues` event run with extra CLI arguments."""
        payload = make_payload(
            f"issues.{action}",
            repository=self.emu.repo_json(REPO),
            issue=self.emu.issue(REPO, number),
            sender=self.emu.user_json(sender),
            **({"label": self.emu.label_json(REPO, LABEL)} if action == "labeled" else {}),
        )
        return self.run_payload("issues", payload, *args)

    def comment(self, number: int, author: str, body: str, run: bool = True) -> RunResult | None:
        """`author` comments; the issue_comment event runs unless run=False (a lost event)."""
        comment_id = self.emu.add_comment(REPO, number, author, body)
        if not run:
            return None
        return self.comment_event(number, comment_id)

    def comment_event(self, number: int, comment_id: int) -> RunResult:
        """Run the tool on the issue_comment.created event of an existing comment."""
        return self.run_payload("issue_comment", self.comment_payload(number, comment_id))

    def edit_comment(self, comment_id: int, body: str, by: str | None = None) -> RunResult:
        """Edit a comment (as its author, or `by`) and run the tool on the issue_comment.edited event."""
        comment = self.emu.comment(REPO, comment_id)
        number = int(comment["issue_url"].rsplit("/", 1)[1])
        self.emu.edit_comment(REPO, comment_id, body)
        sender = self.emu.user_json(by) if by else comment["user"]
        payload = make_payload(
            "issue_comment.edited",
            repository=self.emu.repo_json(REPO),
            issue=self.emu.issue(REPO, number),
            sender=sender,
            comment=self.emu.comment(REPO, comment_id),
            changes={"body": {"from": comment["body"]}},
        )
        return self.run_payload("issue_comment", payload)

    def delete_comment(self, comment_id: int, by: str | None = None) -> RunResult:
        """Delete a comment (as its author, or `by`) and run the tool on the issue_comment.deleted event."""
        comment = self.emu.comment(REPO, comment_id)
        number = int(comment["issue_url"].rsplit("/", 1)[1])
        self.emu.delete_comment(REPO, comment_id)
        payload = make_payload(
            "issue_comment.deleted",
            repository=self.emu.repo_json(REPO),
            issue=self.emu.issue(REPO, number),
            sender=self.emu.user_json(by) if by else comment["user"],
            comment=comment,
        )
        return self.run_payload("issue_comment", payload)

    def comment_payload(self, number: int, comment_id: int) -> dict[str, Any]:
        """The issue_comment.created payload of an existing comment, with the issue as it is now."""
        comment = self.emu.comment(REPO, comment_id)
        return make_payload(
            "issue_comment.created",
            repository=self.emu.repo_json(REPO),
            issue=self.emu.issue(REPO, number),
            sender=comment["user"],
            comment=comment,
        )

    def run_payload(self, event: str, payload: dict[str, Any], *args: str) -> RunResult:
        """Write the event file and run `incident-ops run`."""
        path = write_event(self.workspace / f"event-{uuid.uuid4().hex}", payload)
        return self.cli("run", *args, event=event, event_path=str(path))

    def sweep(self, *args: str) -> RunResult:
        """Run `incident-ops sweep` at the emulator's now."""
        return self.cli("sweep", "--repo", REPO, *args, event="schedule")

    def cli(self, *argv: str, event: str = "", event_path: str = "") -> RunResult:
        """Run the CLI in-process with a runner-like environment."""
        run_dir = self.workspace / f"run-{uuid.uuid4().hex}"
        run_dir.mkdir()
        output = run_dir / "output.txt"
        summary = run_dir / "summary.md"
        for f in (output, summary):
            f.write_text("", encoding="utf-8")
        env = {
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": event_path,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": self.emu.api_url,
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_TOKEN": TOKEN,
            "INCIDENT_OPS_NOW": self.emu.now.isoformat(),
            "INCIDENT_OPS_RETRY_DELAY": "0.01",
            **self.env,
        }
        out, err = io.StringIO(), io.StringIO()
        with _captured(out, err):
            code = main(list(argv), env)
        return RunResult(
            code, out.getvalue(), err.getvalue(), _read_outputs(output), summary.read_text("utf-8")
        )

    # --- what a person sees on the issue ---

    def comments(self, number: int) -> list[dict[str, Any]]:
        """All comments, oldest first."""
        return self.emu.comments(REPO, number)

    def bot_comments(self, number: int, kind: str | None = None) -> list[dict[str, Any]]:
        """The tool's comments (optionally of one kind)."""
        found = []
        for c in self.comments(number):
            marker = read_marker(c["body"])
            if marker and (kind is None or marker.kind == kind):
                found.append(c)
        return found

    def status(self, number: int) -> str:
        """The one status comment's body."""
        statuses = self.bot_comments(number, "status")
        assert len(statuses) == 1, f"expected one status comment, found {len(statuses)}"
        return statuses[0]["body"]

    def labels(self, number: int) -> set[str]:
        """The issue's label names."""
        return {label["name"] for label in self.emu.issue(REPO, number)["labels"]}

    def assignees(self, number: int) -> set[str]:
        """The issue's assignees."""
        return {a["login"] for a in self.emu.issue(REPO, number)["assignees"]}

    def writes(self) -> list[Any]:
        """Successful write requests so far."""
        return self.emu.writes()


class _PerThread(io.TextIOBase):
    """A stream that writes to the current thread's buffer, or to the stream it replaced."""

    def __init__(self, fallback: Any) -> None:
        self.fallback = fallback
        self.local = threading.local()

    def write(self, text: str) -> int:
        """Write to this thread's buffer when it has one."""
        return (getattr(self.local, "buffer", None) or self.fallback).write(text)

    def flush(self) -> None:
        """Flush the stream written to."""
        (getattr(self.local, "buffer", None) or self.fallback).flush()


_CAPTURE_LOCK = threading.Lock()
_capturing = 0


@contextlib.contextmanager
def _captured(out: io.StringIO, err: io.StringIO) -> Iterator[None]:
    """Capture this thread's stdout and stderr; safe with runs on several threads at once."""
    global _capturing
    with _CAPTURE_LOCK:
        if _capturing == 0:
            sys.stdout, sys.stderr = _PerThread(sys.stdout), _PerThread(sys.stderr)
        _capturing += 1
    proxies = (sys.stdout, sys.stderr)
    proxies[0].local.buffer, proxies[1].local.buffer = out, err  # type: ignore[attr-defined]
    try:
        yield
    finally:
        proxies[0].local.buffer = proxies[1].local.buffer = None  # type: ignore[attr-defined]
        with _CAPTURE_LOCK:
            _capturing -= 1
            if _capturing == 0:
                sys.stdout, sys.stderr = proxies[0].fallback, proxies[1].fallback  # type: ignore[attr-defined]


def _read_outputs(path: Path) -> dict[str, str]:
    """Parse $GITHUB_OUTPUT's name<<DELIM blocks."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        name, _, delimiter = lines[i].partition("<<")
        j = lines.index(delimiter, i + 1)
        outputs[name] = "\n".join(lines[i + 1 : j])
        i = j + 1
    return outputs


def new_world(tmp_path: Path) -> tuple[GitHubEmulator, World]:
    """An emulator with the hub's support repository, its team and community members."""
    emu = GitHubEmulator(now=T0)
    emu.start()
    emu.create_repo(REPO)
    emu.add_user(BOT, type="Bot")
    emu.add_token(TOKEN, BOT)
    for login, role in (
        ("steward", "triage"),
        ("engineer", "write"),
        ("lead", "maintain"),
        ("reader", "read"),
        ("community-rep", None),
        ("reporter", None),
        ("dependabot[bot]", None),
    ):
        emu.add_user(login, type="Bot" if login.endswith("[bot]") else "User")
        if role:
            emu.set_permission(REPO, login, role)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    return emu, World(emu, workspace)


def json_output(result: RunResult, name: str) -> Any:
    """A JSON step output."""
    return json.loads(result.outputs[name])
