"""`incident-ops sandbox`: a local GitHub to try a repository's setup on, with a clock moved over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from incident_ops.cli.exit_codes import OK
from incident_ops.emulator import GitHubEmulator
from incident_ops.emulator.routes_clock import CLOCK

TOKEN = "sandbox-token"
BOT = "github-actions[bot]"
PEOPLE = (("steward", "triage"), ("engineer", "write"), ("lead", "maintain"), ("reporter", None))


def start_sandbox(repo: str, now: datetime | None, port: int = 0) -> GitHubEmulator:
    """A running emulator with the repository, the tool's bot and its token, a team and a community member."""
    emu = GitHubEmulator(now, port=port)
    emu.start()
    emu.create_repo(repo)
    emu.add_user(BOT, type="Bot")
    emu.add_token(TOKEN, BOT)
    for login, role in PEOPLE:
        emu.add_user(login)
        emu.add_token(f"{login}-token", login)
        if role:
            emu.set_permission(repo, login, role)
    return emu


def environment(emu: GitHubEmulator, repo: str) -> dict[str, str]:
    """The variables that point `run`, `sweep` and `report` at the sandbox."""
    return {
        "GITHUB_API_URL": emu.api_url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": repo,
        "INCIDENT_OPS_CLOCK_URL": emu.api_url + CLOCK,
    }


def sandbox_lines(emu: GitHubEmulator, repo: str) -> list[str]:
    """What the sandbox prints: the environment to export, the people, and how to use it."""
    env = environment(emu, repo)
    url = emu.api_url
    people = ", ".join(f"{login} ({role or 'no role: the community'})" for login, role in PEOPLE)
    return [
        f"incident-ops sandbox: a local GitHub at {url} with {repo}; Ctrl-C stops it (its data goes too).",
        "Point incident-ops at it (in another shell):",
        *(f"  export {name}={value}" for name, value in env.items()),
        f"People: {people}; each acts with the token LOGIN-token.",
        "Open an issue as the reporter, label it as a team member (the incident label of your config):",
        f"  curl -s -H 'Authorization: token reporter-token' {url}/repos/{repo}/issues "
        '-d \'{"title": "Hub down"}\'',
        f"  curl -s -H 'Authorization: token steward-token' {url}/repos/{repo}/issues/1/labels "
        '-d \'{"labels": ["type: Hub Incident"]}\'',
        "Then run the sweep (it serves every open incident), and read the issue's comments:",
        "  incident-ops sweep --config .github/incident-ops.yml",
        f"  curl -s {url}/repos/{repo}/issues/1/comments",
        "The clock stands still until you move it; incident-ops reads it through INCIDENT_OPS_CLOCK_URL:",
        f"  curl -s -H 'Authorization: token {TOKEN}' {url}{CLOCK} -d '{{\"advance\": {{\"minutes\": 31}}}}'",
        "  incident-ops sweep   # 31 minutes later: the escalation",
        "  incident-ops report  # the metrics, on the sandbox's clock",
        "  incident-ops status-page --out site  # the community status page: open site/index.html",
    ]


def run_sandbox(
    repo: str, now: datetime | None, port: int, say: Callable[[str], None], stop: threading.Event
) -> int:
    """Serve the sandbox until `stop` is set (Ctrl-C or SIGTERM in the command line)."""
    emu = start_sandbox(repo, now, port)
    try:
        for line in sandbox_lines(emu, repo):
            say(line)
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
    return OK
