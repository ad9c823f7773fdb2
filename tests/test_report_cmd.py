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
from harness import World
from test_metrics import (
    EVERY,
    HOSTILE,
    NOW,
    REPO,
    T0,
    TEAM,
    Story,
    active,
    closed_unresolved,
    late_label,
    long,
    quick,
    reopened,
)

from incident_ops.cli.report import incident_record_fields, run_report
from incident_ops.cli.report_options import since_date
from incident_ops.config.types import Config
from incident_ops.core.context import Context
from incident_ops.core.model import Comment, Issue, IssueEvent, IssueHistory
from incident_ops.core.render import Renderer
from incident_ops.core.report_check import read_template
from incident_ops.core.workhours import WorkCalendar
from incident_ops.github.port import CallCounter, GitHubFailure
from incident_ops.serving.services import Services
from incident_ops.serving.team import Team

MERMAID_BLOCK = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)


class FakePort:
    """Just the reads `report` makes, over hand-made histories."""

    def __init__(self, histories: list[IssueHistory], broken: tuple[int, ...] = ()) -> None:
        self.counter = CallCounter()
        self.histories = {h.issue.number: h for h in histories}
        self.broken = broken
        self.listed: list[tuple[str, str, datetime | None]] = []

    def list_issues(self, label: str, state: str = "all", since: datetime | None = None) -> list[Issue]:
        """Issues with the label, updated since `since`."""
        self.counter.count("GET")
        self.listed.append((label, state, since))
        issues = [h.issue for h in self.histories.values() if h.issue.has_label(label)]
        return [i for i in issues if (since is None or i.updated_at >= since) and state in ("all", i.state)]

    def list_comments(self, number: int) -> list[Comment]:
        """The comments (a broken issue fails like GitHub after its retries)."""
        self.counter.count("GET")
        if number in self.broken:
            raise GitHubFailure(f"read comments of #{number}: GitHub answered 502 after 4 attempts")
        return list(self.histories[number].comments)

    def list_events(self, number: int) -> list[IssueEvent]:
        """The event log."""
        self.counter.count("GET")
        return list(self.histories[number].events or ())

    def role_of(self, login: str) -> str:
        """Team members can write."""
        self.counter.count("GET")
        return "write" if login in TEAM else "none"


def sample() -> list[Story]:
    """Incidents with known figures (see test_metrics)."""
    hostile = long(30)
    hostile.title = "=HYPERLINK(1) | " + HOSTILE
    return [quick(), reopened(), active(), closed_unresolved(), late_label(), hostile]


def services(port: FakePort, now: datetime = NOW) -> Services:
    """Services around a fake port."""
    config = Config()
    context = Context(config, WorkCalendar(), Renderer(), now)
    return Services(REPO, port, Team(port, config.team), read_template(None), context)  # type: ignore[arg-type]


def report(stories: list[Story], *args: object, **kwargs: object) -> tuple[int, str, FakePort]:
    """Run the report over stories; (exit code, what it printed, the port)."""
    port = FakePort([s.history() for s in stories], **kwargs)  # type: ignore[arg-type]
    printed: list[str] = []
    code = run_report(services(port), *args, say=printed.append)  # type: ignore[arg-type]
    return code, "\n".join(printed), port


def test_markdown_report() -> None:
    code, text, port = report(sample(), None, "markdown")
    assert code == 0
    assert port.listed == [("type: Hub Incident", "all", None)]
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
    assert port.listed == [("type: Hub Incident", "all", datetime.fromisoformat("2026-03-03T00:00:00+00:00"))]
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


def _report_wired() -> bool:
    """Whether the CLI has the `report` subcommand yet."""
    from incident_ops.cli.parser import build_parser

    return re.search(r"[{,]report[,}]", build_parser().format_help()) is not None


@pytest.mark.skipif(not _report_wired(), reason="the `report` subcommand is not in the CLI yet")
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
