"""Randomized soak: seeded histories under faults, lost and repeated events, runs at once; then invariants."""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import BOT, LABEL, REPO, RunResult, World, new_world
from test_faults import CACHE_LINE, INCOMPLETE, RETRY_DELAY, comment_names, is_bot_comment, keys, renamed

from incident_ops.cli.demo import REPORT
from incident_ops.core.commands.lines import find_commands
from incident_ops.core.comments.markers import read_marker

SEEDS = (2026, 4242, 1, 7)  # 1 and 7 once ended with the overdue label left on a closed incident
STEPS = 180  # per seed: each step an event or a sweep (some events lost); over 300 runs in all
INCIDENTS = 4
FAULTS_PER_RUN = 3  # at most this many faults armed before a run, each with FAULT_CHANCE
FAULT_CHANCE = 0.7
OUTAGE_CHANCE = 0.02  # a fault outlasting every retry: the run exits 3 and the workflow is rerun
MAX_PRIMARY = 2  # primary rate limits cost a second or two of real waiting each
MAX_RERUNS = 3
RUN_TIMEOUT = 60.0
TEAM = ("steward", "engineer", "lead")
OUTSIDERS = ("reporter", "community-rep", "reader")
FAULT_STATUSES = frozenset({403, 429, 500, 502, 503, 504})
TEAM_COMMANDS = (
    "/commander",
    "/commander @lead",
    "/commander @engineer",
    "/sme @lead @engineer",
    "/community @community-rep",
    "/update Progress report {n}.",
    "/update We found the cause ({n}).",
    "/resolved Fixed in step {n}.",
    "/reopen It broke again.",
    "/close",
    "/ticket 4242",
    "/status",
    "/help",
)
Runner = Callable[[World], RunResult]
PLAIN = ("Still broken for me.", "Thanks, works now!", "Looking into the logs at /var/log/hub.")
TARGETS = (
    ("GET", r"/issues/\d+$", False),
    ("GET", r"/issues/\d+/comments$", False),
    ("GET", r"/issues/\d+/events$", False),
    ("GET", r"/issues$", False),
    ("GET", r"/collaborators/[^/]+/permission$", False),
    ("POST", r"/issues/\d+/comments$", True),
    ("PATCH", r"/issues/comments/\d+$", True),
    ("DELETE", r"/issues/comments/\d+$", True),
    ("POST", r"/issues/\d+/labels$", True),
    ("DELETE", r"/issues/\d+/labels/", True),
    ("POST", r"/issues/\d+/assignees$", True),
    ("DELETE", r"/issues/\d+/assignees$", True),
    ("PATCH", r"/issues/\d+$", True),
    ("POST", r"/reactions$", True),
)


