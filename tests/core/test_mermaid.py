"""Tests for the Mermaid diagrams: every diagram the tool emits is parsed and rendered by Mermaid itself.

All diagrams go to one Node process per test session (tests/mermaid/parse.mjs, with `mermaid` and `jsdom`
installed from tests/mermaid/package-lock.json on first use).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import new_world
from report_helpers import MERMAID_BLOCK, FakePort, sample, services
from stories import (
    HOSTILE,
    Story,
    active,
    closed_unresolved,
    late_label,
    long,
    many_reopens,
    quick,
    reopened,
)
from tools import tool

from incident_ops.cli.report import run_report
from incident_ops.config.types import Config
from incident_ops.core.comments.cache import StatusCache
from incident_ops.core.comments.render import MAX_COMMENT, Renderer
from incident_ops.core.history.fold import fold
from incident_ops.core.planning.timers import clocks
from incident_ops.core.views.mermaid import (
    MIN_BUDGET,
    SAFE_PUNCTUATION,
    TIMELINE_BUDGET,
    bar_chart,
    fenced,
    incident_timeline,
    label,
    pie_chart,
)
from incident_ops.core.views.status import render_status
from incident_ops.core.workhours import WorkCalendar

CHECKER = Path(__file__).parents[1] / "mermaid"
PINNED = json.loads((CHECKER / "package.json").read_text("utf-8"))["dependencies"]
RANDOM_TITLES = 25


def random_title(rng: random.Random) -> str:
    """A title mixing Mermaid syntax, Markdown, HTML, control characters and astral-plane text."""
    pieces = [*'#;:%{}[]()<>"`|\\&=*~^$-\n\t', "%%", "-->", "```", "#58;", "&amp;", "title", "section"]
    pieces += ["ﬂ°°", "¶ß", "\u200b", "\u202e", "🔥", "日本", "é", "@team", "style", "classDef", " "]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))


def titled(title: str) -> Story:
    """A short incident with the given title."""
    return Story(42, title).ack().update(timedelta(hours=1)).say("lead", "/resolved", timedelta(hours=2))


def status_blocks(story: Story) -> list[str]:
    """The Mermaid blocks of the status comment as the tool renders it (none until the timeline is in it)."""
    state, config = story.state(), Config()
    body = render_status(state, clocks(state, config, WorkCalendar()), config, Renderer(), StatusCache())
    return MERMAID_BLOCK.findall(body)


def corpus(tmp_path: Path) -> dict[str, str]:
    """Every kind of diagram the tool emits, from incidents with known histories, by name."""
    config, calendar = Config(), WorkCalendar()
    stories = {
        "quick": quick(),
        "reopened": reopened(),
        "active": active(),
        "closed-unresolved": closed_unresolved(),
        "late-label": late_label(),
        "long": long(500),
        "many-reopens": many_reopens(60),
        "hostile": titled(HOSTILE),
    }
    diagrams: dict[str, str] = {}
    for name, story in stories.items():
        state = story.state()
        diagrams[f"timeline/{name}"] = incident_timeline(state)
        diagrams[f"timeline/{name}/clocks"] = incident_timeline(state, clocks(state, config, calendar))
        for i, block in enumerate(status_blocks(story)):
            diagrams[f"status/{name}/{i}"] = block
    for budget in (MIN_BUDGET, 1500, 3000):
        diagrams[f"timeline/long/budget-{budget}"] = incident_timeline(long(500).state(), budget=budget)
    diagrams["timeline/berlin"] = incident_timeline(quick().state(), zone="Europe/Berlin")
    rng = random.Random(20260302)
    for i in range(RANDOM_TITLES):
        diagrams[f"timeline/random-title/{i}"] = incident_timeline(titled(random_title(rng)).state())
    for name, markdown in _reports(tmp_path).items():
        for i, block in enumerate(MERMAID_BLOCK.findall(markdown)):
            diagrams[f"report/{name}/{i}"] = block
    return diagrams


def _reports(tmp_path: Path) -> dict[str, str]:
    """The Markdown reports: over the sample incidents, and through the real CLI."""
    port = FakePort([s.history() for s in sample()])
    printed: list[str] = []
    run_report(services(port), None, "markdown", printed.append)
    reports = {"sample": printed[0]}
    emu, world = new_world(tmp_path)
    try:
        number = world.open_issue("reporter", title='Hub "down" | #1 %%')
        world.declare(number, "steward")
        world.advance(hours=2)
        world.comment(number, "engineer", "/resolved The hub is back.")
        reports["cli"] = world.cli("report").stdout
    finally:
        emu.stop()
    return reports


def install_checker() -> None:
    """Install the pinned `mermaid` and `jsdom` into tests/mermaid/node_modules unless they are there."""
    modules = CHECKER / "node_modules"
    installed = {}
    for package in PINNED:
        manifest = modules / package / "package.json"
        if manifest.exists():
            installed[package] = json.loads(manifest.read_text("utf-8"))["version"]
    if installed == PINNED:
        return
    command = [tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(command, cwd=CHECKER, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"npm ci in {CHECKER} failed:\n{done.stdout}\n{done.stderr}")


def check(diagrams: list[str]) -> list[dict[str, Any]]:
    """Mermaid's verdict on each diagram: {ok, type, error, text}."""
    install_checker()
    done = subprocess.run(
        [tool("node"), str(CHECKER / "parse.mjs")],
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        results: list[dict[str, Any]] = json.loads(done.stdout)
    except ValueError:
        pytest.fail(f"the Mermaid checker did not answer (exit {done.returncode}):\n{done.stderr}")
    return results


@pytest.fixture(scope="session")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every diagram of the corpus with Mermaid's verdict, by name (one Node run for the session)."""
    diagrams = corpus(tmp_path_factory.mktemp("reports"))
    results = check(list(diagrams.values()))
    return {name: (text, result) for (name, text), result in zip(diagrams.items(), results, strict=True)}


def test_every_diagram_parses_and_renders(checked: dict[str, tuple[str, dict[str, Any]]]) -> None:
    failed = {
        name: f"{result['error']}\n{text}" for name, (text, result) in checked.items() if not result["ok"]
    }
    assert not failed, "\n\n".join(f"{name}: {why}" for name, why in failed.items())


def test_the_corpus_holds_every_kind_of_diagram(checked: dict[str, tuple[str, dict[str, Any]]]) -> None:
    types = {(name.split("/")[0], result["type"]) for name, (_, result) in checked.items()}
    assert {("timeline", "gantt"), ("report", "xychart"), ("report", "pie")} <= types
    assert sum(1 for name in checked if name.startswith("report/sample/")) == 4


def test_titles_come_out_as_written(checked: dict[str, tuple[str, dict[str, Any]]]) -> None:
    rng = random.Random(20260302)
    for i in range(RANDOM_TITLES):
        title = " ".join(random_title(rng).split())
        shown = title if len(title) <= 50 else title[:49].rstrip() + "…"
        _, result = checked[f"timeline/random-title/{i}"]
        expected = " ".join(f"Incident #42 {shown} (times in UTC)".split())
        assert expected in " ".join(result["text"].split()), title
    _, hostile = checked["timeline/hostile"]
    assert 'Hub "down": <script>x</script> %%{init: {"theme' in hostile["text"]
    _, report = checked["report/sample/3"]
    assert "#4 =HYPERLIN" in report["text"] and '| Hub "down"…' in report["text"]  # long labels may be cut


def test_long_timelines_are_summarised_within_budget(checked: dict[str, tuple[str, dict[str, Any]]]) -> None:
    text, result = checked["timeline/long"]
    assert len(text) <= TIMELINE_BUDGET
    assert "492 more updates" in result["text"] and "Update 500" in result["text"]
    assert "Update 1 " in text and "Resolved" in text and "Closed" in text
    for budget in (MIN_BUDGET, 1500, 3000):
        text, result = checked[f"timeline/long/budget-{budget}"]
        assert len(text) <= budget and "Declared" in result["text"]
    phases, _ = checked["timeline/many-reopens"]
    assert "more phases" in phases and len(phases) <= TIMELINE_BUDGET


def test_a_status_comment_with_the_timeline_fits_in_a_comment() -> None:
    state, config = long(2000).state(), Config()
    clock = clocks(state, config, WorkCalendar())
    body = render_status(state, clock, config, Renderer(), StatusCache())
    if "```mermaid" not in body:  # the status template without its picture: add it as it will be
        body += "\n" + fenced(incident_timeline(state, clock)) + "\n"
    assert len(body) < MAX_COMMENT - 10_000


def test_timeline_shows_the_clocks_and_the_zone(checked: dict[str, tuple[str, dict[str, Any]]]) -> None:
    text, _ = checked["timeline/active/clocks"]
    assert "Escalation due" in text and "Next update due" in text
    assert "Auto-close due" in checked["timeline/reopened/clocks"][0]
    berlin, result = checked["timeline/berlin"]
    assert "Declared :milestone, 2026-03-02T10:00, 0m" in berlin  # 09:00 UTC is 10:00 in Berlin in March
    assert "times in Europe/Berlin" in result["text"]


def test_label_keeps_only_safe_characters() -> None:
    rng = random.Random(7)
    for _ in range(500):
        escaped = label(random_title(rng), 40)
        plain = re.sub(r"#\d+;", "", escaped)
        assert all((c.isascii() and c.isalnum()) or c in SAFE_PUNCTUATION for c in plain), escaped
    assert label("a: b\n\nc") == "a#58; b c"
    assert label("x" * 100, 10) == "x" * 9 + "#8230;"


def test_refusals() -> None:
    history = Story(1).history()
    history = replace(history, events=(), issue=replace(history.issue, labels=()))
    with pytest.raises(ValueError, match="not a declared incident"):
        incident_timeline(fold(history, "type: Hub Incident", lambda c: False))
    with pytest.raises(ValueError, match="budget"):
        incident_timeline(quick().state(), budget=MIN_BUDGET - 1)
    with pytest.raises(ValueError):
        bar_chart("t", [], [], "n")
    with pytest.raises(ValueError):
        pie_chart("t", [("a", 0)])


def test_timeline_is_deterministic() -> None:
    state = active().state()
    assert incident_timeline(state) == incident_timeline(active().state())  # the status is edited on change
