"""The configured integrations, and each delivery step: whether it is owed now, and sending it."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from incident_ops import lazy
from incident_ops.config.types import Config, PagerDutySyncConfig
from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.deliveries import COMMAND_ANCHOR, Delivery, Step, steps_of_kind
from incident_ops.core.model import Comment
from incident_ops.core.state import IncidentState
from incident_ops.core.text.relay import ZERO_WIDTH_JOINER
from incident_ops.integrations import slack
from incident_ops.integrations.freshdesk import CLOSED, RESOLVED, FreshDesk
from incident_ops.integrations.http import HttpClient, IntegrationError
from incident_ops.integrations.pagerduty import EVENTS_URL, PagerDuty
from incident_ops.integrations.pagerduty_rest import API_URL, PagerDutyRest
from incident_ops.integrations.paging import (
    dedup_key,
    event_owed,
    note_text,
    send_event,
    send_sync,
    stretch_at,
    sync_owed,
)
from incident_ops.integrations.slack import SlackWebhook

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

HIDDEN = re.compile(r"<!--.*?-->", re.DOTALL)
PAGERDUTY_URL_ENV = "INCIDENT_OPS_PAGERDUTY_URL"  # replaces events_url: the demo's and sandbox's stand-in
PAGERDUTY_API_URL_ENV = "INCIDENT_OPS_PAGERDUTY_API_URL"  # replaces sync.api_url, likewise


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
    pagerduty_rest: PagerDutyRest | None = None  # the sync's REST API: PagerDuty-started incidents
    sync: PagerDutySyncConfig | None = None
    problems: list[str] = field(default_factory=list)
    mentions: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        """Whether anything is configured."""
        found = (self.slack, self.freshdesk, self.pagerduty, self.pagerduty_rest)
        return any(service is not None for service in found)


def secret_names(config: Config) -> list[str]:
    """The environment variables holding the integrations' secrets (a webhook URL is one)."""
    found = config.integrations
    names = [found.slack_webhook_env] if found.slack_webhook_env else []
    names += [found.freshdesk.api_key_env] if found.freshdesk is not None else []
    pager = found.pagerduty
    names += [pager.routing_key_env] if pager is not None and pager.routing_key_env else []
    names += [pager.sync.api_key_env] if pager is not None and pager.sync is not None else []
    return names


def from_config(config: Config, env: Mapping[str, str], retry_delay: float = 1.0) -> Integrations:
    """Integrations from config and the environment variables it names (values never shown)."""
    found = Integrations(mentions=config.escalation.mention)
    secrets = tuple(env.get(name, "") for name in secret_names(config))
    slack_env = config.integrations.slack_webhook_env
    if slack_env:
        url = env.get(slack_env, "")
        if not url:
            found.problems.append(f"${slack_env} is not set: chat messages are not sent")
        else:
            try:
                client = HttpClient("Slack", base_delay=retry_delay, secrets=secrets)
                found.slack = SlackWebhook(url, slack_env, client)
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
            client = HttpClient("FreshDesk", base_delay=retry_delay, secrets=secrets)
            found.freshdesk = FreshDesk(domain, key, desk.api_key_env, client)
    pager = config.integrations.pagerduty
    if pager is not None and pager.routing_key_env:
        key = env.get(pager.routing_key_env, "")
        try:
            if not key:
                raise IntegrationError(f"${pager.routing_key_env} is not set: nobody is paged")
            client = HttpClient("PagerDuty", base_delay=retry_delay, secrets=secrets)
            url = env.get(PAGERDUTY_URL_ENV) or pager.events_url or EVENTS_URL
            found.pagerduty = PagerDuty(key, pager.routing_key_env, client, url)
            found.page_on_declare = pager.on_declare
        except IntegrationError as error:
            found.problems.append(str(error))
    if pager is not None and pager.sync is not None:
        _set_up_sync(found, pager.sync, env, HttpClient("PagerDuty", base_delay=retry_delay, secrets=secrets))
    return found


def _set_up_sync(
    found: Integrations, sync: PagerDutySyncConfig, env: Mapping[str, str], client: HttpClient
) -> None:
    """The REST API the sync reads PagerDuty's incidents from (its key from the environment)."""
    key = env.get(sync.api_key_env, "")
    try:
        if not key:
            raise IntegrationError(
                f"${sync.api_key_env} is not set: PagerDuty incidents are not brought over"
            )
        url = env.get(PAGERDUTY_API_URL_ENV) or sync.api_url or API_URL
        found.pagerduty_rest = PagerDutyRest(key, sync.api_key_env, sync.from_email, client, url)
        found.sync = sync
    except IntegrationError as error:
        found.problems.append(str(error))


def steps_of(key: Key) -> tuple[Step, ...]:
    """The steps an anchor can owe: its kind's, or a command comment's PagerDuty event."""
    return (Step.PAGERDUTY,) if key.family == COMMAND_ANCHOR else steps_of_kind(key.family)


