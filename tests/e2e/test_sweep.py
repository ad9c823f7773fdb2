"""End to end: the timers through `incident-ops sweep` and scheduled runs, moving the emulator clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from harness import LABEL, REPO, T0, RunResult, World

from incident_ops.cli.demo import REPORT

M = timedelta(minutes=1)
H = timedelta(hours=1)
FRI_11 = datetime(2026, 3, 6, 11, 0, tzinfo=UTC)
FRI_NOON = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
SAT_NOON = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
SUN_NOON = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
MON_NOON = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
TUE_11 = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
TUE_NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TUE_1230 = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
STALE = "incident: update overdue"
RESOLVED = "incident: resolved"
HOLD = "closing is on hold: the community replied after the resolution; the team closes with `/close`"
# The report with one section emptied: incomplete, with exactly one thing left to do.
INCOMPLETE = REPORT.replace("It happened on a Monday morning with the whole team online.\n", "")


def at(world: World, when: datetime) -> None:
    """Move the emulator's clock (and so the tool's) to `when`."""
    world.emu.set_now(when)


def sweep_at(world: World, when: datetime) -> RunResult:
    """Run the sweep at `when`; it must succeed."""
    at(world, when)
    result = world.sweep()
    assert result.code == 0, result.stdout + result.stderr
    return result


def declared(world: World, body: str = "The hub does not load.", title: str = "Hub down") -> int:
    """@reporter opens an issue and @steward declares it an incident at the current time."""
    number = world.open_issue("reporter", title=title, body=body)
    assert world.declare(number, "steward").code == 0
    return number


def resolved_on_friday(world: World, body: str = REPORT) -> int:
    """An incident declared Friday 11:00 UTC and resolved by @engineer at 12:00 UTC."""
    at(world, FRI_11)
    number = declared(world, body=body)
    at(world, FRI_NOON)
    world.comment(number, "engineer", "/resolved Logins work again.")
    return number


def issue_state(world: World, number: int) -> tuple[str, str | None]:
    """The issue's state and state_reason."""
    issue = world.emu.issue(REPO, number)
    return issue["state"], issue["state_reason"]


def count(world: World, number: int, kind: str) -> int:
    """How many of the tool's comments of one kind the issue has."""
    return len(world.bot_comments(number, kind))


# --- escalation ---------------------------------------------------------------------------------


def test_escalation_once_after_30_minutes_mentioning_the_configured_people(world: World) -> None:
    world.write_config('escalation:\n  mention: ["@hub-org/engineering", "@project-manager"]\n')
    number = declared(world)

    sweep_at(world, T0 + 29 * M)
    assert count(world, number, "escalation") == 0

    result = sweep_at(world, T0 + 31 * M)
    escalations = world.bot_comments(number, "escalation")
    assert len(escalations) == 1
    assert "@hub-org/engineering @project-manager: please join the response." in escalations[0]["body"]
    assert "not resolved after 30 minutes" in escalations[0]["body"]
    assert "Escalation | sent 2026-03-02 09:31 UTC" in world.status(number)
    assert f"#{number}: active — post escalation comment" in result.stdout

    sweep_at(world, T0 + 45 * M)
    assert count(world, number, "escalation") == 1


def test_escalation_without_configured_mentions_asks_for_the_engineering_team(world: World) -> None:
    number = declared(world)
    sweep_at(world, T0 + 31 * M)
    [escalation] = world.bot_comments(number, "escalation")
    assert "Nobody is configured to be pinged (`escalation.mention`)" in escalation["body"]


def test_no_escalation_when_resolved_first(world: World) -> None:
    number = declared(world)
    at(world, T0 + 10 * M)
    world.comment(number, "engineer", "/resolved")

    sweep_at(world, T0 + 31 * M)
    sweep_at(world, T0 + 2 * H)

    assert count(world, number, "escalation") == 0
    assert "Escalation" not in world.status(number)


def test_escalation_again_after_reopen(world: World) -> None:
    number = declared(world)
    sweep_at(world, T0 + 31 * M)
    at(world, T0 + 40 * M)
    world.comment(number, "engineer", "/resolved")
    at(world, T0 + 60 * M)
    world.comment(number, "engineer", "/reopen The error is back.")

    sweep_at(world, T0 + 89 * M)
    assert count(world, number, "escalation") == 1
    assert "Escalation due | 2026-03-02 10:30 UTC" in world.status(number)

    sweep_at(world, T0 + 91 * M)
    sweep_at(world, T0 + 2 * H)
    assert count(world, number, "escalation") == 2


