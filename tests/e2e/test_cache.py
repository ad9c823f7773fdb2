"""End to end: the status comment's cache is only a cache: cut, damaged, forged or gone, same decisions."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator

import pytest
from harness import LABEL, REPO, World

from incident_ops.cli.demo import REPORT
from incident_ops.core.comments.render import MAX_COMMENT
from incident_ops.integrations import slack
from incident_ops.integrations.http import HttpClient
from incident_ops.standins import SlackStandIn

RESOLVED = "incident: resolved"
CACHE = re.compile(r"<!-- incident-ops-cache:(\{.*?\}) -->", re.DOTALL)


@pytest.fixture
def chat(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStandIn]:
    """Slack configured against a stand-in, escalations mentioning the engineering team."""
    monkeypatch.setattr(slack, "HttpClient", functools.partial(HttpClient, base_delay=0.01))
    with SlackStandIn() as standin:
        world.write_config(
            'escalation:\n  mention: ["@hub-org/engineering"]\n'
            "integrations:\n  slack_webhook_env: SLACK_URL\n"
        )
        world.env["SLACK_URL"] = standin.url
        yield standin


def declared(world: World, body: str = "Logins fail on the hub.") -> int:
    """A community member's issue that the steward labels."""
    number = world.open_issue("reporter", body=body)
    assert world.declare(number, "steward").code == 0
    return number


def status_id(world: World, number: int) -> int:
    """The status comment's id."""
    [status] = world.bot_comments(number, "status")
    return status["id"]


def cache(world: World, number: int) -> dict:
    """The status comment's cache, parsed."""
    found = CACHE.search(world.status(number))
    assert found is not None, "the cache is missing or cut"
    return json.loads(found[1])


def set_cache(world: World, number: int, text: str | None) -> None:
    """Replace the cache line by `text` (None: remove it), as someone with write access could."""
    body = world.status(number)
    line = CACHE.search(body)
    assert line is not None
    new = body.replace(line[0], "" if text is None else f"<!-- incident-ops-cache:{text} -->")
    world.emu.edit_comment(REPO, status_id(world, number), new)


def outcome(world: World, number: int) -> tuple:
    """What people see: labels, assignees, state, and the tool's keyed comments."""
    issue = world.emu.issue(REPO, number)
    keys = sorted(re.search(r"incident-ops-key:(\S+) ", c["body"])[1] for c in world.bot_comments(number))
    return world.labels(number), world.assignees(number), issue["state"], keys


DAMAGE = {
    "deleted": None,
    "garbled": '{"verdicts": [1, 2',
    "naive time": '{"reported_at": "2026-03-02T09:00:00", "reported_by": "reporter"}',
    "unknown command": '{"answered": {"3000000002": {"at": "2026-03-02T09:00:00+00:00", "by": "x",'
    ' "cmds": [["deploy", "", true]]}}}',
    "huge cursor": '{"cursor": 99999999999999999999}',
    "cut": '{"done": [1',
    "done by another": '{"done": ["x"]}',
}
IGNORED = ("cursor", "answered")  # keys the cache does not hold: read past, not a damage


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_cache_is_a_warning_and_changes_nothing(world: World, damage: str | None) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander")
    set_cache(world, number, damage)

    result = world.comment(number, "lead", "/sme @engineer")

    assert result is not None and result.code == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    if damage is not None and not any(key in damage for key in IGNORED):
        assert "cache was dropped" in result.stdout
    assert world.assignees(number) == {"engineer"}
    assert "| Subject Matter Experts | @engineer |" in world.status(number)
    cache(world, number)  # drawn again, whole


def test_eight_thousand_command_lines_keep_the_status_comment_whole(world: World) -> None:
    number = declared(world)
    flood = "\n".join(["/status"] * 8000)
    for author in ("engineer", "passer-by"):
        assert world.comment(number, author, flood).code == 0
    world.comment(number, "engineer", "/update Still on it.")

    body = world.status(number)
    assert len(body) <= MAX_COMMENT
    cache(world, number)
    assert len(world.bot_comments(number, "update")) == 1


