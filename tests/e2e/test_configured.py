"""End to end: what `validate-config` calls valid runs, what it warns about is what the config defeats, and
every subcommand reads the config from the same workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import REPO, World

from incident_ops import __version__
from incident_ops.cli.main import main

LEVELS = "severity:\n  default: SEV2\n  levels:\n    SEV1: {updates: {every: 30m}}\n    SEV2: {}\n"


def validate(world: World, *args: str) -> tuple[int, str]:
    """`incident-ops validate-config` in the world's workspace; its exit code and output."""
    result = world.cli("validate-config", *args)
    assert "Traceback" not in result.stdout + result.stderr
    return result.code, result.stdout + result.stderr


def template(world: World, name: str, text: str) -> None:
    """A message template in the workspace's `messages/` folder, which the config names."""
    folder = world.workspace / "messages"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    world.write_config("templates_dir: messages\n")


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        (
            "acknowledgement.md.j2",
            "{{ marker }}\nHi {{ community }\n",
            "messages/acknowledgement.md.j2, line 2:",
        ),
        (
            "closing.md.j2",
            "{{ marker }}\n{% if manual %}\n{{ closer }}\n{% endif %}\n",
            "messages/closing.md.j2, line 3: 'closer' is undefined",
        ),
        ("update.md.j2", "{{ marker }}\n{{ text | shout }}\n", "messages/update.md.j2, line 2: No filter"),
        ("acknowledgment.md.j2", "{{ marker }}\n", "did you mean acknowledgement.md.j2?"),
    ],
    ids=["syntax", "unknown variable in a branch", "unknown filter", "misspelt file"],
)
def test_a_template_that_would_break_or_do_nothing_is_no_valid_config(
    world: World, name: str, text: str, says: str
) -> None:
    template(world, name, text)
    code, out = validate(world)
    assert code == 1 and says in out, out


def test_a_binary_or_headingless_report_template_is_named(world: World) -> None:
    (world.workspace / "report.md").write_bytes(b"\x89PNG\r\n\x1a\n\xff\x00")
    world.write_config("report.template: report.md\n".replace(".", ":\n  ", 1))
    code, out = validate(world)
    assert code == 1 and "report.template" in out and "not UTF-8 text" in out
    (world.workspace / "report.md").write_text("Just text, no heading.\n", encoding="utf-8")
    code, out = validate(world)
    assert code == 1 and "has no heading" in out


def test_every_level_is_rendered(world: World) -> None:
    template(
        world, "escalation.md.j2", "{{ marker }}\n{{ severity | upper }} {{ 1 / (severity != 'SEV1') }}\n"
    )
    world.write_config("templates_dir: messages\n" + LEVELS)
    code, out = validate(world)
    assert code == 1 and "messages/escalation.md.j2, line 2: division by zero" in out


def test_a_label_the_issue_form_does_not_apply_is_a_warning(world: World, capsys) -> None:
    assert main(["init", str(world.workspace)], {}) == 0
    capsys.readouterr()
    path = world.workspace / ".github" / "incident-ops.yml"
    text = path.read_text(encoding="utf-8").replace(
        'incident_label: "type: Hub Incident"', "incident_label: incident"
    )
    path.write_text(text, encoding="utf-8")
    code, out = validate(world)
    assert code == 0 and "valid" in out
    assert ".github/ISSUE_TEMPLATE/incident-report.yml applies `type: Hub Incident` but not `incident`" in out
    assert "warning: incident_label: .github/incident-report.md applies `type: Hub Incident`" in out


def test_an_escalation_sooner_than_the_sweep_is_a_warning(world: World, capsys) -> None:
    assert main(["init", str(world.workspace)], {}) == 0
    capsys.readouterr()
    world.write_config(
        "escalation:\n  after: 10m\n" + LEVELS.replace("SEV2: {}", "SEV2: {escalation: {after: 5m}}")
    )
    code, out = validate(world)
    assert code == 0
    assert "warning: escalation.after: 10m is shorter than the sweep's schedule" in out
    assert "in .github/workflows/incident-ops.yml (every 15m at most)" in out
    assert "warning: severity.levels.SEV2.escalation.after: 5m" in out


def test_validate_config_finds_the_config_from_inside_the_repository(world: World, monkeypatch) -> None:
    world.write_config("escalation:\n  after: soon\n")
    monkeypatch.chdir(world.workspace / ".github")
    code, out = validate(world)
    assert code == 1 and "escalation.after" in out and "every default applies" not in out


def test_a_candidate_config_elsewhere_counts_paths_from_the_repository(world: World, tmp_path: Path) -> None:
    (world.workspace / ".github" / "report.md").parent.mkdir(exist_ok=True)
    (world.workspace / ".github" / "report.md").write_text("### What happened\n", encoding="utf-8")
    candidate = tmp_path / "candidate.yml"
    candidate.write_text("report:\n  template: .github/report.md\n", encoding="utf-8")
    code, out = validate(world, str(candidate))
    assert code == 0, out
    number = world.open_issue("reporter")
    world.env["INCIDENT_OPS_CONFIG"] = str(candidate)
    result = world.declare(number, "steward")
    assert result.code == 0, result.stdout + result.stderr
    assert "What happened" in world.status(number)


def test_the_version_and_the_help(capsys) -> None:
    assert main(["--version"], {}) == 0
    assert capsys.readouterr().out.strip() == f"incident-ops {__version__}"
    assert main(["--help"], {}) == 0
    overview = capsys.readouterr().out
    assert "handle this workflow run's event" in overview and "(issues, issue_comment\n" not in overview
    assert main(["run", "--help"], {}) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for name in ("INCIDENT_OPS_CLOCK_URL", "INCIDENT_OPS_TOOL_LOGIN", "INCIDENT_OPS_RETRY_DELAY"):
        assert name in help_text


def test_report_measures_each_incident_against_its_own_levels_pace(world: World) -> None:
    world.write_config(LEVELS)
    fast = world.open_issue("reporter", title="Fast")
    world.declare(fast, "steward")
    world.comment(fast, "lead", "/severity SEV1")  # updates every 30 minutes
    world.advance(minutes=45)
    world.comment(fast, "engineer", "/update Still on it.")
    world.advance(minutes=10)
    world.comment(fast, "engineer", "/resolved Back.")
    result = world.cli("report", "--format", "json", event="")
    assert result.code == 0, result.stdout + result.stderr
    [incident] = json.loads(result.stdout)["incidents"]
    # 45 minutes without an update is late at SEV1's pace, though the top-level pace is 4 hours.
    assert (incident["update_intervals"], incident["update_intervals_kept"]) == (2, 1)
    assert REPO in result.stdout or incident["number"] == fast
