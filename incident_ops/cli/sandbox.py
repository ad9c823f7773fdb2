"""`incident-ops sandbox`: a local GitHub to try a repository's setup on, with a clock moved over HTTP, the
config's label and team, and a local stand-in for each integration the config turns on."""

from __future__ import annotations

import json
import shlex
import threading
from collections.abc import Callable
from datetime import datetime

from incident_ops.cli.exit_codes import OK
from incident_ops.cli.local_services import TICKET, LocalServices, one_line, pagerduty_priority
from incident_ops.cli.local_setup import LocalSetup
from incident_ops.config.types import Config
from incident_ops.emulator import GitHubEmulator
from incident_ops.emulator.objects import ROLES
from incident_ops.emulator.routes_clock import CLOCK
from incident_ops.standins import PagerDutyRestStandIn

TOKEN = "sandbox-token"
BOT = "github-actions[bot]"
PEOPLE = (("steward", "triage"), ("engineer", "write"), ("lead", "maintain"), ("reporter", None))
PAGERDUTY_TITLE = "Hub API returns errors"


def people(config: Config) -> list[tuple[str, str | None]]:
    """The team (each at least `team.min_permission`, `team.users` and the logins PagerDuty's sync maps among
    them), then the community member."""
    floor = config.team.min_permission
    team = [(login, max(role, floor, key=ROLES.index)) for login, role in PEOPLE if role]
    known = {login for login, _ in PEOPLE}
    pager = config.integrations.pagerduty
    mapped = [login for _, login in pager.sync.users] if pager and pager.sync else []
    team += [(login, floor) for login in dict.fromkeys([*config.team.users, *mapped]) if login not in known]
    return team + [(login, role) for login, role in PEOPLE if not role]


def start_sandbox(
    repo: str, now: datetime | None, port: int = 0, setup: LocalSetup | None = None
) -> GitHubEmulator:
    """A running emulator with the repository and the config's labels, the tool's bot and its token, a team
    and a community member, each with a token."""
    config = (setup or LocalSetup()).config
    emu = GitHubEmulator(now, port=port)
    emu.start()
    emu.create_repo(repo)
    emu.add_user(BOT, type="Bot")
    emu.add_token(TOKEN, BOT)
    for login, role in people(config):
        emu.add_user(login)
        emu.add_token(f"{login}-token", login)
        if role:
            emu.set_permission(repo, login, role)
    for label in (config.incident_label, config.resolved_label, config.stale_label):
        emu.ensure_label(repo, label)
    return emu


def environment(
    emu: GitHubEmulator, repo: str, setup: LocalSetup | None = None, services: LocalServices | None = None
) -> dict[str, str]:
    """The variables that point `run`, `sweep` and `report` at the sandbox, its config and its stand-ins."""
    env = {
        "GITHUB_API_URL": emu.api_url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": repo,
        "INCIDENT_OPS_CLOCK_URL": emu.api_url + CLOCK,
    }
    if setup is not None and setup.path is not None:
        env |= {"GITHUB_WORKSPACE": str(setup.workspace), "INCIDENT_OPS_CONFIG": str(setup.path)}
    return env | (services.environment() if services is not None else {})


