"""End to end: incidents started in PagerDuty become one GitHub incident each, kept in step both ways."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from harness import LABEL, REPO, RunResult, World
from webhooks import load_fixture

from incident_ops.integrations import deliveries
from incident_ops.integrations.http import HttpClient
from incident_ops.standins import PagerDutyRestStandIn

CONFIG = """
severity:
  levels:
    P1: {page: true}
    P2: {}
integrations:
  pagerduty:
    sync:
      api_key_env: PAGERDUTY_API_KEY
      from_email: oncall@hub.example
      services: [SERVICE]
      users: {alice@hub.example: engineer, bob@hub.example: lead}
      api_url: URL%s
"""
ALICE, BOB, CAROL = "alice@hub.example", "bob@hub.example", "carol@hub.example"
ON_CALL = "oncall@hub.example"  # from_email


@pytest.fixture
def pd(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[PagerDutyRestStandIn]:
    """The sync configured against PagerDuty's stand-in, on the emulator's clock; one service, three users."""
    monkeypatch.setattr(deliveries, "HttpClient", functools.partial(HttpClient, base_delay=0.01))
    with PagerDutyRestStandIn(now=lambda: world.now) as standin:
        standin.service = standin.add_service("Hub")
        for name, email in (
            ("Alice", ALICE),
            ("Bob", BOB),
            ("Carol", CAROL),
            ("On call", "oncall@hub.example"),
        ):
            standin.add_user(name, email)
        configure(world, standin)
        yield standin


def configure(world: World, pd: PagerDutyRestStandIn, extra: str = "") -> None:
    """Write the config with the stand-in's address and service."""
    world.write_config((CONFIG % extra).replace("URL", pd.url).replace("SERVICE", pd.service))
    world.env["PAGERDUTY_API_KEY"] = pd.api_key


def incident_issues(world: World, pd_id: str) -> list[dict[str, Any]]:
    """Every issue the tool opened for the PagerDuty incident, open or closed."""
    mine = [i for i in world.emu.issues(REPO) if i["user"]["login"] == "github-actions[bot]"]
    return [i for i in mine if f"incident-ops-pagerduty:{pd_id}" in (i["body"] or "")]


def the_issue(world: World, pd_id: str) -> int:
    """The one open, labelled issue of the PagerDuty incident."""
    found = [i for i in incident_issues(world, pd_id) if i["state"] == "open" and LABEL in labels_of(i)]
    assert len(found) == 1, found
    return found[0]["number"]


def labels_of(issue: dict[str, Any]) -> set[str]:
    """An issue's label names."""
    return {label["name"] for label in issue["labels"]}


def dispatch(world: World, payload: dict[str, Any] | None = None, kind: str = "pagerduty") -> RunResult:
    """A repository_dispatch run, as PagerDuty's workflow step would start one."""
    event = load_fixture("repository_dispatch")
    event["action"] = kind
    event["client_payload"] = payload or {}
    event["repository"] = world.emu.repo_json(REPO)
    return world.run_payload("repository_dispatch", event)


def test_a_triggered_incident_becomes_one_declared_issue_linked_both_ways(
    world: World, pd: PagerDutyRestStandIn
) -> None:
    pd_id = pd.add_incident("Hub login fails", pd.service, priority="P1", assignee_email=ALICE)

    for _ in range(3):
        result = world.sweep()
        assert result.code == 0, result.stdout + result.stderr

    number = the_issue(world, pd_id)
    issue = world.emu.issue(REPO, number)
    assert issue["title"] == "Hub login fails" and issue["user"]["login"] == "github-actions[bot]"
    number_in_pd = pd.incident(pd_id)["incident_number"]
    assert f"PagerDuty incident [#{number_in_pd}]({pd.incident(pd_id)['html_url']})" in issue["body"]
    assert len(incident_issues(world, pd_id)) == 1
    status = world.status(number)
    assert "Incident status: Active" in status and "**P1**" in status
    assert f"| PagerDuty incident | [#{number_in_pd}]" in status
    assert "| Support Steward | @engineer |" in status  # declared by the responder `users` maps
    assert len(world.bot_comments(number, "acknowledgement")) == 1
    assert pd.notes(pd_id) == [f"Followed in GitHub: #{number} Hub login fails\n{issue['html_url']}"]
    assert pd.api_key not in result.stdout + result.stderr + result.summary


