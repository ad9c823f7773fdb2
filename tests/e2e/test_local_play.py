"""End to end: the demo and the sandbox play the repository's own config, its integrations against local
stand-ins whose messages they print."""

from __future__ import annotations

import json
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from incident_ops.cli.demo import run_demo
from incident_ops.cli.main import main

CONFIG = """\
incident_label: outage
team: {users: [alice]}
escalation: {after: 45m}
working_hours: {timezone: Europe/Berlin}
integrations:
  slack_webhook_env: CHAT_URL
  freshdesk: {domain_env: DESK_DOMAIN, api_key_env: DESK_KEY}
  pagerduty: {routing_key_env: PAGER_KEY}
"""
INTEGRATION_VARIABLES = ("CHAT_URL", "DESK_DOMAIN", "DESK_KEY", "PAGER_KEY", "INCIDENT_OPS_PAGERDUTY_URL")
WAIT = 20.0  # seconds: the longest any step of the sandbox may take


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with its own config; the current folder is a folder inside it."""
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/incident-ops.yml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    return tmp_path.resolve()


def run(capsys: pytest.CaptureFixture[str], *argv: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """The CLI in-process; its exit code and everything it printed."""
    code = main(list(argv), env or {})
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_demo_plays_the_repositorys_config_and_its_integrations(repo: Path, capsys) -> None:
    code, out = run(capsys, "demo")

    assert code == 0, out
    assert out.splitlines()[0].endswith(f"with the config {repo / '.github/incident-ops.yml'}")
    assert "labels it 'outage'" in out and "46 minutes without a resolution" in out
    assert "Times in Europe/Berlin" in out and "2026-03-02 10:00 CET" in out
    assert "The issue is now closed (completed)" in out
    ack, declared = out.index("[acknowledgement]"), out.index("→ Slack · chat message:\n")
    assert ack < declared < out.index(":rotating_light: Incident declared by @steward")
    update = out.index("[update]")
    assert update < out.index("→ FreshDesk · public reply on ticket 4242:") < out.index("[resolution]")
    escalation = out.index("[escalation]")
    trigger = out.index("→ PagerDuty · trigger, dedup key example-hub/support#1:declared")
    assert escalation < trigger < update
    assert "→ FreshDesk · ticket 4242 status Resolved (4)" in out
    assert "→ FreshDesk · ticket 4242 status Closed (5)" in out
    assert "Traceback" not in out and "is not set" not in out


@pytest.mark.parametrize("named", [False, True])
@pytest.mark.parametrize("command", ["demo", "sandbox"])
def test_a_config_with_a_broken_template_is_named_with_its_file_and_line(
    repo: Path, capsys, command: str, named: bool
) -> None:
    config = repo / ".github/incident-ops.yml"
    config.write_text(CONFIG + "templates_dir: .github/messages\n", encoding="utf-8")
    (repo / ".github/messages").mkdir()
    (repo / ".github/messages/update.md.j2").write_text("Hello,\n{% if %}\n", encoding="utf-8")

    code, out = run(capsys, command, *(["--config", str(config)] if named else []))

    assert code == 1, out
    assert "templates_dir: template .github/messages/update.md.j2, line 2:" in out
    assert len(out.strip().splitlines()) == 1, out
    assert "Traceback" not in out and f"incident-ops {command}:" not in out  # refused before it starts


class Sandbox:
    """`incident-ops sandbox` as a process, its printed lines read as they come."""

    def __init__(self, cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_WORKSPACE", "INCIDENT_OPS_CONFIG")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "incident_ops", "sandbox"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, start: str) -> str:
        """The first line from now on that starts with `start` (the sandbox has WAIT seconds to say it)."""
        deadline = time.monotonic() + WAIT
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.said.append(line)
            if line.startswith(start):
                return line
        raise AssertionError(f"the sandbox did not say {start!r}; it said:\n" + "\n".join(self.said))

    def stop(self) -> int:
        """Interrupt it as Ctrl-C does; its exit code."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=WAIT)
            raise


@pytest.fixture
def sandbox(repo: Path) -> Iterator[Sandbox]:
    """The sandbox started in the repository's folder, stopped after the test."""
    started = Sandbox(repo / "docs")
    try:
        yield started
    finally:
        if started.process.poll() is None:
            started.stop()


def call(url: str, token: str, data: dict[str, object]) -> None:
    """A POST to the sandbox's GitHub as the token's owner."""
    body = json.dumps(data).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Authorization": f"token {token}"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=WAIT):
        pass


def test_the_sandbox_plays_the_repositorys_config_and_prints_what_its_stand_ins_receive(
    repo: Path, sandbox: Sandbox, capsys
) -> None:
    config = repo / ".github/incident-ops.yml"
    assert sandbox.wait_for("Config: ") == f"Config: {config} (its label, team and integrations)"
    people = sandbox.wait_for("People: ")
    assert "alice (triage)" in people and "reporter (no role: the community)" in people
    label = sandbox.wait_for("  curl -s -H 'Authorization: token steward-token' ")
    assert label.endswith(""" -d '{"labels": ["outage"]}'""")
    sandbox.wait_for("What the stand-ins receive is printed below")
    exports = dict(
        shlex.split(line)[1].split("=", 1) for line in sandbox.said if line.startswith("  export ")
    )
    assert set(INTEGRATION_VARIABLES) <= set(exports)
    assert all(exports[name].startswith("http://127.0.0.1:") for name in ("CHAT_URL", "DESK_DOMAIN"))
    assert exports["INCIDENT_OPS_PAGERDUTY_URL"].startswith("http://127.0.0.1:")
    assert exports["INCIDENT_OPS_CONFIG"] == str(config)

    api = f"{exports['GITHUB_API_URL']}/repos/{exports['GITHUB_REPOSITORY']}"
    with urllib.request.urlopen(f"{api}/labels?per_page=100", timeout=WAIT) as answer:
        labels = {label["name"] for label in json.loads(answer.read())}
    assert {"outage", "incident: resolved", "incident: update overdue"} <= labels
    call(f"{api}/issues", "reporter-token", {"title": "Hub down"})
    call(f"{api}/issues/1/labels", "alice-token", {"labels": ["outage"]})
    env = {**exports, "INCIDENT_OPS_RETRY_DELAY": "0"}
    code, out = run(capsys, "sweep", env=env)
    assert code == 0 and "#1: active" in out and "is not set" not in out, out
    assert "Incident declared by @alice" in sandbox.wait_for("[Slack] chat message: ")
    call(exports["INCIDENT_OPS_CLOCK_URL"], exports["GITHUB_TOKEN"], {"advance": {"minutes": 46}})
    code, out = run(capsys, "sweep", env=env)
    assert code == 0 and "is not set" not in out, out

    assert "Escalation: " in sandbox.wait_for("[Slack] chat message: :warning:")
    assert sandbox.wait_for("[PagerDuty] ") == "[PagerDuty] trigger, dedup key hub-org/support#1:declared"
    assert sandbox.stop() == 0


def test_a_run_that_fails_inside_the_demo_is_named_with_what_it_said() -> None:
    said: list[str] = []

    def failing(argv: list[str], env: dict[str, str]) -> int:
        print("::error::#1: GitHub failed: 502. Some work may be done; rerunning is safe.")
        return 3

    assert run_demo(failing, said.append) == 3
    assert said[-1] == (
        "\nincident-ops demo: incident-ops run exited 3:\n"
        "::error::#1: GitHub failed: 502. Some work may be done; rerunning is safe."
    )
