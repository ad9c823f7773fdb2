"""End to end: the report checklist in the status comment, kept current as the issue body is edited."""

from __future__ import annotations

from bundled_report import SECTIONS, TASKS
from harness import LABEL, REPO, World

from incident_ops.core.report.check import BUNDLED_TEMPLATE

FILLED = {
    "Summary": "User servers on the example hub did not start for two hours.",
    "Impact on users": "Nobody on the example hub could start a server.",
    "Important information": "Hub URL: https://hub.example.org\nSupport ticket ref: 4321",
    "Tasks and updates": "\n".join(f"- [x] {task}" for task in TASKS),
    "Timeline": "- 2026-03-02 09:00 UTC: reported ([comment](https://github.com/hub-org/support/issues/1))",
    "What went wrong": "A certificate expired and no alert fired.",
    "Where we got lucky": "It happened during working hours.",
    "Follow-up actions": "- Process: #10\n- Documentation: none\n- Technical improvements: #11",
}
CUSTOM_TEMPLATE = """---
name: Post-mortem
---

## What happened

_Describe it._

## Customer impact

<!-- who noticed, and how -->

## Lessons

- [ ] Review meeting held
"""


def empty_template_body() -> str:
    """The bundled template as GitHub puts it in a new issue: without its front matter."""
    text = BUNDLED_TEMPLATE.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1]


def report_body(sections: dict[str, str]) -> str:
    """An issue body with a `###` heading and a hidden hint above the text of each section."""
    return "\n\n".join(f"### {name}\n\n<!-- hint -->\n\n{text}" for name, text in sections.items())


def form_body(values: dict[str, str], ticked: tuple[str, ...]) -> str:
    """An issue body the way GitHub renders a submitted issue form (empty fields: `_No response_`)."""
    parts = []
    for name in SECTIONS:
        if name == "Tasks and updates":
            boxes = "\n".join(f"- [{'X' if task in ticked else ' '}] {task}" for task in TASKS)
            parts.append(f"### {name}\n\n{boxes}")
        else:
            parts.append(f"### {name}\n\n{values.get(name) or '_No response_'}")
    return "\n\n".join(parts)


def checklist(status: str) -> dict[str, bool]:
    """The status comment's report checklist: item name → ticked."""
    section = status.split("### Incident report", 1)[1].split("### Timeline", 1)[0]
    items: dict[str, bool] = {}
    for line in section.splitlines():
        if line.startswith("- ["):
            name = line[6:].split(" — ", 1)[0]
            items[name] = line.startswith("- [x]")
    return items


def not_done(status: str) -> set[str]:
    """The checklist items the status comment shows as not done."""
    return {name for name, done in checklist(status).items() if not done}


def declare_with_body(world: World, body: str, author: str = "steward") -> int:
    """The support team opens an issue from the template with the incident label; the event runs."""
    number = world.open_issue(author, title="[Incident] Hub down", body=body, labels=[LABEL])
    result = world.issues_event("opened", number, author)
    assert result.code == 0, result.stdout + result.stderr
    return number


def edit_body(world: World, number: int, body: str, actor: str = "steward") -> None:
    """A person edits the issue body; the `issues.edited` event runs."""
    world.emu.edit_issue(REPO, number, actor, body=body)
    result = world.issues_event("edited", number, actor)
    assert result.code == 0, result.stdout + result.stderr


def status_id(world: World, number: int) -> int:
    """The id of the one status comment."""
    statuses = world.bot_comments(number, "status")
    assert len(statuses) == 1
    return statuses[0]["id"]


def test_empty_template_shows_every_section_and_the_tasks_as_missing(world: World) -> None:
    number = declare_with_body(world, empty_template_body())

    status = world.status(number)
    assert list(checklist(status)) == [*SECTIONS, "All tasks ticked"]
    assert not_done(status) == {*SECTIONS, "All tasks ticked"}
    assert "- [ ] All tasks ticked — *5 not ticked*" in status
    for name in SECTIONS:
        assert f"- [ ] {name} — *not filled in*" in status