@dataclass
class Tally:
    """What the soak did, for its assertions and its printed summary."""

    events: int = 0
    sweeps: int = 0
    lost: int = 0
    redelivered: int = 0
    at_once: int = 0
    reruns: int = 0
    outages: int = 0
    primary: int = 0
    deleted_status: int = 0
    commands: list[tuple[int, int]] = field(default_factory=list)
    outsider_commands: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Soak:
    """One seeded history played on a faulty world and, in lockstep, on a fault-free one."""

    rng: random.Random
    faulty: World
    clean: World
    tally: Tally = field(default_factory=Tally)
    incidents: list[int] = field(default_factory=list)

    # --- human actions, the same in both worlds ---

    def advance(self) -> None:
        """Time passes between steps, now and then for a long while."""
        minutes = self.rng.choice((0, 1, 5, 15, 30, 45, 60, 120, 240, 600))
        for world in (self.faulty, self.clean):
            world.advance(minutes=minutes)

    def open_incident(self) -> int:
        """@reporter opens an issue; a team member labels it; the labeled event runs."""
        body = self.rng.choice((INCOMPLETE, REPORT, "Logins fail.", ""))
        declarer = self.rng.choice(TEAM)
        numbers = set()
        for world in (self.faulty, self.clean):
            number = world.open_issue("reporter", title=f"Hub down {len(self.incidents)}", body=body)
            world.emu.add_labels(REPO, number, [LABEL], declarer)
            numbers.add(number)
        [number] = numbers
        self.incidents.append(number)
        self.deliver(lambda w: w.issues_event("labeled", number, declarer, label=LABEL))
        return number

    def comment(self, number: int) -> None:
        """Someone comments: a team command, an outsider's command, or plain text."""
        roll = self.rng.random()
        if roll < 0.7:
            author = self.rng.choice(TEAM)
            body = self.rng.choice(TEAM_COMMANDS).format(n=self.tally.events)
        elif roll < 0.85:
            author = self.rng.choice(OUTSIDERS)
            body = self.rng.choice(("/update From outside.", "/status", "/resolved", "/commander"))
        else:
            author = self.rng.choice(OUTSIDERS + TEAM)
            body = self.rng.choice(PLAIN)
        cid = self.faulty.emu.add_comment(REPO, number, author, body)
        clean_cid = self.clean.emu.add_comment(REPO, number, author, body)
        if find_commands(body):
            outsider = author in OUTSIDERS
            (self.tally.outsider_commands if outsider else self.tally.commands).append((number, cid))
        self.deliver(
            lambda w: w.comment_event(number, cid if w is self.faulty else clean_cid), can_be_lost=True
        )

    def edit_body(self, number: int) -> None:
        """The team fills in (or empties) the incident report; the edited event runs."""
        body = self.rng.choice((REPORT, INCOMPLETE))
        for world in (self.faulty, self.clean):
            world.emu.edit_issue(REPO, number, "lead", body=body)
        self.deliver(lambda w: w.issues_event("edited", number, "lead"), can_be_lost=True)

    def delete_status(self, number: int) -> None:
        """Someone deletes the status comment (no event)."""
        for world in (self.faulty, self.clean):
            statuses = world.bot_comments(number, "status")
            if statuses:
                world.emu.delete_comment(REPO, statuses[0]["id"])
        self.tally.deleted_status += 1

    def sweep(self) -> None:
        """The scheduled sweep."""
        self.tally.sweeps += 1
        self.deliver(lambda w: w.sweep())

    # --- runs: faulted, lost, redelivered or twice at once in the faulty world ---

    def deliver(self, run: Runner, can_be_lost: bool = False) -> None:
        """Run the event in both worlds; in the faulty one it may also come twice, or twice at once."""
        roll = self.rng.random()
        if can_be_lost and roll < 0.08:
            self.tally.lost += 1  # lost in both worlds: a later run or sweep must catch up
            return
        self.tally.events += 1
        expect_ok(run(self.clean))
        if roll > 0.92:
            self.tally.at_once += 1
            self.runs_at_once(run)
            return
        self.faulty_run(run)
        if roll > 0.84:
            self.tally.redelivered += 1
            self.faulty_run(run)

    def faulty_run(self, run: Runner) -> None:
        """One run with faults armed; a run that exits 3 is rerun, as a person reruns the workflow."""
        self.arm_faults()
        result = run(self.faulty)
        self.faulty.emu.clear_faults()
        self.rerun_until_done(run, result)

    def runs_at_once(self, run: Runner) -> None:
        """The same event handled by two runs at once, faults shared between them."""
        self.arm_faults()
        results: list[RunResult] = []
        out, err = sys.stdout, sys.stderr
        threads = [threading.Thread(target=lambda: results.append(run(self.faulty))) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=RUN_TIMEOUT)
        sys.stdout, sys.stderr = out, err  # the runs swapped them concurrently
        self.faulty.emu.clear_faults()
        assert len(results) == 2, "a run did not finish"
        for result in results:
            self.rerun_until_done(run, result)

    def rerun_until_done(self, run: Runner, result: RunResult) -> None:
        """Rerun a failed run (without new faults) until it succeeds; it must, within a few reruns."""
        for _ in range(MAX_RERUNS):
            if result.code != 3:
                break
            self.tally.reruns += 1
            result = run(self.faulty)
        expect_ok(result)

    def arm_faults(self) -> None:
        """Arm a few one-shot faults (lost answers, 5xx, rate limits); rarely an outage."""
        emu = self.faulty.emu
        for _ in range(FAULTS_PER_RUN):
            if self.rng.random() >= FAULT_CHANCE:
                continue
            method, path, is_write = self.rng.choice(TARGETS)
            kind = self.rng.random()
            if is_write and kind < 0.4:
                emu.inject_fault(method, path, status=self.rng.choice((502, 504)), apply=True)
            elif kind < 0.75:
                emu.inject_fault(method, path, status=self.rng.choice((500, 502, 503, 504)))
            elif kind < 0.97 or self.tally.primary >= MAX_PRIMARY:
                emu.inject_secondary_rate_limit(method, path, retry_after=0)
            else:
                self.tally.primary += 1
                emu.inject_primary_rate_limit(method, path, reset_in=1)
        if self.rng.random() < OUTAGE_CHANCE:
            self.tally.outages += 1
            method, path, _ = self.rng.choice(TARGETS)
            emu.inject_fault(method, path, status=503, times=4)

    # --- the history ---

    def step(self) -> None:
        """One step of the history."""
        self.advance()
        open_ = [n for n in self.incidents if self.clean.emu.issue(REPO, n)["state"] == "open"]
        roll = self.rng.random()
        if not open_ or (len(self.incidents) < INCIDENTS and roll < 0.08):
            self.open_incident()
        elif roll < 0.25:
            self.sweep()
        elif roll < 0.3:
            self.edit_body(self.rng.choice(open_))
        elif roll < 0.32:
            self.delete_status(self.rng.choice(open_))
        else:
            self.comment(self.rng.choice(open_))


