"""End to end: what reaches people outside GitHub goes out exactly once, whatever strangers, forgers and the
network do, and a configured pager pages."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from harness import LABEL, REPO, RunResult, World

from incident_ops.standins import FreshDeskStandIn, PagerDutyStandIn, SlackStandIn

TICKET = 123
RESOLVED = "incident: resolved"
CACHE = re.compile(r"<!-- incident-ops-cache:(\{.*?\}) -->", re.DOTALL)
CONFIG = """\
escalation:
  mention: ["@hub-org/engineering"]
integrations:
  slack_webhook_env: SLACK_URL
  freshdesk: {domain_env: FD_DOMAIN, api_key_env: FD_KEY}
  pagerduty: {routing_key_env: PD_KEY, events_url: "PD_URL"%s}
"""
SEVERITY = """\
severity:
  default: SEV3
  levels:
    SEV1: {page: true}
    SEV3: {}
"""


@dataclass
class Outside:
    """The services outside GitHub, as local stand-ins."""

    chat: SlackStandIn
    desk: FreshDeskStandIn
    pager: PagerDutyStandIn

    def escalations(self) -> int:
        """Escalation messages the channel received."""
        return sum("Escalation" in m for m in self.chat.messages)

    def replies(self) -> int:
        """Public replies the ticket's requester received."""
        return sum(1 for r in self.desk.writes() if r.path.endswith("/reply"))


@pytest.fixture
def outside(world: World) -> Iterator[Outside]:
    """Slack, FreshDesk (ticket 123) and PagerDuty configured against their stand-ins; no severity levels."""
    desk = FreshDeskStandIn(now=lambda: world.now)
    desk.add_ticket(TICKET)
    with SlackStandIn() as chat, desk, PagerDutyStandIn() as pager:
        configure(world, Outside(chat, desk, pager))
        yield Outside(chat, desk, pager)


def configure(world: World, services: Outside, extra: str = "", on_declare: bool = False) -> None:
    """Write the config for the stand-ins (with `extra` keys) and their variables."""
    pager = CONFIG % (", on_declare: true" if on_declare else "")
    world.write_config(extra + pager.replace("PD_URL", services.pager.url))
    world.env.update(
        SLACK_URL=services.chat.url,
        FD_DOMAIN=services.desk.base_url,
        FD_KEY=services.desk.api_key,
        PD_KEY=services.pager.routing_key,
    )


def ok(result: RunResult | None) -> RunResult:
    """A run that exited 0."""
    assert result is not None and result.code == 0, result.stdout + result.stderr if result else ""
    return result


def declared(world: World, author: str = "steward") -> int:
    """An incident whose report names ticket 123, opened by `author` and labelled by the steward."""
    number = world.open_issue(author, body=f"Logins fail.\n\nSupport ticket ref: {TICKET}")
    ok(world.declare(number, "steward"))
    return number


def key(number: int, epoch: str = "declared") -> str:
    """The incident's PagerDuty dedup key."""
    return f"{REPO}#{number}:{epoch}"


def escalated(world: World, number: int) -> dict:
    """Let the escalation fall due and sweep; the escalation comment."""
    world.advance(minutes=31)
    ok(world.sweep())
    [escalation] = world.bot_comments(number, "escalation")
    return escalation


def set_cache(world: World, number: int, data: dict) -> None:
    """Replace the status comment's cache, as someone with write access could."""
    [status] = world.bot_comments(number, "status")
    line = CACHE.search(status["body"])
    assert line is not None
    body = status["body"].replace(line[0], f"<!-- incident-ops-cache:{json.dumps(data)} -->")
    world.emu.edit_comment(REPO, status["id"], body)


# --- a configured pager pages -----------------------------------------------------------------------------


