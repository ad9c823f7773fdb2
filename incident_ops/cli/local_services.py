"""A local stand-in for each integration a config turns on, for the demo and the sandbox: the variables the
config names point at them, every secret is a fake value, and nothing leaves 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from incident_ops.config.types import Config, PagerDutySyncConfig
from incident_ops.core.pagerduty import at_or_above
from incident_ops.integrations.deliveries import PAGERDUTY_API_URL_ENV, PAGERDUTY_URL_ENV
from incident_ops.standins import (
    FreshDeskStandIn,
    Heard,
    PagerDutyRestStandIn,
    PagerDutyStandIn,
    SlackStandIn,
    StandIn,
)

TICKET = 4242  # the community's FreshDesk ticket: the demo links it with `/ticket 4242`
FAKE_WEBHOOK_SECRET = "fake-webhook-secret"
FAKE_FRESHDESK_KEY = "fake-freshdesk-key"
FAKE_ROUTING_KEY = "fake-routing-key"
FAKE_API_KEY = "fake-pagerduty-api-key"
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")  # a new PagerDuty account's


class LocalServices:
    """The stand-ins of the configured integrations (none when none is configured)."""

    def __init__(self, config: Config, now: Callable[[], datetime]) -> None:
        wanted = config.integrations
        self.config = config
        self.slack = SlackStandIn(FAKE_WEBHOOK_SECRET) if wanted.slack_webhook_env else None
        self.freshdesk = FreshDeskStandIn(FAKE_FRESHDESK_KEY, now) if wanted.freshdesk is not None else None
        pager = wanted.pagerduty
        self.pagerduty = PagerDutyStandIn(FAKE_ROUTING_KEY) if pager and pager.routing_key_env else None
        self.sync = pager.sync if pager is not None else None
        self.pagerduty_rest = pagerduty_account(config, self.sync, now) if self.sync is not None else None
        if self.freshdesk is not None:
            self.freshdesk.add_ticket(TICKET)

    @property
    def running(self) -> list[StandIn]:
        """The stand-ins."""
        standins = (self.slack, self.freshdesk, self.pagerduty, self.pagerduty_rest)
        return [s for s in standins if s is not None]

    @property
    def service_id(self) -> str:
        """The PagerDuty service the sync's stand-in answers for: the first the config names."""
        return self.sync.services[0] if self.sync is not None else ""

    def names(self) -> list[str]:
        """What stands in, for people."""
        named = (
            (self.slack, "Slack (an incoming webhook)"),
            (self.freshdesk, f"FreshDesk (ticket {TICKET})"),
            (self.pagerduty, "PagerDuty (the Events API)"),
            (self.pagerduty_rest, f"PagerDuty (the REST API, for the sync: service {self.service_id})"),
        )
        return [name for standin, name in named if standin is not None]

    def environment(self) -> dict[str, str]:
        """The variables the config names, pointing at the stand-ins (and the PagerDuty URL override)."""
        wanted = self.config.integrations
        env = {}
        if self.slack is not None and wanted.slack_webhook_env:
            env[wanted.slack_webhook_env] = self.slack.url
        if self.freshdesk is not None and wanted.freshdesk is not None:
            env[wanted.freshdesk.domain_env] = self.freshdesk.base_url
            env[wanted.freshdesk.api_key_env] = self.freshdesk.api_key
        if self.pagerduty is not None and wanted.pagerduty is not None and wanted.pagerduty.routing_key_env:
            env[wanted.pagerduty.routing_key_env] = self.pagerduty.routing_key
            env[PAGERDUTY_URL_ENV] = self.pagerduty.url
        if self.pagerduty_rest is not None and self.sync is not None:
            env[self.sync.api_key_env] = self.pagerduty_rest.api_key
            env[PAGERDUTY_API_URL_ENV] = self.pagerduty_rest.url
        return env

    def listen(self, listener: Callable[[Heard], None]) -> None:
        """Tell `listener` each message a stand-in accepts, before its sender has the answer."""
        for standin in self.running:
            standin.listen(listener)

    def __enter__(self) -> Self:
        for standin in self.running:
            standin.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        for standin in self.running:
            standin.stop()


def pagerduty_account(
    config: Config, sync: PagerDutySyncConfig, now: Callable[[], datetime]
) -> PagerDutyRestStandIn:
    """PagerDuty's REST API for the sync: the first service the config names (by its real id), a user for
    `from_email` and for each email of `users`, and priorities named like the severity levels."""
    names = [level.name for level in config.severity.levels] + list(PRIORITIES)
    if sync.min_priority and sync.min_priority.casefold() not in {n.casefold() for n in names}:
        names.insert(0, sync.min_priority)  # else the sync would bring nothing over
    priorities: dict[str, str] = {}
    for name in names:
        priorities.setdefault(name.casefold(), name)
    standin = PagerDutyRestStandIn(FAKE_API_KEY, now, list(priorities.values()))
    standin.add_service("Hub", sync.services[0])
    for email in dict.fromkeys(mail.casefold() for mail in (sync.from_email, *(m for m, _ in sync.users))):
        standin.add_user(email.split("@")[0], email)
    return standin


def pagerduty_priority(pd: PagerDutyRestStandIn, config: Config, sync: PagerDutySyncConfig) -> str | None:
    """The priority of a played incident: the most severe named like a severity level that the sync keeps,
    else the most severe."""
    order = [priority.name for priority in pd.priorities]
    kept = [
        name for name in order if config.severity.level(name) and at_or_above(name, sync.min_priority, order)
    ]
    return next(iter(kept), order[0] if order else None)


def one_line(heard: Heard) -> str:
    """A message on one line, prefixed by its service."""
    text = " ".join(heard.text.split())
    return f"[{heard.service}] {heard.what}" + (f": {text}" if text else "")
