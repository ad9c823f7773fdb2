"""End to end: only the team declares, steers or stops an incident; strangers cost almost nothing."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from harness import LABEL, REPO, T0, World

from incident_ops.cli.demo import REPORT
from incident_ops.core.text.relay import ZERO_WIDTH_JOINER
from incident_ops.integrations import freshdesk, slack
from incident_ops.integrations.http import HttpClient
from incident_ops.standins import FreshDeskStandIn, SlackStandIn

RESOLVED = "incident: resolved"
TICKET = 123
CONFIG = """\
escalation:
  mention: ["@hub-org/engineering"]
integrations:
  slack_webhook_env: SLACK_URL
  freshdesk:
    domain_env: FD_DOMAIN
    api_key_env: FD_KEY
"""
MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")


@pytest.fixture
def wired(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[World, SlackStandIn, FreshDeskStandIn]]:
    """The world with Slack and FreshDesk stand-ins configured (FreshDesk ticket 123)."""
    fast = functools.partial(HttpClient, base_delay=0.01)
    monkeypatch.setattr(slack, "HttpClient", fast)
    monkeypatch.setattr(freshdesk, "HttpClient", fast)
    desk = FreshDeskStandIn(now=lambda: world.now)
    desk.add_ticket(TICKET)
    with SlackStandIn() as chat, desk:
        world.write_config(CONFIG)
        world.env.update(SLACK_URL=chat.url, FD_DOMAIN=desk.base_url, FD_KEY=desk.api_key)
        yield world, chat, desk


def form_issue(world: World, author: str = "reporter", body: str = "The hub does not load.") -> int:
    """Someone uses the issue form, which applies the incident label; the opened and labeled events run."""
    number = world.open_issue(author, body=body, labels=[LABEL])
    assert world.issues_event("opened", number, author).code == 0
    assert world.issues_event("labeled", number, author, label=LABEL).code == 0
    return number


def declared(world: World, body: str = "Logins fail on the hub.") -> int:
    """A community member's issue that the steward labels: declared at once."""
    number = world.open_issue("reporter", body=body)
    assert world.declare(number, "steward").code == 0
    return number


def kinds(world: World, number: int) -> list[str]:
    """The kinds of the tool's comments, oldest first."""
    return [c["body"].split("incident-ops:", 1)[1].split(" ", 1)[0] for c in world.bot_comments(number)]


def visible(body: str) -> str:
    """A comment without its hidden lines."""
    return re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL)


# --- reported, then declared ------------------------------------------------------------------------


def test_a_strangers_form_issue_is_reported_and_nothing_else(
    wired: tuple[World, SlackStandIn, FreshDeskStandIn],
) -> None:
    world, chat, desk = wired
    number = form_issue(world, body=REPORT.replace("4242", str(TICKET)))

    assert kinds(world, number) == ["status"]
    status = world.status(number)
    assert "## Incident status: Reported" in status
    assert "awaits confirmation by the incident response team" in status
    assert "comments `/declare`" in status
    assert not MENTION.search(visible(status)), "the reported status mentions someone"
    assert world.labels(number) == {LABEL} and world.assignees(number) == set()
    writes = len(world.writes())
    assert writes == 1

    for hours in (1, 5, 9, 13):  # past the escalation and several update deadlines
        world.advance(hours=hours)
        assert world.sweep().code == 0
    assert len(world.writes()) == writes
    assert kinds(world, number) == ["status"]
    assert chat.messages == [] and desk.writes() == []


def test_declare_confirms_a_report_and_every_clock_starts_there(
    wired: tuple[World, SlackStandIn, FreshDeskStandIn],
) -> None:
    world, chat, _ = wired
    number = form_issue(world)
    world.advance(minutes=40)

    result = world.comment(number, "steward", "/declare")

    assert result is not None and result.code == 0 and result.outputs["state"] == "active"
    assert kinds(world, number) == ["status", "acknowledgement"]
    status = world.status(number)
    assert "## Incident status: Active" in status
    assert "| Reported | 2026-03-02 09:00 UTC |" in status
    assert "| Declared | 2026-03-02 09:40 UTC (confirmed after 40 min) |" in status
    assert "| Escalation due | 2026-03-02 10:10 UTC |" in status
    assert "| Support Steward | @steward |" in status
    assert "@reporter reported the issue as an incident" in status
    assert "@steward confirmed the incident" in status
    assert len(chat.messages) == 1 and "Incident declared by @steward" in chat.messages[0]
    world.advance(minutes=29)
    world.sweep()
    assert "escalation" not in kinds(world, number)
    world.advance(minutes=1)
    world.sweep()
    assert kinds(world, number).count("escalation") == 1


