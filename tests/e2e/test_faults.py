"""Faults end to end: lost answers, 5xx bursts, rate limits, deleted comments, refusals, killed runs."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from harness import BOT, LABEL, REPO, RunResult, World, new_world

from incident_ops.cli.demo import REPORT
from incident_ops.core.comments.markers import read_marker
from incident_ops.github.adapter import PyGithubPort

RETRY_DELAY = "0.001"
CACHE_LINE = re.compile(r"<!-- incident-ops-cache:.*?-->\n?", re.DOTALL)
NUMBER = re.compile(r"\d+")
# The report with one section emptied: /resolved then also posts a report reminder.
INCOMPLETE = REPORT.replace("It happened on a Monday morning with the whole team online.\n", "")

Chaos = Callable[[World], None]


# --- comparing issues ---------------------------------------------------------------------------


def is_bot_comment(comment: dict[str, Any]) -> bool:
    """Whether a comment is one of the tool's (a marker, written by the tool's bot account)."""
    return comment["user"]["login"] == BOT and read_marker(comment["body"]) is not None


def comment_names(world: World, number: int) -> dict[int, str]:
    """A name for every comment that is the same in any world: h0, h1… for people, the key for the tool."""
    names: dict[int, str] = {}
    humans = 0
    for comment in world.comments(number):
        if not is_bot_comment(comment):
            names[comment["id"]] = f"h{humans}"
            humans += 1
    for comment in world.comments(number):
        marker = read_marker(comment["body"])
        if is_bot_comment(comment) and marker is not None:
            names[comment["id"]] = "bot:" + renamed(marker.key, names)
    return names


def renamed(text: str, names: dict[int, str]) -> str:
    """Text with comment ids replaced by their world-independent names."""
    return NUMBER.sub(lambda m: names.get(int(m[0]), m[0]), text)


def snapshot(world: World, number: int) -> dict[str, Any]:
    """What a person sees on the issue, free of ids, ports and the status comment's hidden cache."""
    issue = world.emu.issue(REPO, number)
    names = comment_names(world, number)
    base = world.emu.api_url

    def body(text: str) -> str:
        return renamed(CACHE_LINE.sub("", text).replace(base, "BASE"), names)

    comments = world.comments(number)
    return {
        "state": (issue["state"], issue["state_reason"]),
        "labels": sorted(label["name"] for label in issue["labels"]),
        "assignees": sorted(a["login"] for a in issue["assignees"]),
        "tool comments": sorted((names[c["id"]], body(c["body"])) for c in comments if is_bot_comment(c)),
        "human comments": [c["body"] for c in comments if not is_bot_comment(c)],
        "reactions": {
            names[c["id"]]: sorted(
                r["content"] for r in world.emu.reactions(REPO, c["id"]) if r["user"]["login"] == BOT
            )
            for c in comments
            if not is_bot_comment(c)
        },
    }


def keys(world: World, number: int) -> list[str]:
    """The keys of the tool's comments, in posting order."""
    return [m.key for c in world.comments(number) if is_bot_comment(c) and (m := read_marker(c["body"]))]


def assert_no_duplicates(world: World, number: int) -> None:
    """No keyed comment of the tool's is on the issue twice."""
    found = keys(world, number)
    assert len(found) == len(set(found)), sorted(found)


# --- the scenario -------------------------------------------------------------------------------


def no_chaos(world: World) -> None:
    """A fault-free run."""


def ok(result: RunResult | None) -> RunResult:
    """A run that must have succeeded."""
    assert result is not None
    assert result.code == 0, result.stdout + result.stderr
    return result


