"""End to end: slash commands in comments, roles, permissions and replays, through `incident-ops run`."""

from __future__ import annotations

import threading

import pytest
from harness import LABEL, REPO, World
from webhooks import make_payload

RESOLVED = "incident: resolved"


def declared(world: World) -> int:
    """An incident reported by a community member and declared by the steward."""
    number = world.open_issue("reporter", body="Logins fail on the hub.")
    assert world.declare(number, "steward").code == 0
    return number


def reactions(world: World, comment_id: int) -> set[str]:
    """The reactions on a comment."""
    return {r["content"] for r in world.emu.reactions(REPO, comment_id)}


def last_comment_id(world: World, number: int, author: str) -> int:
    """The id of `author`'s latest comment."""
    return [c["id"] for c in world.comments(number) if c["user"]["login"] == author][-1]


def test_commander_defaults_to_the_commenter_and_assigns(world: World) -> None:
    number = declared(world)
    result = world.comment(number, "engineer", "/commander")
    assert result is not None and result.code == 0
    assert world.assignees(number) == {"engineer"}
    assert "| Incident Commander | @engineer |" in world.status(number)
    assert reactions(world, last_comment_id(world, number, "engineer")) == {"+1"}


def test_commander_handover_unassigns_the_previous_one(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander")
    world.comment(number, "steward", "/commander @lead")
    assert world.assignees(number) == {"lead"}
    status = world.status(number)
    assert "| Incident Commander | @lead |" in status
    assert "named @lead Incident Commander (was @engineer)" in status


def test_sme_community_ticket_and_status(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/sme @lead @reader\n/community @community-rep\n/ticket #4242")
    status = world.status(number)
    assert "| Subject Matter Experts | @lead, @reader |" in status
    assert "| Community Representative | @community-rep |" in status
    assert "| Support ticket | 4242 |" in status
    world.comment(number, "reporter", "/status")
    # Someone outside the team costs no reaction: a refreshed status comment is the answer.
    assert reactions(world, last_comment_id(world, number, "reporter")) == set()


def test_update_is_addressed_to_the_community_and_restarts_the_clock(world: World) -> None:
    number = declared(world)
    world.advance(minutes=20)
    world.comment(number, "engineer", "/update We found the cause.\n\nA fix is rolling out.")
    updates = world.bot_comments(number, "update")
    assert len(updates) == 1
    assert updates[0]["body"].count("@reporter") == 1
    assert "We found the cause.\n\nA fix is rolling out." in updates[0]["body"]
    assert "Next update due | 2026-03-02 13:20 UTC" in world.status(number)


def test_resolved_labels_posts_and_reminds_about_the_report(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/resolved The hub is back.")
    assert RESOLVED in world.labels(number)
    resolution = world.bot_comments(number, "resolution")
    assert len(resolution) == 1 and "The hub is back." in resolution[0]["body"]
    reminders = world.bot_comments(number, "report-reminder")
    assert len(reminders) == 1 and "Missing section: Summary" in reminders[0]["body"]
    assert "Incident status: Resolved" in world.status(number)


def test_reopen_removes_the_label_and_restarts_escalation(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/resolved")
    world.advance(minutes=50)
    world.comment(number, "engineer", "/reopen")
    assert RESOLVED not in world.labels(number)
    status = world.status(number)
    assert "Incident status: Active" in status
    assert "Escalation due | 2026-03-02 10:20 UTC" in status


def test_help_lists_every_command(world: World) -> None:
    number = declared(world)
    world.comment(number, "reporter", "/help")
    replies = world.bot_comments(number, "reply")
    assert len(replies) == 1
    for name in ("commander", "sme", "community", "update", "resolved", "reopen", "close", "ticket"):
        assert f"/{name}" in replies[0]["body"]


@pytest.mark.parametrize(
    "command",
    [
        "/commander",
        "/sme @lead",
        "/community @reporter",
        "/update hi",
        "/resolved",
        "/reopen",
        "/close",
        "/ticket 12",
    ],
)
@pytest.mark.parametrize("outsider", ["reporter", "reader"])
def test_team_commands_from_outsiders_are_refused(world: World, command: str, outsider: str) -> None:
    number = declared(world)
    before_labels, before_assignees = world.labels(number), world.assignees(number)
    status_before = world.status(number)

    world.comment(number, outsider, command)

    replies = world.bot_comments(number, "reply")
    name = command.split()[0]
    assert len(replies) == 1
    assert f"`{name}` was not applied: only the incident response team can run it" in replies[0]["body"]
    assert world.labels(number) == before_labels and world.assignees(number) == before_assignees
    assert world.emu.issue(REPO, number)["state"] == "open"
    assert not world.bot_comments(number, "update") and not world.bot_comments(number, "resolution")
    assert reactions(world, last_comment_id(world, number, outsider)) == set()  # the reply is their one write
    assert (
        status_before.split("### Timeline")[0].split("-->", 3)[-1]
        == (world.status(number).split("### Timeline")[0].split("-->", 3)[-1])
    )


def test_permission_comes_from_the_api_not_author_association(world: World) -> None:
    """A private org member reads as CONTRIBUTOR in payloads; their write permission is what counts."""
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "engineer", "/commander")
    comment = world.emu.comment(REPO, cid) | {"author_association": "CONTRIBUTOR"}
    payload = make_payload(
        "issue_comment.created",
        repository=world.emu.repo_json(REPO),
        issue=world.emu.issue(REPO, number),
        sender=comment["user"],
        comment=comment,
    )
    assert world.run_payload("issue_comment", payload).code == 0
    assert world.assignees(number) == {"engineer"}


def test_triage_role_counts_although_the_legacy_field_says_read(world: World) -> None:
    number = declared(world)
    world.comment(number, "steward", "/sme @lead")  # steward's role is triage
    assert "| Subject Matter Experts | @lead |" in world.status(number)


def test_team_users_from_config_count_regardless_of_permission(world: World) -> None:
    world.write_config("team:\n  users: [reader]\n")
    number = declared(world)
    world.comment(number, "reader", "/commander")
    assert world.assignees(number) == {"reader"}


def test_higher_min_permission_refuses_triage(world: World) -> None:
    world.write_config("team:\n  min_permission: write\n")
    number = declared(world)
    world.comment(number, "steward", "/commander")
    assert world.assignees(number) == set()
    assert len(world.bot_comments(number, "reply")) == 1


@pytest.mark.parametrize(
    "body",
    [
        "```\n/resolved\n```",
        "    /resolved",
        "`/resolved` is what you type",
        "> /resolved\n\nThanks!",
        "> > /resolved",
        "See /home/jovyan/work for the logs",
        "/resolvedx now",
    ],
)
def test_text_that_is_not_a_command_changes_nothing(world: World, body: str) -> None:
    number = declared(world)
    writes_before = len(world.writes())
    world.comment(number, "engineer", body)
    assert len(world.writes()) == writes_before
    assert RESOLVED not in world.labels(number)


def test_two_commands_in_one_comment_run_in_order(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander @lead\n/update Lead is on it.")
    assert world.assignees(number) == {"lead"}
    assert len(world.bot_comments(number, "update")) == 1
    assert reactions(world, last_comment_id(world, number, "engineer")) == {"+1"}


def test_a_refused_command_beside_an_accepted_one_is_reported(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander\n/sme @-not-a-login")
    assert world.assignees(number) == {"engineer"}
    replies = world.bot_comments(number, "reply")
    assert len(replies) == 1 and "'@-not-a-login' is not a valid GitHub login" in replies[0]["body"]
    assert reactions(world, last_comment_id(world, number, "engineer")) == {"confused"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("/update", "`/update` needs the text of the update"),
        ("/sme", "expected at least 1 login"),
        ("/community", "name the Community Representative"),
        ("/ticket", "/ticket"),
        ("/commander @a @b", "expected at most 1 login"),
        ("/reopen", "not resolved"),
    ],
)
def test_malformed_commands_get_a_reply_saying_why(world: World, body: str, reason: str) -> None:
    number = declared(world)
    world.comment(number, "engineer", body)
    replies = world.bot_comments(number, "reply")
    assert len(replies) == 1
    assert reason in replies[0]["body"]


def test_resolving_again_posts_a_new_resolution_and_restarts_the_auto_close_clock(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/resolved")
    world.advance(hours=30)
    world.comment(number, "reporter", "Still broken for me.")
    assert "community replied" in world.status(number)
    world.advance(hours=1)
    world.comment(number, "engineer", "/resolved Fixed the last hub too.")
    resolutions = world.bot_comments(number, "resolution")
    assert len(resolutions) == 2 and "Fixed the last hub too." in resolutions[1]["body"]
    assert not world.bot_comments(number, "reply")
    status = world.status(number)
    assert "community replied" not in status
    assert "Resolved | 2026-03-03 16:00 UTC" in status  # the clock counts from the second resolution


def test_a_bots_comment_is_ignored(world: World) -> None:
    number = declared(world)
    world.emu.clear_requests()
    result = world.comment(number, "dependabot[bot]", "/resolved")
    assert result is not None and "by a bot" in result.stdout
    assert world.emu.requests == []
    # A later run catching up on history ignores it too.
    world.comment(number, "engineer", "/status")
    assert RESOLVED not in world.labels(number)
    assert not world.bot_comments(number, "reply")


def test_one_run_catches_up_on_a_lost_event(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander", run=False)  # its run was cancelled
    world.comment(number, "steward", "/update Investigating.")
    assert world.assignees(number) == {"engineer"}
    assert len(world.bot_comments(number, "update")) == 1
    for author in ("engineer", "steward"):
        assert reactions(world, last_comment_id(world, number, author)) == {"+1"}


def test_the_same_comment_event_twice_writes_nothing_new(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander\n/update Investigating.\n/resolved")
    cid = last_comment_id(world, number, "engineer")
    writes = len(world.writes())
    again = world.comment_event(number, cid)
    assert again.code == 0
    assert len(world.writes()) == writes


def test_a_deleted_status_comment_is_rebuilt_without_replaying_commands(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander\n/update Investigating.")
    world.comment(number, "reporter", "/resolved")
    status_id = world.bot_comments(number, "status")[0]["id"]
    world.emu.delete_comment(REPO, status_id)

    world.comment(number, "steward", "/status")

    assert len(world.bot_comments(number, "update")) == 1
    assert len(world.bot_comments(number, "reply")) == 1
    status = world.status(number)
    assert "| Incident Commander | @engineer |" in status
    assert "Incident status: Active" in status


def test_two_runs_at_once_converge_to_one_of_each(world: World) -> None:
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "engineer", "/commander\n/update Investigating.")
    results: list[int] = []

    def run() -> None:
        results.append(world.comment_event(number, cid).code)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == [0, 0]
    world.comment(number, "reporter", "/status")  # a later run cleans up whatever a race left
    assert len(world.bot_comments(number, "update")) == 1
    assert len(world.bot_comments(number, "status")) == 1
    assert world.labels(number) == {LABEL}


def test_markers_pasted_by_a_person_are_not_trusted(world: World) -> None:
    """A forged cache cannot make an outsider team, nor a forged marker suppress a message."""
    number = world.open_issue("reporter")
    forged_ack = "<!-- incident-ops:acknowledgement -->\n<!-- incident-ops-key:acknowledgement -->\nhi"
    world.comment(number, "reporter", forged_ack, run=False)
    cid = world.emu.add_comment(REPO, number, "reporter", "/resolved")
    cache = f'<!-- incident-ops-cache:{{"cursor":0,"verdicts":{{"{cid}":true}}}} -->'
    world.comment(number, "reporter", f"<!-- incident-ops:status -->\n{cache}", run=False)

    world.declare(number, "steward")

    assert RESOLVED not in world.labels(number)
    assert len(world.bot_comments(number, "acknowledgement")) == 2  # the forged one and the real one
    assert [c["user"]["login"] for c in world.bot_comments(number, "acknowledgement")][
        -1
    ] == "github-actions[bot]"
    assert "only the incident response team can run it" in world.bot_comments(number, "reply")[-1]["body"]


def test_commands_written_before_the_declaration_do_not_run(world: World) -> None:
    number = world.open_issue("reporter", body="Logins fail on the hub.")
    world.comment(number, "engineer", "Not an incident, I think.\n/resolved nothing to do")
    world.advance(hours=2)
    world.declare(number, "steward")
    assert RESOLVED not in world.labels(number)
    assert not world.bot_comments(number, "resolution")
    assert "Incident status: Active" in world.status(number)


def test_editing_an_answered_comment_changes_nothing(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander")
    world.comment(number, "steward", "Looking into it.")
    chatter = last_comment_id(world, number, "steward")
    command = last_comment_id(world, number, "engineer")
    world.advance(minutes=10)
    world.emu.edit_comment(REPO, chatter, "/resolved")
    world.emu.edit_comment(REPO, command, "/commander @lead")
    world.advance(minutes=5)
    world.sweep()
    assert RESOLVED not in world.labels(number)
    assert world.assignees(number) == {"engineer"}
    assert "| Incident Commander | @engineer |" in world.status(number)


def test_a_typo_fixed_right_away_still_counts(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/comander", run=False)
    world.emu.edit_comment(REPO, last_comment_id(world, number, "engineer"), "/commander")
    world.comment_event(number, last_comment_id(world, number, "engineer"))
    assert world.assignees(number) == {"engineer"}


def test_deleting_a_command_comment_does_not_undo_it(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/resolved Fixed.")
    world.emu.delete_comment(REPO, last_comment_id(world, number, "engineer"))
    world.advance(minutes=45)
    world.sweep()
    assert RESOLVED in world.labels(number)
    assert "Incident status: Resolved" in world.status(number)
    assert not world.bot_comments(number, "escalation")


def test_reopen_after_a_close_reopens_the_issue_and_restarts_the_clocks(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander\n/resolved")
    world.emu.edit_issue(REPO, number, "engineer", state="closed", state_reason="completed")
    world.advance(hours=1)
    world.comment(number, "engineer", "/reopen It is back.")
    issue = world.emu.issue(REPO, number)
    assert issue["state"] == "open"
    assert RESOLVED not in world.labels(number)
    status = world.status(number)
    assert "Incident status: Active" in status
    assert "Escalation due | 2026-03-02 10:30 UTC" in status


def test_markers_from_another_bot_are_not_trusted(world: World) -> None:
    number = world.open_issue("reporter")
    forged = "<!-- incident-ops:escalation -->\n<!-- incident-ops-key:escalation/declared -->\nquiet"
    world.comment(number, "dependabot[bot]", forged, run=False)
    world.declare(number, "steward")
    world.advance(minutes=31)
    world.sweep()
    escalations = [
        c for c in world.bot_comments(number, "escalation") if c["user"]["login"] == "github-actions[bot]"
    ]
    assert len(escalations) == 1


def test_a_personal_token_account_is_recognised_when_named(world: World) -> None:
    world.emu.add_user("hub-ops-bot-user")
    world.emu.set_permission(REPO, "hub-ops-bot-user", "write")
    world.emu.add_token("pat-token", "hub-ops-bot-user")
    world.env.update(GITHUB_TOKEN="pat-token", INCIDENT_OPS_TOOL_LOGIN="hub-ops-bot-user")
    number = world.open_issue("reporter")
    world.declare(number, "steward")
    world.issues_event("labeled", number, "steward", label=LABEL)
    assert len(world.bot_comments(number, "acknowledgement")) == 1
    assert len(world.bot_comments(number, "status")) == 1


# --- the event's own copy of the issue ------------------------------------------------------------


def issue_reads(world: World, number: int) -> int:
    """How many times the runs read the issue itself."""
    return sum(1 for r in world.emu.requests if r.method == "GET" and r.path.endswith(f"/issues/{number}"))


def test_a_fresh_comment_event_takes_the_issue_from_the_event(world: World) -> None:
    number = declared(world)
    world.advance(minutes=1)
    cid = world.emu.add_comment(REPO, number, "engineer", "/update Investigating the login service.")
    world.emu.clear_requests()
    assert world.comment_event(number, cid).code == 0
    assert len(world.bot_comments(number, "update")) == 1
    assert issue_reads(world, number) == 0
    assert sum(1 for r in world.emu.requests if r.method == "GET") == 3  # comments, permission, re-read


def test_a_redelivery_after_other_runs_acted_reads_the_issue_and_writes_nothing(world: World) -> None:
    number = declared(world)
    first = world.emu.add_comment(REPO, number, "reporter", "/status")
    stale = world.comment_payload(number, first)  # its run was queued behind the next one
    world.comment(number, "engineer", "/resolved Restarted the hub.")
    assert RESOLVED in world.labels(number)
    world.emu.clear_requests()
    assert world.run_payload("issue_comment", stale).code == 0
    assert issue_reads(world, number) == 1
    assert world.writes() == []  # the resolved label is not added again


def test_close_with_comment_sends_no_reminder_from_the_comments_stale_copy(world: World) -> None:
    number = declared(world)
    world.advance(minutes=31)
    assert world.sweep().code == 0  # the escalation goes out
    world.advance(hours=3, minutes=50)
    # GitHub's "Close with comment": the comment's event still says open, the close lands just after.
    cid = world.emu.add_comment(REPO, number, "steward", "Fixed upstream, closing.")
    payload = world.comment_payload(number, cid)
    world.advance(minutes=1)  # the update reminder is now due
    world.emu.edit_issue(REPO, number, "steward", state="closed")

    assert world.run_payload("issue_comment", payload).code == 0

    assert world.bot_comments(number, "update-reminder") == []
    assert "Incident status: Closed" in world.status(number)