def test_concurrent_sweeps_and_dispatches_make_one_incident(world: World, pd: PagerDutyRestStandIn) -> None:
    pd_id = pd.add_incident("Storage is full", pd.service, priority="P2")
    results: list[RunResult] = []
    runs = [world.sweep, world.sweep, functools.partial(dispatch, world), functools.partial(dispatch, world)]
    threads = [threading.Thread(target=lambda run=run: results.append(run())) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r.code for r in results] == [0, 0, 0, 0], [r.stdout + r.stderr for r in results]

    number = the_issue(world, pd_id)
    for other in incident_issues(world, pd_id):
        if other["number"] != number:  # a twin opened at the same moment yields at once
            assert other["state"] == "closed" and LABEL not in labels_of(other)
    world.sweep()
    assert len(world.bot_comments(number, "acknowledgement")) == 1
    assert len(pd.notes(pd_id)) == 1


def test_an_acknowledgement_makes_the_mapped_user_commander_once(
    world: World, pd: PagerDutyRestStandIn
) -> None:
    pd_id = pd.add_incident("API errors", pd.service, priority="P2")
    world.sweep()
    number = the_issue(world, pd_id)
    assert "| Support Steward | @github-actions[bot] |" in world.status(number)  # nobody mapped: the tool

    pd.acknowledge(pd_id, ALICE)
    world.sweep()
    world.sweep()
    assert world.assignees(number) == {"engineer"}
    assert "| Incident Commander | @engineer |" in world.status(number)
    [record] = [
        c for c in world.bot_comments(number, "reply") if "acknowledged PagerDuty incident" in c["body"]
    ]
    assert re.sub(r"<!--.*?-->", "", record["body"]).count("@engineer") == 2

    world.comment(number, "lead", "/commander @lead")  # a later /commander wins
    pd.acknowledge(pd_id, BOB)
    world.sweep()
    assert world.assignees(number) == {"lead"}
    assert len([c for c in world.bot_comments(number, "reply") if "acknowledged PagerDuty" in c["body"]]) == 1


def test_an_acknowledgement_by_someone_not_mapped_names_nobody(
    world: World, pd: PagerDutyRestStandIn
) -> None:
    pd_id = pd.add_incident("API errors", pd.service, assignee_email=CAROL)
    world.sweep()
    pd.acknowledge(pd_id, CAROL)
    world.sweep()
    number = the_issue(world, pd_id)
    assert world.assignees(number) == set()
    assert "Incident Commander | *nobody yet" in world.status(number)


def test_resolved_in_pagerduty_resolves_the_github_incident_and_says_so(
    world: World, pd: PagerDutyRestStandIn
) -> None:
    pd_id = pd.add_incident("Queue stuck", pd.service, priority="P2", assignee_email=ALICE)
    world.sweep()
    number = the_issue(world, pd_id)
    pd_number = pd.incident(pd_id)["incident_number"]
    world.advance(minutes=20)
    pd.resolve(pd_id)
    writes_before = len(pd.writes())

    for _ in range(2):
        world.advance(minutes=5)
        assert world.sweep().code == 0

    [resolution] = world.bot_comments(number, "resolution")
    assert f"Resolved in PagerDuty (incident #{pd_number})." in resolution["body"]
    assert "incident: resolved" in world.labels(number)
    assert "Incident status: Resolved" in world.status(number)
    assert len(pd.writes()) == writes_before  # PagerDuty is not told what it said itself