def test_completing_the_body_flips_the_checklist_by_editing_the_status_comment_in_place(
    world: World,
) -> None:
    number = declare_with_body(world, empty_template_body())
    comment_ids = [c["id"] for c in world.comments(number)]
    status_before = status_id(world, number)
    world.emu.clear_requests()

    edit_body(world, number, report_body(FILLED))

    assert [c["id"] for c in world.comments(number)] == comment_ids
    assert status_id(world, number) == status_before
    status = world.status(number)
    assert not_done(status) == set()
    assert all(checklist(status).values()) and len(checklist(status)) == len(SECTIONS) + 1
    writes = [(r.method, r.path) for r in world.writes()]
    assert writes == [("PATCH", f"/repos/{REPO}/issues/comments/{status_before}")]


def test_an_edit_that_changes_nothing_in_the_checklist_writes_nothing(world: World) -> None:
    number = declare_with_body(world, report_body(FILLED))
    before = world.status(number)
    world.emu.clear_requests()

    edit_body(world, number, report_body(FILLED) + "\n\nA typo fixed at the end of the follow-ups.")

    assert world.writes() == []
    assert world.status(number) == before


def test_a_partial_edit_shows_exactly_the_sections_still_missing(world: World) -> None:
    number = declare_with_body(world, empty_template_body())
    partial = {name: FILLED[name] for name in ("Summary", "Impact on users", "What went wrong")}
    partial["Tasks and updates"] = f"- [x] {TASKS[0]}\n- [ ] {TASKS[1]}"

    edit_body(world, number, report_body(partial))

    status = world.status(number)
    still = {"Important information", "Timeline", "Where we got lucky", "Follow-up actions"}
    assert not_done(status) == still | {"All tasks ticked"}
    for name in still:
        assert f"- [ ] {name} — *missing*" in status
    assert "- [x] Tasks and updates" in status  # a ticked task fills the section
    assert "- [ ] All tasks ticked — *4 not ticked*" in status


def test_an_issue_form_body_is_understood(world: World) -> None:
    values = {name: text for name, text in FILLED.items() if name != "Tasks and updates"}
    values["Where we got lucky"] = ""
    values["Follow-up actions"] = "- Process: \n- Documentation: \n- Technical improvements: "
    number = declare_with_body(world, form_body(values, ticked=TASKS[:2]))

    status = world.status(number)
    assert not_done(status) == {"Where we got lucky", "Follow-up actions", "All tasks ticked"}
    assert "- [ ] Where we got lucky — *not filled in*" in status  # `_No response_`
    assert "- [ ] Follow-up actions — *not filled in*" in status  # the form's own default text
    assert "- [ ] All tasks ticked — *3 not ticked*" in status
    assert "| Support ticket | 4321 |" in status

    values["Where we got lucky"] = "It happened during working hours."
    values["Follow-up actions"] = FILLED["Follow-up actions"]
    edit_body(world, number, form_body(values, ticked=TASKS))

    assert not_done(world.status(number)) == set()


def test_a_custom_template_drives_the_checklist_with_its_own_headings(world: World) -> None:
    template = world.workspace / "docs" / "our-report.md"
    template.parent.mkdir()
    template.write_text(CUSTOM_TEMPLATE, encoding="utf-8")
    world.write_config("report:\n  template: docs/our-report.md\n")
    number = declare_with_body(world, CUSTOM_TEMPLATE.split("---\n", 2)[2])

    status = world.status(number)
    assert list(checklist(status)) == ["What happened", "Customer impact", "Lessons", "All tasks ticked"]
    assert "Summary" not in checklist(status)
    assert "- [ ] What happened — *not filled in*" in status  # still the template's own placeholder
    assert "- [ ] All tasks ticked — *1 not ticked*" in status

    edit_body(
        world, number, "## What happened\n\nThe hub was down.\n\n## Lessons\n\n- [x] Review meeting held"
    )

    status = world.status(number)
    assert not_done(status) == {"Customer impact"}
    assert "- [ ] Customer impact — *missing*" in status


