"""What PagerDuty hears of an incident that pages: one alert per stretch of activity, never after it ended."""

from __future__ import annotations

from datetime import datetime

from incident_ops.core.comments import keys
from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.kinds import KINDS, Kind
from incident_ops.core.deliveries import COMMAND_ANCHOR, PAGING_COMMANDS
from incident_ops.core.model import Comment
from incident_ops.core.state import IncidentState
from incident_ops.integrations.pagerduty import PagerDuty
from incident_ops.integrations.pagerduty_rest import PagerDutyRest

MAX_SUMMARY = 1024  # the Events API's limit on payload.summary


def pages(state: IncidentState) -> bool:
    """Whether the incident wakes people: its level pages, or it has no level (so every escalation pages)."""
    level = state.severities.level(state.severity)
    return level is None or level.page


def stretch_at(state: IncidentState, when: datetime) -> str:
    """The stretch of activity (declared, or a reopen) the incident was in at `when`."""
    epochs = [stretch.epoch for stretch in state.stretches if stretch.start <= when]
    return epochs[-1] if epochs else state.page_epoch


def dedup_key(state: IncidentState, epoch: str | None = None) -> str:
    """The alert of a stretch (the current one by default): the same in every run, a new one after /reopen."""
    issue = state.history.issue
    return f"{state.history.repo}#{issue.number}:{epoch or state.page_epoch}"


def event_owed(key: Key, anchor: Comment, state: IncidentState, page_on_declare: bool) -> str | None:
    """The event an anchor owes PagerDuty now (trigger, acknowledge or resolve), or None.

    Never a trigger or acknowledge for an incident that is resolved or closed, nor for a stretch that is over.
    """
    if not pages(state) or state.pagerduty is not None:
        return None  # an incident PagerDuty started is already its page: it hears through the REST API
    kind = key.family
    if kind == COMMAND_ANCHOR:
        event = _command_event(anchor, state)
    else:
        event = KINDS[Kind(kind)].pagerduty if kind in KINDS else None
        if kind == Kind.ACKNOWLEDGEMENT and not page_on_declare:
            event = None
    if event == "resolve" or event is None:
        return event
    current = stretch_at(state, anchor.created_at) == state.page_epoch
    if state.resolved or state.closed or not current:
        return None
    if event == "acknowledge" and not (state.commander and _triggered(state, page_on_declare)):
        return None
    return event


def _command_event(anchor: Comment, state: IncidentState) -> str | None:
    """A command comment's own event: /reopen triggers the new stretch's alert, /commander acknowledges."""
    names = {o.command.name for o in state.outcomes if o.comment.id == anchor.id and o.accepted}
    events = {PAGING_COMMANDS[name] for name in names if name in PAGING_COMMANDS}
    if "trigger" in events and state.page_epoch == f"reopen-{anchor.id}":
        return "trigger"
    return "acknowledge" if "acknowledge" in events else None


def _triggered(state: IncidentState, page_on_declare: bool) -> bool:
    """Whether this stretch's alert was raised: by an escalation, a reopen or (on_declare) the declaration."""
    start = max((s.start for s in state.stretches if s.epoch == state.page_epoch), default=None)
    if state.page_epoch.startswith("reopen-"):
        return True
    escalated = any(start is None or c.created_at >= start for c in state.of_kind(Kind.ESCALATION))
    return escalated or (page_on_declare and state.keyed(keys.ACKNOWLEDGEMENT) is not None)


def send_event(pager: PagerDuty, event: str, anchor: Comment, state: IncidentState) -> None:
    """Send what `event_owed` said: a trigger (with its acknowledgement when an IC is named), or the rest."""
    if event == "resolve":
        pager.send("resolve", dedup_key(state, stretch_at(state, anchor.created_at)))
        return
    if event == "trigger":
        _trigger(pager, state)
    if event == "acknowledge" or state.commander:
        pager.send("acknowledge", dedup_key(state))


def _trigger(pager: PagerDuty, state: IncidentState) -> None:
    """Open (or, by its dedup key, keep) the alert of this stretch."""
    issue = state.history.issue
    level = f"[{state.severity}] " if state.severity else ""
    summary = f"{level}#{issue.number} {issue.title}"[:MAX_SUMMARY]
    payload = {
        "summary": summary,
        "source": state.history.repo,
        "severity": "critical",
        "custom_details": {"issue": issue.html_url, "severity": state.severity, "commander": state.commander},
    }
    pager.send("trigger", dedup_key(state), payload, issue.html_url)


MAX_NOTE = 10_000  # far above any update; PagerDuty documents no limit for a note


def sync_owed(key: Key, state: IncidentState) -> str | None:
    """What the PagerDuty incident an issue was opened for hears of an anchor: note, resolve-note or resolve.

    A resolution that PagerDuty itself said is not told back to it.
    """
    if state.pagerduty is None or key.family not in KINDS:
        return None
    action = KINDS[Kind(key.family)].pagerduty_sync
    if key.family == Kind.RESOLUTION and key.comment_id in state.pagerduty_records:
        return None
    return action


def send_sync(rest: PagerDutyRest, action: str, key: Key, state: IncidentState) -> None:
    """Resolve the PagerDuty incident first (doing it twice changes nothing), then add the note."""
    if state.pagerduty is None:
        return
    incident_id = state.pagerduty.incident_id
    if action.startswith("resolve"):
        rest.resolve(incident_id)
    if action.endswith("note"):
        rest.add_note(incident_id, note_text(key, state))


def note_text(key: Key, state: IncidentState) -> str:
    """A note for PagerDuty: the team's text from GitHub, who wrote it, and the issue's address."""
    issue = state.history.issue
    if key.family == Kind.ACKNOWLEDGEMENT:
        return f"Followed in GitHub: #{issue.number} {issue.title}\n{issue.html_url}"
    command = KINDS[Kind(key.family)].answers if key.family in KINDS else None
    said = next(
        (o for o in state.outcomes if o.comment.id == key.comment_id and o.command.name == command), None
    )
    what = "Resolved" if key.family == Kind.RESOLUTION else "Update"
    by = f" by @{said.comment.author.login}" if said is not None else ""
    text = said.command.args.strip() if said is not None else ""
    note = f"{what} in GitHub{by}: {text}" if text else f"{what} in GitHub{by}."
    return f"{note[:MAX_NOTE]}\n{issue.html_url}"