def test_without_severity_levels_every_escalation_pages(world: World, outside: Outside) -> None:
    number = declared(world)
    assert outside.pager.events == []  # declaring pages nobody unless on_declare
    escalated(world, number)
    ok(world.comment(number, "engineer", "/commander"))
    ok(world.comment(number, "engineer", "/resolved Back."))
    assert outside.pager.actions() == [
        ("trigger", key(number)),
        ("acknowledge", key(number)),
        ("resolve", key(number)),
    ]
    assert outside.pager.events[0]["payload"]["summary"] == f"#{number} Hub down"


def test_with_levels_an_incident_without_a_severity_pages(world: World, outside: Outside) -> None:
    configure(world, outside, SEVERITY.replace("default: SEV3", "default: null"))
    number = declared(world)
    escalated(world, number)
    assert outside.pager.actions() == [("trigger", key(number))]
    other = declared(world)
    ok(world.comment(other, "lead", "/severity SEV3"))
    escalated(world, other)
    assert outside.pager.actions() == [("trigger", key(number))]  # SEV3 does not page


def test_the_eu_service_region_gets_the_events(world: World, outside: Outside) -> None:
    with PagerDutyStandIn(routing_key=outside.pager.routing_key) as eu:
        world.write_config(CONFIG.replace("PD_URL", eu.url) % "")
        number = declared(world)
        escalated(world, number)
        assert eu.actions() == [("trigger", key(number))] and outside.pager.events == []


# --- only the tool's own marks count ----------------------------------------------------------------


def test_strangers_reactions_during_an_outage_neither_cancel_nor_repeat_a_page(
    world: World, outside: Outside
) -> None:
    number = declared(world)
    outside.chat.outage()
    outside.pager.fail_next(100, 500, {"status": "error"})
    escalation = escalated(world, number)
    assert outside.escalations() == 0 and outside.pager.events == []
    for content in ("rocket", "eyes", "hooray", "+1"):
        world.emu.react(REPO, escalation["id"], "passer-by", content)
    outside.chat.clear_faults()
    outside.pager.clear_faults()
    for _ in range(3):
        world.advance(minutes=15)
        ok(world.sweep())
    assert outside.escalations() == 1
    assert outside.pager.actions() == [("trigger", key(number))]
    mine = {
        r["content"] for r in world.emu.reactions(REPO, escalation["id"]) if r["user"]["login"].endswith("]")
    }
    assert mine == {"rocket", "hooray"}  # the claims stay; the retry mark is gone


def test_a_strangers_eyes_on_a_delivered_message_send_nothing_again(world: World, outside: Outside) -> None:
    number = declared(world)
    [ack] = world.bot_comments(number, "acknowledgement")
    sent = (len(outside.chat.messages), outside.replies())
    world.emu.react(REPO, ack["id"], "passer-by", "eyes")
    for _ in range(3):
        ok(world.sweep())
    assert (len(outside.chat.messages), outside.replies()) == sent == (1, 1)


def test_a_forged_retry_list_sends_nothing_and_never_pages_a_resolved_incident(
    world: World, outside: Outside
) -> None:
    number = declared(world)
    escalation = escalated(world, number)
    ok(world.comment(number, "engineer", "/commander\n/resolved Back."))
    before = (len(outside.chat.messages), outside.replies(), list(outside.pager.events))
    [status] = world.bot_comments(number, "status")
    cache = json.loads(CACHE.search(status["body"])[1])
    cache["pending"] = ["slack:escalation/declared", "pagerduty:escalation/declared", "pagerduty:cmd/1"]
    set_cache(world, number, cache)
    world.emu.react(REPO, escalation["id"], "passer-by", "eyes")
    for _ in range(2):
        world.advance(minutes=15)
        ok(world.sweep())
    assert (len(outside.chat.messages), outside.replies(), outside.pager.events) == before
    assert outside.pager.opened == {key(number): 1} and outside.pager.status[key(number)] == "resolved"