def test_an_edited_resolved_stays_resolved_without_the_cache(world: World, chat: SlackStandIn) -> None:
    number = declared(world)
    world.advance(minutes=5)
    resolved = world.emu.add_comment(REPO, number, "engineer", "/resolved The hub is back.")
    world.comment_event(number, resolved)
    world.advance(minutes=10)
    world.emu.edit_comment(REPO, resolved, "The hub is back.")  # the command line edited away
    set_cache(world, number, None)
    sent = len(chat.messages)

    world.advance(hours=1)
    world.sweep()

    assert RESOLVED in world.labels(number)
    assert "escalation" not in [c["body"].split(":", 2)[1].split(" ")[0] for c in world.bot_comments(number)]
    assert "| Resolved | 2026-03-02 09:05 UTC |" in world.status(number)
    assert len(chat.messages) == sent


def test_a_deleted_resolved_keeps_its_instant(world: World) -> None:
    number = declared(world)
    world.advance(minutes=5)
    resolved = world.emu.add_comment(REPO, number, "engineer", "/resolved")
    world.comment_event(number, resolved)
    world.emu.delete_comment(REPO, resolved)
    set_cache(world, number, None)
    world.advance(hours=2)
    world.sweep()
    assert RESOLVED in world.labels(number)
    assert "| Resolved | 2026-03-02 09:05 UTC |" in world.status(number)


def test_a_closed_incident_is_not_announced_again_when_the_cache_is_lost(
    world: World, chat: SlackStandIn
) -> None:
    number = declared(world, body=REPORT)
    world.comment(number, "engineer", "/resolved")
    world.emu.edit_issue(REPO, number, "lead", state="closed")
    world.issues_event("closed", number, "lead")
    closed = sum("Closed" in m for m in chat.messages)
    set_cache(world, number, None)
    for _ in range(3):
        world.comment(number, "reporter", "Thanks!")
    assert sum("Closed" in m for m in chat.messages) == closed == 1


def test_an_old_reopen_is_not_replayed_when_the_cache_is_lost(world: World) -> None:
    number = declared(world, body=REPORT)
    world.comment(number, "engineer", "/resolved")
    world.comment(number, "engineer", "/reopen")
    world.comment(number, "engineer", "/resolved")
    world.emu.edit_issue(REPO, number, "lead", state="closed")
    world.issues_event("closed", number, "lead")
    set_cache(world, number, None)
    world.comment(number, "reporter", "Thanks!")
    assert world.emu.issue(REPO, number)["state"] == "closed"


def test_forged_answers_resolve_nothing(world: World) -> None:
    number = declared(world)
    stranger = world.emu.add_comment(REPO, number, "passer-by", "I think it is fixed")
    created = world.emu.comment(REPO, stranger)["created_at"].replace("Z", "+00:00")
    forged = {"answered": {str(stranger): {"at": created, "by": "lead", "cmds": [["resolved", "", True]]}}}
    set_cache(world, number, json.dumps({**cache(world, number), **forged, "done": [stranger]}))
    world.emu.react(REPO, stranger, "reader", "+1")
    world.comment(number, "reporter", "any news?")
    assert RESOLVED not in world.labels(number) and not world.bot_comments(number, "resolution")


def test_forged_verdicts_do_not_make_a_stranger_team(world: World) -> None:
    number = declared(world)
    world.advance(minutes=1)
    cid = world.emu.add_comment(REPO, number, "passer-by", "/resolved")
    world.emu.react(REPO, cid, "passer-by", "+1")
    set_cache(world, number, json.dumps({"verdicts": {str(cid): True}}))
    world.comment_event(number, cid)
    world.sweep()
    assert RESOLVED not in world.labels(number)


def test_forged_undelivered_messages_send_nothing(world: World, chat: SlackStandIn) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/resolved")
    sent = len(chat.messages)
    pending = [
        "slack:acknowledgement",
        f"slack:resolution/{world.bot_comments(number, 'resolution')[0]['id']}",
    ]
    set_cache(world, number, json.dumps({"pending": pending * 20}))
    world.comment(number, "reporter", "ok")
    assert len(chat.messages) == sent


def test_another_incidents_cache_decides_nothing(world: World) -> None:
    first, second = declared(world), declared(world)
    world.comment(first, "engineer", "/commander\n/resolved")
    world.comment(second, "lead", "/sme @engineer")
    before = outcome(world, second)
    body = world.status(first)
    set_cache(world, second, CACHE.search(body)[1])
    world.advance(minutes=2)
    world.sweep()
    after = outcome(world, second)
    assert after == before
    assert RESOLVED not in world.labels(second)


