"""The one settle loop: fold the history, answer what the fold still needs, fold again until it needs nothing.

The fold asks; this loop answers, and nothing else in serving folds on its own:
- roles: the logins whose team membership it had to guess (looked up with the permission API);
- the body: the cache's check of the report, where the report decides something now (parsed again instead);
- the ticket: whether the FreshDesk requester replied, before an auto-close (asked once per run);
- the follow-ups: the issues opened for its follow-up items, when a /follow-ups waits or they are listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_ops.core.commands.follow_ups import FOLLOW_UPS
from incident_ops.core.comments.keys import Key
from incident_ops.core.follow_ups import FollowUp, follow_up_of
from incident_ops.core.history.fold import fold
from incident_ops.core.history.roles import KnownRoles
from incident_ops.core.model import IssueHistory
from incident_ops.core.state import IncidentState
from incident_ops.integrations.run import IntegrationRun
from incident_ops.serving.services import Services

MAX_SETTLE = 12  # each pass answers every need the last one named; three are usual


@dataclass
class Needs:
    """What the loop learnt for the fold so far in this run."""

    parse_body: bool = False  # the cache's check of the body is not believed where it decides


def settle(
    history: IssueHistory, services: Services, extras: IntegrationRun | None = None, look_up: bool = True
) -> IncidentState:
    """The incident's state once the fold needs nothing more (without `look_up`: no API call at all)."""
    needs = Needs()
    for _ in range(MAX_SETTLE):
        roles = KnownRoles(services.team.known)
        state = _fold(history, services, extras, needs, roles)
        if roles.missing and look_up:
            services.team.look_up(roles.missing)
        elif not needs.parse_body and _decides_by_report(state, services) and _cache_checked_body(state):
            needs.parse_body = True  # its digest is no secret: a forged check must not close an incident
        elif extras is not None and look_up and extras.check_ticket_reply(state, services.context):
            pass  # what FreshDesk said is folded in next
        elif extras is not None and look_up and extras.follow_ups is None and _wants_follow_ups(state):
            extras.follow_ups = read_follow_ups(services, state)
        else:
            break
    return state  # after MAX_SETTLE passes, whoever is still unknown counts as outside the team


def _fold(
    history: IssueHistory,
    services: Services,
    extras: IntegrationRun | None,
    needs: Needs,
    roles: KnownRoles,
) -> IncidentState:
    """One fold with what the loop knows."""
    config = services.context.config
    return fold(
        history,
        config.incident_label,
        roles,
        ticket_reply_for=extras.ticket_reply_for if extras else None,
        close_hold=extras.close_hold if extras else None,
        template=services.template,
        trust_cached_body=not needs.parse_body,
        severities=config.severity,
        pagerduty_now=extras.pagerduty_now if extras else None,
        follow_ups=extras.follow_ups if extras else None,
    )


def _wants_follow_ups(state: IncidentState) -> bool:
    """Whether the incident's follow-up issues matter now: a /follow-ups to answer, or ones to list."""
    pending = any(
        o.accepted and o.command.name == "follow-ups" and not state.answered(o.comment.id)
        for o in state.outcomes
    )
    return pending or any(Key.parse(key).family == FOLLOW_UPS for key in state.bot_comments)


def read_follow_ups(services: Services, state: IncidentState) -> tuple[FollowUp, ...]:
    """The issues the tool opened for this incident's follow-up items (none to read without the section)."""
    config = services.context.config.follow_ups
    if config.section is None:
        return ()
    issue = state.history.issue
    found = services.port.list_issues(config.label, "all", issue.created_at)
    return tuple(f for i in found if (f := follow_up_of(i)) is not None and f.incident == issue.number)


def _cache_checked_body(state: IncidentState) -> bool:
    """Whether the body's check came from the cache rather than from parsing the body."""
    return state.body_check is not None and state.body_check is state.cache.body


def _decides_by_report(state: IncidentState, services: Services) -> bool:
    """Whether the body's check decides something now: closing, report reminders, the ticket to write to."""
    closing = any(o.command.name == "close" for o in state.outcomes) or state.history.issue.state == "closed"
    return state.resolved or closing or services.integrations.freshdesk is not None