def owed_now(step: Step, key: Key, anchor: Comment, state: IncidentState, integrations: Integrations) -> bool:
    """Whether the step has something to send now: its integration is set up and the incident calls for it."""
    match step:
        case Step.CHAT:
            return integrations.slack is not None
        case Step.FRESHDESK_REPLY | Step.FRESHDESK_NOTE:
            return integrations.freshdesk is not None and bool(state.ticket)
        case Step.FRESHDESK_STATUS:
            return (
                integrations.freshdesk is not None
                and bool(state.ticket)
                and _status_of(key, state) is not None
            )
        case Step.PAGERDUTY if state.pagerduty is not None:
            return integrations.pagerduty_rest is not None and sync_owed(key, state) is not None
        case Step.PAGERDUTY:
            pager = integrations.pagerduty is not None
            return pager and event_owed(key, anchor, state, integrations.page_on_declare) is not None
    return False


def send(step: Step, key: Key, anchor: Comment, state: IncidentState, integrations: Integrations) -> None:
    """Send one step `owed_now` allowed; IntegrationError says why it failed."""
    match step:
        case Step.CHAT if integrations.slack is not None:
            integrations.slack.post(chat_text(key, state, integrations.mentions))
        case Step.FRESHDESK_REPLY if integrations.freshdesk is not None and state.ticket:
            integrations.freshdesk.reply(state.ticket, _to_html().render(_reply_text(anchor, state)))
        case Step.FRESHDESK_NOTE if integrations.freshdesk is not None and state.ticket:
            integrations.freshdesk.note(state.ticket, _to_html().render(_note_text(state)))
        case Step.FRESHDESK_STATUS if integrations.freshdesk is not None and state.ticket:
            status = _status_of(key, state)
            if status is not None:
                integrations.freshdesk.set_status(state.ticket, status)
        case Step.PAGERDUTY if state.pagerduty is not None and integrations.pagerduty_rest is not None:
            action = sync_owed(key, state)
            if action is not None:
                send_sync(integrations.pagerduty_rest, action, key, state)
        case Step.PAGERDUTY if integrations.pagerduty is not None:
            event = event_owed(key, anchor, state, integrations.page_on_declare)
            if event is not None:
                send_event(integrations.pagerduty, event, anchor, state)


def preview(delivery: Delivery, anchor: Comment, state: IncidentState, integrations: Integrations) -> str:
    """What a step would send, for dry runs: the message's text, or the ticket status or paging event."""
    key = delivery.anchor_key
    match delivery.step:
        case Step.CHAT:
            return f": {chat_text(key, state, integrations.mentions)}"
        case Step.FRESHDESK_REPLY:
            return f" (ticket {state.ticket}): {_reply_text(anchor, state)}"
        case Step.FRESHDESK_NOTE:
            return f" (ticket {state.ticket}): {_note_text(state)}"
        case Step.FRESHDESK_STATUS:
            return f" (ticket {state.ticket}): status {_status_of(key, state)}"
        case Step.PAGERDUTY if state.pagerduty is not None:
            action = sync_owed(key, state) or ""
            note = f": {note_text(key, state)}" if action.endswith("note") else ""
            return f" (incident {state.pagerduty.incident_id}): {action}{note}"
        case Step.PAGERDUTY:
            event = event_owed(key, anchor, state, integrations.page_on_declare)
            return f": {event} {dedup_key(state, stretch_at(state, anchor.created_at))}"
    return ""


def _reply_text(anchor: Comment, state: IncidentState) -> str:
    """A public ticket reply: the tool's message without its hidden lines, and the incident's link."""
    # The joiner that keeps raw HTML as text on GitHub is not needed where HTML is escaped anyway.
    text = HIDDEN.sub("", anchor.body).replace("<" + ZERO_WIDTH_JOINER, "<").strip()
    return f"{text}\n\nFollow the incident: {state.history.issue.html_url}"


def _note_text(state: IncidentState) -> str:
    """The private note a resolution leaves on the ticket."""
    return f"Resolved in GitHub issue {state.history.issue.html_url}"


def _status_of(key: Key, state: IncidentState) -> int | None:
    """The ticket status a resolution or closing sets; a resolution never moves a closed incident back."""
    kind = key.family
    if kind == Kind.CLOSING:
        return CLOSED
    return RESOLVED if kind == Kind.RESOLUTION and not state.closed else None


def chat_text(key: Key, state: IncidentState, mentions: tuple[str, ...]) -> str:
    """The chat message for one of the tool's comments, with the incident's severity when it has one."""
    issue = state.history.issue
    where = slack.link(issue.html_url, f"#{issue.number} {issue.title}")
    level = state.severities.level(state.severity)
    if level is not None and level.escalation is not None and level.escalation.mention:
        mentions = level.escalation.mention  # the level's own, as in the escalation comment
    severity = f"[{slack.escape(level.name)}] " if level is not None else ""
    kind = key.family
    if kind == Kind.ACKNOWLEDGEMENT:
        return f":rotating_light: {severity}Incident declared by @{state.declared_by}: {where}"
    if kind == Kind.ESCALATION:
        names = slack.escape(" ".join(mentions))
        return f":warning: {severity}Escalation: {where} is not resolved yet. {names}".strip()
    if kind == Kind.RESOLUTION:
        return f":white_check_mark: {severity}Resolved: {where}"
    return f":lock: {severity}Closed: {where}"