def test_update_and_resolved_in_github_reach_pagerduty_once(world: World, pd: PagerDutyRestStandIn) -> None:
    pd_id = pd.add_incident("Search is slow", pd.service, priority="P2")
    world.sweep()
    number = the_issue(world, pd_id)

    world.comment(number, "engineer", "/update Rebuilding the index.")
    cid = world.emu.add_comment(REPO, number, "engineer", "/resolved Index rebuilt.")
    world.comment_event(number, cid)
    world.comment_event(number, cid)  # a redelivery sends nothing again
    world.sweep()

    assert pd.notes(pd_id)[1:] == [
        f"Update in GitHub by @engineer: Rebuilding the index.\n{world.emu.issue(REPO, number)['html_url']}",
        f"Resolved in GitHub by @engineer: Index rebuilt.\n{world.emu.issue(REPO, number)['html_url']}",
    ]
    assert pd.incident(pd_id)["status"] == "resolved"
    resolves = [r for r in pd.writes() if r.method == "PUT"]
    assert len(resolves) == 1 and resolves[0].headers["from"] == "oncall@hub.example"


def test_a_pagerduty_outage_is_a_warning_and_is_retried(world: World, pd: PagerDutyRestStandIn) -> None:
    pd_id = pd.add_incident("Disk errors", pd.service, priority="P2")
    pd.outage(times=3, method="GET", path="/incidents")
    result = world.sweep()
    assert result.code == 0 and "PagerDuty answered 500" in result.stdout
    assert incident_issues(world, pd_id) == []

    pd.rate_limit_next(2, reset_seconds=0)  # within one sweep's retries
    assert world.sweep().code == 0
    number = the_issue(world, pd_id)

    pd.outage(times=3, method="POST", path="/notes")
    world.comment(number, "engineer", "/update Replacing the disk.")
    assert not any("Replacing the disk" in note for note in pd.notes(pd_id))
    world.sweep()
    assert sum("Replacing the disk" in note for note in pd.notes(pd_id)) == 1


def test_a_forged_dispatch_creates_nothing_pagerduty_does_not_confirm(
    world: World, pd: PagerDutyRestStandIn
) -> None:
    forged = {"incident": {"id": "PFORGED", "title": "@everyone <img src=x> **down**", "status": "triggered"}}
    result = dispatch(world, forged)
    assert result.code == 0
    assert world.emu.issues(REPO) == []
    assert all(r.method == "GET" for r in pd.log)  # it only read PagerDuty

    pd_id = pd.add_incident("Real incident", pd.service)
    dispatch(world, forged)
    number = the_issue(world, pd_id)
    assert world.emu.issue(REPO, number)["title"] == "Real incident"
    assert "@everyone" not in "".join(c["body"] for c in world.comments(number))


def test_a_dispatch_of_another_type_does_nothing(world: World, pd: PagerDutyRestStandIn) -> None:
    pd.add_incident("Real incident", pd.service)
    result = dispatch(world, kind="deploy")
    assert result.code == 0 and "nothing to do for repository_dispatch events of type deploy" in result.stdout
    assert pd.log == [] and world.emu.issues(REPO) == []


def test_a_strangers_copy_of_the_hidden_link_is_ordinary_text(world: World, pd: PagerDutyRestStandIn) -> None:
    pd_id = pd.add_incident("Real incident", pd.service)
    forged = world.open_issue("passer-by", body=f"<!-- incident-ops-pagerduty:{pd_id} declared-by:lead -->")
    world.emu.add_labels(REPO, forged, [LABEL], "passer-by")
    world.sweep()
    number = the_issue(world, pd_id)
    assert number != forged
    assert "Incident status: Reported" in world.status(forged)