def play(world: World, chaos: Chaos = no_chaos) -> int:
    """An incident from declaration to /close, with `chaos` called before each run; every run succeeds."""
    number = world.open_issue("reporter", body=REPORT)
    world.emu.add_labels(REPO, number, [LABEL], "steward")
    steps: list[tuple[float, str, str]] = [
        (5, "engineer", "/commander"),
        (5, "steward", "/commander @lead\n/sme @engineer"),
        (0, "reporter", "/help"),
        (10, "lead", "/update We found the cause."),
        (5, "lead", "/resolved Logins work again."),
        (5, "engineer", "/reopen It failed again."),
        (5, "lead", "/resolved Fixed for good."),
        (5, "lead", "/close"),
    ]
    chaos(world)
    ok(world.issues_event("labeled", number, "steward", label=LABEL))
    for minutes, author, body in steps[:4]:
        world.advance(minutes=minutes)
        cid = world.emu.add_comment(REPO, number, author, body)
        chaos(world)
        ok(world.comment_event(number, cid))
    world.advance(minutes=20)  # past the escalation
    chaos(world)
    ok(world.sweep())
    for minutes, author, body in steps[4:]:
        world.advance(minutes=minutes)
        cid = world.emu.add_comment(REPO, number, author, body)
        chaos(world)
        ok(world.comment_event(number, cid))
    world.emu.clear_faults()
    return number


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The issue after the scenario without any fault."""
    emu, world = new_world(tmp_path_factory.mktemp("fault-free"))
    try:
        world.env["INCIDENT_OPS_RETRY_DELAY"] = RETRY_DELAY
        number = play(world)
        assert world.emu.issue(REPO, number)["state"] == "closed"
        return snapshot(world, number)
    finally:
        emu.stop()


@pytest.fixture(autouse=True)
def quick_retries(world: World) -> None:
    """Retries back off for a millisecond, not a second."""
    world.env["INCIDENT_OPS_RETRY_DELAY"] = RETRY_DELAY


@pytest.fixture
def other_world(tmp_path: Path) -> Iterator[World]:
    """A second, independent emulator world."""
    root = tmp_path / "other"
    root.mkdir()
    emu, world = new_world(root)
    world.env["INCIDENT_OPS_RETRY_DELAY"] = RETRY_DELAY
    try:
        yield world
    finally:
        emu.stop()


def faulted(world: World, status: int) -> int:
    """How many requests got the injected status."""
    return sum(1 for r in world.emu.requests if r.status == status)


def declared(world: World, body: str = REPORT) -> int:
    """@reporter opens an issue and @steward declares it."""
    number = world.open_issue("reporter", body=body)
    ok(world.declare(number, "steward"))
    return number


# --- lost answers after applied writes ----------------------------------------------------------

WRITES = [
    ("comment post", "POST", r"/issues/\d+/comments$"),
    ("status edit", "PATCH", r"/issues/comments/\d+$"),
    ("label added", "POST", r"/issues/\d+/labels$"),
    ("label removed", "DELETE", r"/issues/\d+/labels/"),
    ("assignee added", "POST", r"/issues/\d+/assignees$"),
    ("assignee removed", "DELETE", r"/issues/\d+/assignees$"),
    ("issue closed", "PATCH", r"/issues/\d+$"),
    ("reaction", "POST", r"/reactions$"),
]


@pytest.mark.parametrize(("method", "path"), [w[1:] for w in WRITES], ids=[w[0] for w in WRITES])
def test_a_lost_answer_after_an_applied_write_is_not_repeated(
    world: World, expected: dict[str, Any], method: str, path: str
) -> None:
    """Each write lands but its answer is lost twice in a row; the retries converge on one copy."""

    def lose_answers(w: World) -> None:
        w.emu.clear_faults()
        w.emu.inject_fault(method, path, status=504, times=2, apply=True)

    number = play(world, lose_answers)

    assert faulted(world, 504) >= 2
    assert_no_duplicates(world, number)
    assert snapshot(world, number) == expected


def test_a_lost_answer_for_a_duplicate_deletion_is_fine(world: World) -> None:
    """A younger copy of a keyed comment is deleted once, though the deletion's answer is lost."""
    number = declared(world)
    ack = world.bot_comments(number, "acknowledgement")[0]
    world.emu.add_comment(REPO, number, BOT, ack["body"])  # a racing run's copy
    world.emu.inject_fault("DELETE", r"/issues/comments/\d+$", status=502, times=2, apply=True)

    ok(world.comment(number, "engineer", "/status"))

    assert faulted(world, 502) == 2
    assert [c["id"] for c in world.bot_comments(number, "acknowledgement")] == [ack["id"]]
    assert_no_duplicates(world, number)


# --- 5xx bursts -----------------------------------------------------------------------------------