# --- update reminders ---------------------------------------------------------------------------


def test_closing_an_overdue_incident_takes_the_overdue_label_off(world: World) -> None:
    number = declared(world)
    sweep_at(world, T0 + 5 * H)
    assert STALE in world.labels(number)
    world.emu.edit_issue(REPO, number, "steward", body=REPORT)

    world.comment(number, "engineer", "/close")

    assert world.emu.issue(REPO, number)["state"] == "closed"
    assert STALE not in world.labels(number)


def test_a_close_that_comes_when_reminders_are_due_sends_no_reminder(world: World) -> None:
    number = declared(world, body=REPORT)
    at(world, T0 + 5 * H)  # the escalation and an update reminder are due; no sweep has run yet

    world.comment(number, "engineer", "/close")

    assert world.emu.issue(REPO, number)["state"] == "closed"
    assert count(world, number, "update-reminder") == 0
    assert count(world, number, "escalation") == 0
    assert STALE not in world.labels(number)


def test_update_reminder_cadence_around_an_update(world: World) -> None:
    number = declared(world)
    at(world, T0 + 5 * M)
    world.comment(number, "engineer", "/commander")
    at(world, T0 + H)
    world.comment(number, "engineer", "/update We found the cause.")  # next update due 14:00

    sweep_at(world, T0 + 5 * H - M)
    assert count(world, number, "update-reminder") == 0
    assert STALE not in world.labels(number)

    sweep_at(world, T0 + 5 * H)
    [reminder] = world.bot_comments(number, "update-reminder")
    assert "@engineer, an update to the community is due" in reminder["body"]
    assert "the last one was posted 2026-03-02 10:00 UTC" in reminder["body"]
    assert STALE in world.labels(number)
    assert "Next update due | 2026-03-02 18:00 UTC (overdue: reminder sent)" in world.status(number)

    sweep_at(world, T0 + 9 * H - M)
    assert count(world, number, "update-reminder") == 1  # the next only 4 hours after the first

    sweep_at(world, T0 + 9 * H)
    assert count(world, number, "update-reminder") == 2
    assert STALE in world.labels(number)

    at(world, T0 + 9 * H + 30 * M)
    world.comment(number, "engineer", "/update A fix is rolling out.")
    assert STALE not in world.labels(number)
    assert "Next update due | 2026-03-02 22:30 UTC |" in world.status(number)

    sweep_at(world, T0 + 13 * H + 29 * M)
    assert count(world, number, "update-reminder") == 2
    assert STALE not in world.labels(number)


def test_a_second_update_reminder_names_the_time_of_the_last_update(world: World) -> None:
    number = declared(world)
    at(world, T0 + H)
    world.comment(number, "engineer", "/update We found the cause.")
    sweep_at(world, T0 + 5 * H)
    sweep_at(world, T0 + 9 * H)

    first, second = world.bot_comments(number, "update-reminder")
    assert "the last one was posted 2026-03-02 10:00 UTC" in first["body"]
    # No update was posted at 14:00: that was the first reminder.
    assert "the last one was posted 2026-03-02 10:00 UTC" in second["body"]


def test_update_reminder_mentions_the_support_steward_without_a_commander(world: World) -> None:
    number = declared(world)

    sweep_at(world, T0 + 4 * H)

    [reminder] = world.bot_comments(number, "update-reminder")
    assert "@steward, an update to the community is due" in reminder["body"]
    assert STALE in world.labels(number)


def test_resolution_takes_the_overdue_label_off_and_stops_reminders(world: World) -> None:
    number = declared(world)
    sweep_at(world, T0 + 4 * H)
    assert STALE in world.labels(number)

    at(world, T0 + 4 * H + 10 * M)
    world.comment(number, "engineer", "/resolved")
    sweep_at(world, T0 + 12 * H)

    assert world.labels(number) == {LABEL, RESOLVED}
    assert count(world, number, "update-reminder") == 1


# --- auto-close ---------------------------------------------------------------------------------


