"""End to end: PagerDuty pages for the levels that page, one alert per incident, kept in step, never twice."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest
from harness import REPO, World

from incident_ops.integrations import deliveries
from incident_ops.integrations.http import HttpClient
from incident_ops.standins import PagerDutyStandIn

CONFIG = """
severity:
  default: SEV2
  levels:
    SEV1: {escalation: {after: 10m}, page: true}
    SEV2: {}
integrations:
  pagerduty: {routing_key_env: PAGERDUTY_ROUTING_KEY, events_url: "URL"%s}
"""


@pytest.fixture
def pager(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[PagerDutyStandIn]:
    """PagerDuty configured against its stand-in; SEV1 pages."""
    monkeypatch.setattr(deliveries, "HttpClient", functools.partial(HttpClient, base_delay=0.01))
    with PagerDutyStandIn() as standin:
        world.write_config((CONFIG % "").replace("URL", standin.url))
        world.env["PAGERDUTY_ROUTING_KEY"] = standin.routing_key
        yield standin


def sev1(world: World) -> int:
    """An incident the team raised to SEV1 right after declaring it."""
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    world.comment(number, "lead", "/severity SEV1")
    return number


def key(number: int, epoch: str = "declared") -> str:
    """The incident's dedup key."""
    return f"{REPO}#{number}:{epoch}"


def test_an_escalation_at_a_paging_level_triggers_once_and_an_ic_acknowledges(
    world: World, pager: PagerDutyStandIn
) -> None:
    number = sev1(world)
    assert pager.events == []  # declaring pages nobody unless on_declare
    world.advance(minutes=11)
    for _ in range(3):
        world.sweep()  # reruns: the escalation is posted once, so it triggers once
    assert pager.actions() == [("trigger", key(number))]
    trigger = pager.events[0]
    assert (
        trigger["payload"]["summary"].startswith(f"[SEV1] #{number}")
        and trigger["payload"]["severity"] == "critical"
    )
    assert pager.routing_key not in world.sweep().stdout
    world.comment(number, "engineer", "/commander")
    assert pager.status[key(number)] == "acknowledged"
    world.comment(number, "engineer", "/resolved Back.")
    assert pager.status[key(number)] == "resolved" and pager.opened == {key(number): 1}


def test_reopen_triggers_a_new_alert(world: World, pager: PagerDutyStandIn) -> None:
    number = sev1(world)
    world.advance(minutes=11)
    world.sweep()
    world.comment(number, "engineer", "/resolved Back.")
    cid = world.emu.add_comment(REPO, number, "engineer", "/reopen")
    world.comment_event(number, cid)
    world.comment_event(number, cid)  # a redelivery changes nothing
    assert pager.status[key(number, f"reopen-{cid}")] == "triggered"
    assert pager.opened == {key(number): 1, key(number, f"reopen-{cid}"): 1}


def test_a_level_that_does_not_page_sends_nothing(world: World, pager: PagerDutyStandIn) -> None:
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    world.advance(minutes=31)
    world.sweep()
    world.comment(number, "engineer", "/commander\n/resolved Back.")
    assert world.bot_comments(number, "escalation") and pager.events == []


def test_on_declare_pages_at_the_declaration(world: World, pager: PagerDutyStandIn) -> None:
    config = (CONFIG % ", on_declare: true").replace("default: SEV2", "default: SEV1")
    world.write_config(config.replace("URL", pager.url))
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    world.declare(number, "steward")
    assert pager.actions() == [("trigger", key(number))]


def test_a_pagerduty_outage_never_blocks_github_and_is_retried_once(
    world: World, pager: PagerDutyStandIn
) -> None:
    number = sev1(world)
    world.advance(minutes=11)
    pager.fail_next(20, 500, {"status": "error"})
    result = world.sweep()
    assert result.code == 0 and "PagerDuty answered 500" in result.stdout
    assert world.bot_comments(number, "escalation") and pager.events == []
    pager.clear_faults()
    world.advance(minutes=15)
    world.sweep()
    world.sweep()
    assert pager.actions() == [("trigger", key(number))] and pager.opened == {key(number): 1}


def test_a_wrong_routing_key_is_a_warning_naming_the_variable(world: World, pager: PagerDutyStandIn) -> None:
    world.env["PAGERDUTY_ROUTING_KEY"] = "not-the-key"
    number = sev1(world)
    world.advance(minutes=11)
    result = world.sweep()
    assert (
        result.code == 0 and "$PAGERDUTY_ROUTING_KEY" in result.stdout and "not-the-key" not in result.stdout
    )
    assert world.bot_comments(number, "escalation")


def test_validate_config_names_pagerduty_mistakes(world: World) -> None:
    path = world.write_config("integrations:\n  pagerduty: {on_declare: sometimes}\n")
    result = world.cli("validate-config", str(path))
    assert result.code == 1
    assert "integrations.pagerduty.routing_key_env: required when pagerduty is set" in result.stdout
    assert "integrations.pagerduty.on_declare: expected true or false" in result.stdout


def test_an_acknowledgement_that_failed_is_sent_by_the_next_run_once(
    world: World, pager: PagerDutyStandIn
) -> None:
    number = sev1(world)
    world.advance(minutes=11)
    world.sweep()
    pager.fail_next(20, 429, {"status": "throttled"}, headers={"Retry-After": "0"})
    cid = world.emu.add_comment(REPO, number, "engineer", "/commander")
    result = world.comment_event(number, cid)
    assert result.code == 0 and f"pagerduty:cmd/{cid}: PagerDuty answered 429" in result.stdout
    assert world.assignees(number) == {"engineer"} and pager.status[key(number)] == "triggered"
    pager.clear_faults()
    for _ in range(3):
        world.sweep()
    assert pager.actions().count(("acknowledge", key(number))) == 1
    assert pager.status[key(number)] == "acknowledged"


def test_a_forged_cache_cannot_make_pagerduty_trigger_a_resolved_incident(
    world: World, pager: PagerDutyStandIn
) -> None:
    number = sev1(world)
    world.advance(minutes=11)
    world.sweep()
    world.comment(number, "engineer", "/resolved Back.")
    reopen = world.emu.add_comment(REPO, number, "engineer", "/reopen")
    world.comment_event(number, reopen)
    world.comment(number, "engineer", "/resolved Back again.")
    stretch = key(number, f"reopen-{reopen}")
    assert pager.status[stretch] == "resolved"
    status = world.bot_comments(number, "status")[0]
    forged = status["body"].replace('"done":[', f'"pending":["pagerduty-trigger:cmd/{reopen}"],"done":[')
    assert forged != status["body"]
    world.emu.edit_comment(REPO, status["id"], forged)
    world.emu.react(REPO, reopen, "passer-by", "eyes")  # anyone's retry mark counts for nothing
    world.sweep()
    assert pager.status[stretch] == "resolved" and pager.opened[stretch] == 1


def test_the_events_url_override_replaces_the_configured_one(world: World, pager: PagerDutyStandIn) -> None:
    config = (CONFIG % ", on_declare: true").replace("default: SEV2", "default: SEV1")
    world.write_config(config.replace("URL", "http://127.0.0.1:9/v2/enqueue"))  # nothing listens there
    world.env["INCIDENT_OPS_PAGERDUTY_URL"] = pager.url
    number = world.open_issue("reporter")
    result = world.declare(number, "steward")
    assert pager.actions() == [("trigger", key(number))], result.stdout