def test_a_hand_edited_declaration_record_lets_a_stranger_choose_neither_level_nor_ticket(
    world: World, outside: Outside
) -> None:
    configure(world, outside, SEVERITY)
    body = f"### Severity\n\nSEV1\n\nThe hub is down.\n\nSupport ticket ref: {TICKET}"
    number = world.open_issue("reporter", body=body)
    ok(world.declare(number, "steward"))
    [ack] = world.bot_comments(number, "acknowledgement")
    forged = ack["body"].replace(";author=outside", ";author=team")
    assert forged != ack["body"]
    world.advance(minutes=1)
    world.emu.edit_comment(REPO, ack["id"], forged)
    ok(world.comment(number, "engineer", "/update Looking into it."))
    escalated(world, number)
    assert "| Severity | **SEV3**" in world.status(number)
    assert outside.pager.events == [] and outside.desk.writes() == []


# --- exactly once under the worst timing ----------------------------------------------------------------


def test_two_runs_at_once_whose_answers_are_lost_send_each_message_once(
    world: World, outside: Outside
) -> None:
    configure(world, outside, on_declare=True)
    tries = 4
    numbers = []
    for _ in range(tries):
        number = world.open_issue("steward", body=f"Down.\n\nSupport ticket ref: {TICKET}")
        world.emu.add_labels(REPO, number, [LABEL], "steward")
        # Both runs' comment posts reach GitHub, and both answers are lost (a 502 after the write).
        world.emu.inject_fault("POST", rf"/issues/{number}/comments$", status=502, times=2, apply=True)
        start = threading.Barrier(2, timeout=30)
        codes: list[int] = []

        def run(number: int = number, start: threading.Barrier = start, codes: list[int] = codes) -> None:
            start.wait()
            codes.append(world.issues_event("labeled", number, "steward", label=LABEL).code)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert codes == [0, 0]
        numbers.append(number)
    ok(world.sweep())
    ok(world.sweep())

    assert [len(world.bot_comments(n, "acknowledgement")) for n in numbers] == [1] * tries
    assert len(outside.chat.messages) == tries
    assert outside.replies() == tries
    assert sorted(outside.pager.actions()) == sorted(("trigger", key(n)) for n in numbers)


# --- secrets never shown ----------------------------------------------------------------------------------


def test_a_remote_that_echoes_the_secrets_never_gets_them_shown(world: World, outside: Outside) -> None:
    world.env["GITHUB_ACTIONS"] = "true"
    chat, desk, pager = outside.chat, outside.desk, outside.pager
    chat.fail_next(5, 403, f"invalid_token for {chat.url}")
    desk.fail_next(5, 401, {"message": f"bad key {desk.api_key} (Basic {desk.api_key}:X)"})
    pager.fail_next(5, 400, {"status": "invalid event", "errors": [f"routing key {pager.routing_key}"]})
    number = declared(world)
    result = ok(escalated_result(world))
    secrets = (chat.url, chat.secret, desk.api_key, pager.routing_key)
    shown = [result.stdout, result.stderr, result.summary, json.dumps(result.outputs)]
    shown += [c["body"] for c in world.comments(number)]
    lines = [line for text in shown for line in text.splitlines() if not line.startswith("::add-mask::")]
    assert any("Slack answered 403" in line for line in lines)
    assert any("PagerDuty answered 400" in line for line in lines)
    assert not [line for line in lines if any(secret in line for secret in secrets)]


def escalated_result(world: World) -> RunResult:
    """The sweep that escalates."""
    world.advance(minutes=31)
    return world.sweep()


# --- dry runs show every write ----------------------------------------------------------------------------


def test_a_dry_run_sweep_announces_the_status_edit_and_every_message(world: World, outside: Outside) -> None:
    number = declared(world)
    world.advance(minutes=31)
    writes = len(world.writes())
    result = ok(world.sweep("--dry-run"))
    assert len(world.writes()) == writes
    out = result.stdout
    assert f"#{number}: would post escalation comment (escalation/declared)" in out
    assert "@hub-org/engineering: please join the response." in out  # the message's text
    assert f"#{number}: would edit status comment" in out
    assert "would send slack:escalation/declared: :warning: Escalation: <" in out
    assert f"would send pagerduty:escalation/declared: trigger {key(number)}" in out
    assert outside.chat.messages[1:] == [] and outside.pager.events == []
