"""A local stand-in for each integration a config turns on, for the demo and the sandbox: the variables the
config names point at them, every secret is a fake value, and nothing leaves 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from incident_ops.config.types import Config
from incident_ops.integrations.deliveries import PAGERDUTY_URL_ENV
from incident_ops.standins import FreshDeskStandIn, Heard, PagerDutyStandIn, SlackStandIn, StandIn

TICKET = 4242  # the community's FreshDesk ticket: the demo links it with `/ticket 4242`
FAKE_WEBHOOK_SECRET = "fake-webhook-secret"
FAKE_FRESHDESK_KEY = "fake-freshdesk-key"
FAKE_ROUTING_KEY = "fake-routing-key"


class LocalServices:
    """The stand-ins of the configured integrations (none when none is configured)."""

    def __init__(self, config: Config, now: Callable[[], datetime]) -> None:
        wanted = config.integrations
        self.config = config
        self.slack = SlackStandIn(FAKE_WEBHOOK_SECRET) if wanted.slack_webhook_env else None
        self.freshdesk = FreshDeskStandIn(FAKE_FRESHDESK_KEY, now) if wanted.freshdesk is not None else None
        self.pagerduty = PagerDutyStandIn(FAKE_ROUTING_KEY) if wanted.pagerduty is not None else None
        if self.freshdesk is not None:
            self.freshdesk.add_ticket(TICKET)

    @property
    def running(self) -> list[StandIn]:
        """The stand-ins."""
        return [s for s in (self.slack, self.freshdesk, self.pagerduty) if s is not None]

    def names(self) -> list[str]:
        """What stands in, for people."""
        named = (
            (self.slack, "Slack (an incoming webhook)"),
            (self.freshdesk, f"FreshDesk (ticket {TICKET})"),
            (self.pagerduty, "PagerDuty (the Events API)"),
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


def one_line(heard: Heard) -> str:
    """A message on one line, prefixed by its service."""
    text = " ".join(heard.text.split())
    return f"[{heard.service}] {heard.what}" + (f": {text}" if text else "")