BURSTS = [
    (500, "GET", r"/issues/\d+/comments$"),
    (502, "POST", r"/issues/\d+/comments$"),
    (503, "PATCH", r"/issues/comments/\d+$"),
    (504, "GET", r"/collaborators/[^/]+/permission$"),
    (502, "*", r".*"),
]


@pytest.mark.parametrize(("status", "method", "path"), BURSTS, ids=[f"{b[0]} {b[1]} {b[2]}" for b in BURSTS])
def test_a_burst_of_server_errors_then_success_changes_nothing(
    world: World, expected: dict[str, Any], status: int, method: str, path: str
) -> None:
    """Three failures in a row (one short of giving up) before every run: the same issue as without."""

    def burst(w: World) -> None:
        w.emu.clear_faults()
        w.emu.inject_fault(method, path, status=status, times=3)

    number = play(world, burst)

    assert faulted(world, status) >= 3
    assert snapshot(world, number) == expected


# --- rate limits ----------------------------------------------------------------------------------


def test_a_secondary_rate_limit_waits_for_retry_after_then_posts_once(world: World) -> None:
    number = declared(world)
    world.emu.inject_secondary_rate_limit("POST", r"/issues/\d+/comments$", retry_after=1)

    started = time.monotonic()
    ok(world.comment(number, "engineer", "/update Investigating."))
    elapsed = time.monotonic() - started

    assert faulted(world, 403) == 1
    assert elapsed >= 1.0
    assert len(world.bot_comments(number, "update")) == 1
    assert_no_duplicates(world, number)


def test_a_secondary_rate_limit_without_a_wait_is_retried_at_once(world: World) -> None:
    number = declared(world)
    world.emu.inject_secondary_rate_limit("*", r".*", retry_after=0, times=3)

    ok(world.comment(number, "engineer", "/commander\n/update Investigating."))

    assert faulted(world, 403) == 3
    assert world.assignees(number) == {"engineer"}
    assert len(world.bot_comments(number, "update")) == 1


def test_a_429_with_retry_after_is_a_rate_limit_too(world: World) -> None:
    number = declared(world)
    world.emu.inject_fault(
        "POST", r"/issues/\d+/comments$", status=429, headers={"Retry-After": "0"}, times=2
    )

    ok(world.comment(number, "engineer", "/update Investigating."))

    assert len(world.bot_comments(number, "update")) == 1


def test_a_primary_rate_limit_waits_until_the_reset(world: World) -> None:
    number = declared(world)
    world.emu.inject_primary_rate_limit("GET", r"/issues/\d+/comments$", reset_in=1)

    started = time.monotonic()
    ok(world.comment(number, "engineer", "/commander"))
    elapsed = time.monotonic() - started

    assert faulted(world, 403) == 1
    assert elapsed >= 1.0
    assert world.assignees(number) == {"engineer"}


@pytest.mark.parametrize("limit", ["secondary", "primary"])
def test_a_rate_limit_far_ahead_stops_the_run_quickly_and_the_rerun_finishes(
    world: World, limit: str
) -> None:
    """No run sleeps for an hour: it exits 3 saying to rerun later, and the rerun does the work once."""
    number = declared(world)
    if limit == "secondary":
        world.emu.inject_secondary_rate_limit("POST", r"/issues/\d+/comments$", retry_after=3600, times=5)
    else:
        world.emu.inject_primary_rate_limit("POST", r"/issues/\d+/comments$", reset_in=3600, times=5)
    cid = world.emu.add_comment(REPO, number, "engineer", "/update Investigating.")

    started = time.monotonic()
    first = world.comment_event(number, cid)
    elapsed = time.monotonic() - started

    assert first.code == 3
    assert elapsed < 10
    assert "rate limited" in first.stdout and "rerun" in first.stdout
    assert "Traceback" not in first.stdout + first.stderr
    world.emu.clear_faults()
    ok(world.comment_event(number, cid))
    assert len(world.bot_comments(number, "update")) == 1
    assert_no_duplicates(world, number)


# --- a deleted status comment -------------------------------------------------------------------


