"""Property: whatever happens to the status comment's cache, an incident ends as it would with it intact.

Random histories (commands from the team and from outsiders, community replies, edits, closes, sweeps) are
played in two worlds; in one, the cache is deleted, cut, garbled or replaced by another incident's at random
points. Labels, assignees, open/closed state, the tool's keyed comments and the chat messages must end equal,
and no keyed comment may exist twice.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from harness import LABEL, REPO, World, new_world
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from incident_ops.cli.demo import REPORT
from incident_ops.core.comments.markers import read_marker
from incident_ops.standins import SlackStandIn

CACHE = re.compile(r"<!-- incident-ops-cache:\{.*?\} -->", re.DOTALL)
TEAM = ("steward", "engineer", "lead")
TEAM_COMMANDS = (
    "/commander",
    "/commander @lead",
    "/sme @engineer",
    "/community @community-rep",
    "/update Progress.",
    "/resolved Fixed.",
    "/reopen",
    "/close",
    "/status",
    "/ticket 12",
)
OUTSIDER_TEXT = ("/resolved", "/help", "/close", "+1", "/commander")
DAMAGES = ("delete", "cut", "garble", "other incident's")

step = st.one_of(
    st.tuples(st.just("team"), st.sampled_from(TEAM), st.sampled_from(TEAM_COMMANDS)),
    st.tuples(st.just("outsider"), st.sampled_from(("passer-by", "reader")), st.sampled_from(OUTSIDER_TEXT)),
    st.tuples(st.just("community"), st.just("reporter"), st.just("Still broken here.")),
    st.tuples(st.just("edit"), st.just(""), st.just("edited later")),
    st.tuples(st.just("advance"), st.just(""), st.sampled_from(("5", "45", "300", "1500"))),
    st.tuples(st.just("sweep"), st.just(""), st.just("")),
    st.tuples(st.just("close"), st.sampled_from(("reporter", "lead")), st.just("")),
    st.tuples(st.just("body"), st.just("steward"), st.sampled_from(("complete", "incomplete"))),
    st.tuples(st.just("damage"), st.just(""), st.sampled_from(DAMAGES)),
)


@contextmanager
def twin_worlds() -> Iterator[tuple[tuple[World, SlackStandIn], tuple[World, SlackStandIn]]]:
    """Two identical worlds, each with Slack configured, incidents #1 (played) and #2 (a cache to copy)."""
    with ExitStack() as stack:
        pairs = []
        for _ in range(2):
            emu, world = new_world(Path(stack.enter_context(tempfile.TemporaryDirectory())))
            stack.callback(emu.stop)
            chat = stack.enter_context(SlackStandIn())
            world.write_config("integrations:\n  slack_webhook_env: SLACK_URL\n")
            world.env.update(SLACK_URL=chat.url, INCIDENT_OPS_RETRY_DELAY="0.01")
            for _ in range(2):
                number = world.open_issue("reporter", body="Logins fail.")
                world.declare(number, "steward")
            world.comment(2, "engineer", "/commander\n/update Other incident.")
            pairs.append((world, chat))
        yield pairs[0], pairs[1]


def play(world: World, action: str, who: str, what: str, damage: bool, last: list[int]) -> None:
    """One step of the history in one world (the cache damage only where `damage`)."""
    if action in ("team", "outsider", "community"):
        cid = world.emu.add_comment(REPO, 1, who, what)
        last.append(cid)
        world.comment_event(1, cid)
    elif action == "edit" and last:
        world.advance(minutes=3)  # past the grace for typos: no longer what was posted
        world.edit_comment(last[-1], what)
    elif action == "advance":
        world.advance(minutes=int(what))
    elif action == "sweep":
        world.sweep()
    elif action == "close" and world.emu.issue(REPO, 1)["state"] == "open":
        world.emu.edit_issue(REPO, 1, who, state="closed")
        world.issues_event("closed", 1, who)
    elif action == "body":
        world.emu.edit_issue(REPO, 1, who, body=REPORT if what == "complete" else "Logins fail.")
        world.issues_event("edited", 1, who)
    elif action == "damage" and damage:
        damage_cache(world, what)


def damage_cache(world: World, how: str) -> None:
    """Delete, cut, garble or replace incident #1's cache, as a person with write access could."""
    statuses = world.bot_comments(1, "status")
    if not statuses:
        return
    body = statuses[0]["body"]
    line = CACHE.search(body)
    if line is None:
        return
    if how == "delete":
        new = body.replace(line[0], "")
    elif how == "cut":
        new = body[: line.start() + len(line[0]) // 2]
    elif how == "garble":
        new = body.replace(line[0], line[0].replace('"', "'", 3))
    else:
        other = CACHE.search(world.bot_comments(2, "status")[0]["body"])
        new = body.replace(line[0], other[0] if other else "")
    world.emu.edit_comment(REPO, statuses[0]["id"], new)


def outcome(world: World, chat: SlackStandIn) -> tuple:
    """What people see of incident #1, and every chat message."""
    issue = world.emu.issue(REPO, 1)
    keys = [m.key for c in world.bot_comments(1) if (m := read_marker(c["body"]))]
    labels = sorted(label["name"] for label in issue["labels"])
    assignees = sorted(a["login"] for a in issue["assignees"])
    messages = [re.sub(r"http://127\.0\.0\.1:\d+", "URL", m) for m in chat.messages]  # each world's port
    return labels, assignees, issue["state"], Counter(keys), Counter(messages)


@settings(
    max_examples=25,
    derandomize=True,  # a fixed seed: CI runs the same histories every time
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: a failure prints its history
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(step, min_size=4, max_size=14))
def test_the_cache_changes_no_decision(steps: list[tuple[str, str, str]]) -> None:
    with twin_worlds() as (
        (intact, intact_chat),
        damaged,
    ):
        damaged_world, damaged_chat = damaged
        sent: dict[int, list[int]] = {id(intact): [], id(damaged_world): []}
        for action, who, what in steps:
            for world in (intact, damaged_world):
                play(world, action, who, what, world is damaged_world, sent[id(world)])
        for world in (intact, damaged_world):
            world.advance(days=4)
            world.sweep()
        expected, found = outcome(intact, intact_chat), outcome(damaged_world, damaged_chat)
        assert found[:3] == expected[:3]
        assert found[3] == expected[3], "the tool's keyed comments differ"
        assert found[4] == expected[4], "the chat messages differ"
        assert all(count == 1 for count in found[3].values()), f"a keyed comment twice: {found[3]}"
        assert LABEL in found[0], "the incident lost its label"
