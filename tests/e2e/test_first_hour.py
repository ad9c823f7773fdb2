"""End to end: the first hour of a new adopter, every failure one line that says what to change."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from pathlib import Path

import pytest
from harness import LABEL, REPO, World

from incident_ops.cli.main import main
from incident_ops.cli.sandbox import TOKEN, environment, run_sandbox, sandbox_lines, start_sandbox
from incident_ops.core.text.wording import api_calls
from incident_ops.emulator.routes_clock import CLOCK


def run(capsys: pytest.CaptureFixture[str], *argv: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """The CLI in-process; its exit code and everything it printed."""
    code = main(list(argv), env or {})
    out = capsys.readouterr()
    return code, out.out + out.err


def test_validate_config_of_a_binary_file_names_the_problem(tmp_path: Path, capsys) -> None:
    binary = tmp_path / "config.yml"
    binary.write_bytes(b"version: 1\n\xff\xfe\x00garbage")
    code, out = run(capsys, "validate-config", str(binary))
    assert code == 1 and "not UTF-8 text" in out and "Traceback" not in out


def test_an_api_url_without_a_scheme_says_how_to_write_it(capsys) -> None:
    env = {"GITHUB_API_URL": "127.0.0.1:9", "GITHUB_TOKEN": "x"}
    code, out = run(capsys, "sweep", "--repo", "hub-org/support", env=env)
    assert code == 2 and "GITHUB_API_URL" in out and "https://api.github.com" in out


def test_an_unreachable_github_names_the_url_and_the_variable(capsys) -> None:
    env = {"GITHUB_API_URL": "http://127.0.0.1:9", "GITHUB_TOKEN": "x", "INCIDENT_OPS_RETRY_DELAY": "0"}
    code, out = run(capsys, "sweep", "--repo", "hub-org/support", env=env)
    assert code == 3 and "http://127.0.0.1:9" in out and "GITHUB_API_URL" in out
    assert "rerunning is safe" not in out


def test_a_bad_token_says_to_change_github_token(world: World) -> None:
    world.env["GITHUB_TOKEN"] = "not-a-token"
    result = world.sweep()
    assert result.code == 1 and "GITHUB_TOKEN" in result.stdout and "rerunning is safe" not in result.stdout


def test_a_missing_repository_says_which_settings_name_it(world: World) -> None:
    result = world.cli("sweep", "--repo", "hub-org/nothing-here", event="schedule")
    assert (
        result.code == 3 and "hub-org/nothing-here" in result.stdout and "GITHUB_REPOSITORY" in result.stdout
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sweep", "--repo", "nope"], "'nope' is not a repository; give it as OWNER/NAME"),
        (["sweep", "--repo", "a/b", "--now", "yesterday"], "--now: 'yesterday' is not a time; give one like"),
        (["--now", "2026-03-02T09:00:00Z", "demo"], "demo does not use --now"),
        (["demo", "--dry-run"], "unrecognized arguments: --dry-run"),
        (["init", "--uses", "somewhere"], "is not OWNER/REPO@REF"),
    ],
)
def test_usage_mistakes_are_one_line_naming_the_fix(capsys, argv: list[str], expected: str) -> None:
    code, out = run(capsys, *argv)
    assert code == 2 and expected in out and "Traceback" not in out


def test_a_time_zone_in_the_wrong_case_gets_a_suggestion(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.yml"
    config.write_text("working_hours:\n  timezone: utc\n", encoding="utf-8")
    code, out = run(capsys, "validate-config", str(config))
    assert code == 1 and "did you mean UTC?" in out


def test_run_outside_actions_says_which_variables_it_needs(capsys) -> None:
    code, out = run(capsys, "run")
    assert code == 0 and "GITHUB_EVENT_NAME" in out and "GITHUB_EVENT_PATH" in out


def test_counts_are_worded_for_one_and_for_many(world: World) -> None:
    assert api_calls(1, 1) == "API calls: 1 read, 1 write"
    assert api_calls(2, 0) == "API calls: 2 reads, 0 writes"
    assert re.search(r"^API calls: \d+ reads?, \d+ writes?$", world.sweep().stdout, re.MULTILINE)


def test_a_dry_run_declaration_lists_the_status_comment_too(world: World) -> None:
    number = world.open_issue("reporter")
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    dry = world.issues_event_with_args("labeled", number, "steward", "--dry-run")
    assert "would post acknowledgement comment" in dry.stdout and "would post status comment" in dry.stdout
    assert world.comments(number) == []


def test_subcommand_help_says_what_it_does_and_what_it_reads(capsys) -> None:
    code, out = run(capsys, "sweep", "--help")
    assert code == 0 and "Serve every open incident" in out and "GITHUB_TOKEN" in out


def test_a_generated_config_validates_from_any_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    assert run(capsys, "init", str(repo))[0] == 0
    monkeypatch.chdir(tmp_path)
    code, out = run(capsys, "validate-config", "repo/.github/incident-ops.yml")
    assert code == 0 and "valid" in out


def test_init_writes_the_action_it_is_told_and_lists_what_is_left(tmp_path: Path, capsys) -> None:
    code, out = run(capsys, "init", str(tmp_path), "--uses", "my-org/incident-ops@v1.2.0")
    workflow = (tmp_path / ".github/workflows/incident-ops.yml").read_text(encoding="utf-8")
    assert code == 0 and "my-org/incident-ops/.github/workflows/incident-ops-reusable.yml@v1.2.0" in workflow
    assert "OWNER" not in workflow
    assert "Left to do:" in out and "create the labels" in out and "GITHUB_TOKEN" in out


def test_create_labels_without_a_token_says_so(tmp_path: Path, capsys) -> None:
    code, out = run(capsys, "init", str(tmp_path), "--create-labels", "--repo", "hub-org/support")
    assert code == 2 and "GITHUB_TOKEN" in out and not (tmp_path / ".github").exists()


def test_dry_run_lists_every_write_a_real_run_makes(world: World) -> None:
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    cid = world.emu.add_comment(REPO, number, "engineer", "/commander\n/update Looking into it.")
    payload = world.comment_payload(number, cid)
    dry = world.run_payload("issue_comment", payload, "--dry-run")
    assert world.bot_comments(number, "update") == []
    real = world.run_payload("issue_comment", payload)
    said = [line.split("would ", 1)[1] for line in dry.stdout.splitlines() if "[dry run]" in line]
    made = real.stdout.splitlines()[0].split(" — ", 1)[1].split("; ")
    assert [m.split(" (")[0] for m in made] == [s.split(" (")[0] for s in said]
    assert any(s.startswith("edit status comment") for s in said)


def test_the_demo_plays_a_repositorys_own_config(tmp_path: Path, capsys) -> None:
    assert run(capsys, "init", str(tmp_path))[0] == 0
    config = tmp_path / ".github/incident-ops.yml"
    text = config.read_text(encoding="utf-8").replace(
        'incident_label: "type: Hub Incident"', "incident_label: outage"
    )
    config.write_text(text.replace("after: 30m", "after: 45m"), encoding="utf-8")
    code, out = run(capsys, "demo", "--config", str(config))
    assert code == 0 and "labels it 'outage'" in out and "46 minutes without a resolution" in out
    assert "The issue is now closed (completed)" in out


def test_the_sandbox_serves_a_setup_with_a_clock_moved_over_http(tmp_path: Path, capsys) -> None:
    emu = start_sandbox(REPO, None)
    try:
        env = {**environment(emu, REPO), "GITHUB_WORKSPACE": str(tmp_path), "INCIDENT_OPS_RETRY_DELAY": "0"}
        assert any(line.startswith("  export GITHUB_API_URL=") for line in sandbox_lines(emu, REPO))
        number = emu.create_issue(REPO, "Hub down", "", "reporter")
        emu.add_labels(REPO, number, [LABEL], "steward")
        assert run(capsys, "sweep", env=env)[0] == 0
        request = urllib.request.Request(
            emu.api_url + CLOCK,
            data=json.dumps({"advance": {"minutes": 31}}).encode(),
            headers={"Authorization": f"token {TOKEN}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert json.loads(answer.read())["now"] == "2026-03-02T09:31:00Z"
        assert run(capsys, "sweep", env=env)[0] == 0
        kinds = [c["body"].split("incident-ops:", 1)[1].split(" ")[0] for c in emu.comments(REPO, number)]
        assert "escalation" in kinds
        assert "  incident-ops status-page --out site" in "\n".join(sandbox_lines(emu, REPO))
        code, out = run(capsys, "status-page", "--out", str(tmp_path / "site"), env=env)
        assert code == 0 and "1 active incident" in out
        assert "for 31 minutes" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    finally:
        emu.stop()


def test_the_sandbox_command_prints_its_environment_and_stops(capsys) -> None:
    stop = threading.Event()
    said: list[str] = []
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    assert run_sandbox(REPO, None, 0, said.append, stop) == 0
    assert any("INCIDENT_OPS_CLOCK_URL" in line for line in said)


def test_the_demo_builds_a_status_page_to_open_in_a_browser(tmp_path: Path, capsys) -> None:
    site = tmp_path / "site"
    code, out = run(capsys, "demo", "--status-page", str(site), env={"GITHUB_WORKSPACE": str(tmp_path)})

    assert code == 0, out
    assert f"open {(site / 'index.html').resolve().as_uri()} in a browser" in out
    index = (site / "index.html").read_text(encoding="utf-8")
    now, past = index.split('id="past"')
    assert "Notebooks are slow to start" in now and "The image registry is slow" in now
    assert "Users cannot log in" in past and "Logins work again. Thanks for your patience!" in past
    # #2 is the follow-up issue the demo opens: no incident, so no page
    assert sorted(p.name for p in (site / "incidents").iterdir()) == ["1.html", "3.html"]


def test_the_demo_refuses_a_status_page_folder_that_is_a_file(tmp_path: Path, capsys) -> None:
    file = tmp_path / "site"
    file.write_text("", encoding="utf-8")
    code, out = run(capsys, "demo", "--status-page", str(file))
    assert code == 2 and out.startswith(f"incident-ops: demo --status-page: {file} is a file")
    assert "incident-ops demo:" not in out  # refused before the demo plays


def test_a_token_without_issues_write_exits_1_naming_the_permission(world: World) -> None:
    number = world.open_issue("reporter")
    world.emu.add_labels(REPO, number, ["type: Hub Incident"], "steward")
    world.emu.inject_fault("POST", r"/issues/\d+/comments$", status=403, times=10)
    result = world.issues_event("labeled", number, "steward", label=LABEL)
    assert result.code == 1, result.stdout
    assert "give GITHUB_TOKEN `issues: write`" in result.stdout and "rerunning is safe" not in result.stdout


def test_report_asks_only_for_issues_read(world: World) -> None:
    world.emu.inject_fault("GET", r"/issues$", status=403, times=10)
    result = world.cli("report", event="")
    assert result.code == 1 and "give GITHUB_TOKEN `issues: read`" in result.stdout, result.stdout


def test_the_bundled_demo_shows_the_report_draft_and_a_follow_up_issue(tmp_path: Path, capsys) -> None:
    code, out = run(capsys, "demo", env={"GITHUB_WORKSPACE": str(tmp_path)})
    assert code == 0, out
    assert out.splitlines()[0].endswith("the bundled config (with follow_ups.section: Follow-up actions)")
    draft = out.index("[report-draft]")
    assert out.index("[resolution]") < draft < out.index("Time to resolve: 55 minutes")
    assert "→ #2" in out and "opens #2 'Alert when the identity provider answers slower than 2 seconds" in out
    assert "- #2 — open" in out  # the status comment lists it