def test_a_deleted_status_comment_is_rebuilt_by_the_sweep_with_the_same_content(world: World) -> None:
    number = declared(world, body=INCOMPLETE)
    world.comment(number, "engineer", "/sme @lead\n/community @community-rep")
    world.comment(number, "steward", "/update Investigating.")
    world.comment(number, "reporter", "/resolved")
    world.comment(number, "lead", "/resolved")
    world.advance(minutes=40)
    ok(world.sweep())
    before = snapshot(world, number)
    world.emu.delete_comment(REPO, world.bot_comments(number, "status")[0]["id"])

    ok(world.sweep())

    assert snapshot(world, number) == before
    assert_no_duplicates(world, number)
    again = len(world.writes())
    ok(world.sweep())
    assert len(world.writes()) == again


@pytest.mark.parametrize(
    "edit",
    [
        lambda body: body.replace("Incident status: Active", "Incident status: All fine"),
        lambda body: re.sub(r'"cursor":\d+', '"cursor":0', body),
        lambda body: re.sub(r'"view":"\w+"', '"view":"0"', body),
    ],
    ids=["text changed", "cache changed", "fingerprint changed"],
)
def test_a_hand_edited_status_comment_is_restored_by_the_next_run(
    world: World, edit: Callable[[str], str]
) -> None:
    number = declared(world, body=INCOMPLETE)
    world.comment(number, "engineer", "/commander")
    status = world.bot_comments(number, "status")[0]
    written = status["body"]
    world.emu.edit_comment(REPO, status["id"], edit(written))

    ok(world.sweep())

    assert world.status(number) == written
    again = len(world.writes())
    ok(world.sweep())
    assert len(world.writes()) == again  # restored once, then left alone


def test_a_changed_custom_template_redraws_the_status_comment_of_an_unchanged_incident(world: World) -> None:
    folder = world.workspace / "messages"
    folder.mkdir()
    world.write_config("templates_dir: messages\n")
    (folder / "status.md.j2").write_text("{{ marker }}\n{{ cache }}\nStatus: {{ state }}\n", encoding="utf-8")
    number = declared(world, body=INCOMPLETE)
    assert "Status: Active" in world.status(number)

    (folder / "status.md.j2").write_text("{{ marker }}\n{{ cache }}\nNow: {{ state }}\n", encoding="utf-8")
    ok(world.sweep())

    assert "Now: Active" in world.status(number)
    assert "Status: Active" not in world.status(number)


def test_a_status_comment_two_runs_recreate_as_one_closes_the_incident_is_left_single(world: World) -> None:
    number = declared(world)
    world.emu.delete_comment(REPO, world.bot_comments(number, "status")[0]["id"])
    cid = world.emu.add_comment(REPO, number, "engineer", "/close")
    racing = "<!-- incident-ops:status -->\n<!-- incident-ops-key:status -->\nAnother run's copy."
    world.emu.before(
        "POST",
        rf"/issues/{number}/comments$",
        "incident-ops:status",
        lambda: world.emu.add_comment(REPO, number, BOT, racing),
    )

    ok(world.comment_event(number, cid))

    assert world.emu.issue(REPO, number)["state"] == "closed"  # no sweep will come back to it
    [status] = world.bot_comments(number, "status")
    assert "Incident status: Closed" in status["body"]  # the older copy stays, brought up to date
    assert_no_duplicates(world, number)


