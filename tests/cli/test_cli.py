"""The command line: subcommands, global options, exit codes and messages, and that tokens stay secret."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bundled_report import TASKS
from harness import LABEL, REPO, TOKEN, World
from webhooks import load_fixture, write_event

from incident_ops.cli.main import main
from incident_ops.core.report.check import BUNDLED_TEMPLATE

SECRET = "ghs_SECRET_do_not_print_4242"
DEAD_API = "http://127.0.0.1:9"  # the discard port: nothing listens there
COMPLETE = {
    "Summary": "User servers on the example hub did not start for two hours.",
    "Impact on users": "Nobody on the example hub could start a server.",
    "Important information": "Hub URL: https://hub.example.org\nSupport ticket ref: 4321",
    "Tasks and updates": "\n".join(f"- [x] {task}" for task in TASKS),
    "Timeline": "- 2026-03-02 09:00 UTC: reported",
    "What went wrong": "A certificate expired and no alert fired.",
    "Where we got lucky": "It happened during working hours.",
    "Follow-up actions": "- Process: #10\n- Documentation: none\n- Technical improvements: #11",
}
CUSTOM_TEMPLATE = "## What happened\n\n_Describe it._\n\n## Lessons\n\n- [ ] Review meeting held\n"
BAD_CONFIG = """\
escalation:
  after: soon
team:
  min_permision: write
working_hours:
  timezone: Mars/Base
