"""End to end: the demo and the sandbox play the repository's own config, its integrations against local
stand-ins whose messages they print."""

from __future__ import annotations

from pathlib import Path

import pytest

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
def test_a_config_with_a_broken_template_is_named_with_its_file_and_line(
    repo: Path, capsys, named: bool
) -> None:
    config = repo / ".github/incident-ops.yml"
    config.write_text(CONFIG + "templates_dir: .github/messages\n", encoding="utf-8")
    (repo / ".github/messages").mkdir()
    (repo / ".github/messages/update.md.j2").write_text("Hello,\n{% if %}\n", encoding="utf-8")

    code, out = run(capsys, "demo", *(["--config", str(config)] if named else []))

    assert code == 1, out
    assert "templates_dir: template .github/messages/update.md.j2, line 2:" in out
    assert len(out.strip().splitlines()) == 1, out
    assert "Traceback" not in out and "incident-ops demo:" not in out  # refused before anything plays