def test_a_cache_for_a_reported_issue_cannot_declare_it(world: World) -> None:
    number = world.open_issue("reporter", labels=[LABEL])
    world.issues_event("opened", number, "reporter")
    set_cache(
        world, number, json.dumps({"declared_at": "2026-03-02T09:00:00+00:00", "declared_by": "steward"})
    )
    world.advance(hours=2)
    world.sweep()
    assert "Incident status: Reported" in world.status(number)
    assert [c for c in world.bot_comments(number) if "acknowledgement" in c["body"][:40]] == []


def test_each_person_outside_the_team_grows_the_cache_by_a_little(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander")
    before = len(CACHE.search(world.status(number))[0])
    for index in range(30):
        world.comment(
            number, f"stranger-with-a-rather-long-login-{index:04d}", "/resolved\n" * 50 + "x" * 5000
        )
    world.comment(number, "engineer", "/sme @lead")  # the status comment changes: what it learnt is kept
    grown = len(CACHE.search(world.status(number))[0]) - before
    assert 0 < grown <= 30 * 200


def test_an_incident_that_cannot_be_served_is_named_and_exits_3(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = declared(world)

    def broken(*_: object) -> list:
        raise KeyError("a bug")

    monkeypatch.setattr("incident_ops.serving.serve.plan", broken)
    result = world.comment(number, "engineer", "/status")
    assert result is not None and result.code == 3
    assert f"#{number}: unexpected KeyError" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert f"#{number}" in result.summary and "failed" in result.summary


def test_long_updates_in_any_script_keep_the_status_comment_within_the_limit(world: World) -> None:
    number = declared(world)
    for index in range(35):
        text = "Обновление " * 36 + "😀" * 40 + "<>" * 20
        result = world.comment(number, "engineer", f"/update {index} {text}\n/sme @lead")
        assert result is not None and result.code == 0, result.stdout
    assert len(world.status(number)) <= MAX_COMMENT
    cache(world, number)
    assert len(world.bot_comments(number, "update")) == 35


def test_a_deleted_command_comment_keeps_all_its_commands(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/resolved fixed")
    cid = world.emu.add_comment(REPO, number, "lead", "/reopen\n/commander @lead\n/sme @engineer")
    world.comment_event(number, cid)
    world.advance(minutes=10)
    assert world.delete_comment(cid).code == 0  # its run records what it held
    set_cache(world, number, None)
    world.comment(number, "reporter", "any news?")
    world.sweep()
    assert RESOLVED not in world.labels(number)
    status = world.status(number)
    assert "| Incident Commander | @lead |" in status and "| Subject Matter Experts | @engineer |" in status


def test_a_refusal_in_a_deleted_comment_does_not_refuse_what_was_applied(world: World) -> None:
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "engineer", "/sme\n/resolved The hub is back.")
    world.comment_event(number, cid)
    world.advance(minutes=10)
    world.emu.delete_comment(REPO, cid)
    set_cache(world, number, None)
    world.comment(number, "reporter", "thanks")
    world.sweep()
    assert RESOLVED in world.labels(number)


def test_a_retried_message_is_not_sent_again_from_an_old_cache(world: World, chat: SlackStandIn) -> None:
    number = declared(world)
    chat.outage()
    world.comment(number, "engineer", "/resolved")
    stale = CACHE.search(world.status(number))[1]
    chat.clear_faults()
    world.comment(number, "reporter", "thanks")  # the retry delivers it
    resolved = sum("Resolved" in m for m in chat.messages)
    assert resolved == 1
    for _ in range(2):
        set_cache(world, number, stale)  # someone puts the old cache back
        world.comment(number, "reporter", "ok")
    assert sum("Resolved" in m for m in chat.messages) == 1


def test_a_forged_report_check_does_not_close_an_incomplete_incident(world: World) -> None:
    from incident_ops.core.report.body import _digest
    from incident_ops.core.report.check import read_template

    number = declared(world)
    world.comment(number, "engineer", "/resolved")
    data = cache(world, number)
    body = world.emu.issue(REPO, number)["body"]
    sections = [[name, "done"] for name, _ in data["body"]["sections"]]
    data["body"] = {"digest": _digest(body, read_template(None).text), "sections": sections, "unticked": []}
    data["body"]["ticket"] = None
    set_cache(world, number, json.dumps(data))
    world.advance(days=5)
    world.sweep()
    assert world.emu.issue(REPO, number)["state"] == "open"
    assert world.bot_comments(number, "closing") == []


def test_a_cache_cannot_turn_the_team_into_outsiders(world: World) -> None:
    number = declared(world)
    world.comment(number, "steward", "/update Looking into it.")  # the records vouch for the steward
    cid = world.emu.add_comment(REPO, number, "steward", "/commander")
    data = cache(world, number)
    data["outsiders"] = {"steward": str(cid)}
    set_cache(world, number, json.dumps(data))
    world.comment_event(number, cid)
    assert world.assignees(number) == {"steward"}


def test_a_cache_cannot_turn_an_unvouched_team_member_into_an_outsider(world: World) -> None:
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "engineer", "/commander")  # engineer has no record yet
    data = cache(world, number)
    data["outsiders"] = {"engineer": str(cid)}
    set_cache(world, number, json.dumps(data))
    world.comment_event(number, cid)
    assert world.assignees(number) == {"engineer"}
    assert world.bot_comments(number, "reply") == []


def edited_roles(world: World, event: bool = True) -> tuple[int, int]:
    """An incident whose roles came from one comment the lead later edited away (with its edit's run, or
    with that run lost); (issue, comment)."""
    number = declared(world)
    roles = "/commander @engineer\n/sme @expert\n/community @reporter\n/ticket 42"
    cid = world.emu.add_comment(REPO, number, "lead", roles)
    world.comment_event(number, cid)
    world.advance(minutes=10)
    if event:
        world.edit_comment(cid, "(moved the roles to the status comment)")
    else:
        world.emu.edit_comment(REPO, cid, "(moved the roles to the status comment)")
    return number, cid


def roles_shown(world: World, number: int) -> bool:
    """Whether the status comment still names the roles the edited comment gave."""
    status = world.status(number)
    return all(
        row in status
        for row in (
            "| Incident Commander | @engineer |",
            "| Subject Matter Experts | @expert |",
            "| Community Representative | @reporter |",
        )
    )


def test_an_edited_command_comment_gets_one_record_and_keeps_its_commands_without_the_cache(
    world: World,
) -> None:
    number, cid = edited_roles(world)
    world.sweep()
    [record] = world.bot_comments(number, "reply")
    assert f"incident-ops-key:applied/{cid} " in record["body"]
    assert "`/commander @engineer`" in record["body"] and "`/ticket 42`" in record["body"]

    set_cache(world, number, None)
    world.advance(hours=1)
    world.comment(number, "reporter", "any news?")
    world.sweep()

    assert roles_shown(world, number)
    assert world.assignees(number) == {"engineer"}
    assert len(world.bot_comments(number, "reply")) == 1


def test_the_edit_event_records_what_was_applied_even_with_the_cache_gone(world: World) -> None:
    number = declared(world)
    roles = "/commander @engineer\n/sme @expert\n/community @reporter"
    cid = world.emu.add_comment(REPO, number, "lead", roles)
    world.comment_event(number, cid)
    set_cache(world, number, None)
    world.advance(minutes=10)

    result = world.edit_comment(cid, "(roles moved)")

    assert result.code == 0, result.stdout + result.stderr
    [record] = world.bot_comments(number, "reply")
    assert f"incident-ops-key:applied/{cid} " in record["body"]
    world.sweep()
    assert roles_shown(world, number) and world.assignees(number) == {"engineer"}
    assert len(world.bot_comments(number, "reply")) == 1


def test_edits_that_held_no_command_cost_no_call(world: World) -> None:
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "passer-by", "It is down for me too")
    world.comment_event(number, cid)
    result = world.edit_comment(cid, "/resolved")
    assert "held no command" in result.stdout
    assert RESOLVED not in world.labels(number) and world.bot_comments(number, "reply") == []


