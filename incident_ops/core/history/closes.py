"""Closes people make on GitHub: a team member's stands, anyone else's only as the community confirming it."""

from __future__ import annotations

from datetime import timedelta

from incident_ops.core.comments.kinds import Kind
from incident_ops.core.history.declaration import login_is_team
from incident_ops.core.history.reply_budget import ReplyBudget
from incident_ops.core.model import IssueEvent
from incident_ops.core.state import IncidentState, IsTeam, OutsiderClose

CLOSE_WINDOW = timedelta(minutes=10)  # a closing comment this soon before a close announced it


def last_close(state: IncidentState) -> IssueEvent | None:
    """The close that left the issue closed, when a person made it (not announced by the tool's closing)."""
    issue, events = state.history.issue, state.history.events
    if issue.state != "closed" or events is None:
        return None
    close = next((e for e in reversed(events) if e.event == "closed"), None)
    if close is None or close.actor_is_tool:
        return None
    if any(c.created_at >= close.created_at - CLOSE_WINDOW for c in state.of_kind(Kind.CLOSING)):
        return None  # the tool closed it (or confirmed it), with its closing comment
    return close


def check_close(state: IncidentState, close: IssueEvent, is_team: IsTeam, replies: ReplyBudget) -> None:
    """A close by someone outside the team stands only as the community's confirmation; else it is undone.

    It is judged by the incident as it was when the issue was closed.
    """
    issue = state.history.issue
    if not state.declared:
        return
    if not close.actor_is_bot and login_is_team(state, close.actor, is_team):
        state.team_close = close  # closed by hand: the closing comment (and its messages) follow
        return
    closer = close.actor.casefold()
    confirmers = {issue.author.login.casefold(), (state.community or "").casefold()}
    report_complete = state.report is None or state.report.complete
    if state.resolved and report_complete and closer in confirmers:
        state.close_confirmed_by = close.actor
        return
    state.undo_close = OutsiderClose(close.id, close.actor, close.created_at)
    if not replies.allow(close.actor, close.created_at, state.undo_close.reply_key, any_order=True):
        state.withheld_close = True
