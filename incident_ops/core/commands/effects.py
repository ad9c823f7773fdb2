"""What each command does to the incident's state (the registry's `apply`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from incident_ops.core.commands.args import CommandError, parse_logins, parse_ticket_id
from incident_ops.core.comments import keys
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.state import IncidentState, Outcome, Stretch, add_timeline

Apply = Callable[[IncidentState, Outcome], Outcome]
MAX_SMES = 25  # per command; keeps what the status comment remembers of it small


def declare(state: IncidentState, outcome: Outcome) -> Outcome:
    """Declare the issue an incident (the fold found the first team `/declare`); later ones change nothing."""
    if outcome.comment.id not in state.declare_comments:
        raise CommandError("the issue is already a declared incident")
    return outcome


def commander(state: IncidentState, outcome: Outcome) -> Outcome:
    """Name the Incident Commander (default: the commenter); a handover replaces the previous one."""
    logins = parse_logins(outcome.command.args, at_most=1)
    target = logins[0] if logins else outcome.comment.author.login
    previous = state.commander
    if previous and previous.casefold() != target.casefold():
        state.past_commanders.append(previous)
    state.commander = target
    named = state.milestones.commander_named_at
    state.milestones.commander_named_at = named or outcome.comment.created_at
    what = f"named @{target} Incident Commander" + (f" (was @{previous})" if previous else "")
    add_timeline(state, outcome.comment, what)
    return replace(outcome, target=target, previous=previous)


def sme(state: IncidentState, outcome: Outcome) -> Outcome:
    """Add Subject Matter Experts."""
    logins = parse_logins(outcome.command.args, at_least=1, at_most=MAX_SMES)
    known = {s.casefold() for s in state.smes}
    state.smes.extend(login for login in logins if login.casefold() not in known)
    add_timeline(state, outcome.comment, "added SME " + ", ".join(f"@{x}" for x in logins))
    return outcome


def community(state: IncidentState, outcome: Outcome) -> Outcome:
    """Record the Community Representative."""
    logins = parse_logins(outcome.command.args, at_most=1)
    if not logins:
        raise CommandError("name the Community Representative: `/community @login`")
    state.community = logins[0]
    add_timeline(state, outcome.comment, f"recorded @{logins[0]} as Community Representative")
    return replace(outcome, target=logins[0])


def update(state: IncidentState, outcome: Outcome) -> Outcome:
    """Post an update to the community; restarts the update clock."""
    if not outcome.command.text:
        raise CommandError("`/update` needs the text of the update, e.g. `/update We found the cause.`")
    state.last_update_at = max(filter(None, (state.last_update_at, outcome.comment.created_at)))
    add_timeline(state, outcome.comment, "posted an update")
    return outcome


def resolved(state: IncidentState, outcome: Outcome) -> Outcome:
    """Mark the incident resolved and (re)start the auto-close clock (again: the answer to a reply)."""
    again = state.resolved
    state.resolved = True
    state.resolved_at = outcome.comment.created_at
    state.resolution_key = str(outcome.comment.id)
    state.community_replied = False
    if not again:
        state.milestones.resolved.append(outcome.comment.created_at)
        state.reminder_series = str(outcome.comment.id)
    add_timeline(state, outcome.comment, "resolved the incident again" if again else "resolved the incident")
    return outcome


def reopen(state: IncidentState, outcome: Outcome) -> Outcome:
    """Back to active; the escalation and update clocks restart."""
    if not state.resolved and not state.closed:
        raise CommandError("the incident is not resolved, so there is nothing to reopen")
    state.resolved = False
    state.resolved_at = None
    state.resolution_key = state.reminder_series = None
    state.reopened_at = outcome.comment.created_at
    state.escalation_epoch = state.page_epoch = f"reopen-{outcome.comment.id}"
    state.stretches.append(Stretch(outcome.comment.created_at, state.page_epoch))
    state.milestones.reopened.append(outcome.comment.created_at)
    add_timeline(state, outcome.comment, "reopened the incident")
    return outcome


def close(state: IncidentState, outcome: Outcome) -> Outcome:
    """Close now, but only with a complete report (a past /close counts when its closing was posted)."""
    cid = outcome.comment.id
    if state.keyed(keys.closing(str(cid))) is not None:
        pass  # closed by an earlier run
    elif state.answered(cid) or state.keyed(keys.answer(Kind.REPLY, cid)) is not None:
        # Answered, and no closing posted before the reply: it was refused then, whatever the report says now.
        raise CommandError("the incident report was not complete when this was asked")
    elif state.report is not None and not state.report.complete:
        missing = "; ".join(state.report.problems())
        raise CommandError(f"the incident report is not complete yet: {missing}")
    add_timeline(state, outcome.comment, "asked to close the incident")
    return outcome


def ticket(state: IncidentState, outcome: Outcome) -> Outcome:
    """Link the FreshDesk ticket."""
    state.ticket = parse_ticket_id(outcome.command.args)
    add_timeline(state, outcome.comment, f"linked support ticket {state.ticket}")
    return outcome


def nothing(state: IncidentState, outcome: Outcome) -> Outcome:
    """Commands whose only effect is an answer (the status refresh, the help reply)."""
    return outcome
