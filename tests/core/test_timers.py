"""Tests for the core's timers: which clocks run, when each falls due, and what fires at `now`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incident_ops.cli.demo import REPORT
from incident_ops.config.types import CloseConfig, Config, EscalationConfig, UpdatesConfig
from incident_ops.core.comments import keys
from incident_ops.core.comments.markers import marker_lines
from incident_ops.core.history.fold import fold
from incident_ops.core.model import Comment, Issue, IssueEvent, IssueHistory, User
from incident_ops.core.planning.timers import Clocks, Due, clocks, due
from incident_ops.core.report.check import check_report, load_template
from incident_ops.core.state import IncidentState
from incident_ops.core.workhours import WorkCalendar

LABEL = "type: Hub Incident"
TEAM = {"steward", "engineer", "lead"}
TOOL = User("github-actions[bot]", "Bot")
TEMPLATE = load_template(None)
DEFAULT_CALENDAR = WorkCalendar()
M = timedelta(minutes=1)
H = timedelta(hours=1)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday: the incident is declared
FRI_NOON = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)  # the resolution in the auto-close cases
SUN_NOON = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
MON_NOON = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
TUE_11 = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
TUE_NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TUE_1230 = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)

# The report with one section emptied: incomplete, and exactly one thing to fix.
INCOMPLETE = REPORT.replace("It happened on a Monday morning with the whole team online.\n", "")

Entry = tuple[datetime, User, str]


def said(at: datetime, login: str, body: str) -> Entry:
    """A person's comment."""
    return at, User(login, "Bot" if login.endswith("[bot]") else "User"), body


def posted(at: datetime, kind: str, key: str) -> Entry:
    """One of the tool's own marked comments."""
    return at, TOOL, marker_lines(kind, key) + "\n(text)"


def is_team(comment: Comment) -> bool:
    """The response team: a fixed set of logins."""
    return comment.author.login in TEAM


def incident(
    *entries: Entry, body: str = REPORT, declared: datetime = T0, closed: bool = False
) -> IncidentState:
    """An incident declared by @steward labelling @reporter's issue; comment ids are 1, 2, 3… in order."""
    comments = tuple(Comment(i, who, text, at, at) for i, (at, who, text) in enumerate(entries, start=1))
    issue = Issue(
        1,
        "Hub down",
        body,
        "closed" if closed else "open",
        User("reporter"),
        declared,
        declared,
        labels=(LABEL,),
        state_reason="completed" if closed else None,
    )
    events = (IssueEvent(1, "labeled", "steward", declared, LABEL),)
    history = IssueHistory("hub-org/support", issue, comments, events)
    return fold(history, LABEL, is_team, check_report(body, TEMPLATE))


def evaluate(
    state: IncidentState, now: datetime, config: Config | None = None, calendar: WorkCalendar | None = None
) -> tuple[Clocks, Due]:
    """The clocks of an incident and what fires at `now`."""
    clock = clocks(state, config or Config(), calendar or DEFAULT_CALENDAR)
    return clock, due(state, clock, now)


# --- escalation ---------------------------------------------------------------------------------

RESOLVED_10 = said(T0 + 10 * M, "engineer", "/resolved")
REOPENED_60 = said(T0 + 60 * M, "engineer", "/reopen")
ESCALATED_31 = posted(T0 + 31 * M, "escalation", "escalation/declared")

# (entries, now, expected escalation due, fires at now)
ESCALATION_CASES = {
    "29 minutes after the declaration": ((), T0 + 29 * M, T0 + 30 * M, False),
    "exactly 30 minutes": ((), T0 + 30 * M, T0 + 30 * M, True),
    "31 minutes": ((), T0 + 31 * M, T0 + 30 * M, True),
    "already escalated at 31, asked again at 45": ((ESCALATED_31,), T0 + 45 * M, None, False),
    "resolved before the 30 minutes": ((RESOLVED_10,), T0 + 31 * M, None, False),
    "reopened: 29 minutes after the reopen": ((RESOLVED_10, REOPENED_60), T0 + 89 * M, T0 + 90 * M, False),
    "reopened: 30 minutes after the reopen": ((RESOLVED_10, REOPENED_60), T0 + 90 * M, T0 + 90 * M, True),
    "escalated, resolved, reopened: escalates again": (
        (ESCALATED_31, said(T0 + 40 * M, "engineer", "/resolved"), REOPENED_60),
        T0 + 91 * M,
        T0 + 90 * M,
        True,
    ),
    "a /reopen by a community member changes nothing": (
        (RESOLVED_10, said(T0 + 60 * M, "reporter", "/reopen")),
        T0 + 2 * H,
        None,
        False,
    ),
    "a /resolved by a community member does not stop it": (
        (said(T0 + 10 * M, "reporter", "/resolved"),),
        T0 + 31 * M,
        T0 + 30 * M,
        True,
    ),
}


