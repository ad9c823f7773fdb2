"""What PagerDuty hears of an incident at a level that pages: one alert per stretch of activity."""

from __future__ import annotations

from incident_ops.core.comment_kinds import KINDS, Kind
from incident_ops.core.state import IncidentState
from incident_ops.integrations.pagerduty import PagerDuty

MAX_SUMMARY = 1024  # the Events API's limit on payload.summary


def pages(state: IncidentState) -> bool:
    """Whether the incident's level wakes people."""
    level = state.severities.level(state.severity)
    return level is not None and level.page


def dedup_key(state: IncidentState) -> str:
    """The alert of this stretch: the same in every run, a new one after /reopen."""
    issue = state.history.issue
    return f"{state.history.repo}#{issue.number}:{state.page_epoch}"


def page(pager: PagerDuty, kind: str, state: IncidentState) -> bool:
    """The event a comment of `kind` owes (trigger, with its acknowledgement when an IC is named, or resolve).

    False when there is nothing to send: the level does not page.
    """
    action = KINDS[Kind(kind)].pagerduty if kind in KINDS else None
    if action is None or not pages(state):
        return False
    if action == "resolve":
        pager.send("resolve", dedup_key(state))
        return True
    trigger(pager, state)
    if state.commander:
        pager.send("acknowledge", dedup_key(state))
    return True


def trigger(pager: PagerDuty, state: IncidentState) -> None:
    """Open (or, by its dedup key, keep) the alert of this stretch."""
    issue = state.history.issue
    summary = f"[{state.severity}] #{issue.number} {issue.title}"[:MAX_SUMMARY]
    payload = {
        "summary": summary,
        "source": state.history.repo,
        "severity": "critical",
        "custom_details": {"issue": issue.html_url, "severity": state.severity, "commander": state.commander},
    }
    pager.send("trigger", dedup_key(state), payload, issue.html_url)


COMMAND_STEPS = ("pagerduty-trigger", "pagerduty-acknowledge")  # owed by commands: /reopen, /commander


def command_events(answered: IncidentState, now: IncidentState) -> list[str]:
    """What the commands this run answered owe PagerDuty, as "step:cmd/ID": /reopen triggers, /commander acks.

    Sent by the run that answers the command (its reaction then marks it done); a failed one is kept in the
    memo and sent by a later run only while the incident still calls for it (see `justified`).
    """
    events = []
    for outcome in answered.outcomes:
        if not outcome.accepted or answered.answered(outcome.comment.id):
            continue
        step = {"reopen": "pagerduty-trigger", "commander": "pagerduty-acknowledge"}.get(outcome.command.name)
        if step is not None:
            events.append(f"{step}:cmd/{outcome.comment.id}")
    return [event for event in dict.fromkeys(events) if justified(now, event)]


def justified(now: IncidentState, event: str) -> bool:
    """Whether the incident as it is now calls for a command's event: a copied memo cannot send more."""
    step, _, ref = event.partition(":cmd/")
    if step not in COMMAND_STEPS or not ref.isdigit() or not pages(now) or now.resolved or now.closed:
        return False
    if step == "pagerduty-trigger":
        return now.page_epoch == f"reopen-{ref}"  # only the alert of the stretch that reopen began
    return bool(now.commander)


def send_command_event(pager: PagerDuty, event: str, now: IncidentState) -> None:
    """One command's event: the new stretch's trigger, or the acknowledgement of the current alert."""
    if event.startswith("pagerduty-trigger:"):
        trigger(pager, now)
    else:
        pager.send("acknowledge", dedup_key(now))