def test_resolved_friday_noon_closes_tuesday_after_48_working_hours(world: World) -> None:
    number = resolved_on_friday(world)

    for when in (SAT_NOON, SUN_NOON, TUE_11):
        before = len(world.writes())
        sweep_at(world, when)
        assert issue_state(world, number) == ("open", None), when
        assert len(world.writes()) == before, f"a quiet sweep wrote at {when}"
    assert "closes automatically at 2026-03-10 12:00 UTC without a community reply" in world.status(number)

    result = sweep_at(world, TUE_1230)

    assert issue_state(world, number) == ("closed", "completed")
    [closing] = world.bot_comments(number, "closing")
    assert "no\nreply from the community for 48 working hours" in closing["body"]
    assert "Incident status: Closed" in world.status(number)
    assert f"#{number}: closed — post closing comment" in result.stdout

    sweep_at(world, TUE_1230 + H)
    assert count(world, number, "closing") == 1


def test_auto_close_is_finished_by_the_rerun_after_the_close_failed(world: World) -> None:
    number = resolved_on_friday(world)
    world.emu.inject_fault("PATCH", rf"/issues/{number}$", status=503, times=100)
    at(world, TUE_1230)
    assert world.sweep().code == 3  # the closing comment is posted, the close itself fails
    world.emu.clear_faults()

    rerun = sweep_at(world, TUE_1230 + 5 * M)

    assert issue_state(world, number) == ("closed", "completed"), rerun.stdout
    assert count(world, number, "closing") == 1


def test_close_command_is_finished_by_the_sweep_after_the_close_failed(world: World) -> None:
    number = resolved_on_friday(world)
    world.emu.inject_fault("PATCH", rf"/issues/{number}$", status=503, times=100)
    at(world, SAT_NOON)
    assert world.comment(number, "engineer", "/close").code == 3
    world.emu.clear_faults()

    sweep_at(world, SAT_NOON + 5 * M)

    assert issue_state(world, number) == ("closed", "completed")
    assert count(world, number, "closing") == 1


def test_community_reply_after_resolution_stops_auto_close(world: World) -> None:
    number = resolved_on_friday(world)
    at(world, SAT_NOON)
    world.comment(number, "reporter", "Thanks! It still feels slow here, though.")

    assert HOLD in world.status(number)
    sweep_at(world, TUE_1230)
    sweep_at(world, TUE_1230 + 24 * H)
    assert issue_state(world, number) == ("open", None)
    assert count(world, number, "closing") == 0
    assert "on hold: the community replied" in world.status(number)

    world.comment(number, "engineer", "/close")
    assert issue_state(world, number) == ("closed", "completed")


def test_community_reply_seen_only_by_the_sweep_still_stops_auto_close(world: World) -> None:
    number = resolved_on_friday(world)
    at(world, SAT_NOON)
    world.comment(number, "reporter", "Is it really fixed?", run=False)  # its event was lost

    sweep_at(world, TUE_1230)

    assert issue_state(world, number) == ("open", None)
    assert HOLD in world.status(number)


def test_team_and_bot_comments_do_not_stop_auto_close(world: World) -> None:
    number = resolved_on_friday(world)
    at(world, SAT_NOON)
    world.comment(number, "lead", "Post-mortem is scheduled for Monday.")
    world.comment(number, "dependabot[bot]", "Bumps authenticator from 1.2 to 1.3.")

    assert HOLD not in world.status(number)
    sweep_at(world, TUE_1230)
    assert issue_state(world, number) == ("closed", "completed")
    assert count(world, number, "closing") == 1


def test_incomplete_report_blocks_auto_close_and_reminds_once_per_24_working_hours(world: World) -> None:
    number = resolved_on_friday(world, body=INCOMPLETE)
    [first] = world.bot_comments(number, "report-reminder")
    assert "@steward, the incident report is not complete yet" in first["body"]
    assert "Still to do:\n\n- Section not filled in: Where we got lucky\n\nEdit the issue" in first["body"]

    reminders_at = {
        FRI_NOON + 6 * H: 1,
        SAT_NOON: 1,
        SUN_NOON: 1,
        MON_NOON - M: 1,
        MON_NOON: 2,  # 24 working hours: Friday afternoon and Monday morning
        MON_NOON + H: 2,
        TUE_NOON - M: 2,
        TUE_1230: 3,
        TUE_1230 + H: 3,
    }
    for when, expected in reminders_at.items():
        sweep_at(world, when)
        assert count(world, number, "report-reminder") == expected, when
    assert issue_state(world, number) == ("open", None)
    assert "on hold: the incident report is not complete" in world.status(number)

    world.emu.edit_issue(REPO, number, "steward", body=REPORT)
    assert world.issues_event("edited", number, "steward").code == 0
    assert issue_state(world, number) == ("closed", "completed")
    assert count(world, number, "closing") == 1


