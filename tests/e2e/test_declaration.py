"""End to end: declaring an incident through `incident-ops run`, over real HTTP to the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from harness import LABEL, REPO, World, json_output
from webhooks import make_payload, write_event


def test_labeling_an_issue_declares_the_incident(world: World) -> None:
    number = world.open_issue("reporter", body="The hub does not load.")
    result = world.declare(number, "steward")

    assert result.code == 0, result.stderr
    ack = world.bot_comments(number, "acknowledgement")
    assert len(ack) == 1
    assert ack[0]["body"].count("@reporter") == 1  # addressed to the Community Representative
    assert "Support Steward:** @steward" in ack[0]["body"]
    status = world.status(number)
    assert "Incident status: Active" in status
    assert "| Support Steward | @steward |" in status
    assert "Declared | 2026-03-02 09:00 UTC" in status
    assert "Escalation due | 2026-03-02 09:30 UTC" in status
    assert result.outputs["incident"] == str(number)
    assert result.outputs["state"] == "active"
    assert len(json_output(result, "actions")) == 2
    assert "API calls:" in result.summary and f"#{number}" in result.summary


def test_opened_with_the_label_is_declared_at_creation(world: World) -> None:
    number = world.open_issue("steward", labels=[LABEL])
    world.advance(minutes=5)
    result = world.issues_event("opened", number, "steward")

    assert result.code == 0
    assert "Declared | 2026-03-02 09:00 UTC" in world.status(number)
    # The author is team, so nobody is addressed by name and the status asks for a representative.
    assert "Hi the community" not in world.bot_comments(number, "acknowledgement")[0]["body"]
    assert "*none: address them with `/community @login`*" in world.status(number)


def test_redelivered_event_writes_nothing(world: World) -> None:
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    before = len(world.writes())

    again = world.issues_event("labeled", number, "steward", label=LABEL)

    assert again.code == 0
    assert len(world.writes()) == before
    assert len(world.bot_comments(number)) == 2


def test_a_strangers_labeled_issue_is_reported_once_not_declared(world: World) -> None:
    number = world.open_issue("reporter", labels=[LABEL])
    world.issues_event("opened", number, "reporter")
    comments_after_opened = [c["id"] for c in world.comments(number)]

    world.issues_event("labeled", number, "reporter", label=LABEL)

    assert [c["id"] for c in world.comments(number)] == comments_after_opened
    assert len(comments_after_opened) == 1
    assert "Incident status: Reported" in world.status(number)


def test_non_incident_issues_are_left_alone(world: World) -> None:
    number = world.open_issue("reporter", title="Feature request")
    world.emu.clear_requests()

    result = world.issues_event("opened", number, "reporter")

    assert result.code == 0
    assert "is not an incident" in result.stdout
    assert world.emu.requests == []  # not even a read
    assert world.comments(number) == []


def test_dry_run_reads_but_writes_nothing(world: World) -> None:
    number = world.open_issue("reporter")
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    world.emu.clear_requests()

    result = world.issues_event_with_args("labeled", number, "steward", "--dry-run")

    assert result.code == 0
    assert world.writes() == []
    assert world.comments(number) == []
    assert "would post acknowledgement comment" in result.stdout
    assert "would post status comment" in result.stdout
    assert "dry run" in result.summary


def test_dry_run_from_the_environment(world: World) -> None:
    number = world.open_issue("reporter")
    world.env["INCIDENT_OPS_DRY_RUN"] = "true"
    world.declare(number, "steward")
    assert world.comments(number) == []


def test_bad_config_exits_1_naming_the_key_before_any_request(world: World) -> None:
    world.write_config("escalation:\n  after: soon\nteam:\n  min_permision: write\n")
    number = world.open_issue("reporter")
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    world.emu.clear_requests()

    result = world.issues_event("labeled", number, "steward", label=LABEL)

    assert result.code == 1
    assert "escalation.after" in result.stdout and "escalation.after" in result.stderr
    assert "team.min_permision" in result.stdout
    assert "::error file=.github/incident-ops.yml,line=2::" in result.stdout
    assert world.emu.requests == []


def test_config_sets_the_label_and_clock(world: World) -> None:
    world.write_config('incident_label: "outage"\nescalation:\n  after: 1h\n')
    number = world.open_issue("reporter")
    world.emu.add_labels(REPO, number, ["outage"], "steward")
    result = world.issues_event("labeled", number, "steward", label="outage")
    assert result.code == 0
    assert "Escalation due | 2026-03-02 10:00 UTC" in world.status(number)


def test_lost_post_response_does_not_duplicate_the_comment(world: World) -> None:
    number = world.open_issue("reporter")
    world.emu.inject_fault("POST", rf"/issues/{number}/comments$", status=502, apply=True, times=1)

    result = world.declare(number, "steward")

    assert result.code == 0, result.stdout + result.stderr
    assert len(world.bot_comments(number, "acknowledgement")) == 1
    assert len(world.bot_comments(number, "status")) == 1


def test_persistent_5xx_exits_3_and_a_rerun_completes_without_duplicates(world: World) -> None:
    number = world.open_issue("reporter")
    world.emu.inject_fault("POST", rf"/issues/{number}/comments$", status=503, times=50)

    failed = world.declare(number, "steward")

    assert failed.code == 3
    assert "GitHub failed" in failed.stdout and "rerunning is safe" in failed.stdout
    assert "Traceback" not in failed.stdout + failed.stderr
    world.emu.clear_faults()

    rerun = world.issues_event("labeled", number, "steward", label=LABEL)

    assert rerun.code == 0
    assert len(world.bot_comments(number, "acknowledgement")) == 1
    assert len(world.bot_comments(number, "status")) == 1


def test_ack_lost_then_status_failed_converges(world: World) -> None:
    number = world.open_issue("reporter")
    # The acknowledgement lands but its answer is lost, then the status post keeps failing.
    world.emu.inject_fault("POST", rf"/issues/{number}/comments$", status=502, apply=True, times=1)
    world.emu.inject_fault("POST", rf"/issues/{number}/comments$", status=502, times=50)
    assert world.declare(number, "steward").code == 3
    world.emu.clear_faults()
    assert world.issues_event("labeled", number, "steward", label=LABEL).code == 0
    kinds = [c["body"].splitlines()[0] for c in world.bot_comments(number)]
    assert kinds == ["<!-- incident-ops:acknowledgement -->", "<!-- incident-ops:status -->"]


def test_unknown_events_are_a_notice(world: World) -> None:
    result = world.cli("run", event="push", event_path="")
    assert result.code == 0
    assert "::notice::" in result.stdout


def test_unreadable_event_file_is_a_usage_error(world: World, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = world.cli("run", event="issues", event_path=str(broken))
    assert result.code == 2
    assert "not valid JSON" in result.stderr


def test_console_entry_point_runs_as_a_subprocess(world: World, tmp_path: Path) -> None:
    number = world.open_issue("reporter")
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    payload = make_payload(
        "issues.labeled",
        repository=world.emu.repo_json(REPO),
        issue=world.emu.issue(REPO, number),
        sender=world.emu.user_json("steward"),
        label=world.emu.label_json(REPO, LABEL),
    )
    event = write_event(tmp_path / "event", payload)
    env = {
        **os.environ,
        "GITHUB_EVENT_NAME": "issues",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": world.emu.api_url,
        "GITHUB_WORKSPACE": str(world.workspace),
        "GITHUB_TOKEN": "ghs_actions_token_for_tests",
        "INCIDENT_OPS_NOW": world.now.isoformat(),
    }
    done = subprocess.run(
        [sys.executable, "-m", "incident_ops", "run"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "ghs_actions_token_for_tests" not in done.stdout + done.stderr
    assert len(world.bot_comments(number)) == 2
    assert json.loads(json.dumps(world.emu.issue(REPO, number)))["number"] == number


def test_the_acknowledgement_thanks_only_a_reporter_outside_the_team(world: World) -> None:
    reported = world.open_issue("reporter")
    world.declare(reported, "steward")
    opened_by_team = world.open_issue("engineer")
    world.declare(opened_by_team, "steward")
    [thanks] = world.bot_comments(reported, "acknowledgement")
    [plain] = world.bot_comments(opened_by_team, "acknowledgement")
    assert "Hi @reporter: thank you for reporting this. We have declared it an incident" in thanks["body"]
    assert "To the community: we have declared an incident and the" in plain["body"]
    assert "thank you" not in plain["body"]
