"""Tests for the `report` subcommand: reading incidents, and the Markdown, JSON and CSV reports."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from harness import BOT, REPO, World
from report_helpers import MERMAID_BLOCK, FakePort, report, sample, services
from stories import (
    EVERY,
    T0,
    Story,
    quick,
)

from incident_ops.cli.parser import since_date
from incident_ops.cli.report import run_report
from incident_ops.cli.report_formats import incident_record_fields
from incident_ops.core.follow_ups import FollowUp, Item, follow_up_line
from incident_ops.core.model import Issue, IssueEvent
from incident_ops.core.views.follow_up_counts import follow_up_counts
from incident_ops.github.port import GitHubFailure


def test_markdown_report() -> None:
    code, text, port = report(sample(), None, "markdown")
    assert code == 0
    assert port.listed == [("incident: follow-up", "all", None), ("type: Hub Incident", "all", None)]
    assert "6 incidents declared (2 active, 1 resolved, 3 closed), as of 2026-04-11 09:00 UTC." in text
    assert "| Time to acknowledge | 5 of 6 | 1m | 1m | 1m |" in text
    assert "| Time to name an Incident Commander | 3 of 6 | 10m | 1h 00m | 1h 00m |" in text
    assert "| Time to resolve (first resolution) | 3 of 6 | 5h 00m |" in text
    assert "Reopened incidents: 1. Incidents without an Incident Commander: 3." in text
    assert "[#3 Slow notebooks](https://github.com/hub-org/support/issues/3) | active |" in text
    assert "open 40d 0h so far" in text
    assert len(MERMAID_BLOCK.findall(text)) == 4


def test_markdown_tables_survive_hostile_titles() -> None:
    _, text, _ = report(sample(), None, "markdown")
    row = next(line for line in text.splitlines() if line.startswith("| [#4 "))
    assert row.count("|") - row.count("\\|") == 10  # nine cells: no pipe from the title splits the row
    assert "<script>" not in text and not re.search(r"(?<!\\)@everyone", text)
    assert "\\<script\\>" in text and "\\@everyone" in text


def test_json_report_has_the_known_figures() -> None:
    code, text, _ = report(sample(), None, "json")
    data = json.loads(text)
    assert code == 0 and data["incidents_total"] == 6 and data["since"] is None
    by_number = {i["number"]: i for i in data["incidents"]}
    two = by_number[2]
    assert (two["to_resolve_seconds"], two["to_settle_seconds"], two["reopened"]) == (7200, 46800, 1)
    assert (two["update_intervals"], two["update_intervals_kept"], two["cadence_kept"]) == (4, 3, 0.75)
    assert by_number[1]["to_close_seconds"] == 2 * 86400 and by_number[1]["to_commander_seconds"] == 600
    assert by_number[3]["to_commander_seconds"] is None and by_number[3]["open_for_seconds"] == 40 * 86400
    assert data["times"]["to_acknowledge"] == {
        "incidents": 5,
        "median_seconds": 60,
        "p90_seconds": 60,
        "max_seconds": 60,
    }
    assert [m["month"] for m in data["months"]] == ["2026-03", "2026-04"]
    assert data["update_every_seconds"] == int(EVERY.total_seconds())


def test_csv_report() -> None:
    code, text, _ = report(sample(), None, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert code == 0 and len(rows) == 6
    assert tuple(rows[0]) == incident_record_fields()
    hostile = next(r for r in rows if r["number"] == "4")
    assert hostile["title"].startswith('\'=HYPERLINK(1) | Hub "down"')
    assert next(r for r in rows if r["number"] == "1")["to_resolve_seconds"] == str(5 * 3600)
    assert next(r for r in rows if r["number"] == "3")["to_resolve_seconds"] == ""


def test_since_keeps_incidents_declared_from_that_day(tmp_path: Path) -> None:
    port = FakePort([s.history() for s in sample()])
    printed: list[str] = []
    summary = tmp_path / "summary.md"
    code = run_report(services(port), date(2026, 3, 3), "json", printed.append, str(summary))
    data = json.loads(printed[0])
    assert code == 0 and data["since"] == "2026-03-03"
    assert sorted(i["number"] for i in data["incidents"]) == [2, 7]
    since = datetime.fromisoformat("2026-03-03T00:00:00+00:00")
    assert port.listed == [("incident: follow-up", "all", None), ("type: Hub Incident", "all", since)]
    assert summary.read_text("utf-8").startswith("## Incident metrics: hub\\-org/support")


def test_an_unreadable_incident_is_named_and_the_others_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = report(sample(), None, "markdown", broken=(2,))
    assert code == 3
    assert "5 incidents declared" in text and "could not read \\#2" in text
    assert "::warning::could not read #2" in capsys.readouterr().err


def test_no_incidents() -> None:
    code, text, _ = report([], None, "markdown")
    assert code == 0 and "0 incidents declared" in text and "```mermaid" not in text
    code, text, _ = report([], None, "csv")
    assert text.splitlines() == [",".join(incident_record_fields())]


def test_an_issue_that_is_no_longer_an_incident_is_left_out() -> None:
    story = Story(9, at=T0)
    story.events = [*story.events, IssueEvent(2, "unlabeled", "steward", T0 + timedelta(hours=1), "x")]
    code, text, _ = report([quick(), story], None, "json")
    assert code == 0 and json.loads(text)["incidents_total"] == 2


def test_since_date() -> None:
    assert since_date("2026-01-31") == date(2026, 1, 31)
    with pytest.raises(argparse.ArgumentTypeError, match="not a date"):
        since_date("last week")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        report([], None, "xml")


def test_report_end_to_end(world: World) -> None:
    number = world.open_issue("reporter", body="Logins fail on the hub.")
    world.declare(number, "steward")
    world.advance(minutes=10)
    world.comment(number, "engineer", "/commander")
    world.advance(hours=1)
    world.comment(number, "engineer", "/update We found the cause.")
    world.advance(hours=1)
    world.comment(number, "engineer", "/resolved The hub is back.")
    world.advance(days=1)
    result = world.cli("report", "--format", "json")
    assert result.code == 0, result.stderr
    [incident] = json.loads(result.stdout)["incidents"]
    assert incident["number"] == number and incident["state"] == "resolved"
    assert incident["to_commander_seconds"] == 600
    assert incident["to_resolve_seconds"] == 600 + 2 * 3600
    assert (incident["update_intervals"], incident["update_intervals_kept"]) == (2, 2)
    assert "## Incident metrics" in result.summary
    markdown = world.cli("report", "--since", "2026-03-02")
    assert markdown.code == 0 and "1 incident declared since 2026-03-02" in markdown.stdout
    assert world.cli("report", "--since", "yesterday").code == 2


FOLLOW_UP = "incident: follow-up"


def open_follow_up(world: World, incident: int, text: str, author: str = BOT) -> int:
    """An issue for a follow-up item, opened as the tool's account opens them (or as `author`)."""
    body = f"{follow_up_line(incident, Item(text, False))}\nFrom incident #{incident}."
    return world.emu.create_issue(REPO, text, body, author, labels=(FOLLOW_UP,))


