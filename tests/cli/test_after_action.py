"""Tests for `report --incident N`: the after-action document, through the real CLI against the emulator."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import markdown_it
from harness import REPO, World

from incident_ops.core.report.check import load_template
from incident_ops.core.views.after_action import written_sections

TEMPLATE = load_template(None)
WHO_NOTICED = "Students in **three** courses, from 09:00.\n\n| Course | Users |\n| --- | --- |\n| A | 40 |"
WENT_WRONG = "A certificate expired without an alert.\n\n```text\ncertbot renew --dry-run  <!-- kept -->\n```"
WRITTEN = {
    "Summary": "The hub's login page failed for two hours.",
    "Impact on users": "Nobody could log in.",
    "Important information": "Hub URL: https://hub.example.org\nSupport ticket ref: 1234",
    "Tasks and updates": "\n".join(f"- [x] {task}" for task in TEMPLATE.tasks),
    "Timeline": "- 09:00 UTC: a student reports that logins fail",
    "What went wrong": WENT_WRONG,
    "Follow-up actions": "- Process: none\n- Documentation: none\n- Technical improvements: #10",
}
BODY = "\n\n".join(
    [
        "<!-- The issue form's note: hidden. -->",
        "### Summary",
        "<!-- A few sentences on what is happening. -->\n" + WRITTEN["Summary"],
        "## Impact on users",  # a level higher than the others: its sub-heading keeps its place below it
        WRITTEN["Impact on users"],
        "### Who noticed",
        WHO_NOTICED,
        *(f"### {name}\n\n{WRITTEN[name]}" for name in list(WRITTEN)[2:]),
        "### Where we got lucky\n\n<!-- Things that went well by chance. -->",
    ]
)
HOSTILE_TITLE = "Hub <img src=x onerror=alert(1)> down @hub-org/everyone"
HOSTILE_BODY = """### Impact on users

Ping @hub-org/support-team and <b>everyone</b>, <img src=x onerror=alert(1)>
<script>alert(1)</script>
&#64;hub-org/team too. <!-- a hidden note -->

### Summary