def test_the_team_relabeling_a_report_declares_it(world: World) -> None:
    number = form_issue(world)
    world.advance(minutes=10)
    world.emu.remove_label(REPO, number, LABEL, "steward")
    world.emu.add_labels(REPO, number, [LABEL], "steward")

    world.issues_event("labeled", number, "steward", label=LABEL)

    status = world.status(number)
    assert "## Incident status: Active" in status
    assert "| Declared | 2026-03-02 09:10 UTC (confirmed after 10 min) |" in status
    assert kinds(world, number) == ["status", "acknowledgement"]


def test_a_lost_relabeling_is_caught_up_by_the_sweep(world: World) -> None:
    number = form_issue(world)
    world.advance(minutes=10)
    world.emu.remove_label(REPO, number, LABEL, "steward")
    world.emu.add_labels(REPO, number, [LABEL], "steward")  # its event never runs
    world.advance(minutes=5)

    world.sweep()

    assert "| Declared | 2026-03-02 09:10 UTC (confirmed after 10 min) |" in world.status(number)


def test_declare_on_a_plain_issue_adds_the_label_and_declares(world: World) -> None:
    number = world.open_issue("reporter", body="The hub is slow.")
    world.advance(minutes=3)

    result = world.comment(number, "engineer", "/declare\n/commander")

    assert result is not None and result.code == 0
    assert LABEL in world.labels(number)
    assert world.assignees(number) == {"engineer"}
    assert kinds(world, number) == ["acknowledgement", "status"]
    status = world.status(number)
    assert "| Declared | 2026-03-02 09:03 UTC |" in status and "Reported" not in status
    assert "| Support Steward | @engineer |" in status


def test_ordinary_comments_on_plain_issues_cost_no_api_call(world: World) -> None:
    number = world.open_issue("reporter", body="A question.")
    world.emu.clear_requests()
    result = world.comment(number, "reporter", "Is /declare a command? Try /help")
    assert result is not None and "is not an incident" in result.stdout
    assert world.emu.requests == []


def test_a_strangers_declare_is_refused_once(world: World) -> None:
    number = world.open_issue("reporter", body="The hub is slow.")
    world.comment(number, "reporter", "/declare")
    world.comment(number, "reporter", "/declare")

    assert LABEL not in world.labels(number)
    [reply] = world.bot_comments(number, "reply")
    assert "`/declare` was not applied: only the incident response team can run it" in reply["body"]
    assert kinds(world, number) == ["reply"]


def test_team_commands_on_a_report_wait_for_the_declaration(world: World) -> None:
    number = form_issue(world)
    world.comment(number, "engineer", "/commander")
    [reply] = world.bot_comments(number, "reply")
    assert "not a declared incident yet: a team member confirms it with `/declare`" in reply["body"]
    assert world.assignees(number) == set()
    world.comment(number, "engineer", "/declare")
    world.comment(number, "engineer", "/declare")
    assert "already a declared incident" in world.bot_comments(number, "reply")[-1]["body"]


def test_a_report_the_team_closes_is_dropped(world: World) -> None:
    number = form_issue(world)
    writes = len(world.writes())
    world.emu.edit_issue(REPO, number, "steward", state="closed", state_reason="not_planned")
    world.issues_event("closed", number, "steward")
    world.comment(number, "reporter", "why?")
    assert len(world.writes()) == writes
    assert world.emu.issue(REPO, number)["state"] == "closed"


# --- refusals are bounded ---------------------------------------------------------------------------