"""


def report(sections: dict[str, str]) -> str:
    """An issue body with a `###` heading per section."""
    return "\n\n".join(f"### {name}\n\n{text}" for name, text in sections.items())


def base_env(workspace: Path, **extra: str) -> dict[str, str]:
    """A runner-like environment with no event, a recognisable token and a dead API."""
    return {
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_TOKEN": SECRET,
        "GITHUB_API_URL": DEAD_API,
        "INCIDENT_OPS_RETRY_DELAY": "0.01",
        **extra,
    }


def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run main in-process; returns the exit code, stdout and stderr."""
    code = main(argv, env)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def incident_event(tmp_path: Path) -> Path:
    """An `issues.labeled` event file for an issue carrying the incident label."""
    payload = load_fixture("issues.labeled")
    payload["issue"]["labels"] = [{"name": LABEL}]
    payload["label"] = {"name": LABEL}
    return write_event(tmp_path / "event", payload)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace (no config file)."""
    path = tmp_path / "workspace"
    path.mkdir()
    return path


# --- check-report ---


def test_check_report_exits_0_on_a_complete_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    body = tmp_path / "report.md"
    body.write_text(report(COMPLETE), encoding="utf-8")

    code, out, err = run_cli(capsys, ["check-report", str(body)], base_env(workspace))

    assert code == 0, err
    assert out.strip() == "The incident report is complete."


def test_check_report_exits_1_listing_each_missing_section_and_unticked_task(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    sections = {k: v for k, v in COMPLETE.items() if k not in ("Timeline", "Where we got lucky")}
    sections["Summary"] = "<!-- to do -->"
    sections["Tasks and updates"] = f"- [x] {TASKS[0]}\n- [ ] {TASKS[1]}\n- [x] {TASKS[2]}"
    body = tmp_path / "report.md"
    body.write_text(report(sections), encoding="utf-8")

    code, out, _ = run_cli(capsys, ["check-report", str(body)], base_env(workspace))

    assert code == 1
    assert out.splitlines() == [
        "Section not filled in: Summary",
        "Missing section: Timeline",
        "Missing section: Where we got lucky",
        f"Task not ticked: {TASKS[1]}",
        f"Task not ticked: {TASKS[3]}",
        f"Task not ticked: {TASKS[4]}",
    ]


def test_check_report_into_a_closed_pipe_ends_without_a_traceback(tmp_path: Path, workspace: Path) -> None:
    body = tmp_path / "report.md"
    body.write_text("Nothing written yet.", encoding="utf-8")
    reader = subprocess.Popen(
        [sys.executable, "-m", "incident_ops", "check-report", str(body)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **base_env(workspace)},
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # like `| head -0`: nobody reads what it prints
    err = reader.stderr.read().decode()
    assert reader.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_check_report_of_the_empty_template_names_every_section_and_task(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    code, out, _ = run_cli(capsys, ["check-report", str(BUNDLED_TEMPLATE)], base_env(workspace))

    assert code == 1
    assert len(out.splitlines()) == len(COMPLETE) + len(TASKS)
    for name in COMPLETE:
        assert name in out
    for task in TASKS:
        assert f"Task not ticked: {task}" in out


def test_check_report_reads_standard_input_for_a_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(report(COMPLETE).replace("\n", "\r\n")))
    assert run_cli(capsys, ["check-report", "-"], base_env(workspace))[0] == 0

    monkeypatch.setattr(sys, "stdin", io.StringIO("### Summary\n\nOnly this.\n"))
    code, out, _ = run_cli(capsys, ["check-report", "-"], base_env(workspace))
    assert code == 1
    assert "Missing section: Impact on users" in out
    assert "Summary" not in out


@pytest.mark.parametrize("kind", ["missing", "directory", "not utf-8"])
def test_check_report_of_an_unreadable_file_exits_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path, kind: str
) -> None:
    path = tmp_path / "report.md"
    if kind == "directory":
        path.mkdir()
    elif kind == "not utf-8":
        path.write_bytes(b"### Summary\n\n\xff\xfe broken\n")

    code, out, err = run_cli(capsys, ["check-report", str(path)], base_env(workspace))

    assert code == 2
    assert out == ""
    assert err.startswith(f"incident-ops: cannot read {path}")
    assert "Traceback" not in err


def test_check_report_uses_the_configured_template(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    (workspace / "docs").mkdir()
    (workspace / "docs" / "our-report.md").write_text(CUSTOM_TEMPLATE, encoding="utf-8")
    config = tmp_path / "custom.yml"
    config.write_text("report:\n  template: docs/our-report.md\n", encoding="utf-8")
    body = tmp_path / "report.md"
    body.write_text(CUSTOM_TEMPLATE, encoding="utf-8")  # the template itself, left as it is
    env = base_env(workspace)

    for argv in (
        ["--config", str(config), "check-report", str(body)],
        ["check-report", str(body), "--config", str(config)],
    ):
        code, out, _ = run_cli(capsys, argv, env)
        assert code == 1
        assert out.splitlines() == [
            "Section not filled in: What happened",
            "Section not filled in: Lessons",
            "Task not ticked: Review meeting held",
        ]

    code, out, _ = run_cli(capsys, ["check-report", str(body)], {**env, "INCIDENT_OPS_CONFIG": str(config)})
    assert code == 1 and "What happened" in out

    body.write_text(
        CUSTOM_TEMPLATE.replace("_Describe it._", "The hub was down.").replace("[ ]", "[x]"), encoding="utf-8"
    )
    assert run_cli(capsys, ["check-report", str(body), "--config", str(config)], env)[0] == 0


def test_check_report_with_a_bad_config_exits_1_naming_the_problems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    config = tmp_path / "bad.yml"
    config.write_text(BAD_CONFIG, encoding="utf-8")

    code, _, err = run_cli(
        capsys, ["check-report", str(BUNDLED_TEMPLATE), "--config", str(config)], base_env(workspace)
    )

    assert code == 1
    assert "escalation.after" in err and "team.min_permision" in err


def test_a_report_template_that_is_not_utf8_is_named_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    (workspace / "docs").mkdir()
    (workspace / "docs" / "ours.md").write_bytes(b"## What happened\n\n\xff\n")
    workspace.joinpath(".github").mkdir()
    workspace.joinpath(".github", "incident-ops.yml").write_text(
        "report:\n  template: docs/ours.md\n", encoding="utf-8"
    )
    body = tmp_path / "report.md"
    body.write_text("## What happened\n\nThe hub was down.\n", encoding="utf-8")

    code, out, err = run_cli(capsys, ["check-report", str(body)], base_env(workspace))

    assert code in (1, 2)
    assert "report.template" in out + err


# --- validate-config ---


def test_validate_config_accepts_a_good_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    config = tmp_path / "good.yml"
    config.write_text(
        'escalation:\n  after: 45m\n  mention: ["@hub-org/engineering"]\nupdates:\n  every: 2h\n',
        encoding="utf-8",
    )

    code, out, err = run_cli(capsys, ["validate-config", str(config)], base_env(workspace))

    assert code == 0, out + err
    assert out.strip() == f"{config}: valid (its paths count from {workspace})."


def test_validate_config_names_every_problem_with_key_path_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    config = tmp_path / "bad.yml"
    config.write_text(BAD_CONFIG, encoding="utf-8")

    code, out, _ = run_cli(capsys, ["validate-config", str(config)], base_env(workspace))

    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{config}:2: escalation.after: ")
    assert lines[1].startswith(f"{config}:4: team.min_permision: ")
    assert "min_permission" in lines[1]  # the suggestion
    assert lines[2].startswith(f"{config}:6: working_hours.timezone: ")


def test_validate_config_of_a_missing_explicit_path_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    missing = tmp_path / "nope.yml"

    code, out, err = run_cli(capsys, ["validate-config", str(missing)], base_env(workspace))

    assert code == 2
    assert out == ""
    assert "cannot read config file" in err and str(missing) in err


def test_validate_config_with_no_file_at_the_default_path_says_defaults_apply(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    code, out, _ = run_cli(capsys, ["validate-config"], base_env(workspace))

    assert code == 0
    assert "every default applies" in out
    assert ".github/incident-ops.yml" in out


def test_validate_config_checks_the_default_path_in_the_workspace(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    (workspace / ".github").mkdir()
    (workspace / ".github" / "incident-ops.yml").write_text(BAD_CONFIG, encoding="utf-8")

    code, out, _ = run_cli(capsys, ["validate-config"], base_env(workspace))

    assert code == 1
    assert "escalation.after" in out and ":2:" in out


@pytest.mark.parametrize("how", ["flag", "env"])
def test_validate_config_checks_the_file_named_by_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path, how: str
) -> None:
    config = tmp_path / "bad.yml"
    config.write_text(BAD_CONFIG, encoding="utf-8")
    env = base_env(workspace)
    argv = ["validate-config"]
    if how == "flag":
        argv += ["--config", str(config)]
    else:
        env["INCIDENT_OPS_CONFIG"] = str(config)

    code, out, _ = run_cli(capsys, argv, env)

    assert code == 1  # the same file makes `run` and `check-report` exit 1
    assert "escalation.after" in out


# --- global options and usage ---


@pytest.mark.parametrize("where", ["before", "after"])
def test_now_before_or_after_the_subcommand_beats_the_environment(world: World, where: str) -> None:
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    later = "2026-03-02T09:45:00Z"  # past the 30-minute escalation; the env says 09:00
    argv = (
        ["--now", later, "sweep", "--repo", REPO]
        if where == "before"
        else ["sweep", "--repo", REPO, "--now", later]
    )

    result = world.cli(*argv, event="schedule")

    assert result.code == 0, result.stdout + result.stderr
    assert len(world.bot_comments(number, "escalation")) == 1
    assert "Escalation | sent" in world.status(number)


def test_now_with_an_offset_is_read_as_that_instant(world: World) -> None:
    number = world.open_issue("reporter")
    world.declare(number, "steward")

    world.cli("sweep", "--repo", REPO, "--now", "2026-03-02T10:15:00+01:00", event="schedule")  # 09:15 UTC
    assert world.bot_comments(number, "escalation") == []

    world.cli("sweep", "--repo", REPO, "--now", "2026-03-02T09:31:00", event="schedule")  # naive = UTC
    assert len(world.bot_comments(number, "escalation")) == 1


@pytest.mark.parametrize("where", ["before", "after"])
def test_dry_run_before_or_after_the_subcommand_writes_nothing(world: World, where: str) -> None:
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    world.emu.clear_requests()
    later = ["--now", "2026-03-02T09:45:00Z"]
    argv = ["--dry-run", "sweep", *later] if where == "before" else ["sweep", *later, "--dry-run"]

    result = world.cli(*argv, "--repo", REPO, event="schedule")

    assert result.code == 0, result.stdout + result.stderr
    assert world.writes() == []
    assert world.bot_comments(number, "escalation") == []
    assert "would post escalation comment" in result.stdout
    assert "dry run" in result.summary


@pytest.mark.parametrize(
    "argv",
    [
        ["--now", "yesterday", "sweep", "--repo", REPO],
        ["sweep", "--repo", REPO, "--now", "2026-13-45T99:00"],
    ],
)
def test_a_malformed_now_exits_2_before_any_request(
    capsys: pytest.CaptureFixture[str], workspace: Path, argv: list[str]
) -> None:
    started = time.monotonic()
    code, out, err = run_cli(capsys, argv, base_env(workspace))

    assert code == 2
    assert "--now" in err and "is not a time; give one like 2026-03-02T09:00:00Z" in err
    assert "GitHub failed" not in out  # refused before trying the (dead) API
    assert time.monotonic() - started < 2


def test_a_malformed_now_in_the_environment_exits_2(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    env = base_env(workspace, INCIDENT_OPS_NOW="not a time")
    code, _, err = run_cli(capsys, ["sweep", "--repo", REPO], env)
    assert code == 2
    assert "not a time" in err


@pytest.mark.parametrize("argv", [["check-report", str(BUNDLED_TEMPLATE)], ["run"]])
def test_a_malformed_now_is_refused_by_every_subcommand(
    capsys: pytest.CaptureFixture[str], workspace: Path, argv: list[str]
) -> None:
    code, _, err = run_cli(capsys, ["--now", "garbage", *argv], base_env(workspace, GITHUB_EVENT_NAME="push"))
    assert code == 2
    assert "--now" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--bogus", "run"],
        ["run", "--bogus"],
        ["check-report"],
        ["sweep", "--repo"],
        ["status-page"],
        ["status-page", "--out", "site", "--dry-run"],
        ["explode"],
        [],
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], workspace: Path, argv: list[str]) -> None:
    code, out, err = run_cli(capsys, argv, base_env(workspace))
    assert code == 2
    assert "usage: incident-ops" in err
    assert out == ""


@pytest.mark.parametrize("argv", [["--help"], ["check-report", "--help"], ["sweep", "-h"]])
def test_help_exits_0(capsys: pytest.CaptureFixture[str], workspace: Path, argv: list[str]) -> None:
    code, out, _ = run_cli(capsys, argv, base_env(workspace))
    assert code == 0
    assert "usage: incident-ops" in out


def test_top_level_help_lists_the_subcommands_and_global_options(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    out = run_cli(capsys, ["--help"], base_env(workspace))[1]
    for word in ("run", "sweep", "check-report", "validate-config", "demo", "--now", "--dry-run", "--config"):
        assert word in out


# --- run and sweep without work or without a repository ---


@pytest.mark.parametrize("event", ["push", "pull_request", ""])
def test_run_for_an_event_it_does_not_handle_is_a_notice(
    capsys: pytest.CaptureFixture[str], workspace: Path, event: str
) -> None:
    code, out, _ = run_cli(capsys, ["run"], base_env(workspace, GITHUB_EVENT_NAME=event))
    assert code == 0
    assert out.startswith("::notice::")
    assert "GitHub failed" not in out  # no API call was tried


def test_status_page_without_a_repository_exits_2(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    code, out, err = run_cli(capsys, ["status-page", "--out", str(workspace / "site")], base_env(workspace))
    assert (code, out) == (2, "")
    assert "status-page needs the repository: --repo OWNER/NAME, or set GITHUB_REPOSITORY" in err


def test_run_without_github_repository_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    env = base_env(workspace, GITHUB_EVENT_NAME="issues", GITHUB_EVENT_PATH=str(incident_event(tmp_path)))
    code, _, err = run_cli(capsys, ["run"], env)
    assert code == 2
    assert "GITHUB_REPOSITORY" in err


def test_run_without_an_event_file_exits_2(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    env = base_env(workspace, GITHUB_EVENT_NAME="issues", GITHUB_REPOSITORY=REPO)
    code, _, err = run_cli(capsys, ["run"], env)
    assert code == 2
    assert "GITHUB_EVENT_PATH" in err


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["sweep"], {}),
        (["sweep", "--repo", "no-slash"], {}),
        (["run"], {"GITHUB_EVENT_NAME": "schedule"}),
    ],
)
def test_sweep_without_a_repository_exits_2(
    capsys: pytest.CaptureFixture[str], workspace: Path, argv: list[str], env: dict[str, str]
) -> None:
    code, _, err = run_cli(capsys, argv, base_env(workspace, **env))
    assert code == 2
    assert "OWNER/NAME" in err


# --- secrets ---


def test_the_token_is_never_printed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, workspace: Path
) -> None:
    event = str(incident_event(tmp_path))
    output, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    env = base_env(
        workspace,
        GITHUB_REPOSITORY=REPO,
        GITHUB_EVENT_NAME="issues",
        GITHUB_EVENT_PATH=event,
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
    )
    for path in (output, summary):
        path.write_text("", encoding="utf-8")  # the runner creates both files
    seen = []
    codes = []
    started = time.monotonic()
    for argv in (
        ["run"],
        ["run", "--dry-run"],
        ["sweep"],
        ["--help"],
        ["check-report", str(BUNDLED_TEMPLATE)],
    ):
        code, out, err = run_cli(capsys, argv, env)
        codes.append(code)
        seen.append(out + err)

    assert codes == [3, 3, 3, 0, 1]
    assert time.monotonic() - started < 5
    assert all("cannot reach GitHub at" in text and "GITHUB_API_URL" in text for text in seen[:3])
    assert all("Traceback" not in text for text in seen)
    files = output.read_text(encoding="utf-8") + summary.read_text(encoding="utf-8")
    assert SECRET not in "".join(seen) + files


def test_the_token_is_not_printed_in_a_dry_run_against_the_emulator(world: World) -> None:
    number = world.open_issue("reporter")
    world.emu.add_labels(REPO, number, [LABEL], "steward")

    result = world.issues_event_with_args("labeled", number, "steward", "--dry-run")

    assert result.code == 0
    assert "would post status comment" in result.stdout  # each write it would make is printed
    printed = result.stdout + result.stderr + result.summary + "".join(result.outputs.values())
    assert TOKEN not in printed


# --- as a real process ---


def _subprocess_env(workspace: Path, **extra: str) -> dict[str, str]:
    """The current environment without GitHub variables, plus a runner-like set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INCIDENT_OPS_"))}
    return {**env, **base_env(workspace, **extra)}


