"""What PagerDuty hears of an incident at a level that pages: one alert per stretch of activity."""

from __future__ import annotations

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
    if not pages(state):
        return False
    if kind in ("resolution", "closing"):
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


def commands(pager: PagerDuty, answered: IncidentState, now: IncidentState) -> list[str]:
    """The events the commands this run answered owe: /commander acknowledges, /reopen triggers again.

    Sent by the run that answers the command (the tool's reaction then marks it done): repeated only if that
    run failed before reacting, which the dedup key makes harmless.
    """
    sent = []
    if not pages(now):
        return sent
    new = [o for o in answered.outcomes if o.accepted and not answered.answered(o.comment.id)]
    names = {o.command.name for o in new}
    if "reopen" in names and not now.resolved and not now.closed:
        trigger(pager, now)
        sent.append(f"pagerduty:trigger {dedup_key(now)}")
    if "commander" in names and now.commander:  # an alert not open yet ignores it
        pager.send("acknowledge", dedup_key(now))
        sent.append(f"pagerduty:acknowledge {dedup_key(now)}")
    return sent