def expect_ok(result: RunResult) -> None:
    """A run that must have succeeded."""
    assert result.code == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def final_state(world: World, number: int) -> dict[str, Any]:
    """Labels, assignees, open or closed, the status comment without its cache, and the tool's messages."""
    issue = world.emu.issue(REPO, number)
    names = comment_names(world, number)
    base = world.emu.api_url

    def body(text: str) -> str:
        return renamed(CACHE_LINE.sub("", text).replace(base, "BASE"), names)

    return {
        "state": (issue["state"], issue["state_reason"]),
        "labels": sorted(label["name"] for label in issue["labels"]),
        "assignees": sorted(a["login"] for a in issue["assignees"]),
        "messages": sorted(
            (names[c["id"]], body(c["body"])) for c in world.comments(number) if is_bot_comment(c)
        ),
    }


def answered(world: World, number: int, cid: int) -> bool:
    """Whether a command comment got its effect: the tool's reaction, or a keyed message answering it."""
    if any(r["user"]["login"] == BOT for r in world.emu.reactions(REPO, cid)):
        return True
    suffix = f"/{cid}"
    return any(
        (marker := read_marker(c["body"])) is not None and marker.key.endswith(suffix)
        for c in world.comments(number)
        if is_bot_comment(c)
    )


def outsiders_answered_at_most_daily(world: World, number: int) -> bool:
    """Whether each person outside the team got at most one reply in any 24 hours."""
    times: dict[str, list[datetime]] = {}
    for c in world.comments(number):
        marker = read_marker(c["body"]) if is_bot_comment(c) else None
        if marker is not None and marker.kind == "reply" and marker.to in OUTSIDERS:
            times.setdefault(marker.to, []).append(
                datetime.fromisoformat(c["created_at"].replace("Z", "+00:00"))
            )
    return all(
        b - a >= timedelta(hours=24) for ts in times.values() for a, b in zip(ts, ts[1:], strict=False)
    )


def faulted_share(world: World) -> tuple[int, int]:
    """Requests answered with an injected fault's status, and all requests."""
    requests = world.emu.requests
    return sum(1 for r in requests if r.status in FAULT_STATUSES), len(requests)


@pytest.fixture
def clean_world(tmp_path: Path) -> Iterator[World]:
    """The fault-free twin of the `world` fixture."""
    root = tmp_path / "clean"
    root.mkdir()
    emu, world = new_world(root)
    try:
        yield world
    finally:
        emu.stop()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_seeded_history_under_faults_ends_like_the_fault_free_one(
    world: World, clean_world: World, seed: int
) -> None:
    """No keyed comment twice, no command lost, and the same final issues as without faults."""
    started = time.monotonic()
    for w in (world, clean_world):
        w.env["INCIDENT_OPS_RETRY_DELAY"] = RETRY_DELAY
    soak = Soak(random.Random(seed), world, clean_world)
    for _ in range(STEPS):
        soak.step()
    world.emu.clear_faults()
    bad, total = faulted_share(world)
    for w in (world, clean_world):
        w.advance(minutes=1)
        expect_ok(w.sweep())
    writes = len(world.writes())
    expect_ok(world.sweep())

    assert len(world.writes()) == writes, "a second catch-up sweep at the same now wrote something"
    tally = soak.tally
    assert tally.events >= STEPS * 0.8
    assert min(tally.lost, tally.redelivered, tally.at_once, tally.sweeps) > 0
    assert 0.05 <= bad / total <= 0.2, f"{bad} of {total} requests faulted"
    for number in soak.incidents:
        found = keys(world, number)
        assert len(found) == len(set(found)), f"#{number}: a keyed comment twice: {sorted(found)}"
    unanswered = [(n, cid) for n, cid in tally.commands if not answered(world, n, cid)]
    assert unanswered == [], "commands without their effect"
    for _number, cid in tally.outsider_commands:
        assert not any(r["user"]["login"] == BOT for r in world.emu.reactions(REPO, cid)), (
            "an outsider's reaction"
        )
    for number in soak.incidents:
        assert outsiders_answered_at_most_daily(world, number), f"#{number}: outsiders answered too often"
    for number in soak.incidents:
        assert final_state(world, number) == final_state(clean_world, number), f"#{number} differs"
    kinds = sorted(
        {m.kind for n in soak.incidents for c in world.comments(n) if (m := read_marker(c["body"]))}
    )
    closed = sum(world.emu.issue(REPO, n)["state"] == "closed" for n in soak.incidents)
    print(
        f"\nsoak seed {seed}: {len(soak.incidents)} incidents ({closed} closed), messages {', '.join(kinds)};"
        f" {tally.events} events and sweeps ({tally.sweeps} sweeps), {tally.lost} lost,"
        f" {tally.redelivered} redelivered, {tally.at_once} twice at once, {tally.outages} outages,"
        f" {tally.reruns} reruns, {tally.deleted_status} status deletions, {len(tally.commands)} commands;"
        f" {bad}/{total} requests faulted ({bad / total:.0%}); {time.monotonic() - started:.1f}s"
    )
