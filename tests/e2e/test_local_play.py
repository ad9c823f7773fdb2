"""End to end: the demo and the sandbox play the repository's own config, its integrations against local
stand-ins whose messages they print."""

from __future__ import annotations

import json
import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
SYNC_CONFIG = CONFIG.replace(
    "  pagerduty: {routing_key_env: PAGER_KEY}\n",
    """\
  pagerduty:
    routing_key_env: PAGER_KEY
    sync:
      api_key_env: PD_API_KEY
      from_email: oncall@hub.example
      services: [PIJ90N7]
      users: {alice@hub.example: alice}
severity:
  levels: {P1: {page: true}, P2: {}}
""",
)
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


def test_the_demo_plays_an_incident_started_in_pagerduty_without_leaving_the_machine(
    repo: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / ".github/incident-ops.yml").write_text(SYNC_CONFIG, encoding="utf-8")
    hosts: list[str] = []  # every host looked up or connected to, in this process
    lookup, connect = socket.getaddrinfo, socket.socket.connect

    def looked_up(host: Any, *args: Any, **kwargs: Any) -> Any:
        hosts.append(str(host))
        return lookup(host, *args, **kwargs)

    def connected(sock: socket.socket, address: Any) -> Any:
        hosts.append(str(address[0]))
        return connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", looked_up)
    monkeypatch.setattr(socket.socket, "connect", connected)

    code, out = run(capsys, "demo")

    assert code == 0, out
    assert hosts and set(hosts) == {"127.0.0.1"}, set(hosts)
    head = out.split("\n=== ", 1)[0]
    assert "PagerDuty (the REST API, for the sync: service PIJ90N7)" in head
    assert "a second one that starts in PagerDuty" in head
    assert out.index("The issue is now closed (completed)") < out.index(
        "PagerDuty: a new incident is triggered"
    )
    assert (
        "PagerDuty incident #1 'Hub API returns errors' on service PIJ90N7, priority P1, assigned to alice@"
        in out
    )
    opened = out.index(
        "@github-actions[bot] opens #2 'Hub API returns errors':\n  │ PagerDuty incident [#1]("
    )
    declared = out.index("[P1] Incident declared by @alice: ", opened)
    followed = out.index(
        "→ PagerDuty · note on incident #1:\n  │ Followed in GitHub: #2 Hub API returns errors", opened
    )
    commander = out.index("@alice acknowledged PagerDuty incident [#1](", followed)
    assert "is the Incident Commander now" in out[commander:]
    update = out.index("@alice:\n  │ /update A bad deploy; rolling it back now.", commander)
    note = out.index(
        "→ PagerDuty · note on incident #1:\n  │ Update in GitHub by @alice: A bad deploy;", update
    )
    resolved = out.index("PagerDuty: the incident is resolved there", note)
    resolution = out.index("[resolution]", resolved)
    assert "Resolved in PagerDuty (incident #1)." in out[resolution:]
    assert opened < declared and "[escalation]" not in out[opened:]
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
    yield from _sandbox_in(repo)


@pytest.fixture
def sync_sandbox(repo: Path) -> Iterator[Sandbox]:
    """The sandbox on a config with PagerDuty's sync."""
    (repo / ".github/incident-ops.yml").write_text(SYNC_CONFIG, encoding="utf-8")
    yield from _sandbox_in(repo)


def _sandbox_in(repo: Path) -> Iterator[Sandbox]:
    """The sandbox started in the repository's folder, stopped when done."""
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


def test_the_sandbox_prints_pagerduty_calls_that_start_acknowledge_and_resolve_an_incident(
    sync_sandbox: Sandbox, capsys
) -> None:
    sandbox = sync_sandbox
    sandbox.wait_for("What the stand-ins receive is printed below")
    exports = dict(
        shlex.split(line)[1].split("=", 1) for line in sandbox.said if line.startswith("  export ")
    )
    pagerduty = exports["INCIDENT_OPS_PAGERDUTY_API_URL"]
    assert exports["PD_API_KEY"] and pagerduty.startswith("http://127.0.0.1:")
    start = next(
        i for i, line in enumerate(sandbox.said) if line.startswith("Start an incident in PagerDuty")
    )
    assert "as alice@hub.example" in sandbox.said[start]
    calls = [shlex.split(line) for line in sandbox.said[start + 1 :] if line.startswith("  curl ")]
    assert len(calls) == 3 and all(argv[0] == "curl" and pagerduty in " ".join(argv) for argv in calls)
    api = f"{exports['GITHUB_API_URL']}/repos/{exports['GITHUB_REPOSITORY']}"
    env = {**exports, "INCIDENT_OPS_RETRY_DELAY": "0"}

    def then_sweep(argv: list[str]) -> dict[str, Any]:
        """One printed call as a person runs it, then a sweep; the one issue, as GitHub shows it."""
        done = subprocess.run(argv, capture_output=True, text=True, timeout=WAIT, check=True)
        assert '"error"' not in done.stdout, done.stdout
        code, out = run(capsys, "sweep", env=env)
        assert code == 0 and "is not set" not in out and "PagerDuty answered" not in out, out
        with urllib.request.urlopen(f"{api}/issues?state=all", timeout=WAIT) as answer:
            [issue] = json.loads(answer.read())
        return issue

    opened = then_sweep(calls[0])
    assert opened["title"] == "Hub API returns errors" and opened["user"]["login"] == "github-actions[bot]"
    assert "outage" in {label["name"] for label in opened["labels"]}
    assert "PagerDuty incident [#1](" in opened["body"]
    followed = sandbox.wait_for("[PagerDuty] note on incident #1: ")
    assert "Followed in GitHub: #1 Hub API returns errors" in followed
    assert [person["login"] for person in then_sweep(calls[1])["assignees"]] == ["alice"]
    assert "incident: resolved" in {label["name"] for label in then_sweep(calls[2])["labels"]}
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