# --- the sweep itself ---------------------------------------------------------------------------


def test_sweep_twice_at_the_same_now_writes_nothing_the_second_time(world: World) -> None:
    first = declared(world, title="First")
    second = declared(world, title="Second")
    at(world, T0 + 4 * H)
    world.sweep()  # escalation and update reminder for both
    comments = {n: world.comments(n) for n in (first, second)}
    labels = {n: world.labels(n) for n in (first, second)}
    before = len(world.writes())

    again = world.sweep()

    assert again.code == 0
    assert world.writes()[before:] == []
    assert "API calls: " in again.stdout and ", 0 writes" in again.stdout
    assert {n: world.comments(n) for n in (first, second)} == comments
    assert {n: world.labels(n) for n in (first, second)} == labels


def test_quiet_sweep_makes_no_writes(world: World) -> None:
    number = declared(world)
    at(world, T0 + 10 * M)
    world.emu.clear_requests()

    result = world.sweep()

    assert result.code == 0
    assert world.writes() == []
    assert any(r.path.endswith(f"/issues/{number}/comments") for r in world.emu.requests)
    assert "nothing was due" in result.summary


def test_schedule_and_workflow_dispatch_events_run_the_sweep(world: World) -> None:
    first = declared(world, title="First")
    at(world, T0 + 31 * M)
    scheduled = world.cli("run", event="schedule")
    second = declared(world, title="Second")
    at(world, T0 + 62 * M)
    dispatched = world.cli("run", event="workflow_dispatch")

    assert (scheduled.code, dispatched.code) == (0, 0)
    assert (count(world, first, "escalation"), count(world, second, "escalation")) == (1, 1)


def test_sweep_isolates_an_incident_github_keeps_failing_on(world: World) -> None:
    broken = declared(world, title="Broken")
    healthy = declared(world, title="Healthy")
    world.emu.inject_fault("GET", rf"/issues/{broken}/comments$", status=503, times=100)

    at(world, T0 + 31 * M)
    result = world.sweep()

    assert result.code == 3
    assert count(world, healthy, "escalation") == 1
    assert count(world, broken, "escalation") == 0
    assert f"::error::#{broken}: GitHub failed: read comments of #{broken}" in result.stdout
    assert f"[#{broken} Broken]" in result.summary and "**failed:**" in result.summary
    assert "rerun the workflow" in result.summary
    assert "Traceback" not in result.stdout + result.stderr

    world.emu.clear_faults()
    rerun = world.sweep()
    assert rerun.code == 0
    assert (count(world, broken, "escalation"), count(world, healthy, "escalation")) == (1, 1)


def test_sweep_isolates_an_incident_deleted_while_it_runs(world: World) -> None:
    gone = declared(world, title="Deleted meanwhile")
    healthy = declared(world, title="Healthy")
    # The issue is listed, then deleted before its comments are read: GitHub answers 404.
    world.emu.inject_fault("GET", rf"/issues/{gone}/comments$", status=404, times=1)

    at(world, T0 + 31 * M)
    result = world.sweep()

    assert count(world, healthy, "escalation") == 1
    assert result.code == 3
    assert f"#{gone}" in result.summary


def test_sweep_serves_incidents_past_the_first_page(world: World) -> None:
    world.env["INCIDENT_OPS_CALL_BUDGET"] = "5000"  # 101 declarations in one sweep
    numbers = [world.open_issue("steward", title=f"Incident {i}", labels=[LABEL]) for i in range(101)]

    result = sweep_at(world, T0 + 5 * M)

    assert count(world, numbers[0], "acknowledgement") == 1
    assert count(world, numbers[-1], "acknowledgement") == 1
    assert result.stdout.count(": active — ") == 101
    lists = [r for r in world.emu.requests if r.method == "GET" and r.path == f"/repos/{REPO}/issues"]
    assert [r.query["state"] for r in lists] == ["open", "open", "closed"]  # two pages, then recent closes


