"""Table-driven tests of the pure core's plan: the writes each command and each timer asks for, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incident_ops.cli.demo import REPORT
from incident_ops.config.types import Config
from incident_ops.core.actions import describe
from incident_ops.core.comments.markers import marker_lines
from incident_ops.core.comments.render import Renderer
from incident_ops.core.context import Context
from incident_ops.core.history.fold import fold
from incident_ops.core.history.roles import KnownRoles
from incident_ops.core.model import Comment, Issue, IssueEvent, IssueHistory, User
from incident_ops.core.planning.plan import plan
from incident_ops.core.report.check import check_report, load_template
from incident_ops.core.workhours import WorkCalendar

LABEL = "type: Hub Incident"
TOOL = User("github-actions[bot]", "Bot")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning: the steward labels the issue
MEMBERS = {"steward": True, "engineer": True, "lead": True, "passer-by": False, "reporter": False}
ACKNOWLEDGED = (T0 + timedelta(seconds=5), TOOL, marker_lines("acknowledgement", "acknowledgement"))
TEMPLATE = load_template(None)
CONTEXT = Context(Config(), WorkCalendar(), Renderer(), T0)  # the default config: UTC, Mon–Fri 9–17


def writes(
    *comments: tuple[datetime, User, str], now: datetime, closed: bool = False, body: str = ""
) -> list[str]:
    """What the plan writes now for an incident with these comments (ids 11, 12, … in order), in words."""
    issue = Issue(
        1, "Hub down", body, "closed" if closed else "open", User("reporter"), T0, T0, labels=(LABEL,)
    )
    history = IssueHistory(
        "hub-org/support",
        issue,
        tuple(Comment(i, who, text, at, at) for i, (at, who, text) in enumerate(comments, start=11)),
        (IssueEvent(1, "labeled", "steward", T0, LABEL),),
    )
    roles = KnownRoles(MEMBERS)
    state = fold(history, LABEL, roles, check_report(body, TEMPLATE))
    assert not roles.missing, "every login of these tables has a known role"
    ctx = Context(CONTEXT.config, CONTEXT.calendar, CONTEXT.renderer, now)
    return [describe(action) for action in plan(state, ctx)]


def by(login: str, text: str, minutes: int = 1) -> tuple[datetime, User, str]:
    """A person's comment, `minutes` after the declaration."""
    return T0 + timedelta(minutes=minutes), User(login), text


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        (by("engineer", "/commander"), ["assign @engineer", "react +1 to comment 12"]),
        (by("steward", "/commander @lead"), ["assign @lead", "react +1 to comment 12"]),
        (by("steward", "/sme @engineer @lead"), ["react +1 to comment 12"]),
        (by("steward", "/community @reporter"), ["react +1 to comment 12"]),
        (by("engineer", "/update Found it."), ["post update comment (update/12)", "react +1 to comment 12"]),
        (
            by("engineer", "/resolved Back up."),
            [
                "post resolution comment (resolution/12)",
                "react +1 to comment 12",
                "post report-reminder comment (report-reminder/12)",  # the report is still empty
                "add label 'incident: resolved'",
            ],
        ),
        (by("steward", "/ticket 42"), ["react +1 to comment 12"]),
        (by("steward", "/status"), ["react +1 to comment 12"]),
        (by("reporter", "/help"), ["post reply comment (reply/12)"]),
        (by("steward", "/reopen"), ["post reply comment (reply/12)", "react confused to comment 12"]),
        (by("steward", "/close"), ["post reply comment (reply/12)", "react confused to comment 12"]),
        (by("passer-by", "/resolved"), ["post reply comment (reply/12)"]),
        (by("steward", "/declare"), ["post reply comment (reply/12)", "react confused to comment 12"]),
    ],
    ids=lambda value: value[2] if isinstance(value, tuple) else None,
)
def test_each_command_asks_for_its_writes(comment: tuple[datetime, User, str], expected: list[str]) -> None:
    planned = writes(ACKNOWLEDGED, comment, now=T0 + timedelta(minutes=2))
    assert [w for w in planned if not w.startswith("remove label")] == expected


def test_a_complete_report_lets_close_close() -> None:
    resolved = by("engineer", "/resolved Back up.")
    done = (resolved[0] + timedelta(seconds=5), TOOL, marker_lines("resolution", "resolution/12"))
    planned = writes(
        ACKNOWLEDGED, resolved, done, by("steward", "/close", 5), now=T0 + timedelta(minutes=6), body=REPORT
    )
    assert "post closing comment (closing/14)" in planned and "close the issue (completed)" in planned


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (timedelta(minutes=29), []),
        (timedelta(minutes=31), ["post escalation comment (escalation/declared)"]),
        (
            timedelta(hours=5),
            ["post escalation comment (escalation/declared)", "post update-reminder comment"],
        ),
    ],
    ids=["before 30 minutes", "after 30 minutes", "after 5 hours"],
)
def test_the_timers_fire_when_due(after: timedelta, expected: list[str]) -> None:
    planned = [w for w in writes(ACKNOWLEDGED, now=T0 + after) if w.startswith("post")]
    assert [w.split(" (update-reminder")[0] if "update-reminder" in w else w for w in planned] == expected


def test_a_new_incident_is_acknowledged_once() -> None:
    assert writes(now=T0)[:1] == ["post acknowledgement comment (acknowledgement)"]
    assert not any("acknowledgement" in w for w in writes(ACKNOWLEDGED, now=T0))


def test_a_resolved_incident_closes_itself_after_48_working_hours() -> None:
    resolved = by("engineer", "/resolved Back up.")
    done = (resolved[0] + timedelta(seconds=5), TOOL, marker_lines("resolution", "resolution/12"))
    early = writes(ACKNOWLEDGED, resolved, done, now=T0 + timedelta(days=2), body=REPORT)
    late = writes(ACKNOWLEDGED, resolved, done, now=T0 + timedelta(days=8), body=REPORT)
    assert "close the issue (completed)" not in early
    assert "post closing comment (closing/12)" in late and "close the issue (completed)" in late