def test_a_strangers_edit_of_a_command_comment_writes_nothing(world: World) -> None:
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "passer-by", "/commander")
    world.comment_event(number, cid)
    replies = len(world.bot_comments(number, "reply"))
    world.advance(minutes=10)
    for n in range(3):
        world.edit_comment(cid, f"/sme @passer-by {n}")
    assert len(world.bot_comments(number, "reply")) == replies and world.assignees(number) == set()


def test_a_recorded_comment_keeps_its_commands_when_deleted_and_the_cache_is_forged(world: World) -> None:
    number, cid = edited_roles(world)
    world.sweep()
    at = world.emu.comment(REPO, cid)["created_at"].replace("Z", "+00:00")
    data = cache(world, number)
    data["answered"] = {str(cid): {"at": at, "by": "lead", "cmds": [["commander", "@passer-by", True]]}}
    set_cache(world, number, json.dumps(data))
    world.comment(number, "reporter", "any news?")
    assert roles_shown(world, number) and world.assignees(number) == {"engineer"}

    world.emu.delete_comment(REPO, cid)
    set_cache(world, number, None)
    world.sweep()
    assert roles_shown(world, number) and world.assignees(number) == {"engineer"}


def test_an_edit_within_the_grace_or_a_strangers_edit_needs_no_record(world: World) -> None:
    number = declared(world)
    world.comment(number, "lead", "/sme @expert")
    stranger = world.emu.add_comment(REPO, number, "passer-by", "/sme @passer-by")
    world.comment_event(number, stranger)
    world.advance(minutes=10)
    world.emu.edit_comment(REPO, stranger, "/commander @passer-by")
    world.sweep()
    world.sweep()
    assert [c for c in world.bot_comments(number, "reply") if "applied/" in c["body"]] == []