def test_a_deleted_status_comment_after_a_handover_keeps_the_assignees(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander")
    world.comment(number, "steward", "/commander @lead\n/update Investigating.")
    before = snapshot(world, number)
    world.emu.delete_comment(REPO, world.bot_comments(number, "status")[0]["id"])

    ok(world.sweep())

    assert world.assignees(number) == {"lead"}
    assert snapshot(world, number) == before


def test_a_deleted_status_comment_is_rebuilt_without_replaying_any_command(world: World) -> None:
    number = declared(world)
    world.comment(number, "engineer", "/commander")
    world.comment(number, "steward", "/commander @lead")
    world.emu.delete_comment(REPO, world.bot_comments(number, "status")[0]["id"])
    world.emu.clear_requests()

    ok(world.sweep())

    assert [(w.method, w.path.rsplit("/", 1)[-1]) for w in world.writes()] == [("POST", "comments")]


def test_a_status_comment_deleted_during_a_run_is_rebuilt_by_the_rerun(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone deletes the status comment after the run read it; the rerun converges on one."""
    number = declared(world)
    status_id = world.bot_comments(number, "status")[0]["id"]
    original = PyGithubPort.edit_comment

    def deleted_first(port: PyGithubPort, comment_id: int, body: str) -> None:
        if comment_id == status_id:
            world.emu.delete_comment(REPO, status_id)
        original(port, comment_id, body)

    monkeypatch.setattr(PyGithubPort, "edit_comment", deleted_first)
    cid = world.emu.add_comment(REPO, number, "engineer", "/update Investigating.")
    first = world.comment_event(number, cid)
    monkeypatch.undo()

    assert first.code in (0, 3)
    assert "Traceback" not in first.stdout + first.stderr
    ok(world.comment_event(number, cid))
    assert len(world.bot_comments(number, "status")) == 1
    assert len(world.bot_comments(number, "update")) == 1
    assert "posted an update" in world.status(number)
    assert_no_duplicates(world, number)


# --- 404 and 422 answers --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_an_issue_deleted_before_its_comment_run_exits_3_without_writing(world: World, status: int) -> None:
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "engineer", "/update Investigating.")
    world.emu.inject_fault("*", rf"/issues/{number}(/|$)", status=status, times=100)
    world.emu.clear_requests()

    result = world.comment_event(number, cid)

    assert result.code == 3
    assert f"read comments of #{number}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert world.writes() == []


def test_an_issue_deleted_between_list_and_serve_leaves_the_others_served(world: World) -> None:
    gone = declared(world)
    healthy = declared(world)
    later = declared(world)
    world.emu.inject_fault("GET", rf"/issues/{gone}/", status=410, body={"message": "This issue was deleted"})
    world.advance(minutes=31)

    result = world.sweep()

    assert result.code == 3
    assert f"#{gone}" in result.summary and "This issue was deleted" in result.stdout
    assert len(world.bot_comments(healthy, "escalation")) == 1
    assert len(world.bot_comments(later, "escalation")) == 1
    assert world.bot_comments(gone, "escalation") == []


def test_an_assignee_github_silently_refuses_is_named_ic_and_not_retried(world: World) -> None:
    """GitHub skips users who cannot be assigned; the run does not loop on it."""
    world.emu.add_user("outsider")
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "engineer", "/commander @outsider")

    ok(world.comment_event(number, cid))

    assert world.assignees(number) == set()
    assert "| Incident Commander | @outsider |" in world.status(number)
    writes = len(world.writes())
    ok(world.comment_event(number, cid))
    ok(world.sweep())
    assert len(world.writes()) == writes


def test_an_assignment_github_refuses_is_reported_and_the_rest_is_served(world: World) -> None:
    number = declared(world)
    world.emu.inject_fault("POST", r"/assignees$", status=422, body={"message": "Validation Failed"})
    cid = world.emu.add_comment(REPO, number, "engineer", "/commander\n/update Investigating.")

    first = world.comment_event(number, cid)

    assert first.code == 0
    assert "::warning::" in first.stdout and "GitHub refused to assign @engineer" in first.summary
    assert len(world.bot_comments(number, "update")) == 1
    assert "| Incident Commander | @engineer |" in world.status(number)
    ok(world.comment_event(number, cid))
    assert_no_duplicates(world, number)


def test_an_assignment_refused_for_good_does_not_block_later_commands(world: World) -> None:
    number = declared(world)
    world.emu.inject_fault(
        "POST", r"/assignees$", status=422, body={"message": "Validation Failed"}, times=100
    )
    world.comment(number, "engineer", "/commander @lead")

    world.advance(minutes=5)
    world.comment(number, "steward", "/update Investigating.")

    assert len(world.bot_comments(number, "update")) == 1


def test_a_command_comment_deleted_before_its_reaction_leaves_a_consistent_issue(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = declared(world)
    cid = world.emu.add_comment(REPO, number, "engineer", "/update Investigating.")
    original = PyGithubPort.add_reaction

    def deleted_first(port: PyGithubPort, comment_id: int, content: str) -> None:
        world.emu.delete_comment(REPO, comment_id)
        original(port, comment_id, content)

    monkeypatch.setattr(PyGithubPort, "add_reaction", deleted_first)
    first = world.comment_event(number, cid)
    monkeypatch.undo()

    assert first.code in (0, 3)
    assert "Traceback" not in first.stdout + first.stderr
    ok(world.sweep())
    assert len(world.bot_comments(number, "status")) == 1
    assert len(world.bot_comments(number, "update")) == 1
    assert_no_duplicates(world, number)


# --- a run killed midway --------------------------------------------------------------------------

KILLS = [
    pytest.param("POST", r"/issues/\d+/comments$", False, id="comments"),
    pytest.param("PATCH", r"/issues/comments/\d+$", False, id="status edit"),
    pytest.param("POST", r"/issues/\d+/labels$", True, id="labels, answers lost"),
    pytest.param("POST", r"/issues/\d+/assignees$", True, id="assignees, answers lost"),
    pytest.param("POST", r"/reactions$", False, id="reactions"),
]
KILL_COMMANDS = "/commander\n/sme @lead\n/update Looking.\n/resolved Done."
# The command run's writes: assign, update, resolution, reaction, report reminder, report draft, label, status
# edit.
KILL_WRITES = 8
Run = Callable[[World, int, int], RunResult | None]


def kill_scenario(world: World, dies: Run) -> int:
    """A declared incident whose command comment's run dies (`dies` makes that run); then it is rerun."""
    number = declared(world, body=INCOMPLETE)
    world.advance(minutes=5)
    cid = world.emu.add_comment(REPO, number, "engineer", KILL_COMMANDS)
    dies(world, number, cid)
    ok(world.comment_event(number, cid))
    return number


@pytest.fixture
def kill_expected(other_world: World) -> dict[str, Any]:
    """The kill scenario's issue when nothing dies."""

    def lives(w: World, number: int, cid: int) -> RunResult:
        before = len(w.writes())
        result = ok(w.comment_event(number, cid))
        assert len(w.writes()) - before == KILL_WRITES, result.stdout
        return result

    return snapshot(other_world, kill_scenario(other_world, lives))


@pytest.mark.parametrize(("method", "path", "apply"), KILLS)
def test_a_run_that_exits_3_midway_is_finished_by_the_rerun(
    world: World, kill_expected: dict[str, Any], method: str, path: str, apply: bool
) -> None:
    """GitHub fails one kind of write through every retry: exit 3 after other writes; the rerun converges."""

    def exits_3(w: World, number: int, cid: int) -> RunResult:
        w.emu.inject_fault(method, path, status=502, times=4, apply=apply)
        result = w.comment_event(number, cid)
        w.emu.clear_faults()
        assert result.code == 3, result.stdout
        assert "rerunning is safe" in result.stdout
        assert faulted(w, 502) == 4
        return result

    number = kill_scenario(world, exits_3)

    assert_no_duplicates(world, number)
    assert snapshot(world, number) == kill_expected


class Killed(BaseException):
    """The runner killed the process (not an exception the tool could handle)."""


def killing_after(original: Callable[..., Any], k: int) -> Callable[..., Any]:
    """PyGithubPort._request that kills the run right after its k-th write lands."""
    writes = 0

    def request(port: PyGithubPort, verb: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal writes
        answer = original(port, verb, *args, **kwargs)
        writes += verb != "GET"
        if writes == k:
            raise Killed(f"killed after write {k}")
        return answer

    return request


@pytest.mark.parametrize(
    "k",
    [
        1,
        2,
        pytest.param(3),
        *range(4, KILL_WRITES + 1),
    ],
)
def test_a_run_killed_right_after_a_write_is_finished_by_the_rerun(
    world: World, kill_expected: dict[str, Any], monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    """The process dies right after its k-th write lands; the rerun of the event converges."""
    original = PyGithubPort._request

    def dies(w: World, number: int, cid: int) -> None:
        monkeypatch.setattr(PyGithubPort, "_request", killing_after(original, k))
        with pytest.raises(Killed):
            w.comment_event(number, cid)
        monkeypatch.setattr(PyGithubPort, "_request", original)

    number = kill_scenario(world, dies)

    assert_no_duplicates(world, number)
    assert snapshot(world, number) == kill_expected