def sandbox_lines(
    emu: GitHubEmulator, repo: str, setup: LocalSetup | None = None, services: LocalServices | None = None
) -> list[str]:
    """What the sandbox prints: the config, the environment to export, the people, and how to use it."""
    setup = setup or LocalSetup()
    url, config = emu.api_url, setup.config
    team = ", ".join(f"{login} ({role or 'no role: the community'})" for login, role in people(config))
    labels = shlex.quote(json.dumps({"labels": [config.incident_label]}))
    stand_ins = services.names() if services is not None else []
    late = int(config.escalation.after.total_seconds() // 60) + 1
    advance = shlex.quote(json.dumps({"advance": {"minutes": late}}))
    lines = [
        f"incident-ops sandbox: a local GitHub at {url} with {repo}; Ctrl-C stops it (its data goes too).",
        f"Config: {setup.shown}" + ("" if setup.path is None else " (its label, team and integrations)"),
    ]
    if stand_ins:
        lines.append(f"Integrations, each against a local stand-in on 127.0.0.1: {', '.join(stand_ins)}")
    lines += [
        "Point incident-ops at it (in another shell):",
        *(
            f"  export {name}={shlex.quote(value)}"
            for name, value in environment(emu, repo, setup, services).items()
        ),
        f"People: {team}; each acts with the token LOGIN-token.",
        f"Open an issue as the reporter, label it {config.incident_label!r} as a team member:",
        f"  curl -s -H 'Authorization: token reporter-token' {url}/repos/{repo}/issues "
        '-d \'{"title": "Hub down"}\'',
        f"  curl -s -H 'Authorization: token steward-token' {url}/repos/{repo}/issues/1/labels -d {labels}",
    ]
    if services is not None and services.freshdesk is not None:
        ticket = shlex.quote(json.dumps({"body": f"/ticket {TICKET}"}))
        lines += [
            f"Link the FreshDesk stand-in's ticket {TICKET} with a team command (the next sweep applies it):",
            f"  curl -s -H 'Authorization: token steward-token' {url}/repos/{repo}/issues/1/comments "
            f"-d {ticket}",
        ]
    lines += [
        "Then run the sweep (it serves every open incident), and read the issue's comments:",
        "  incident-ops sweep",
        f"  curl -s {url}/repos/{repo}/issues/1/comments",
        "The clock stands still until you move it; incident-ops reads it through INCIDENT_OPS_CLOCK_URL:",
        f"  curl -s -H 'Authorization: token {TOKEN}' {url}{CLOCK} -d {advance}",
        f"  incident-ops sweep   # {late} minutes later: the escalation",
        "  incident-ops report  # the metrics, on the sandbox's clock",
        "  incident-ops status-page --out site  # the community status page: open site/index.html",
    ]
    lines += pagerduty_lines(services, config) if services is not None else []
    if stand_ins:
        lines.append("What the stand-ins receive is printed below as it arrives, a line per message:")
    return lines


def pagerduty_lines(services: LocalServices, config: Config) -> list[str]:
    """How to start, acknowledge and resolve an incident in PagerDuty's stand-in by hand: PagerDuty's own REST
    API calls, to the stand-in with its fake key (none without the sync)."""
    pd, sync = services.pagerduty_rest, services.sync
    if pd is None or sync is None:
        return []
    email, login = sync.users[0] if sync.users else (sync.from_email, None)
    person = next(user.id for user in pd.users.values() if user.email == email.casefold())
    priority = pagerduty_priority(pd, config, sync)
    incident: dict[str, object] = {
        "type": "incident",
        "title": PAGERDUTY_TITLE,
        "service": {"id": services.service_id, "type": "service_reference"},
        "assignments": [{"assignee": {"id": person, "type": "user_reference"}}],
    }
    rank = next((p for p in pd.priorities if p.name == priority), None)
    if rank is not None:
        incident["priority"] = {"id": rank.id, "type": "priority_reference"}
    commander = (
        f"@{login} is the Incident Commander" if login else "sync.users maps nobody: no Incident Commander"
    )
    return [
        f"Start an incident in PagerDuty's stand-in, then acknowledge and resolve it as {email}, each with "
        "PagerDuty's own REST API call (the next sweep brings each change over):",
        _curl(pd, "POST", sync.from_email, "/incidents", {"incident": incident}),
        "  incident-ops sweep   # its GitHub incident is opened, declared",
        _curl(pd, "PUT", email, "/incidents/1", _status("acknowledged")),
        f"  incident-ops sweep   # {commander}",
        _curl(pd, "PUT", email, "/incidents/1", _status("resolved")),
        "  incident-ops sweep   # the GitHub incident is resolved",
    ]


def _curl(pd: PagerDutyRestStandIn, method: str, sender: str, path: str, data: dict[str, object]) -> str:
    """A curl command line for one PagerDuty REST API call, as the PagerDuty user `sender`."""
    auth = shlex.quote(f"Authorization: Token token={pd.api_key}")
    head = f"curl -s -X {method} -H {auth} -H {shlex.quote(f'From: {sender}')}"
    return f"  {head} -H 'Content-Type: application/json' {pd.url}{path} -d {shlex.quote(json.dumps(data))}"


def _status(name: str) -> dict[str, object]:
    """The body of a PUT that moves a PagerDuty incident to `name`."""
    return {"incident": {"type": "incident_reference", "status": name}}


def run_sandbox(
    repo: str,
    now: datetime | None,
    port: int,
    say: Callable[[str], None],
    stop: threading.Event,
    setup: LocalSetup | None = None,
) -> int:
    """Serve the sandbox until `stop` is set (Ctrl-C or SIGTERM in the command line), saying each message
    the integrations' stand-ins receive."""
    setup = setup or LocalSetup()
    emu = start_sandbox(repo, now, port, setup)
    try:
        with LocalServices(setup.config, lambda: emu.now) as services:
            for line in sandbox_lines(emu, repo, setup, services):
                say(line)
            services.listen(lambda heard: say(one_line(heard)))
            while not stop.wait(0.5):
                pass
    finally:
        emu.stop()
    return OK
