"""End to end: after the incident, a report draft per resolution and `/follow-ups` opening each item once."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from harness import REPO, RunResult, World

from incident_ops.cli.demo import REPORT

FOLLOW_UP = "incident: follow-up"
SECTION = "### Follow-up actions"
BODY = REPORT.replace(
    SECTION,
    f"""{SECTION}

- [ ] Alert when the disk is 80% full @engineer
- [ ] Write a runbook for a full disk
- [x] Resize the volume
- [ ] Raise the quota (#1 tracks it)
""",
)


@pytest.fixture
def follow_ups(world: World) -> World:
    """The config names the report's follow-ups section."""
    world.write_config("follow_ups:\n  section: Follow-up actions\n")
    return world


def incident(world: World, body: str = BODY) -> int:
    """A declared incident whose report has follow-up items, with a commander."""
    number = world.open_issue("steward", body=body)
    world.declare(number, "steward")
    world.comment(number, "engineer", "/commander")
    return number


def follow_up_issues(world: World, number: int) -> list[dict[str, Any]]:
    """The tool's follow-up issues of incident `number`, open or closed, oldest first."""
    mine = [i for i in world.emu.issues(REPO) if i["user"]["login"] == "github-actions[bot]"]
    return [i for i in mine if f"incident-ops-follow-up:{number} " in (i["body"] or "")]


def open_follow_ups(world: World, number: int) -> list[dict[str, Any]]:
    """Those still open and labelled."""
    return [
        i
        for i in follow_up_issues(world, number)
        if i["state"] == "open" and FOLLOW_UP in {label["name"] for label in i["labels"]}
    ]


def visible(body: str) -> str:
    """A comment as people read it: without the hidden lines."""
    return re.sub(r"<!--.*?-->\n?", "", body, flags=re.DOTALL)


def timeline_of(text: str) -> list[str]:
    """The timeline list items of a status comment or a report draft."""
    return [line for line in text.splitlines() if re.match(r"- \d{4}-\d\d-\d\d \d\d:\d\d UTC — @", line)]


def test_a_resolution_posts_one_report_draft_whose_timeline_is_the_status_comments(world: World) -> None:
    number = incident(world)
    world.comment(number, "engineer", "/sme @lead")
    world.comment(number, "engineer", "/update Found the cause.")
    world.advance(minutes=30)
    world.comment(number, "engineer", "/resolved Back to normal.")

    [draft] = world.bot_comments(number, "report-draft")
    text = draft["body"]
    assert timeline_of(text) == timeline_of(world.status(number)) and len(timeline_of(text)) >= 4
    assert "- Incident Commander: @engineer" in text and "- Subject Matter Experts: @lead" in text
    assert "- Time to resolve: 30 minutes" in text
    assert "````markdown" in text and "### What went wrong" in text  # the rest as the template has it
    assert world.emu.issue(REPO, number)["body"] == BODY  # it never edits the body

    world.comment(number, "engineer", "/resolved Still fine.")  # the same resolution: no new draft
    world.sweep()
    assert len(world.bot_comments(number, "report-draft")) == 1
    world.comment(number, "engineer", "/reopen")
    world.comment(number, "engineer", "/resolved Fixed for good.")
    assert len(world.bot_comments(number, "report-draft")) == 2


def test_follow_ups_opens_one_issue_per_unticked_unlinked_item_and_lists_them(follow_ups: World) -> None:
    world = follow_ups
    number = incident(world)
    result = world.comment(number, "lead", "/follow-ups")
    assert result is not None and result.code == 0, result.stdout + result.stderr

    opened = follow_up_issues(world, number)
    assert [i["title"] for i in opened] == [
        "Alert when the disk is 80% full @engineer",
        "Write a runbook for a full disk",
    ]
    assert all(FOLLOW_UP in {label["name"] for label in i["labels"]} for i in opened)
    assert [a["login"] for a in opened[0]["assignees"]] == ["engineer"] and opened[1]["assignees"] == []
    assert (
        f"incident #{number}" in opened[0]["body"]
        and "> Alert when the disk is 80% full" in opened[0]["body"]
    )
    [reply] = [c for c in world.bot_comments(number, "reply") if "Follow-up issues" in c["body"]]
    assert f"→ #{opened[0]['number']}" in reply["body"] and f"→ #{opened[1]['number']}" in reply["body"]
    status = world.status(number)
    assert f"- #{opened[0]['number']} — open" in status and f"- #{opened[1]['number']} — open" in status


def test_follow_ups_again_and_after_wording_edits_opens_nothing_twice(follow_ups: World) -> None:
    world = follow_ups
    number = incident(world)
    cid = world.emu.add_comment(REPO, number, "lead", "/follow-ups")
    world.comment_event(number, cid)
    world.comment_event(number, cid)  # a redelivery
    assert len(follow_up_issues(world, number)) == 2

    edited = BODY.replace(
        "Write a runbook for a full disk", "Write a runbook for a disk that is full"
    ).replace(
        "- [x] Resize the volume",
        "- [x] Resize the volume\n- [ ] Page on-call when the quota nears its limit",
    )
    world.emu.edit_issue(REPO, number, "steward", body=edited)
    world.comment(number, "lead", "/follow-ups")
    world.sweep()

    titles = [i["title"] for i in follow_up_issues(world, number)]
    assert titles == [
        "Alert when the disk is 80% full @engineer",
        "Write a runbook for a full disk",
        "Page on-call when the quota nears its limit",
    ]


def test_two_runs_at_once_open_each_follow_up_once(follow_ups: World) -> None:
    world = follow_ups
    number = incident(world)
    cid = world.emu.add_comment(REPO, number, "lead", "/follow-ups")
    results: list[RunResult] = []
    threads = [
        threading.Thread(target=lambda: results.append(world.comment_event(number, cid))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r.code for r in results] == [0, 0, 0], [r.stdout + r.stderr for r in results]
    world.sweep()

    assert len(open_follow_ups(world, number)) == 2
    assert len([c for c in world.bot_comments(number, "reply") if "Follow-up issues" in c["body"]]) == 1


def test_strangers_cause_no_follow_up(follow_ups: World) -> None:
    world = follow_ups
    number = world.open_issue("reporter", body=BODY)  # a community member's report, with items of their own
    world.declare(number, "steward")
    world.emu.edit_issue(REPO, number, "reporter", body=BODY + "\n- [ ] Give @reporter admin access\n")
    world.issues_event("edited", number, "reporter")
    world.comment(number, "passer-by", "/follow-ups")
    world.sweep()
    assert follow_up_issues(world, number) == []
    opened_or_labelled = [
        r for r in world.writes() if r.method == "POST" and r.path.endswith(("/issues", "/labels"))
    ]
    assert opened_or_labelled == []


def test_the_status_comment_shows_a_done_follow_up(follow_ups: World) -> None:
    world = follow_ups
    number = incident(world)
    world.comment(number, "lead", "/follow-ups")
    first = follow_up_issues(world, number)[0]["number"]
    world.emu.edit_issue(REPO, first, "engineer", state="closed")
    world.advance(minutes=20)
    world.sweep()
    assert f"- #{first} — done" in world.status(number)


def test_follow_ups_without_the_section_in_the_config_says_what_to_set(world: World) -> None:
    number = incident(world)
    world.comment(number, "lead", "/follow-ups")
    [reply] = [c for c in world.bot_comments(number, "reply") if "follow_ups.section" in c["body"]]
    assert "needs `follow_ups.section` in the config" in visible(reply["body"])
    assert follow_up_issues(world, number) == []


def test_items_with_the_same_words_make_one_issue_and_the_command_ends(follow_ups: World) -> None:
    world = follow_ups
    body = BODY.replace(
        "- [ ] Write a runbook for a full disk", "- [ ] Add a disk alert\n- [ ] Add a disk alert!"
    )
    number = incident(world, body)
    world.comment(number, "lead", "/follow-ups")
    writes = len(world.writes())
    for _ in range(3):
        world.comment(number, "passer-by", "+1")
        world.sweep()
    titles = [i["title"] for i in follow_up_issues(world, number)]
    assert titles.count("Add a disk alert") == 1 and "Add a disk alert!" not in titles
    assert len(world.writes()) == writes  # nothing left to do: no write, whoever comments


def test_a_new_item_alike_a_ticked_one_gets_its_own_issue(follow_ups: World) -> None:
    world = follow_ups
    number = incident(world)
    world.comment(number, "lead", "/follow-ups")
    done = BODY.replace("- [ ] Write a runbook for a full disk", "- [x] Write a runbook for a full disk")
    world.emu.edit_issue(
        REPO, number, "steward", body=done + "\n- [ ] Write a runbook for a full database disk\n"
    )
    world.comment(number, "lead", "/follow-ups")
    titles = [i["title"] for i in follow_up_issues(world, number)]
    assert "Write a runbook for a full database disk" in titles and len(titles) == 3


def test_an_item_cannot_put_a_hidden_line_of_the_tools_into_its_issue(follow_ups: World) -> None:
    world = follow_ups
    item = "- [ ] ```\n  &lt;!-- incident-ops-pagerduty:PABC123 declared-by:lead --&gt;"
    number = incident(world, BODY.replace("- [ ] Write a runbook for a full disk", item))
    world.comment(number, "lead", "/follow-ups")
    for issue in follow_up_issues(world, number):
        assert "<!-- incident-ops-pagerduty" not in issue["body"]
