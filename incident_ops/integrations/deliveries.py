"""Which integration messages a run owes, and sending them: each once, failures kept for the next run."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from incident_ops import lazy
from incident_ops.config.types import Config
from incident_ops.core.comment_kinds import KINDS, Kind
from incident_ops.core.markers import comment_marker
from incident_ops.core.model import Comment
from incident_ops.core.relay import ZERO_WIDTH_JOINER
from incident_ops.core.state import IncidentState
from incident_ops.integrations import slack
from incident_ops.integrations.freshdesk import CLOSED, RESOLVED, FreshDesk
from incident_ops.integrations.http import HttpClient, IntegrationError
from incident_ops.integrations.pagerduty import EVENTS_URL, PagerDuty
from incident_ops.integrations.paging import page
from incident_ops.integrations.slack import SlackWebhook

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

SLACK_KINDS = frozenset(str(kind) for kind, spec in KINDS.items() if spec.chat)
# Each step is delivered (and retried) on its own, so a failed status change never repeats a reply.
FRESHDESK_STEPS = {str(kind): spec.freshdesk for kind, spec in KINDS.items() if spec.freshdesk}
PAGING_KINDS = frozenset(str(kind) for kind, spec in KINDS.items() if spec.pagerduty)
HIDDEN = re.compile(r"<!--.*?-->", re.DOTALL)


@functools.cache
def _to_html() -> MarkdownIt:
    """Markdown to HTML for ticket replies; raw HTML in people's text is escaped, not passed on."""
    return lazy.load("markdown_it").MarkdownIt("commonmark", {"html": False})


@dataclass
class Integrations:
    """The configured integrations, and problems found setting them up (reported as warnings)."""

    slack: SlackWebhook | None = None
    freshdesk: FreshDesk | None = None
    pagerduty: PagerDuty | None = None
    page_on_declare: bool = False
    problems: list[str] = field(default_factory=list)
    mentions: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        """Whether anything is configured."""
        return self.slack is not None or self.freshdesk is not None or self.pagerduty is not None


def from_config(config: Config, env: Mapping[str, str], retry_delay: float = 1.0) -> Integrations:
    """Integrations from config and the environment variables it names (values never shown)."""
    found = Integrations(mentions=config.escalation.mention)
    slack_env = config.integrations.slack_webhook_env
    if slack_env:
        url = env.get(slack_env, "")
        if not url:
            found.problems.append(f"${slack_env} is not set: chat messages are not sent")
        else:
            try:
                found.slack = SlackWebhook(url, slack_env, HttpClient("Slack", base_delay=retry_delay))
            except IntegrationError as error:
                found.problems.append(str(error))
    desk = config.integrations.freshdesk
    if desk is not None:
        domain, key = env.get(desk.domain_env, ""), env.get(desk.api_key_env, "")
        missing = [name for name, value in ((desk.domain_env, domain), (desk.api_key_env, key)) if not value]
        if missing:
            names = " and ".join(f"${m}" for m in missing)
            found.problems.append(f"{names} not set: the FreshDesk ticket is not updated")
        else:
            client = HttpClient("FreshDesk", base_delay=retry_delay)
            found.freshdesk = FreshDesk(domain, key, desk.api_key_env, client)
    pager = config.integrations.pagerduty
    if pager is not None:
        key = env.get(pager.routing_key_env, "")
        url = env.get("INCIDENT_OPS_PAGERDUTY_URL") or EVENTS_URL  # a stand-in or a proxy
        try:
            if not key:
                raise IntegrationError(f"${pager.routing_key_env} is not set: nobody is paged")
            client = HttpClient("PagerDuty", base_delay=retry_delay)
            found.pagerduty = PagerDuty(key, pager.routing_key_env, client, url)
            found.page_on_declare = pager.on_declare
        except IntegrationError as error:
            found.problems.append(str(error))
    return found


def steps_owed(kind: str) -> tuple[str, ...]:
    """Every delivery step a comment of `kind` can owe, on any channel."""
    paging = ("pagerduty",) if kind in PAGING_KINDS else ()
    return (("slack",) if kind in SLACK_KINDS else ()) + FRESHDESK_STEPS.get(kind, ()) + paging