# --- the status comment's clocks ----------------------------------------------------------------


def test_status_shows_due_times_in_the_calendar_zone_and_in_utc(world: World) -> None:
    world.write_config('working_hours:\n  timezone: "America/New_York"\n')
    at(world, FRI_11)
    number = declared(world, body=REPORT)

    status = world.status(number)
    assert "Times in America/New_York (and UTC)." in status
    assert "| Declared | 2026-03-06 06:00 EST (2026-03-06 11:00 UTC) |" in status
    assert "| Escalation due | 2026-03-06 06:30 EST (2026-03-06 11:30 UTC) |" in status
    assert "| Next update due | 2026-03-06 10:00 EST (2026-03-06 15:00 UTC) |" in status

    at(world, FRI_NOON)
    world.comment(number, "engineer", "/resolved")
    # 48 working hours on New York weekdays, across the change to summer time on Sunday 8 March:
    # Friday 07:00–24:00 EST, Monday, then Tuesday 00:00–07:00 EDT.
    status = world.status(number)
    assert "| Resolved | 2026-03-06 07:00 EST (2026-03-06 12:00 UTC) |" in status
    assert "| Auto-close due | 2026-03-10 07:00 EDT (2026-03-10 11:00 UTC) |" in status

    sweep_at(world, datetime(2026, 3, 10, 10, 59, tzinfo=UTC))
    assert issue_state(world, number) == ("open", None)
    sweep_at(world, datetime(2026, 3, 10, 11, 0, tzinfo=UTC))
    assert issue_state(world, number) == ("closed", "completed")


def test_a_sweep_stops_politely_at_its_call_budget_and_the_next_one_carries_on(world: World) -> None:
    numbers = [world.open_issue("reporter", title=f"Hub {i} down", labels=[LABEL]) for i in range(6)]
    world.env["INCIDENT_OPS_CALL_BUDGET"] = "12"
    first = world.sweep()
    assert first.code == 0
    assert "budget of 12 API calls is spent" in first.stdout and "::warning::" in first.stdout
    served = [n for n in numbers if world.bot_comments(n, "status")]
    assert 0 < len(served) < len(numbers)
    del world.env["INCIDENT_OPS_CALL_BUDGET"]
    assert world.sweep().code == 0
    assert all(len(world.bot_comments(n, "status")) == 1 for n in numbers)


def test_a_reminder_after_a_severity_change_says_no_update_was_posted(world: World) -> None:
    world.write_config(
        "severity:\n  default: SEV2\n  levels:\n    SEV1: {updates: {every: 1h}}\n    SEV2: {}\n"
    )
    number = declared(world)
    at(world, T0 + 36 * M)
    world.comment(number, "lead", "/severity SEV1\n/commander")  # neither is an update
    sweep_at(world, T0 + 36 * M + H)
    [reminder] = world.bot_comments(number, "update-reminder")
    assert "none was posted since the incident was declared" in reminder["body"]
    assert "09:36" not in reminder["body"]


def status_edits(world: World, since: int) -> int:
    """Edits of comments (the status comment is the only one the tool edits) after request `since`."""
    return sum(1 for r in world.emu.requests[since:] if r.method == "PATCH" and "/issues/comments/" in r.path)


def test_an_upgrade_redraws_nothing_and_a_new_rendering_is_spread_over_the_sweeps(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = [declared(world) for _ in range(6)]
    world.sweep()
    monkeypatch.setattr("incident_ops.__version__", "9.9.9")  # a release that draws nothing new
    since = len(world.emu.requests)
    world.sweep()
    assert status_edits(world, since) == 0

    from incident_ops.core.comments import render

    monkeypatch.setattr(render, "RENDERING_VERSION", render.RENDERING_VERSION + 1)
    world.env["INCIDENT_OPS_CALL_BUDGET"] = "20"
    edits = []
    for _ in range(6):
        since = len(world.emu.requests)
        assert world.sweep().code == 0
        made = world.emu.requests[since:]
        assert len(made) <= 20
        edits.append(status_edits(world, since))
    assert 0 < edits[0] < len(numbers) and sum(edits) == len(numbers), edits
    assert status_edits(world, len(world.emu.requests)) == 0