@pytest.mark.parametrize(
    ("entries", "now", "expected_due", "fires"), ESCALATION_CASES.values(), ids=ESCALATION_CASES.keys()
)
def test_escalation_falls_due_30_minutes_after_declaration_or_reopen(
    entries: tuple[Entry, ...], now: datetime, expected_due: datetime | None, fires: bool
) -> None:
    clock, fired = evaluate(incident(*entries), now)
    assert clock.escalation_due == expected_due
    assert fired.escalate is fires


def test_escalation_key_changes_with_each_reopen() -> None:
    before = clocks(incident(), Config(), DEFAULT_CALENDAR)
    after = clocks(incident(RESOLVED_10, REOPENED_60), Config(), DEFAULT_CALENDAR)
    assert str(before.escalation_key) == "escalation/declared"
    assert str(after.escalation_key) == "escalation/reopen-2"


def test_escalation_follows_the_configured_delay() -> None:
    config = replace(Config(), escalation=EscalationConfig(after=timedelta(hours=1)))
    clock, fired = evaluate(incident(), T0 + 59 * M, config)
    assert clock.escalation_due == T0 + H
    assert not fired.escalate


# --- update reminders ---------------------------------------------------------------------------

COMMANDER = said(T0 + 5 * M, "engineer", "/commander")
UPDATE_60 = said(T0 + 60 * M, "engineer", "/update We found the cause.")
REMINDER_AT_13 = posted(T0 + 4 * H, "update-reminder", "update-reminder/20260302T130000Z")

# (entries, expected next update due, overdue (a reminder is the latest), fires at due - 1 minute)
UPDATE_CASES = {
    "from the declaration": ((COMMANDER,), T0 + 4 * H, False),
    "an /update restarts it": ((COMMANDER, UPDATE_60), T0 + 5 * H, False),
    "the tool's own update comment restarts it": (
        (posted(T0 + 2 * H, "update", "update/99"),),
        T0 + 6 * H,
        False,
    ),
    "a reminder restarts it and marks it overdue": ((REMINDER_AT_13,), T0 + 8 * H, True),
    "an /update after a reminder clears the overdue mark": (
        (REMINDER_AT_13, said(T0 + 4 * H + 30 * M, "engineer", "/update Still working on it.")),
        T0 + 8 * H + 30 * M,
        False,
    ),
    "an /update by a community member does not count": (
        (said(T0 + H, "reporter", "/update it works for me"),),
        T0 + 4 * H,
        False,
    ),
    "an /update without text does not count": ((said(T0 + H, "engineer", "/update"),), T0 + 4 * H, False),
    "a reopen restarts it": ((RESOLVED_10, said(T0 + 6 * H, "engineer", "/reopen")), T0 + 10 * H, False),
}


@pytest.mark.parametrize(
    ("entries", "expected_due", "overdue"), UPDATE_CASES.values(), ids=UPDATE_CASES.keys()
)
def test_update_clock_restarts_on_an_update_or_a_reminder(
    entries: tuple[Entry, ...], expected_due: datetime, overdue: bool
) -> None:
    state = incident(*entries)
    clock, early = evaluate(state, expected_due - M)
    _, on_time = evaluate(state, expected_due)
    assert clock.update_due == expected_due
    assert clock.overdue is overdue
    assert not early.remind_update
    assert on_time.remind_update


def test_update_reminder_key_names_the_deadline() -> None:
    clock = clocks(incident(UPDATE_60), Config(), DEFAULT_CALENDAR)
    assert clock.update_due is not None
    assert str(keys.update_reminder(clock.update_due)) == "update-reminder/20260302T140000Z"