def resolved_incident(world: World, title: str) -> int:
    """A declared and resolved incident."""
    number = world.open_issue("engineer", title=title)
    world.declare(number, "steward")
    world.advance(hours=1)
    world.comment(number, "engineer", "/resolved Fixed.")
    return number


def test_report_counts_follow_ups_per_incident(world: World) -> None:
    busy = resolved_incident(world, "Logins fail")
    done = resolved_incident(world, "Slow notebooks")
    plain = resolved_incident(world, "Disk full")
    world.advance(days=1)
    oldest = open_follow_up(world, busy, "Alert when certificates expire")
    closed = open_follow_up(world, busy, "Document the renewal")
    finished = open_follow_up(world, done, "Add a second node")
    open_follow_up(world, plain, "Forged by a person", author="engineer")  # not the tool's: not counted
    world.advance(days=2)
    newer = open_follow_up(world, busy, "Rotate keys yearly")
    for number in (closed, finished):
        world.emu.edit_issue(REPO, number, "engineer", state="closed")
    world.advance(days=1)

    result = world.cli("report", "--format", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    by_number = {i["number"]: i for i in data["incidents"]}
    assert list(by_number[busy])[-4:] == ["follow_ups", *incident_record_fields()[-3:]]
    figures = [(by_number[n]["follow_ups"], by_number[n]["follow_ups_open"]) for n in (busy, done, plain)]
    assert figures == [(3, 2), (1, 0), (0, 0)]
    assert by_number[busy]["oldest_open_follow_up_seconds"] == 3 * 86400
    assert [by_number[n]["follow_ups_done"] for n in (busy, done, plain)] == [False, True, False]
    assert [(f["incident"], f["number"]) for f in data["follow_ups"]["open"]] == [
        (busy, oldest),
        (busy, newer),
    ]
    assert data["follow_ups"]["open"][1]["open_for_seconds"] == 86400
    assert data["follow_ups"]["incidents_all_done"] == [done]

    rows = {
        r["number"]: r for r in csv.DictReader(io.StringIO(world.cli("report", "--format", "csv").stdout))
    }
    assert tuple(rows[str(busy)])[: len(incident_record_fields()) - 4] == incident_record_fields()[:-4]
    assert (rows[str(busy)]["follow_ups_open"], rows[str(busy)]["oldest_open_follow_up_seconds"]) == (
        "2",
        "259200",
    )
    assert rows[str(plain)]["oldest_open_follow_up_seconds"] == ""

    markdown = world.cli("report").stdout
    section = markdown[markdown.index("### Follow-ups") : markdown.index("### Slowest incidents")]
    assert "2 incidents with follow-ups; 2 follow-ups still open, in 1 of them." in section
    assert f"[#{oldest}](http://" in section and "(2 of 3) | 3d 0h |" in section
    assert re.search(
        rf"Follow-ups all done: \[#{done} Slow notebooks\]\(http://[^)]+/issues/{done}\)\.", section
    )


def test_no_follow_up_section_without_follow_ups(world: World) -> None:
    resolved_incident(world, "Logins fail")
    result = world.cli("report")
    assert result.code == 0 and "### Follow-ups" not in result.stdout


def test_an_unreadable_follow_up_list_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    class NoFollowUps(FakePort):
        def list_issues(self, label: str, state: str = "all", since: datetime | None = None) -> list[Issue]:
            if label == FOLLOW_UP:
                raise GitHubFailure("list all issues labelled 'incident: follow-up': GitHub answered 502")
            return super().list_issues(label, state, since)

    printed: list[str] = []
    code = run_report(
        services(NoFollowUps([s.history() for s in sample()])), None, "markdown", printed.append
    )
    assert code == 3 and "6 incidents declared" in printed[0]
    assert "could not read the follow\\-up issues" in printed[0]
    assert "::warning::could not read the follow-up issues" in capsys.readouterr().err


def test_follow_up_counts_count_each_issue_once() -> None:
    def follow_up(number: int, incident: int, is_open: bool, opened: datetime) -> FollowUp:
        return FollowUp(number, incident, "k", "item", is_open, f"https://x/{number}", "t", opened)

    found = [
        follow_up(5, 1, True, T0),
        follow_up(5, 1, True, T0),
        follow_up(6, 1, False, T0),
        follow_up(7, 2, False, T0),
    ]
    counts = follow_up_counts(found, T0 + timedelta(hours=5))
    assert (counts[1].total, len(counts[1].open), counts[1].oldest_open_age, counts[1].done) == (
        2,
        1,
        timedelta(hours=5),
        False,
    )
    assert counts[2].done and counts[2].oldest_open_age is None and 3 not in counts
