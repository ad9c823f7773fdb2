"""End to end: severity levels set the pace of escalation and updates, and only the team sets them."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator

import pytest
from harness import REPO, World

from incident_ops.integrations import slack
from incident_ops.integrations.http import HttpClient
from incident_ops.standins import SlackStandIn

LEVELS = """
escalation:
  mention: ["@hub-org/engineering"]
severity:
  default: SEV3
  levels:
    SEV1: {escalation: {after: 10m, mention: ["@hub-org/oncall"]}, updates: {every: 30m}, page: true}
    SEV2: {escalation: {after: 20m}}
    SEV3: {}
"""
FORM_SEV1 = "### Summary\n\nLogins fail.\n\n### Severity\n\nSEV1\n\n### Impact on users\n\nEveryone.\n"


@pytest.fixture
def chat(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStandIn]:
    """Severity levels and Slack configured against a stand-in."""
    monkeypatch.setattr(slack, "HttpClient", functools.partial(HttpClient, base_delay=0.01))
    with SlackStandIn() as standin:
        world.write_config(LEVELS + "integrations:\n  slack_webhook_env: SLACK_URL\n")
        world.env["SLACK_URL"] = standin.url
        yield standin


def escalations(world: World, number: int) -> list[str]:
    """The bodies of the escalation comments."""
    return [c["body"] for c in world.bot_comments(number, "escalation")]


def test_a_team_form_at_sev1_escalates_at_its_pace_to_its_people(world: World, chat: SlackStandIn) -> None:
    number = world.open_issue("steward", body=FORM_SEV1)
    world.declare(number, "steward")
    assert "| Severity | **SEV1**" in world.status(number)
    world.advance(minutes=9)
    world.sweep()
    assert escalations(world, number) == []
    world.advance(minutes=2)
    world.sweep()
    [escalation] = escalations(world, number)
    assert "@hub-org/oncall" in escalation and "@hub-org/engineering" not in escalation
    assert any(m.startswith(":warning: [SEV1] Escalation") for m in chat.messages)


def test_a_strangers_form_cannot_choose_a_paging_level(world: World, chat: SlackStandIn) -> None:
    number = world.open_issue("passer-by", body=FORM_SEV1)
    world.declare(number, "steward")
    assert "| Severity | **SEV3**" in world.status(number)
    world.advance(minutes=11)
    world.sweep()
    assert escalations(world, number) == []
    world.advance(minutes=20)
    world.sweep()
    [escalation] = escalations(world, number)
    assert "@hub-org/engineering" in escalation and "@hub-org/oncall" not in escalation


def test_severity_recomputes_the_clocks_from_the_same_starting_points(
    world: World, chat: SlackStandIn
) -> None:
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    world.advance(minutes=9)
    world.comment(number, "lead", "/severity sev2")  # 20 minutes after the declaration: not due yet
    world.advance(minutes=5)
    world.sweep()
    assert escalations(world, number) == []
    world.advance(minutes=11)
    world.comment(number, "lead", "/severity sev1")
    status = world.status(number)
    assert "| Severity | **SEV1**" in status and "set the severity to SEV1 (was SEV2)" in status
    world.sweep()  # 25 minutes after the declaration: SEV1's 10 minutes are long past, so it fires now
    assert len(escalations(world, number)) == 1 and "@hub-org/oncall" in escalations(world, number)[0]
    assert world.bot_comments(number, "update-reminder") == []
    world.advance(minutes=5)  # SEV1's updates every 30 minutes, counted from the declaration
    world.sweep()
    assert world.bot_comments(number, "update-reminder") != []
    world.comment(number, "lead", "/severity sev3")
    world.advance(hours=5)
    world.sweep()
    assert len(escalations(world, number)) == 1  # once per incident, whatever the level


@pytest.mark.parametrize(
    ("text", "author", "reason"),
    [
        ("/severity SEV9", "lead", "give one of the levels: SEV1, SEV2, SEV3"),
        ("/severity", "lead", "give one of the levels"),
        ("/severity SEV1", "passer-by", "only the incident response team can run it"),
    ],
)
def test_a_wrong_severity_is_refused_with_the_reason(
    world: World, chat, text: str, author: str, reason: str
) -> None:
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    world.comment(number, author, text)
    [reply] = world.bot_comments(number, "reply")
    assert reason in reply["body"] and "| Severity | **SEV3**" in world.status(number)


def test_without_levels_severity_is_refused_and_nothing_shows(world: World) -> None:
    number = world.open_issue("steward", body=FORM_SEV1)
    world.declare(number, "steward")
    world.comment(number, "lead", "/severity SEV1")
    [reply] = world.bot_comments(number, "reply")
    assert "no severity levels are configured (severity.levels" in reply["body"]
    assert "| Severity |" not in world.status(number)


def test_the_report_splits_by_severity(world: World, chat: SlackStandIn) -> None:
    first = world.open_issue("steward", body=FORM_SEV1)
    world.declare(first, "steward")
    second = world.open_issue("reporter")
    world.declare(second, "steward")
    world.advance(hours=1)
    world.comment(first, "engineer", "/resolved Back.")
    data = json.loads(world.cli("report", "--repo", REPO, "--format", "json").stdout)
    assert data["severities"]["SEV1"]["incidents"] == 1 and data["severities"]["SEV3"]["incidents"] == 1
    assert {i["number"]: i["severity"] for i in data["incidents"]} == {first: "SEV1", second: "SEV3"}
    markdown = world.cli("report", "--repo", REPO).stdout
    assert (
        "| Severity | Incidents | Median time to resolve |" in markdown
        and "| SEV1 | 1 | 1h 00m |" in markdown
    )


def test_validate_config_names_each_severity_mistake(world: World) -> None:
    path = world.write_config(
        "severity:\n  default: SEV9\n  levels:\n    SEV1: {page: maybe, escalation: {after: soon}}\n"
    )
    result = world.cli("validate-config", str(path))
    assert result.code == 1
    for problem in (
        "severity.default: 'SEV9' is not one of the levels (SEV1)",
        "severity.levels.SEV1.page: expected true or false",
        "severity.levels.SEV1.escalation.after: expected a duration",
    ):
        assert problem in result.stdout