def test_update_clock_follows_the_configured_cadence() -> None:
    config = replace(Config(), updates=UpdatesConfig(every=timedelta(minutes=90)))
    clock = clocks(incident(UPDATE_60), config, DEFAULT_CALENDAR)
    assert clock.update_due == T0 + 150 * M


def test_a_resolved_incident_has_no_escalation_or_update_clock() -> None:
    clock, fired = evaluate(incident(RESOLVED_10), T0 + 10 * H)
    assert (clock.escalation_due, clock.update_due) == (None, None)
    assert not fired.escalate and not fired.remind_update


# --- report reminders ---------------------------------------------------------------------------

RESOLVED_FRI = said(FRI_NOON, "engineer", "/resolved Fixed.")
FIRST_REPORT_REMINDER = posted(FRI_NOON, "report-reminder", "report-reminder/1")

# (entries, body, now, expected reminder due, expected key, fires)
REPORT_CASES = {
    "complete report: no reminder": ((RESOLVED_FRI,), REPORT, FRI_NOON, None, None, False),
    "incomplete: the first is due at the resolution": (
        (RESOLVED_FRI,),
        INCOMPLETE,
        FRI_NOON,
        FRI_NOON,
        "report-reminder/1",
        True,
    ),
    "the second waits 24 working hours (over the weekend)": (
        (RESOLVED_FRI, FIRST_REPORT_REMINDER),
        INCOMPLETE,
        MON_NOON - M,
        MON_NOON,
        "report-reminder/1/20260309T120000Z",
        False,
    ),
    "the second at 24 working hours": (
        (RESOLVED_FRI, FIRST_REPORT_REMINDER),
        INCOMPLETE,
        MON_NOON,
        MON_NOON,
        "report-reminder/1/20260309T120000Z",
        True,
    ),
    "a late second reminder restarts the gap from when it was posted": (
        (
            RESOLVED_FRI,
            FIRST_REPORT_REMINDER,
            posted(MON_NOON + 3 * H, "report-reminder", "report-reminder/1/20260309T120000Z"),
        ),
        INCOMPLETE,
        TUE_NOON + 2 * H,
        TUE_NOON + 3 * H,
        "report-reminder/1/20260310T150000Z",
        False,
    ),
    "a new resolution starts a new series": (
        (
            said(T0 + H, "engineer", "/resolved"),
            posted(T0 + H, "report-reminder", "report-reminder/1"),
            said(T0 + 2 * H, "engineer", "/reopen"),
            RESOLVED_FRI,
        ),
        INCOMPLETE,
        FRI_NOON,
        FRI_NOON,
        "report-reminder/4",
        True,
    ),
}


@pytest.mark.parametrize(
    ("entries", "body", "now", "expected_due", "expected_key", "fires"),
    REPORT_CASES.values(),
    ids=REPORT_CASES.keys(),
)
def test_report_reminder_at_resolution_then_once_per_24_working_hours(
    entries: tuple[Entry, ...],
    body: str,
    now: datetime,
    expected_due: datetime | None,
    expected_key: str | None,
    fires: bool,
) -> None:
    clock, fired = evaluate(incident(*entries, body=body), now)
    assert clock.report_reminder_due == expected_due
    assert (str(clock.report_reminder_key) if clock.report_reminder_key else None) == expected_key
    assert fired.remind_report is fires


# --- auto-close ---------------------------------------------------------------------------------

HELD_BY_COMMUNITY = "the community replied after the resolution; the team closes with `/close`"
HELD_BY_REPORT = "the incident report is not complete"

