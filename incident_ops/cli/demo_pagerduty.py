"""The demo's second incident, for a config with `integrations.pagerduty.sync`: triggered in PagerDuty's
stand-in, brought over by a sweep, acknowledged there, updated from GitHub, and resolved in PagerDuty."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from incident_ops.cli.local_services import pagerduty_priority
from incident_ops.cli.wiring import template_from
from incident_ops.config.types import PagerDutySyncConfig
from incident_ops.emulator.objects import ROLES
from incident_ops.standins import PagerDutyRestStandIn

if TYPE_CHECKING:
    from incident_ops.cli.demo import DemoRun

TITLE = "Hub API returns errors"
SYNC = "integrations.pagerduty.sync"


def play_pagerduty(demo: DemoRun, pd: PagerDutyRestStandIn, sync: PagerDutySyncConfig) -> None:
    """Triggered → the sweep opens the GitHub incident → acknowledged (the IC) → /update → resolved."""
    emu, config = demo.emu, demo.setup.config
    email, login = sync.users[0] if sync.users else (sync.from_email, None)
    if login is not None:  # the PagerDuty user `users` maps is on the GitHub team
        emu.add_user(login)
        emu.set_permission(demo.repo, login, max("write", config.team.min_permission, key=ROLES.index))
    service, priority = sync.services[0], pagerduty_priority(pd, config, sync)
    level = config.severity.level(priority)
    # Resolved before its escalation falls due: the first incident has shown one.
    step = min(timedelta(minutes=5), config.escalation_for(level.name if level else None).after / 5)
    emu.advance(timedelta(hours=1))
    demo.narrate(f"PagerDuty: a new incident is triggered ({SYNC} brings it over to GitHub)")
    pd_id = pd.add_incident(TITLE, service, priority, assignee_email=email)
    number_in_pd = pd.incident(pd_id)["incident_number"]
    rank = f", priority {priority}" if priority else ""
    demo.write(
        f"\n  PagerDuty incident #{number_in_pd} {TITLE!r} on service {service}{rank}, assigned to {email}"
    )
    emu.advance(step)
    demo.narrate("the scheduled sweep reads PagerDuty and opens the GitHub incident, declared")
    demo.sweep()
    number = _issue_of(demo, pd_id)
    demo.opened(number, _head(demo, number))
    emu.advance(step)
    if login is None:
        demo.narrate(
            f"{email} acknowledges it in PagerDuty ({SYNC}.users maps nobody: no Incident Commander)"
        )
    else:
        demo.narrate(
            f"{email} acknowledges it in PagerDuty: the next sweep makes @{login} Incident Commander"
        )
    pd.acknowledge(pd_id, email)
    demo.sweep()
    demo.show(number)
    emu.advance(step)
    author = login or "engineer"
    demo.narrate(f"@{author} posts an update in GitHub: it becomes a note on the PagerDuty incident")
    demo.comment(number, author, "/update A bad deploy; rolling it back now.")
    emu.advance(step)
    demo.narrate("PagerDuty: the incident is resolved there; the next sweep resolves the GitHub incident")
    pd.resolve(pd_id)
    demo.sweep()
    demo.show(number)


def _issue_of(demo: DemoRun, pd_id: str) -> int:
    """The number of the issue the tool opened for the PagerDuty incident."""
    key = f"incident-ops-pagerduty:{pd_id}"
    found = [issue["number"] for issue in demo.emu.issues(demo.repo) if key in (issue["body"] or "")]
    if not found:
        raise demo.failed("the sweep opened no issue for the PagerDuty incident")
    return found[0]


def _head(demo: DemoRun, number: int) -> str:
    """The issue's body up to the report template it ends with (all of it if it does not)."""
    body = demo.emu.issue(demo.repo, number)["body"] or ""
    template = template_from(demo.setup.config, demo.setup.workspace).text.strip()
    head, found, _ = body.partition(template)
    return f"{head.rstrip()}\n\n[… the report template follows, to fill in]" if found and template else body
