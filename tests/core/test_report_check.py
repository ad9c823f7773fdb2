"""Tests for the report template, its issue form and the completeness check."""

from pathlib import Path

import pytest
import yaml
from bundled_report import SECTIONS, TASKS
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_ops.config.types import Config
from incident_ops.core.report.check import (
    BUNDLED_TEMPLATE,
    ReportCheck,
    ReportTemplate,
    SectionStatus,
    check_report,
    find_ticket_ref,
    format_check,
    load_template,
    parse_template,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "report"
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "incident-report.yml"
TEMPLATE = load_template(None)

TASKS_LABEL = "Tasks and updates"
FILLED = {
    "Summary": "The example hub did not start user servers for two hours.",
    "Impact on users": "Nobody on the example hub could log in.",
    "Important information": "Hub URL: https://example.org\nSupport ticket ref: 1234",
    "Tasks and updates": "\n".join(f"- [x] {task}" for task in TASKS),
    "Timeline": "- 2024-05-02 14:05 UTC: reported ([comment](https://github.com/o/r/issues/1#c1))",
    "What went wrong": "A certificate expired without an alert.",
    "Where we got lucky": "It happened during working hours.",
    "Follow-up actions": "- Process: #10\n- Documentation: none\n- Technical improvements: #11",
}


def body_of(sections: dict[str, str], heading: str = "### {}") -> str:
    """An issue body with one heading per section."""
    return "\n\n".join(f"{heading.format(name)}\n\n{text}" for name, text in sections.items())


def states(check: ReportCheck) -> dict[str, str]:
    """Section name → state."""
    return {s.name: s.state for s in check.sections}


def template_chunks() -> dict[str, str]:
    """The bundled template's raw text under each heading (all its headings are `###`)."""
    raw = BUNDLED_TEMPLATE.read_text(encoding="utf-8")
    chunks = {}
    for part in raw.split("\n### ")[1:]:
        name, _, text = part.partition("\n")
        chunks[name.strip()] = text
    return chunks


def render_form(values: dict[str, str | None], ticked: frozenset[str] = frozenset()) -> str:
    """An issue body the way GitHub renders a submitted issue form."""
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    parts = []
    for element in form["body"]:
        attributes = element["attributes"]
        if element["type"] == "checkboxes":
            boxes = [
                f"- [{'X' if o['label'] in ticked else ' '}] {o['label']}" for o in attributes["options"]
            ]
            parts.append(f"### {attributes['label']}\n\n" + "\n".join(boxes))
        elif element["type"] != "markdown":
            value = values.get(attributes["label"], attributes.get("value"))
            parts.append(f"### {attributes['label']}\n\n{value or '_No response_'}")
    return "\n\n".join(parts)


def test_bundled_template_sections_and_tasks() -> None:
    assert TEMPLATE.sections == SECTIONS
    assert TEMPLATE.tasks == TASKS
    assert set(TEMPLATE.section_text) == {name.lower() for name in SECTIONS}


def test_bundled_template_front_matter_and_symlink() -> None:
    raw = BUNDLED_TEMPLATE.read_text(encoding="utf-8")
    front = yaml.safe_load(raw.split("---\n")[1])
    assert front["title"].startswith("[Incident]")
    assert front["labels"] == [Config().incident_label]  # only the label something creates: init does
    assert {"name", "about"} <= set(front)
    link = ROOT / "issue_templates" / "3_incident-report.md"
    assert link.is_symlink() and link.resolve() == BUNDLED_TEMPLATE.resolve()


def test_load_template() -> None:
    assert load_template(None) == parse_template(BUNDLED_TEMPLATE.read_text(encoding="utf-8"))
    assert load_template(FIXTURES / "custom-template.md").sections == ("What happened", "Lessons")
    with pytest.raises(OSError):
        load_template(FIXTURES / "no-such-template.md")


def test_complete_body() -> None:
    check = check_report(body_of(FILLED), TEMPLATE)
    assert check.complete
    assert check.problems() == []
    assert format_check(check) == "The incident report is complete."
    assert check.sections == tuple(SectionStatus(name, "done") for name in SECTIONS)


@pytest.mark.parametrize("missing", SECTIONS)
def test_each_section_missing(missing: str) -> None:
    body = body_of({k: v for k, v in FILLED.items() if k != missing})
    check = check_report(body, TEMPLATE)
    assert not check.complete
    expected = {name: "missing" if name == missing else "done" for name in SECTIONS}
    if missing == "Tasks and updates":
        assert check.unticked_tasks == TASKS
    assert states(check) == expected
    assert f"Missing section: {missing}" in check.problems()


@pytest.mark.parametrize(
    ("label", "content"),
    [
        ("blank", "   \n\n\t\n"),
        ("html comment", "<!-- write something here -->"),
        ("multi-line html comment", "<!--\nwrite\n\nsomething here\n-->\n\n<!-- and here -->"),
        ("inline comments", "<!-- one --> <!-- two -->"),
        ("issue-form empty field", "_No response_"),
    ],
)
@pytest.mark.parametrize("section", ["Summary", "Where we got lucky"])
def test_section_not_filled_in(label: str, content: str, section: str) -> None:
    check = check_report(body_of({**FILLED, section: content}), TEMPLATE)
    assert states(check)[section] == "unfilled", label
    assert check.problems() == [f"Section not filled in: {section}"]


@pytest.mark.parametrize("section", [s for s in SECTIONS if s != "Tasks and updates"])
def test_placeholder_only(section: str) -> None:
    chunk = template_chunks()[section]
    check = check_report(body_of({**FILLED, section: "  " + chunk.replace(" ", "  ")}), TEMPLATE)
    assert states(check)[section] == "unfilled"


def test_whole_template_as_body() -> None:
    check = check_report(BUNDLED_TEMPLATE.read_text(encoding="utf-8"), TEMPLATE)
    assert set(states(check).values()) == {"unfilled"}
    assert check.unticked_tasks == TASKS


@pytest.mark.parametrize(
    ("label", "content"),
    [
        ("code block only", "```\n$ kubectl get pods\n```"),
        ("image only", "![](https://example.org/screenshot.png)"),
        ("html image", '<img width="400" src="https://example.org/screenshot.png">'),
        ("table", "| when | what |\n| --- | --- |\n| 14:05 | reported |"),
        ("template text and more", "Hub URL: https://example.org\nSupport ticket ref: "),
        ("text around a comment", "<!-- hint -->\nIt broke.\n<!-- another hint -->"),
        ("ticked task only", "- [x] Something else done"),
    ],
)
def test_content_that_counts(label: str, content: str) -> None:
    check = check_report(body_of({**FILLED, "Important information": content}), TEMPLATE)
    assert states(check)["Important information"] == "done", label


@pytest.mark.parametrize(
    "heading",
    [
        "# {}",
        "## {}:",
        "#### {}",
        "###### {} ###",
        "### **{}**",
        "### _{}_ :",
        "###    {}   ",
        "### [{}](https://example.org/guide#section)",
        "### `{}`",
        "{}\n=========",
        "{}\n---------",
    ],
)
@pytest.mark.parametrize("case", [str, str.upper, str.lower])
def test_heading_levels_and_cases(heading: str, case) -> None:
    body = body_of({case(name): text for name, text in FILLED.items()}, heading)
    assert check_report(body, TEMPLATE).complete


@pytest.mark.parametrize(
    "wrapped",
    [
        "<details>\n<summary>Timeline</summary>\n\n- 14:05 UTC: reported\n\n</details>",
        "<details>\n<summary>Timeline</summary>\n- 14:05 UTC: reported\n</details>",
        "<details>\n\n### Timeline\n\n- 14:05 UTC: reported\n\n</details>",
        "<details><summary>Notes</summary>\n### Timeline\n- 14:05 UTC: reported\n</details>",
        "<div>\n<h3>Timeline</h3>\n<p>14:05 UTC: reported</p>\n</div>",
    ],
)
def test_heading_inside_details(wrapped: str) -> None:
    sections = {k: v for k, v in FILLED.items() if k != "Timeline"}
    body = body_of(sections) + "\n\n" + wrapped
    assert states(check_report(body, TEMPLATE))["Timeline"] == "done"
    empty = wrapped.replace("14:05 UTC: reported", "<!-- times in UTC -->")
    assert states(check_report(body_of(sections) + "\n\n" + empty, TEMPLATE))["Timeline"] != "done"


def test_crlf_line_endings() -> None:
    complete = body_of(FILLED).replace("\n", "\r\n")
    assert check_report(complete, TEMPLATE).complete
    template_body = BUNDLED_TEMPLATE.read_text(encoding="utf-8").replace("\n", "\r\n")
    assert set(states(check_report(template_body, TEMPLATE)).values()) == {"unfilled"}
    assert find_ticket_ref("Support ticket ref: 77\r\nHub URL: x\r\n") == "77"


@pytest.mark.parametrize("body", [None, "", "Just some text without headings."])
def test_empty_bodies(body: str | None) -> None:
    check = check_report(body, TEMPLATE)
    assert set(states(check).values()) == {"missing"}
    assert check.unticked_tasks == TASKS


def test_issue_form_complete() -> None:
    values = {k: v for k, v in FILLED.items() if k != "Tasks and updates"}
    body = render_form(values, ticked=frozenset(TASKS))
    check = check_report(body, TEMPLATE)
    assert check.complete, check.problems()
    assert find_ticket_ref(body) == "1234"


def test_issue_form_empty() -> None:
    body = render_form({})
    check = check_report(body, TEMPLATE)
    assert set(states(check).values()) == {"unfilled"}
    assert check.unticked_tasks == TASKS
    assert find_ticket_ref(body) is None
    cleared = render_form({"Important information": "", "Follow-up actions": ""})
    assert set(states(check_report(cleared, TEMPLATE)).values()) == {"unfilled"}


def test_issue_form_partly_ticked() -> None:
    body = render_form({"Summary": "Down."}, ticked=frozenset(TASKS[:2]))
    check = check_report(body, TEMPLATE)
    assert states(check)["Summary"] == "done"
    assert states(check)["Tasks and updates"] == "done"
    assert check.unticked_tasks == TASKS[2:]


@pytest.mark.parametrize(
    ("tasks", "unticked"),
    [
        ("\n".join(f"- [ ] {t}" for t in TASKS), TASKS),
        ("\n".join(f"- [X] {t}" for t in TASKS), ()),
        ("\n".join(f"* [x] {t.upper()}" for t in TASKS), ()),
        ("\n".join("1. [x]   " + t.replace(" ", "\n   ", 3) for t in TASKS), ()),
        ("\n".join(f"- [x] {t}" for t in TASKS[1:]) + f"\n- [ ] {TASKS[0]}", TASKS[:1]),
        ("\n".join(f"- [x] {t}" for t in TASKS[1:]) + f"\n- {TASKS[0]}", TASKS[:1]),
        ("\n".join(f"- [x] {t}" for t in TASKS[1:]) + f"\n- \\[x] {TASKS[0]}", TASKS[:1]),
        ("\n".join(f"- [x] {t}" for t in TASKS[1:]) + f"\n\n```\n- [x] {TASKS[0]}\n```", TASKS[:1]),
        ("\n".join(f"- [x] {t}" for t in TASKS[:4]), TASKS[4:]),
    ],
)
def test_tasks(tasks: str, unticked: tuple[str, ...]) -> None:
    check = check_report(body_of({**FILLED, "Tasks and updates": tasks}), TEMPLATE)
    assert check.unticked_tasks == unticked
    assert check.complete == (not unticked)
    ticks = [line for line in check.problems() if line.startswith("Task not ticked: ")]
    assert ticks == [f"Task not ticked: {t}" for t in unticked]


def test_tasks_ticked_anywhere() -> None:
    sections = {**FILLED, "Tasks and updates": "Ticked below."}
    body = body_of(sections) + "\n\n" + FILLED["Tasks and updates"]
    assert check_report(body, TEMPLATE).complete


def test_unticked_template_tasks_leave_section_unfilled() -> None:
    tasks = "\n".join(f"- [ ] {t}" for t in TASKS)
    check = check_report(body_of({**FILLED, "Tasks and updates": tasks}), TEMPLATE)
    assert states(check)["Tasks and updates"] == "unfilled"


def test_custom_template() -> None:
    custom = load_template(FIXTURES / "custom-template.md")
    assert custom.sections == ("What happened", "Lessons")
    assert custom.tasks == ("Review meeting held",)
    body = "## What happened\n\nIt broke.\n\n## Lessons\n\nTest more.\n\n- [x] Review meeting held"
    assert check_report(body, custom).complete
    assert not check_report(body_of(FILLED), custom).complete
    placeholder = "## What happened\n\n_Describe it._\n\n## Lessons\n\n* [x] review  meeting held"
    check = check_report(placeholder, custom)
    assert states(check) == {"What happened": "unfilled", "Lessons": "done"}
    assert format_check(check) == "Section not filled in: What happened"


def test_format_check_lists_every_problem() -> None:
    body = body_of({**{k: v for k, v in FILLED.items() if k != "Timeline"}, "Summary": ""})
    body = body.replace("- [x] Every", "- [ ] Every")
    assert format_check(check_report(body, TEMPLATE)).splitlines() == [
        "Section not filled in: Summary",
        "Missing section: Timeline",
        "Task not ticked: Every follow-up action has a linked issue",
    ]


def test_template_without_front_matter_and_duplicates() -> None:
    template = parse_template("# A\n\ntext\n\n# a:\n\n# B\n- [ ] t\n- [ ]  T\n")
    assert template == ReportTemplate(("A", "B"), ("t",), template.section_text)
    assert dict(template.section_text) == {"a": "text", "b": "[ ] t [ ] T"}


@pytest.mark.parametrize(
    ("body", "ref"),
    [
        ("Support ticket ref: 1234", "1234"),
        ("Support ticket ref: #1234", "1234"),
        ("support ticket ref 1234", "1234"),
        ("**Support ticket ref:** 42", "42"),
        ("- Support ticket ref: 42 (opened by the hub admin)", "42"),
        ("Support ticket ref: https://acme.freshdesk.com/a/tickets/123", "123"),
        ("Support ticket ref: <https://acme.freshdesk.com/a/tickets/123>", "123"),
        ("Support ticket ref: https://support.acme.org/helpdesk/tickets/9/", "9"),
        ("Support ticket ref: https://acme.freshdesk.com/support/tickets/10?x=1#y", "10"),
        ("Support ticket ref: [ticket](https://acme.freshdesk.com/a/tickets/55)", "55"),
        ("Support ticket ref: [#56](https://acme.freshdesk.com/a/tickets/56)", "56"),
        ("Hub URL: https://hub.example.org\nSupport ticket ref: 7", "7"),
        ("### Support ticket ref\n\n88", "88"),
        ("### Support ticket ref\n\n_No response_\n\n99", None),
        ("Support ticket ref: ", None),
        ("Support ticket ref:", None),
        ("Support ticket ref: _No response_", None),
        ("Support ticket ref: TBD", None),
        ("Support ticket ref: <ticket number>", None),
        ("Support ticket ref: https://example.org/issues/12", None),
        ("Support ticket ref: ١٢٣", None),
        ("```\nSupport ticket ref: 1\n```", None),
        ("<!-- Support ticket ref: 1 -->", None),
        ("Our ref: 1234", None),
        ("", None),
        (None, None),
        ("Support ticket ref: TBD\n\nSupport ticket ref: 5", "5"),
        ("Support ticket ref: none yet (2 tickets were merged)", None),
        ("Support ticket ref: see https://acme.freshdesk.com/a/tickets/8.", "8"),
        ("Support ticket ref: #", None),
    ],
)
def test_find_ticket_ref(body: str | None, ref: str | None) -> None:
    assert find_ticket_ref(body) == ref


def test_issue_form_matches_template() -> None:
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    fields = [e for e in form["body"] if e["type"] != "markdown" and e.get("id") != "severity"]
    assert [e["attributes"]["label"] for e in fields] == list(SECTIONS)
    (severity,) = [e for e in form["body"] if e.get("id") == "severity"]
    assert severity["type"] == "input" and severity["validations"]["required"] is False
    assert all(e["type"] == "textarea" for e in fields if e["attributes"]["label"] != TASKS_LABEL)
    (checkboxes,) = [e for e in fields if e["type"] == "checkboxes"]
    assert checkboxes["attributes"]["label"] == TASKS_LABEL
    assert tuple(o["label"] for o in checkboxes["attributes"]["options"]) == TASKS
    assert form["title"] == "[Incident] "
    assert form["labels"] == [Config().incident_label]


FORM_KEYS = {"name", "description", "title", "labels", "assignees", "projects", "body", "type"}
ELEMENT_ATTRIBUTES = {
    "markdown": {"value"},
    "textarea": {"label", "description", "placeholder", "value", "render"},
    "input": {"label", "description", "placeholder", "value"},
    "dropdown": {"label", "description", "multiple", "options", "default"},
    "checkboxes": {"label", "description", "options"},
}


def test_issue_form_follows_schema() -> None:
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    assert set(form) <= FORM_KEYS
    assert isinstance(form["name"], str) and isinstance(form["description"], str)
    assert all(isinstance(label, str) for label in form["labels"])
    ids, labels = [], []
    for element in form["body"]:
        kind = element["type"]
        assert set(element) <= {"type", "id", "attributes", "validations"}
        attributes = element["attributes"]
        assert set(attributes) <= ELEMENT_ATTRIBUTES[kind]
        assert all(isinstance(v, str) for k, v in attributes.items() if k != "options")
        if kind == "markdown":
            assert "validations" not in element and attributes["value"].strip()
            continue
        assert attributes["label"].strip()
        labels.append(attributes["label"])
        if "id" in element:
            assert element["id"].replace("-", "").replace("_", "").isalnum()
            ids.append(element["id"])
        assert set(element.get("validations", {})) <= {"required"}
        for option in attributes.get("options", []):
            assert set(option) <= {"label", "required"} and isinstance(option["label"], str)
    assert len(ids) == len(set(ids)) and len(labels) == len(set(labels))


MARKDOWN_BITS = st.sampled_from(
    [
        "### Summary\n",
        "## Timeline:\n",
        "- [x] ",
        "- [ ] ",
        "<details>",
        "<summary>",
        "</summary>",
        "</details>",
        "<!--",
        "-->",
        "<h3>",
        "```",
        "\r\n",
        "\n\n",
        "> ",
        "    ",
        "[a](",
        "](http://x)",
        "![",
        "&lt;",
        "&#",
        "<img src=",
        "<![CDATA[",
        "|---|",
        "_No response_",
        "Support ticket ref: ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(MARKDOWN_BITS, st.text(max_size=20)), max_size=40).map("".join))
def test_never_raises(body: str) -> None:
    check = check_report(body, TEMPLATE)
    assert len(check.sections) == len(SECTIONS)
    assert isinstance(format_check(check), str)
    find_ticket_ref(body)
    parse_template(body)


ROOT_CAUSE = "#### Root cause\n\nThe proxy ran out of memory."
GROUPED = "## Summary\n\n## After-action report\n\n### Timeline\n\n### What went wrong\n"


@pytest.mark.parametrize("section", ["Summary", "What went wrong"])
def test_a_sub_heading_and_its_text_fill_the_section_above(section: str) -> None:
    check = check_report(body_of({**FILLED, section: ROOT_CAUSE}), TEMPLATE)
    assert check.complete, check.problems()


def test_a_grouping_heading_is_complete_when_its_sub_sections_are() -> None:
    template = parse_template(GROUPED)
    body = (
        "## Summary\nDown.\n## After-action report\n### Timeline\n09:00 down\n### What went wrong\nA bug.\n"
    )
    assert check_report(body, template).complete
    empty = "## Summary\nDown.\n## After-action report\n### Timeline\n### What went wrong\n"
    unfilled = [s.name for s in check_report(empty, template).sections if s.state != "done"]
    assert unfilled == ["After-action report", "Timeline", "What went wrong"]