def test_python_m_check_report_reads_stdin(workspace: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "incident_ops", "check-report", "-"],
        input="### Summary\n\nThe hub is down.\n",
        env=_subprocess_env(workspace),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert "Missing section: Timeline" in done.stdout
    assert "Summary" not in done.stdout


def test_python_m_run_against_a_dead_api_exits_3_quickly_without_the_token(
    tmp_path: Path, workspace: Path
) -> None:
    env = _subprocess_env(
        workspace,
        GITHUB_REPOSITORY=REPO,
        GITHUB_EVENT_NAME="issues",
        GITHUB_EVENT_PATH=str(incident_event(tmp_path)),
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "incident_ops", "run"], env=env, capture_output=True, text=True, timeout=30
    )

    assert done.returncode == 3
    assert time.monotonic() - started < 10
    assert "::error::#1: cannot reach GitHub at" in done.stdout and "check GITHUB_API_URL" in done.stdout
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stdout + done.stderr


def test_a_bad_retry_delay_is_a_usage_error(world: World) -> None:
    world.env["INCIDENT_OPS_RETRY_DELAY"] = "soon"
    result = world.sweep()
    assert result.code == 2
    assert "INCIDENT_OPS_RETRY_DELAY" in result.stderr


def test_a_linked_template_in_templates_dir_is_refused_before_any_write(world: World, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not post me", encoding="utf-8")
    folder = world.workspace / "messages"
    folder.mkdir()
    (folder / "reply.md.j2").symlink_to(secret)
    world.write_config("templates_dir: messages\n")
    number = world.open_issue("reporter")
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    world.emu.clear_requests()
    result = world.issues_event("labeled", number, "steward", label=LABEL)
    assert result.code == 1
    assert "reply.md.j2 is a link" in result.stdout
    assert world.emu.requests == []


def test_issue_titles_cannot_add_links_to_the_job_summary(world: World) -> None:
    number = world.open_issue("reporter", title="[click me](https://evil.example) @hub-org/everyone")
    result = world.declare(number, "steward")
    assert "[click me](https" not in result.summary
    assert "\\@hub" in result.summary


LOADED = """
import sys
from incident_ops.cli.main import main
code = main(["run"])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"jinja2", "markdown_it", "yaml", "dateutil"})
print(code, ",".join(heavy) or "-")
"""


def run_in_a_fresh_interpreter(world: World, event_path: Path) -> str:
    """`incident-ops run` in a new Python process: its exit code and the heavy libraries it loaded."""
    env = {
        **os.environ,
        "GITHUB_EVENT_NAME": "issues",
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": world.emu.api_url,
        "GITHUB_WORKSPACE": str(world.workspace),
        "GITHUB_TOKEN": TOKEN,
        "INCIDENT_OPS_NOW": world.now.isoformat(),
    }
    done = subprocess.run(
        [sys.executable, "-c", LOADED], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_run_with_nothing_new_to_draw_loads_no_template_or_markdown_library(world: World) -> None:
    number = world.open_issue("reporter", body="### Summary\n\nLogins fail.")
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    payload = load_fixture("issues.labeled")
    payload.update(issue=world.emu.issue(REPO, number), label=world.emu.label_json(REPO, LABEL))
    event = write_event(world.workspace / "event", payload)

    assert run_in_a_fresh_interpreter(world, event) == "0 jinja2,markdown_it"  # the declaration draws
    writes = len(world.writes())
    world.advance(minutes=1)
    assert run_in_a_fresh_interpreter(world, event) == "0 -"  # redelivered: nothing new to draw
    assert len(world.writes()) == writes


SYNC = """templates_dir: templates
integrations:
  pagerduty:
    sync: {api_key_env: PD_KEY, from_email: oncall@example.org, services: [PIJ90N7]}
"""


def test_validate_config_renders_the_replies_of_an_incident_opened_from_pagerduty(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    (workspace / "templates").mkdir()
    # A reply that assumes a person to address: PagerDuty's record of a resolution by nobody mapped has none.
    (workspace / "templates" / "reply.md.j2").write_text("{{ marker }}\nHi {{ author[0] }}\n", "utf-8")
    config = workspace / ".github" / "incident-ops.yml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(SYNC, encoding="utf-8")

    code, out, _ = run_cli(capsys, ["validate-config"], base_env(workspace))

    assert code == 1 and "templates/reply.md.j2, line 2" in out
    config.write_text("templates_dir: templates\n", "utf-8")  # without the sync, no reply lacks a person
    code, out, _ = run_cli(capsys, ["validate-config"], base_env(workspace))
    assert code == 0, out


def test_a_config_setting_every_key_of_the_contract_is_valid(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    every_key = Path(__file__).parents[1] / "fixtures" / "every-key.yml"
    config = workspace / ".github" / "incident-ops.yml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(every_key.read_text(encoding="utf-8"), encoding="utf-8")

    code, out, err = run_cli(capsys, ["validate-config"], base_env(workspace))

    assert code == 0, out + err
    assert out.strip() == f"{config}: valid (its paths count from {workspace})."  # not even a warning


def test_validate_config_tries_messages_addressed_to_no_representative(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    (workspace / "templates").mkdir()
    (workspace / "templates" / "update.md.j2").write_text("{{ marker }}\n{{ community.upper() }}\n", "utf-8")
    config = workspace / ".github" / "incident-ops.yml"
    config.parent.mkdir(exist_ok=True)
    config.write_text("templates_dir: templates\n", encoding="utf-8")

    code, out, _ = run_cli(capsys, ["validate-config"], base_env(workspace))

    assert code == 1 and "templates/update.md.j2, line 2: 'None' has no attribute 'upper'" in out
    assert "(the update template is given: at, author, close_after, community, marker, text)" in out