def test_min_priority_keeps_only_the_incidents_at_or_above_it(world: World, pd: PagerDutyRestStandIn) -> None:
    configure(world, pd, "\n      min_priority: P2")
    low = pd.add_incident("Low", pd.service, priority="P3")
    none = pd.add_incident("No priority", pd.service)
    high = pd.add_incident("High", pd.service, priority="P1")
    world.sweep()
    assert incident_issues(world, low) == incident_issues(world, none) == []
    the_issue(world, high)

    configure(world, pd, "\n      min_priority: P9")
    result = world.sweep()
    assert "'P9' is not one of PagerDuty's priorities (P1, P2, P3, P4, P5)" in result.stdout


def test_a_resolution_in_pagerduty_after_the_escalation_was_due_escalates_nothing(
    world: World, pd: PagerDutyRestStandIn
) -> None:
    pd_id = pd.add_incident("Cache cold", pd.service, priority="P2")
    world.sweep()
    number = the_issue(world, pd_id)
    assert "name: Incident report" not in world.emu.issue(REPO, number)["body"]  # no template front matter
    world.advance(minutes=45)  # the escalation fell due while nobody swept
    pd.resolve(pd_id)
    world.sweep()
    assert world.bot_comments(number, "escalation") == []
    assert len(world.bot_comments(number, "resolution")) == 1


def test_an_incident_older_than_its_issue_is_still_resolved_from_pagerduty(
    world: World, pd: PagerDutyRestStandIn
) -> None:
    pd_id = pd.add_incident("Old alert", pd.service, created_at=world.now)
    world.advance(minutes=15)  # the sweep comes a while after PagerDuty opened it
    world.sweep()
    number = the_issue(world, pd_id)
    pd.resolve(pd_id)
    world.sweep()
    assert "incident: resolved" in world.labels(number)


def test_an_acknowledged_incident_costs_no_write_when_nothing_happens(
    world: World, pd: PagerDutyRestStandIn
) -> None:
    pd_id = pd.add_incident("API errors", pd.service)
    world.sweep()
    pd.acknowledge(pd_id, ALICE)
    world.sweep()
    number = the_issue(world, pd_id)
    writes = len(world.writes())
    world.sweep()
    world.comment(number, "passer-by", "Same here.")
    world.sweep()
    assert len(world.writes()) == writes


def test_a_reopen_after_a_resolution_from_github_stays_open(world: World, pd: PagerDutyRestStandIn) -> None:
    pd_id = pd.add_incident("Queue stuck", pd.service)
    world.sweep()
    number = the_issue(world, pd_id)
    world.comment(number, "engineer", "/resolved Drained.")
    world.advance(minutes=5)
    world.comment(number, "engineer", "/reopen")
    world.advance(minutes=5)
    world.sweep()
    assert "Incident status: Active" in world.status(number)
    assert len(world.bot_comments(number, "resolution")) == 1


def test_a_commander_named_after_the_acknowledgement_wins(world: World, pd: PagerDutyRestStandIn) -> None:
    pd_id = pd.add_incident("API errors", pd.service)
    world.sweep()
    number = the_issue(world, pd_id)
    world.advance(minutes=1)
    pd.acknowledge(pd_id, ALICE)
    world.advance(minutes=2)
    world.comment(number, "lead", "/commander @lead")
    world.advance(minutes=2)
    world.sweep()
    assert "| Incident Commander | @lead |" in world.status(number)


def test_a_hand_edited_record_of_pagerduty_names_nobody(world: World, pd: PagerDutyRestStandIn) -> None:
    pd_id = pd.add_incident("API errors", pd.service)
    world.sweep()
    number = the_issue(world, pd_id)
    world.advance(minutes=1)
    pd.acknowledge(pd_id, ALICE)
    world.sweep()
    [record] = [c for c in world.bot_comments(number, "reply") if "acknowledged PagerDuty" in c["body"]]
    world.advance(minutes=1)
    forged = record["body"].replace("commander=@engineer", "commander=@lead").replace("@engineer", "@lead")
    world.emu.edit_comment(REPO, record["id"], forged)
    world.sweep()
    assert world.assignees(number) == {"engineer"}  # nothing is done on an edited record's word
    assert "| Incident Commander | @lead |" not in world.status(number)