# (entries, body, now, expected hold, closes at now)
AUTOCLOSE_CASES = {
    "open on Sunday": ((RESOLVED_FRI,), REPORT, SUN_NOON, None, False),
    "open on Tuesday 11:00": ((RESOLVED_FRI,), REPORT, TUE_11, None, False),
    "closes at 48 working hours, Tuesday 12:00": ((RESOLVED_FRI,), REPORT, TUE_NOON, None, True),
    "closes on Tuesday 12:30": ((RESOLVED_FRI,), REPORT, TUE_1230, None, True),
    "a community reply holds it": (
        (RESOLVED_FRI, said(FRI_NOON + H, "reporter", "Still slow for me.")),
        REPORT,
        TUE_1230,
        HELD_BY_COMMUNITY,
        False,
    ),
    "a stranger's comment (neither the author nor the Representative) does not hold it": (
        (RESOLVED_FRI, said(SUN_NOON, "passer-by", "+1")),
        REPORT,
        TUE_1230,
        None,
        True,
    ),
    "the recorded Community Representative's reply holds it": (
        (
            said(FRI_NOON - H, "engineer", "/community @community-rep"),
            RESOLVED_FRI,
            said(SUN_NOON, "community-rep", "Thanks!"),
        ),
        REPORT,
        TUE_1230,
        HELD_BY_COMMUNITY,
        False,
    ),
    "a community comment before the resolution does not count": (
        (said(FRI_NOON - H, "reporter", "Any news?"), said(FRI_NOON, "engineer", "/resolved")),
        REPORT,
        TUE_1230,
        None,
        True,
    ),
    "a team member's comment does not hold it": (
        (RESOLVED_FRI, said(FRI_NOON + H, "lead", "Nice work, everyone.")),
        REPORT,
        TUE_1230,
        None,
        True,
    ),
    "a bot's comment does not hold it": (
        (RESOLVED_FRI, said(FRI_NOON + H, "dependabot[bot]", "Bumped a dependency.")),
        REPORT,
        TUE_1230,
        None,
        True,
    ),
    "a new /resolved after a reopen clears an earlier community reply": (
        (
            said(T0 + H, "engineer", "/resolved"),
            said(T0 + 2 * H, "reporter", "It is broken again."),
            said(T0 + 3 * H, "engineer", "/reopen"),
            RESOLVED_FRI,
        ),
        REPORT,
        TUE_1230,
        None,
        True,
    ),
    "an incomplete report holds it": ((RESOLVED_FRI,), INCOMPLETE, TUE_1230, HELD_BY_REPORT, False),
    "already closed by an earlier run": (
        (RESOLVED_FRI, posted(TUE_NOON, "closing", "closing/1")),
        REPORT,
        TUE_1230,
        None,
        False,
    ),
}


@pytest.mark.parametrize(
    ("entries", "body", "now", "held", "closes"), AUTOCLOSE_CASES.values(), ids=AUTOCLOSE_CASES.keys()
)
def test_autoclose_after_48_working_hours_without_a_community_reply(
    entries: tuple[Entry, ...], body: str, now: datetime, held: str | None, closes: bool
) -> None:
    clock, fired = evaluate(incident(*entries, body=body), now)
    assert clock.autoclose_due == TUE_NOON
    assert clock.autoclose_held == held
    assert fired.close is closes


def test_a_community_reply_outweighs_an_incomplete_report_in_the_hold_reason() -> None:
    state = incident(RESOLVED_FRI, said(FRI_NOON + H, "reporter", "Still broken?"), body=INCOMPLETE)
    clock, fired = evaluate(state, TUE_1230)
    assert clock.autoclose_held == HELD_BY_COMMUNITY
    assert fired.remind_report  # the report still gets its reminders
    assert not fired.close


def test_autoclose_counts_on_the_configured_calendar() -> None:
    office = WorkCalendar("Europe/Berlin", start="09:00", end="17:00")
    config = replace(Config(), close=CloseConfig(after_working_hours=8))
    # Friday 13:00 Berlin (12:00 UTC): 4 hours that day, 4 more on Monday → Monday 13:00 Berlin.
    clock, fired = evaluate(incident(RESOLVED_FRI), MON_NOON - M, config, office)
    assert clock.autoclose_due == MON_NOON
    assert not fired.close


def test_a_closed_incident_has_no_clocks() -> None:
    state = incident(RESOLVED_FRI, posted(TUE_NOON, "closing", "closing/1"), closed=True)
    clock, fired = evaluate(state, TUE_1230)
    assert clock == Clocks()
    assert fired == Due()


def test_an_undeclared_issue_has_no_clocks() -> None:
    issue = Issue(1, "Question", "", "open", User("reporter"), T0, T0)
    state = fold(IssueHistory("hub-org/support", issue, (), ()), LABEL, is_team)
    assert clocks(state, Config(), DEFAULT_CALENDAR) == Clocks()