Look:
```
an unclosed fence that would swallow the sections below
"""


def parse(document: str) -> list[markdown_it.token.Token]:
    """The document as GitHub's CommonMark (with tables) reads it."""
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(document)


def headings(document: str) -> list[tuple[str, str]]:
    """(tag, text) of every heading, in order."""
    tokens = parse(document)
    return [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]


def section(document: str, heading: str) -> str:
    """The document's text under a heading, up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = document.index(f"\n{heading}\n") + len(heading) + 2
    ends = [m.start() for m in re.finditer(rf"\n#{{1,{len(level)}}} ", document[start:])]
    return document[start : start + ends[0] if ends else len(document)].strip("\n")


def mermaid_checker() -> ModuleType:
    """tests/core/test_mermaid.py, for its `check` with Mermaid's own parser."""
    if "test_mermaid" in sys.modules:
        return sys.modules["test_mermaid"]
    path = Path(__file__).parents[1] / "core" / "test_mermaid.py"
    spec = importlib.util.spec_from_file_location("test_mermaid", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["test_mermaid"] = module
    spec.loader.exec_module(module)
    return module


def incident(world: World, title: str, body: str) -> int:
    """A resolved incident with an IC, two SMEs and an update."""
    number = world.open_issue("engineer", title=title, body=body)
    world.declare(number, "steward")
    world.advance(minutes=10)
    world.comment(number, "engineer", "/commander")
    world.comment(number, "engineer", "/sme @lead @reader")
    world.advance(hours=1)
    world.comment(number, "lead", "/update We found the cause.")
    world.advance(hours=1)
    world.comment(number, "engineer", "/resolved The hub is back.")
    world.advance(days=1)
    return number


def test_the_document_tells_the_incident(world: World) -> None:
    number = incident(world, "Logins fail", BODY)
    result = world.cli("report", "--incident", str(number))
    assert result.code == 0, result.stderr
    doc = result.stdout
    assert (
        headings(doc)
        == [
            ("h1", f"Incident #{number}: Logins fail"),
            ("h2", "Roles"),
            ("h2", "Report"),
            ("h3", "Summary"),
            ("h3", "Impact on users"),
            ("h4", "Who noticed"),  # one level below its section, as in the body
            *(("h3", name) for name in TEMPLATE.sections[2:]),
            ("h2", "Timeline"),
            ("h2", "Durations"),
        ]
    )
    assert doc.startswith(f"# Incident #{number}: Logins fail\n\n- State: resolved\n")
    issue_url = world.emu.issue(REPO, number)["html_url"]
    assert "- Declared: 2026-03-02 09:00 UTC by @steward\n- Resolved: 2026-03-02 11:10 UTC\n" in doc
    assert f"- Issue: {issue_url}\n" in doc and "- Closed:" not in doc and "Severity" not in doc
    assert section(doc, "## Roles").splitlines() == [
        "- Incident Commander: @engineer",
        "- Support Steward: @steward",
        "- Subject Matter Experts: @lead, @reader",
        "- Community Representative: —",
    ]
    assert section(doc, "## Durations").splitlines() == [
        "- Time to acknowledge: 0 seconds",
        "- Time to name an Incident Commander: 10 minutes",
        "- Time to resolve: 2 hours 10 minutes",
    ]
    for name, text in WRITTEN.items():  # as written, hidden comments dropped
        expected = text if name != "Impact on users" else f"{text}\n\n#### Who noticed\n\n{WHO_NOTICED}"
        assert section(doc, f"### {name}") == expected, name
    assert section(doc, "### Where we got lucky") == "_Not filled in._"
    assert "hidden" not in doc and "A few sentences" not in doc

    timeline = section(doc, "## Timeline")
    entries = [line for line in timeline.splitlines() if line.startswith("- 2026-")]
    status = [line for line in world.status(number).splitlines() if line.startswith("- 2026-")]
    assert entries == status and len(entries) >= 6  # the status comment's timeline, every entry
    assert any("@lead posted an update" in line for line in entries)
    [chart] = re.findall(r"```mermaid\n(.*?)```", timeline, re.DOTALL)
    [verdict] = mermaid_checker().check([chart])
    assert verdict["ok"], verdict["error"]
    assert verdict["type"] == "gantt" and "IC named" in verdict["text"] and "Resolved" in verdict["text"]


def test_times_are_in_the_configured_zone(world: World) -> None:
    world.write_config("working_hours:\n  timezone: Europe/Berlin\n")
    number = incident(world, "Logins fail", BODY)
    world.emu.edit_issue(REPO, number, "engineer", state="closed")
    doc = world.cli("report", "--incident", str(number)).stdout
    assert "- Declared: 2026-03-02 10:00 CET (2026-03-02 09:00 UTC) by @steward\n" in doc
    assert "- Closed: 2026-03-03 12:10 CET (2026-03-03 11:10 UTC)\n" in doc and "- State: closed\n" in doc
    assert "times in Europe/Berlin" in doc and "2026-03-02T10:10" in doc  # the chart's times too


def test_team_text_is_defused(world: World) -> None:
    number = incident(world, HOSTILE_TITLE, HOSTILE_BODY)
    result = world.cli("report", "--incident", str(number))
    assert result.code == 0, result.stderr
    doc = result.stdout
    outside_code = [t for t in parse(doc) if t.type not in ("fence", "code_block")]
    inline = [c for t in outside_code for c in (t.children or [])]
    assert not [t for t in [*outside_code, *inline] if t.type in ("html_block", "html_inline")]
    assert not re.search(r"@hub-org/", doc.split("## Timeline")[0])  # the chart's title is code
    assert "@\u200dhub-org/support-team" in doc and "&amp;#64;hub-org/team" in doc
    assert "\\<img src=x" in doc.splitlines()[0] and "<\u200dscript>" in doc  # the title: escaped
    assert [h for tag, h in headings(doc) if tag == "h3"] == list(TEMPLATE.sections)
    assert [h for _, h in headings(doc)][-2:] == ["Timeline", "Durations"]  # the open fence stays put
    fence = "```\nan unclosed fence that would swallow the sections below\n```"
    assert section(doc, "### Summary") == f"Look:\n{fence}" and "hidden note" not in doc


def test_not_an_incident(world: World) -> None:
    number = world.open_issue("reporter", title="A question about quotas")
    result = world.cli("report", "--incident", str(number))
    assert result.code == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"incident-ops: #{number} is not a declared incident: no team member labelled it "
        "'type: Hub Incident'; give the number of an incident's issue"
    )
    reported = world.open_issue("reporter", title="Hub down", labels=["type: Hub Incident"])
    world.issues_event("opened", reported, "reporter")
    writes = len(world.writes())
    result = world.cli("report", "--incident", str(reported))
    assert len(world.writes()) == writes  # it only reads
    assert result.code == 1 and "awaits a team member's /declare" in result.stderr
    missing = world.cli("report", "--incident", "404")
    assert missing.code == 1 and "hub-org/support has no issue #404" in missing.stderr


def test_usage_and_github_failures(world: World) -> None:
    number = incident(world, "Logins fail", BODY)
    for args, why in (
        (("--since", "2026-03-01"), "--since is for the metrics report"),
        (("--format", "json"), "--format json is for the metrics report"),
    ):
        result = world.cli("report", "--incident", str(number), *args)
        assert result.code == 2 and why in result.stderr, result.stderr
    for bad in ("0", "-3", "twelve", "1.5"):
        result = world.cli("report", "--incident", bad)
        assert result.code == 2 and "is not an issue number" in result.stderr
    assert world.cli("report", "--incident", f"#{number}").code == 0
    world.emu.inject_fault("GET", rf"/issues/{number}/comments$", status=502, times=10)
    failed = world.cli("report", "--incident", str(number))
    assert failed.code == 3 and "rerunning is safe" in failed.stdout and failed.stdout.startswith("::error::")
    world.emu.clear_faults()
    world.env["GITHUB_TOKEN"] = "not-a-token"
    refused = world.cli("report", "--incident", str(number))
    assert refused.code == 1 and "GITHUB_TOKEN" in refused.stdout


def test_written_sections_follow_the_template() -> None:
    body = (
        "## Summary\n\nIt broke.\n\n### Timeline\n\n- 09:00 x\n\n### Summary\n\nAgain.\n\n### Impact on users"
    )
    found = {s.name: s for s in written_sections(body, TEMPLATE)}
    assert list(found) == list(TEMPLATE.sections)
    summary = found["Summary"]
    assert (summary.state, summary.markdown, summary.level) == ("done", "It broke.", 2)
    assert found["Timeline"].markdown == "- 09:00 x"  # a section's heading inside another one is its own
    assert (found["Impact on users"].state, found["What went wrong"].state) == ("unfilled", "missing")
    hidden = written_sections("### Summary\n\nVisible.\n\n<!-- never closed\nsecret\n", TEMPLATE)[0]
    assert (hidden.state, hidden.markdown) == ("done", "Visible.")


def test_a_hostile_title_stays_plain_text_in_the_document(world: World) -> None:
    title = "```<img src=https://evil.example/pixel.png> @hub-org/everyone"
    number = incident(world, title, "Logins fail.")
    result = world.cli("report", "--incident", str(number))
    assert result.code == 0, result.stderr
    doc = result.stdout
    tokens = parse(doc)
    inline = [c for t in tokens for c in (t.children or [])]
    assert not [t for t in [*tokens, *inline] if t.type in ("html_block", "html_inline")]
    assert [h for tag, h in headings(doc) if tag == "h2"] == ["Roles", "Report", "Timeline", "Durations"]
    assert "@hub-org" not in doc.splitlines()[0]
