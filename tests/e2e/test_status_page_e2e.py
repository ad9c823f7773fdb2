"""End to end: `incident-ops status-page` reads the incidents from GitHub and writes the community's site."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from harness import World
from status_world import PEOPLE, STRANGER, seed_incidents


def test_the_site_shows_what_the_team_said_and_nothing_else(world: World, tmp_path: Path) -> None:
    numbers = seed_incidents(world)
    out = tmp_path / "site"

    result = world.cli("status-page", "--out", str(out))

    assert result.code == 0, result.stdout + result.stderr
    assert f"wrote {out / 'index.html'} (1 active incident, 1 past)" in result.stdout
    assert "and 2 incident pages" in result.stdout and "API calls:" in result.stdout
    assert "### Status page" in result.summary
    index = (out / "index.html").read_text(encoding="utf-8")
    now, past = index.split('id="past"')
    assert "<title>Example Hub status</title>" in index
    assert "Hub login fails" in now and "SEV1" in now and "for 45 minutes" in now
    assert "The identity provider is <strong>slow</strong>; we are raising the timeout." in now
    assert "Notebooks do not start" in past and "Servers start again." in past  # what it said last
    assert "This incident is closed." not in past
    page = (out / "incidents" / f"{numbers['closed']}.html").read_text(encoding="utf-8")
    for text in (
        "We are aware of this incident",
        "Restarting the node pool.",
        "Servers start again.",
        "closed.",
    ):
        assert text in page
    assert not (out / "incidents" / f"{numbers['reported']}.html").exists()
    data = json.loads((out / "incidents.json").read_text(encoding="utf-8"))
    assert data["active"] == [numbers["active"]]
    assert [i["number"] for i in data["incidents"]] == [numbers["active"], numbers["closed"]]
    feed = feedparser.parse((out / "feed.xml").read_text(encoding="utf-8"))
    assert not feed.bozo and len(feed.entries) == sum(len(i["messages"]) for i in data["incidents"]) == 6
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert STRANGER not in text and "My notebook is slow" not in text and "<!--" not in text, path
            for login in PEOPLE:
                assert login not in text.replace("github.com/hub-org", ""), (path, login)


def test_it_writes_nothing_to_github_and_removes_pages_no_longer_shown(world: World, tmp_path: Path) -> None:
    number = world.open_issue("reporter", title="Hub down")
    world.declare(number, "steward")
    out = tmp_path / "site"
    (out / "incidents").mkdir(parents=True)
    (out / "incidents" / "999.html").write_text("an old page", encoding="utf-8")
    (out / "incidents" / "notes.txt").write_text("the user's", encoding="utf-8")
    world.emu.clear_requests()

    result = world.cli("status-page", "--out", str(out))

    assert result.code == 0, result.stdout + result.stderr
    assert all(r.method == "GET" for r in world.emu.requests)
    assert f"removed {out / 'incidents' / '999.html'} (no longer shown)" in result.stdout
    assert sorted(p.name for p in (out / "incidents").iterdir()) == [f"{number}.html", "notes.txt"]


def test_an_incident_that_cannot_be_read_is_named_and_the_rest_built(world: World, tmp_path: Path) -> None:
    broken = world.open_issue("reporter", title="Broken")
    world.declare(broken, "steward")
    healthy = world.open_issue("reporter", title="Healthy")
    world.declare(healthy, "steward")
    world.emu.inject_fault("GET", rf"/issues/{broken}/comments$", status=503, times=100)

    result = world.cli("status-page", "--out", str(tmp_path / "site"))

    assert result.code == 3
    assert f"::error::could not read #{broken}: read comments of #{broken}" in result.stdout
    assert "Rerunning is safe" in result.stdout and "Traceback" not in result.stdout + result.stderr
    assert (tmp_path / "site" / "incidents" / f"{healthy}.html").exists()
    assert not (tmp_path / "site" / "incidents" / f"{broken}.html").exists()


@pytest.mark.parametrize("where", ["file", "below a file"])
def test_an_out_that_is_no_folder_is_a_usage_error(world: World, tmp_path: Path, where: str) -> None:
    file = tmp_path / "site.txt"
    file.write_text("not a folder", encoding="utf-8")
    out = file if where == "file" else file / "site"
    world.emu.clear_requests()

    result = world.cli("status-page", "--out", str(out))

    assert result.code == 2 and result.stdout == ""
    assert result.stderr.startswith("incident-ops: status-page --out: ") and result.stderr.count("\n") == 1
    assert not world.emu.requests  # checked before any API call


def test_github_refusing_the_token_is_one_line(world: World, tmp_path: Path) -> None:
    world.env["GITHUB_TOKEN"] = "ghs_not_a_token"

    result = world.cli("status-page", "--out", str(tmp_path / "site"))

    assert result.code == 1 and "GitHub refused the token" in result.stdout  # the user must fix the token
    assert result.stdout.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_spent_call_budget_is_named_once_with_the_setting_to_raise(world: World, tmp_path: Path) -> None:
    for title in ("One", "Two", "Three"):
        world.declare(world.open_issue("reporter", title=title), "steward")
    world.env["INCIDENT_OPS_CALL_BUDGET"] = "3"  # the list of open incidents, the closed ones, one incident

    result = world.cli("status-page", "--out", str(tmp_path / "site"))

    assert result.code == 3
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error::")]
    assert errors == [
        "::error::could not read #2 and 1 more: the run's budget of 3 API calls is spent; raise "
        "INCIDENT_OPS_CALL_BUDGET (the action's operations-per-run) or lower status_page.history_days; the "
        "page was built from the others. Rerunning is safe."
    ]
    assert (tmp_path / "site" / "incidents" / "1.html").exists()
