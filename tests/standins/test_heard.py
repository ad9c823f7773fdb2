"""The stand-ins tell their listeners each message they accept, as a person reads it, and nothing else."""

from __future__ import annotations

import pytest

from incident_ops.integrations.freshdesk import RESOLVED, FreshDesk
from incident_ops.integrations.http import HttpClient, IntegrationError
from incident_ops.integrations.pagerduty import PagerDuty
from incident_ops.integrations.slack import SlackWebhook
from incident_ops.standins import FreshDeskStandIn, Heard, PagerDutyStandIn, SlackStandIn


def client(service: str) -> HttpClient:
    """The tool's HTTP client, without waits between attempts."""
    return HttpClient(service, attempts=1, base_delay=0)


def test_a_chat_message_is_heard_with_its_text_and_a_refused_one_is_not() -> None:
    heard: list[Heard] = []
    with SlackStandIn() as chat:
        chat.listen(heard.append)
        SlackWebhook(chat.url, "SLACK_URL", client("Slack")).post("Incident declared")
        chat.revoked = True
        with pytest.raises(IntegrationError):
            SlackWebhook(chat.url, "SLACK_URL", client("Slack")).post("never heard")
    assert heard == [Heard("Slack", "chat message", "Incident declared")]


def test_freshdesk_writes_are_heard_and_its_reads_are_not() -> None:
    heard: list[Heard] = []
    with FreshDeskStandIn(api_key="key") as desk:
        desk.add_ticket(4242)
        desk.listen(heard.append)
        fd = FreshDesk(desk.base_url, "key", "FD_KEY", client("FreshDesk"))
        fd.reply("4242", "<p>We are on it &amp; will report back.</p>")
        fd.note("4242", "<p>Resolved in GitHub</p>")
        fd.set_status("4242", RESOLVED)
        fd.requester_replied_since("4242", desk.ticket(4242).created_at)
    assert heard == [
        Heard("FreshDesk", "public reply on ticket 4242", "We are on it & will report back."),
        Heard("FreshDesk", "private note on ticket 4242", "Resolved in GitHub"),
        Heard("FreshDesk", "ticket 4242 status Resolved (4)"),
    ]


def test_a_pagerduty_event_is_heard_with_its_action_and_dedup_key() -> None:
    heard: list[Heard] = []
    with PagerDutyStandIn(routing_key="fake-routing-key") as pager:
        pager.listen(heard.append)
        events = PagerDuty("fake-routing-key", "PD_KEY", client("PagerDuty"), pager.url)
        events.send(
            "trigger", "hub-org/support#1", {"summary": "Hub down", "source": "x", "severity": "error"}
        )
        events.send("resolve", "hub-org/support#1")
    assert heard == [
        Heard("PagerDuty", "trigger, dedup key hub-org/support#1"),
        Heard("PagerDuty", "resolve, dedup key hub-org/support#1"),
    ]