def test_a_stranger_gets_one_reply_a_day_whatever_they_write(world: World) -> None:
    number = declared(world)
    world.advance(minutes=5)
    writes = len(world.writes())
    for body in ("/resolved", "/help", "/status", "/commander", "/close\n/reopen"):
        world.comment(number, "passer-by", body)
        world.advance(minutes=4)

    replies = world.bot_comments(number, "reply")
    assert len(replies) == 1 and "`/resolved` was not applied" in replies[0]["body"]
    assert len(world.writes()) == writes + 1  # no reaction, no status edit
    assert RESOLVED not in world.labels(number)

    world.emu.set_now(T0 + timedelta(hours=24))  # 23h55 after the reply at 09:05
    world.comment(number, "passer-by", "/help")
    assert len(world.bot_comments(number, "reply")) == 1
    world.advance(minutes=5)  # 24h after the reply: the next refusal is answered
    world.comment(number, "passer-by", "/sme @passer-by")
    world.comment(number, "passer-by", "/help")
    replies = world.bot_comments(number, "reply")
    assert len(replies) == 2 and "`/sme` was not applied" in replies[1]["body"]


def test_the_day_counts_from_the_last_reply_not_the_first_comment(world: World) -> None:
    number = declared(world)
    world.comment(number, "passer-by", "/help")  # 09:00 replied
    for _ in range(6):  # a comment every 5 hours: 14:00 … 15:00 next day
        world.advance(hours=5)
        world.comment(number, "passer-by", "/help")
    # 10:00 next day is the first after 24 hours; 15:00 is within a day of that reply
    replies = world.bot_comments(number, "reply")
    assert [r["created_at"][:16] for r in replies] == ["2026-03-02T09:00", "2026-03-03T10:00"]


def test_the_team_is_always_answered(world: World) -> None:
    number = declared(world)
    for _ in range(3):
        world.comment(number, "engineer", "/ticket nope")
    assert len(world.bot_comments(number, "reply")) == 3


# --- who holds auto-close ---------------------------------------------------------------------------


def test_only_the_community_holds_auto_close(world: World) -> None:
    number = declared(world, body=REPORT)
    world.comment(number, "engineer", "/resolved")
    world.comment(number, "passer-by", "+1")
    assert "on hold" not in world.status(number)
    world.comment(number, "reporter", "Still down for me")
    assert "community replied" in world.status(number)


# --- closes that skip the process are undone --------------------------------------------------------


def test_the_author_closing_an_active_incident_is_reopened_without_mirroring(
    wired: tuple[World, SlackStandIn, FreshDeskStandIn],
) -> None:
    world, chat, desk = wired
    number = declared(world)
    world.comment(number, "engineer", f"/ticket {TICKET}")
    sent, desk_writes = len(chat.messages), len(desk.writes())

    world.emu.edit_issue(REPO, number, "reporter", state="closed")
    result = world.issues_event("closed", number, "reporter")

    assert result.code == 0
    assert world.emu.issue(REPO, number)["state"] == "open"
    [reply] = world.bot_comments(number, "reply")
    assert "reopened: the incident is not resolved yet" in reply["body"]
    assert "## Incident status: Active" in world.status(number)
    assert len(chat.messages) == sent and len(desk.writes()) == desk_writes

    world.emu.edit_issue(REPO, number, "reporter", state="closed")  # again, the same day
    world.issues_event("closed", number, "reporter")
    assert world.emu.issue(REPO, number)["state"] == "open"
    assert len(world.bot_comments(number, "reply")) == 1
    assert not any("Closed" in m for m in chat.messages)


def test_the_authors_close_of_a_resolved_complete_incident_is_the_confirmation(
    wired: tuple[World, SlackStandIn, FreshDeskStandIn],
) -> None:
    world, chat, desk = wired
    number = declared(world, body=REPORT)
    world.comment(number, "engineer", f"/ticket {TICKET}\n/resolved")

    world.emu.edit_issue(REPO, number, "reporter", state="closed")
    world.issues_event("closed", number, "reporter")
    world.issues_event("closed", number, "reporter")  # redelivered

    assert world.emu.issue(REPO, number)["state"] == "closed"
    [closing] = world.bot_comments(number, "closing")
    assert "@reporter closed this incident, which confirms the resolution" in closing["body"]
    assert sum("Closed" in m for m in chat.messages) == 1
    assert desk.ticket(TICKET).status == freshdesk.CLOSED
    assert "## Incident status: Closed" in world.status(number)