def test_two_runs_at_once_retry_a_message_only_once(world: World, chat: SlackStandIn) -> None:
    number = declared(world)
    chat.outage()
    world.comment(number, "engineer", "/resolved")
    [resolution] = world.bot_comments(number, "resolution")
    chat.clear_faults()
    # Another run claims the retry (the tool's rocket) just before this one asks for it.
    claim = functools.partial(world.emu.react, REPO, resolution["id"], "github-actions[bot]", "rocket")
    world.emu.before("POST", rf"/issues/comments/{resolution['id']}/reactions$", "rocket", claim)
    result = world.comment(number, "reporter", "thanks")
    assert result is not None and f"left slack:resolution/{resolution_source(resolution)}" in result.stdout
    assert sum("Resolved" in m for m in chat.messages) == 0  # the claiming run sends it, not this one


def resolution_source(comment: dict) -> str:
    """The id of the /resolved comment a resolution answers (its key's end)."""
    return re.search(r"incident-ops-key:resolution/(\d+)", comment["body"])[1]


def test_a_claimed_retry_that_fails_is_released_for_the_next_run(world: World, chat: SlackStandIn) -> None:
    number = declared(world)
    chat.outage()
    world.comment(number, "engineer", "/resolved")
    world.comment(number, "reporter", "thanks")  # the retry claims, fails, and takes its claim back
    [resolution] = world.bot_comments(number, "resolution")
    assert [r["content"] for r in world.emu.reactions(REPO, resolution["id"])] == ["eyes"]
    chat.clear_faults()
    for _ in range(3):
        world.comment(number, "reporter", "ok")
    assert sum("Resolved" in m for m in chat.messages) == 1


def test_a_huge_refused_command_does_not_spoil_the_record_of_an_edited_comment(world: World) -> None:
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "lead", "/sme @expert\n/ticket " + "x" * 60_000)
    world.comment_event(number, cid)
    world.advance(minutes=10)
    world.edit_comment(cid, "(edited)")
    [record] = [c for c in world.bot_comments(number, "reply") if f"applied/{cid}" in c["body"]]
    assert len(record["body"]) < 5_000
    set_cache(world, number, None)
    world.sweep()
    assert "| Subject Matter Experts | @expert |" in world.status(number)


def test_a_forged_cache_entry_for_an_edited_comment_applies_nothing_nobody_wrote(world: World) -> None:
    number, cid = edited_roles(world, event=False)  # the edit's own run is lost
    at = world.emu.comment(REPO, cid)["created_at"].replace("Z", "+00:00")
    forged = [["commander", "@passer-by", True], ["resolved", "", True]]
    set_cache(
        world,
        number,
        json.dumps(
            {**cache(world, number), "answered": {str(cid): {"at": at, "by": "lead", "cmds": forged}}}
        ),
    )
    before = outcome(world, number)

    result = world.sweep()  # within the hour its edit's run has to record what the comment held

    assert "timers, labels and the status comment wait for it" in result.stdout
    assert outcome(world, number) == before and roles_shown(world, number)
    world.advance(hours=2)
    later = world.sweep()
    assert "what it held is lost: give its commands again" in later.stdout
    assert world.assignees(number) == {"engineer"} and RESOLVED not in world.labels(number)
    assert "passer-by" not in world.status(number) and not world.bot_comments(number, "resolution")