def owed(posted: list[Comment], integrations: Integrations) -> list[str]:
    """Deliveries owed for the tool's comments posted in this run, each step on its own: "step:key"."""
    due = []
    for comment in posted:
        marker = comment_marker(comment)
        if marker is None:
            continue
        if integrations.slack is not None and marker.kind in SLACK_KINDS:
            due.append(f"slack:{marker.key}")
        if integrations.freshdesk is not None:
            due.extend(f"{step}:{marker.key}" for step in FRESHDESK_STEPS.get(marker.kind, ()))
        # The declaration pages only with on_declare; escalations, resolutions and closes always may.
        wanted = marker.kind != Kind.ACKNOWLEDGEMENT or integrations.page_on_declare
        if integrations.pagerduty is not None and "pagerduty" in steps_owed(marker.kind) and wanted:
            due.append(f"pagerduty:{marker.key}")
    return due


@dataclass
class DeliveryReport:
    """What was sent, and what failed (kept pending for the next run)."""

    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def deliver(pending: list[str], state: IncidentState, integrations: Integrations) -> DeliveryReport:
    """Send each owed message once; a failure is reported and kept, never raised."""
    report = DeliveryReport()
    for delivery in dict.fromkeys(pending):
        channel, _, key = delivery.partition(":")
        source = state.keyed(key)
        if source is None:
            continue
        try:
            if channel == "slack" and integrations.slack is not None:
                integrations.slack.post(_slack_text(key, state, integrations.mentions))
            elif channel.startswith("freshdesk") and integrations.freshdesk is not None:
                if not _to_ticket(integrations.freshdesk, channel, source, state):
                    continue
            elif channel == "pagerduty" and integrations.pagerduty is not None:
                if not page(integrations.pagerduty, key.split("/", 1)[0], state):
                    continue
            else:
                continue
        except IntegrationError as error:
            report.failed[delivery] = str(error)
            continue
        report.sent.append(delivery)
    return report


def _slack_text(key: str, state: IncidentState, mentions: tuple[str, ...]) -> str:
    """The chat message for one of the tool's comments, with the incident's severity when it has one."""
    issue = state.history.issue
    where = slack.link(issue.html_url, f"#{issue.number} {issue.title}")
    level = state.severities.level(state.severity)
    if level is not None and level.escalation is not None and level.escalation.mention:
        mentions = level.escalation.mention  # the level's own, as in the escalation comment
    severity = f"[{slack.escape(level.name)}] " if level is not None else ""
    kind = key.split("/", 1)[0]
    if kind == "acknowledgement":
        return f":rotating_light: {severity}Incident declared by @{state.declared_by}: {where}"
    if kind == "escalation":
        names = slack.escape(" ".join(mentions))
        return f":warning: {severity}Escalation: {where} is not resolved yet. {names}".strip()
    if kind == "resolution":
        return f":white_check_mark: {severity}Resolved: {where}"
    return f":lock: {severity}Closed: {where}"


def _to_ticket(desk: FreshDesk, step: str, source: Comment | None, state: IncidentState) -> bool:
    """One step of mirroring the incident to its ticket; False when no ticket is linked."""
    ticket = state.ticket
    if not ticket:
        return False
    url = state.history.issue.html_url
    if step == "freshdesk-reply" and source is not None:
        # The joiner that keeps raw HTML as text on GitHub is not needed where HTML is escaped anyway.
        text = HIDDEN.sub("", source.body).replace("<" + ZERO_WIDTH_JOINER, "<").strip()
        desk.reply(ticket, _to_html().render(f"{text}\n\nFollow the incident: {url}"))
    elif step == "freshdesk-note":
        desk.note(ticket, _to_html().render(f"Resolved in GitHub issue {url}"))
    elif step == "freshdesk-resolved":
        desk.set_status(ticket, RESOLVED)
    elif step == "freshdesk-closed":
        desk.set_status(ticket, CLOSED)
    return True