def test_the_authors_close_with_an_incomplete_report_is_undone(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/resolved")
    world.emu.edit_issue(REPO, number, "reporter", state="closed")
    world.issues_event("closed", number, "reporter")
    assert world.emu.issue(REPO, number)["state"] == "open"
    assert "the incident report is not complete yet" in world.bot_comments(number, "reply")[0]["body"]


def test_a_team_members_close_stands(world: World) -> None:
    number = declared(world)
    world.emu.edit_issue(REPO, number, "lead", state="closed")
    world.issues_event("closed", number, "lead")
    assert world.emu.issue(REPO, number)["state"] == "closed"
    assert not world.bot_comments(number, "reply")


# --- relayed text -----------------------------------------------------------------------------------


def test_relayed_text_cannot_ping_teams_or_hide_the_tools_text(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/update Ask @alice and @hub-org/everyone <!-- the rest is hidden")
    [update] = world.bot_comments(number, "update")
    body = update["body"]
    assert f"@{ZERO_WIDTH_JOINER}hub-org/everyone" in body and "@hub-org/everyone" not in body
    assert "@alice" in body
    assert f"<{ZERO_WIDTH_JOINER}!-- the rest is hidden" in body
    assert visible(body).rstrip().endswith("UTC.*")  # the footer "Posted by … on …" is not hidden

    world.comment(number, "engineer", "/resolved Fixed.\n```\nlogs <b>")
    [resolution] = world.bot_comments(number, "resolution")
    assert "```\nlogs <b>\n```" in resolution["body"]  # the fence is closed before the footer


def test_a_stranger_editing_their_report_costs_no_write(world: World) -> None:
    number = form_issue(world)
    writes = len(world.writes())
    for body in (REPORT, "Nothing here.", REPORT.replace("Summary", "Overview")):
        world.emu.edit_issue(REPO, number, "reporter", body=body)
        assert world.issues_event("edited", number, "reporter").code == 0
    assert len(world.writes()) == writes


def test_report_keeps_the_report_time_and_the_time_to_confirm(world: World) -> None:
    number = form_issue(world)
    world.advance(minutes=25)
    world.comment(number, "lead", "/declare")
    result = world.cli("report", "--repo", REPO, "--format", "json")
    assert result.code == 0, result.stderr
    [record] = json.loads(result.stdout)["incidents"]
    assert record["reported_at"] == "2026-03-02T09:00:00Z"
    assert record["declared_at"] == "2026-03-02T09:25:00Z"
    assert record["to_confirm_seconds"] == 25 * 60
    markdown = world.cli("report", "--repo", REPO).stdout
    assert "| Time to confirm (reported by someone outside the team) | 1 of 1 | 25m |" in markdown


# --- found by trying it as an outsider would ---------------------------------------------------------


def test_a_strangers_declare_cannot_bring_back_an_incident_the_team_dropped(world: World) -> None:
    world.write_config('escalation:\n  mention: ["@hub-org/engineering"]\n')
    number = declared(world)
    world.emu.remove_label(REPO, number, LABEL, "lead")
    world.advance(hours=2)
    writes = len(world.writes())
    world.comment(number, "passer-by", "/declare")
    assert LABEL not in world.labels(number)
    assert "escalation" not in kinds(world, number)
    assert len(world.writes()) == writes + 1  # the one refusal
    world.comment(number, "engineer", "/declare")  # the team brings it back: the label returns
    assert LABEL in world.labels(number)
    assert not any("already" in r["body"] for r in world.bot_comments(number, "reply"))


def test_a_refused_command_stays_refused_when_its_author_joins_the_team(world: World) -> None:
    number = declared(world)
    world.comment(number, "newhire", "/resolved All good\n/commander")
    world.advance(days=2)
    world.emu.set_permission(REPO, "newhire", "triage")
    world.comment(number, "reporter", "any news?")
    assert RESOLVED not in world.labels(number) and world.assignees(number) == set()
    assert not world.bot_comments(number, "resolution")


def test_a_lost_close_by_the_author_is_undone_by_the_next_sweep(world: World) -> None:
    number = declared(world)
    world.emu.edit_issue(REPO, number, "reporter", state="closed")  # its event never runs
    world.advance(hours=1)
    world.sweep()
    assert world.emu.issue(REPO, number)["state"] == "open"


def test_a_close_is_judged_by_the_incident_as_it_was_then(world: World) -> None:
    number = declared(world, body=REPORT)
    world.comment(number, "engineer", "/resolved")
    world.emu.edit_issue(REPO, number, "reporter", state="closed")  # the confirmation; its event is lost
    world.advance(minutes=5)
    world.comment(number, "lead", "/reopen")
    replies = world.bot_comments(number, "reply")
    assert not any("not resolved yet" in r["body"] for r in replies)
    assert world.emu.issue(REPO, number)["state"] == "open"  # the team's later /reopen wins


def test_an_outsiders_close_and_a_team_close_in_one_run_end_closed(world: World) -> None:
    number = declared(world, body=REPORT)
    world.emu.edit_issue(REPO, number, "reporter", state="closed")
    world.advance(seconds=20)
    world.comment(number, "lead", "/close")
    assert world.emu.issue(REPO, number)["state"] == "closed"
    assert "## Incident status: Closed" in world.status(number)


def test_closing_and_reopening_again_and_again_tells_chat_once(
    wired: tuple[World, SlackStandIn, FreshDeskStandIn],
) -> None:
    world, chat, _ = wired
    number = declared(world, body=REPORT)
    world.comment(number, "engineer", "/resolved")
    for _ in range(3):
        world.emu.edit_issue(REPO, number, "reporter", state="closed")
        world.issues_event("closed", number, "reporter")
        world.advance(minutes=15)
        world.emu.edit_issue(REPO, number, "reporter", state="open")
        world.issues_event("reopened", number, "reporter")
        world.advance(minutes=15)
    assert sum("Closed" in m for m in chat.messages) == 1


def test_a_team_members_close_on_github_is_told_to_chat_once(
    wired: tuple[World, SlackStandIn, FreshDeskStandIn],
) -> None:
    world, chat, _ = wired
    number = declared(world)
    world.emu.edit_issue(REPO, number, "lead", state="closed")
    world.issues_event("closed", number, "lead")
    world.issues_event("closed", number, "lead")
    world.comment(number, "reporter", "thanks")
    [closing] = world.bot_comments(number, "closing")
    assert "@lead closed this incident" in closing["body"]
    assert sum("Closed" in m for m in chat.messages) == 1


@pytest.mark.parametrize(
    "text",
    ["cc _@hub-org/sre_", "cc __@hub-org/sre__", "cc &#64;hub-org/sre", "x-@hub-org/sre", "@@hub-org/sre"],
)
def test_team_mentions_are_defused_whatever_surrounds_them(world: World, text: str) -> None:
    number = declared(world)
    world.comment(number, "engineer", f"/update {text}")
    body = world.bot_comments(number, "update")[0]["body"]
    assert "@hub-org/sre" not in body and "&#64;hub-org" not in body.replace("&amp;#64;", "")


def test_a_refusal_does_not_repeat_a_team_mention_or_hidden_markup(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/sme @hub-org/everyone")
    world.comment(number, "engineer", "/ticket <!-- hidden")
    bodies = " ".join(r["body"] for r in world.bot_comments(number, "reply"))
    assert "@hub-org/everyone" not in bodies and "<!-- hidden" not in bodies


def test_resolving_again_keeps_report_reminders_a_day_apart(world: World) -> None:
    number = declared(world)
    for _ in range(3):
        world.comment(number, "engineer", "/resolved")
        world.advance(minutes=10)
        world.comment(number, "reporter", "still broken")
        world.advance(minutes=10)
    assert len(world.bot_comments(number, "report-reminder")) == 1
    assert len(world.bot_comments(number, "resolution")) == 3


def test_strangers_cost_no_permission_reads_once_remembered(world: World) -> None:
    number = form_issue(world)
    for index in range(5):
        world.comment(number, f"stranger-{index}", "/help")
    world.comment(number, "engineer", "/declare")  # the status comment changes: what it learnt is kept
    world.emu.clear_requests()
    world.advance(minutes=5)
    world.sweep()
    permission_reads = [r for r in world.emu.requests if "/permission" in r.path]
    assert permission_reads == []


def test_a_strangers_reaction_does_not_swallow_a_team_command(world: World) -> None:
    number = declared(world)
    world.advance(minutes=1)
    cid = world.emu.add_comment(REPO, number, "engineer", "/commander\n/update We found it.")
    world.emu.react(REPO, cid, "passer-by", "+1")  # before the tool's run starts
    world.comment_event(number, cid)
    assert world.assignees(number) == {"engineer"}
    assert len(world.bot_comments(number, "update")) == 1
    world.emu.clear_requests()
    world.sweep()
    assert not [r for r in world.emu.requests if r.path.endswith("/reactions")]  # remembered: no more reads