def test_close_with_an_incomplete_report_is_refused_naming_what_is_missing(world: World) -> None:
    partial = {name: text for name, text in FILLED.items() if name not in ("Timeline", "Where we got lucky")}
    partial["Tasks and updates"] = "\n".join(f"- [x] {task}" for task in TASKS[:4]) + f"\n- [ ] {TASKS[4]}"
    number = declare_with_body(world, report_body(partial))

    result = world.comment(number, "engineer", "/close")

    assert result is not None and result.code == 0
    replies = world.bot_comments(number, "reply")
    assert len(replies) == 1
    reply = replies[0]["body"]
    assert "@engineer" in reply and "/close" in reply
    assert "Missing section: Timeline" in reply
    assert "Missing section: Where we got lucky" in reply
    assert f"Task not ticked: {TASKS[4]}" in reply
    assert "Summary" not in reply and "What went wrong" not in reply
    issue = world.emu.issue(REPO, number)
    assert issue["state"] == "open"
    assert world.bot_comments(number, "closing") == []


def test_close_with_a_complete_report_closes_the_issue_as_completed(world: World) -> None:
    number = declare_with_body(world, report_body(FILLED))

    result = world.comment(number, "engineer", "/close")

    assert result is not None and result.code == 0, result.stdout if result else ""
    issue = world.emu.issue(REPO, number)
    assert issue["state"] == "closed"
    assert issue["state_reason"] == "completed"
    assert len(world.bot_comments(number, "closing")) == 1
    assert world.bot_comments(number, "reply") == []
    assert "Incident status: Closed" in world.status(number)


def test_close_after_completing_a_refused_report_closes_it(world: World) -> None:
    number = declare_with_body(world, empty_template_body())
    world.comment(number, "engineer", "/close")
    assert world.emu.issue(REPO, number)["state"] == "open"

    edit_body(world, number, report_body(FILLED))
    world.comment(number, "engineer", "/close")

    issue = world.emu.issue(REPO, number)
    assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
    assert len(world.bot_comments(number, "reply")) == 1  # only the first refusal


def test_a_rerun_long_after_a_lost_close_judges_the_report_as_it_is_now(world: World) -> None:
    number = declare_with_body(world, empty_template_body())
    world.advance(minutes=2)
    cid = world.emu.add_comment(REPO, number, "engineer", "/close")
    payload = world.comment_payload(number, cid)  # the run failed: GitHub was down
    world.advance(minutes=5)
    world.emu.edit_issue(REPO, number, "steward", body=report_body(FILLED))  # its edit event was lost too
    world.advance(minutes=30)

    assert world.run_payload("issue_comment", payload).code == 0  # someone reruns the failed job

    assert world.emu.issue(REPO, number)["state"] == "closed"
    assert world.bot_comments(number, "reply") == []


def test_support_ticket_line_shows_in_the_status_comment(world: World) -> None:
    body = empty_template_body().replace("Support ticket ref: ", "Support ticket ref: 98765")
    number = declare_with_body(world, body)

    assert "| Support ticket | 98765 |" in world.status(number)
    assert not_done(world.status(number)) >= {"Summary", "Timeline"}


def test_support_ticket_added_by_an_edit_shows_in_the_status_comment(world: World) -> None:
    number = declare_with_body(world, empty_template_body())
    assert "| Support ticket | — |" in world.status(number)

    url = "https://support.example.freshdesk.com/a/tickets/555"
    edit_body(
        world, number, empty_template_body().replace("Support ticket ref: ", f"Support ticket ref: {url}")
    )

    status = world.status(number)
    assert "| Support ticket | 555 |" in status
    assert "- [x] Important information" in status


def test_a_resolved_incident_with_an_incomplete_report_is_annotated(world: World) -> None:
    number = world.open_issue("reporter", body="The hub is down.")
    world.declare(number, "steward")
    result = world.comment(number, "engineer", "/resolved")
    assert result is not None
    assert (
        f"::notice::#{number}: the incident report is incomplete: Missing section: Summary" in result.stdout
    )


def test_a_ticket_named_by_a_reporter_is_not_linked_until_the_team_confirms(world: World) -> None:
    """A reporter could name anyone's ticket: only the team's issue text or /ticket links one."""
    number = declare_with_body(world, "Support ticket ref: 98765", author="reporter")
    assert "Incident status: Reported" in world.status(number)
    world.comment(number, "engineer", "/declare")
    assert "| Support ticket | — |" in world.status(number)
    world.comment(number, "engineer", "/ticket 98765")
    assert "| Support ticket | 98765 |" in world.status(number)
