"""Who reported an issue and who of the team declared it an incident, and when."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from incident_ops.core.comments import keys
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.history.evidence import commands_in, declaration_record, verdict
from incident_ops.core.model import Comment, User
from incident_ops.core.report.check import find_ticket_ref
from incident_ops.core.state import IncidentState, IsTeam, Stretch, TimelineEntry


class Labeling(NamedTuple):
    """When, and by whom, the incident label was brought (or the incident declared)."""

    at: datetime
    by: str | None


class DeclareCommand(NamedTuple):
    """A team member's `/declare`: when, by whom, in which comment."""

    at: datetime
    by: str
    comment_id: int


def declare(state: IncidentState, incident_label: str, is_team: IsTeam, people: list[Comment]) -> None:
    """Who reported the issue and who of the team declared it, and when: the record, events or commands."""
    issue = state.history.issue
    record = state.declaration = declaration_record(state.history)
    command = declare_command(state, people, is_team)
    if not issue.has_label(incident_label):
        # Without the label the issue is no incident (the team dropped it, or never declared it), until a
        # team member's new `/declare`: this run declares it (again) and adds the label.
        relabel = declare_command(state, people, is_team, unanswered=True)
        if relabel is None:
            return
        state.declared_by_comment = relabel.comment_id
        command = command if record is not None else relabel
    link = state.pagerduty
    if link is not None and record is None:
        # Opened by the tool for a PagerDuty incident: declared at its opening, by the responder it names.
        declared: Labeling | None = Labeling(issue.created_at, link.declared_by or issue.author.login)
        reported = None
    elif record is not None:
        declared = Labeling(record.at, record.by)
        reported = Labeling(record.reported_at, record.reported_by) if record.reported_at else None
    else:
        by_team, reported = _labelings(state, incident_label, is_team, declaring=command is not None)
        stated = (Labeling(command.at, command.by),) if command else ()
        declared = min((d for d in (by_team, *stated) if d), default=None, key=lambda d: d.at)
    if command is not None and declared is not None and command.at == declared.at:
        state.declare_comments.add(command.comment_id)
    if state.declared_by_comment is not None:
        state.declare_comments.add(state.declared_by_comment)
    still_reported = declared is not None or issue.has_label(incident_label)  # unlabeled: dropped
    if reported is not None and (declared is None or reported.at <= declared.at) and still_reported:
        state.reported_at, state.reported_by = reported.at, reported.by
        what = "reported the issue as an incident"
        state.timeline.append(TimelineEntry(reported.at, reported.by or "", what, order=-2))
    if declared is None:
        return  # a report shows nobody's role: nothing more to look up
    state.declared_at, state.declared_by = declared.at, declared.by
    state.stretches.append(Stretch(declared.at, state.page_epoch))
    state.steward = state.declared_by  # only the team declares
    if record is not None:
        state.author_on_team = record.author_on_team
    else:
        state.author_on_team = link is not None or author_is_team(state, is_team)
    if not state.author_on_team:
        state.community = issue.author.login
    else:
        # The body's ticket line counts only when the team wrote the issue: a reporter could name any
        # ticket and have the team's updates emailed to a stranger. Otherwise the team links it with /ticket.
        state.ticket = state.body_check.ticket if state.body_check else find_ticket_ref(issue.body)
    what = "confirmed the incident" if state.reported_at else "declared the incident"
    state.timeline.append(TimelineEntry(state.declared_at, state.declared_by or "", what, order=-1))


def _labelings(
    state: IncidentState, incident_label: str, is_team: IsTeam, declaring: bool
) -> tuple[Labeling | None, Labeling | None]:
    """The first labeling by the team (a declaration) and by anyone else (a report), when and by whom.

    Without the event log, a label on the issue counts as brought by its author at its opening, unless a
    `/declare` explains it (the run that declared added it, after reading no events).
    """
    issue, events = state.history.issue, state.history.events
    if events is None:
        if state.cache.reported_at is not None:
            return None, Labeling(state.cache.reported_at, state.cache.reported_by)
        if not issue.has_label(incident_label) or declaring:
            return None, None
        opened = Labeling(issue.created_at, issue.author.login)
        return (opened, None) if author_is_team(state, is_team) else (None, opened)
    by_team = reported = None
    for event in events:
        if event.event != "labeled" or (event.label or "").casefold() != incident_label.casefold():
            continue
        if not event.actor_is_bot and login_is_team(state, event.actor, is_team):
            by_team = Labeling(event.created_at, event.actor)
            break
        if reported is None and not event.actor_is_tool:
            reported = Labeling(event.created_at, event.actor)
    if by_team is None and reported is None and issue.has_label(incident_label):
        reported = Labeling(issue.created_at, issue.author.login)  # labeled before the event log says
    return by_team, reported


def declare_command(
    state: IncidentState, people: list[Comment], is_team: IsTeam, unanswered: bool = False
) -> DeclareCommand | None:
    """(when, who, comment id) of the first `/declare` a team member wrote (no run answered yet)."""
    for comment in people:
        if unanswered and (state.answered(comment.id) or state.keyed(keys.answer(Kind.REPLY, comment.id))):
            continue
        if any(c.name == "declare" for c in commands_in(state, comment)) and verdict(state, comment, is_team):
            return DeclareCommand(comment.created_at, comment.author.login, comment.id)
    return None


def author_is_team(state: IncidentState, is_team: IsTeam) -> bool:
    """Whether the issue's author is on the team (cached as stand-in comment 0)."""
    return verdict(state, _pseudo_comment(state, state.history.issue.author.login, 0), is_team)


def login_is_team(state: IncidentState, login: str, is_team: IsTeam) -> bool:
    """Whether someone named by an event is on the team (the author's verdict is reused)."""
    if login.casefold() == state.history.issue.author.login.casefold():
        return author_is_team(state, is_team)
    return is_team(
        Comment(-3, User(login), "", state.history.issue.created_at, state.history.issue.created_at)
    )


def _pseudo_comment(state: IncidentState, login: str, stand_in_id: int) -> Comment:
    """A stand-in comment to ask (and cache) whether the declarer or the author is team."""
    when = state.history.issue.created_at
    return Comment(stand_in_id, User(login), "", when, when)
