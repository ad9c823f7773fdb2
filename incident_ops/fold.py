"""Fold an issue's history (labels, events, comments, the tool's own comments) into incident state."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from incident_ops.body_check import check_body
from incident_ops.command_effects import APPLY
from incident_ops.commands import REGISTRY, CommandError, CommandLine, find_commands
from incident_ops.markers import Marker, comment_marker
from incident_ops.model import Comment, IssueHistory, User
from incident_ops.report import ReportCheck, TemplateSource, find_ticket_ref
from incident_ops.state import IncidentState, IsTeam, Outcome, TimelineEntry, add_timeline, not_team
from incident_ops.status_cache import read_cache


def fold(
    history: IssueHistory,
    incident_label: str,
    is_team: IsTeam,
    report: ReportCheck | None = None,
    ticket_reply_for: str | None = None,
    template: TemplateSource | None = None,
) -> IncidentState:
    """The incident's state: declaration, roles, resolution and commands, oldest first.

    With `template`, the body is checked against it (or its check remembered in the status comment
    reused), which gives the report and the ticket line; without, `report` is taken as given.
    """
    marked = [(c, comment_marker(c)) for c in history.comments]
    status = next((c for c, m in marked if m and m.kind == "status"), None)
    cache = read_cache(status.body if status else None)
    body = check_body(history.issue.body, template, cache.body) if template is not None else None
    state = IncidentState(history, cache, report=body.report if body else report, body_check=body)
    # The tool's own comments first: they say which commands earlier runs already answered.
    for comment, marker in marked:
        if marker is not None:
            _record_bot_comment(state, comment, marker)
    _declare(state, incident_label, is_team)
    for comment in _people_comments(state, marked):
        _read_human_comment(state, comment, is_team)
    reply_for = ticket_reply_for or state.cache.ticket_reply_for
    if state.resolved and reply_for is not None and reply_for == state.resolution_key:
        state.community_replied = True  # the requester answered on the FreshDesk ticket
    return state


def _declare(state: IncidentState, incident_label: str, is_team: IsTeam) -> None:
    """When and by whom the incident was declared: the cache, the event log, or the issue itself."""
    issue = state.history.issue
    if state.cache.declared_at is not None:
        state.declared_at, state.declared_by = state.cache.declared_at, state.cache.declared_by
    elif state.history.events is not None:
        labeled = [
            e
            for e in state.history.events
            if e.event == "labeled" and (e.label or "").casefold() == incident_label.casefold()
        ]
        if labeled:
            state.declared_at, state.declared_by = labeled[0].created_at, labeled[0].actor
    if state.declared_at is None and issue.has_label(incident_label):
        state.declared_at, state.declared_by = issue.created_at, issue.author.login
    if state.declared_at is None:
        return
    # Comment ids are positive: -1 and 0 stand for the declarer and the issue's author.
    declarer = _pseudo_comment(state, state.declared_by or issue.author.login, -1)
    if _verdict(state, declarer, is_team):
        state.steward = state.declared_by
    if not _verdict(state, _pseudo_comment(state, issue.author.login, 0), is_team):
        state.community = issue.author.login
    else:
        # The body's ticket line counts only when the team wrote the issue: a reporter could name any
        # ticket and have the team's updates emailed to a stranger. Otherwise the team links it with /ticket.
        state.ticket = state.body_check.ticket if state.body_check else find_ticket_ref(issue.body)
    state.timeline.append(TimelineEntry(state.declared_at, state.declared_by or "", "declared the incident"))


def _pseudo_comment(state: IncidentState, login: str, stand_in_id: int) -> Comment:
    """A stand-in comment to ask (and cache) whether the declarer or the author is team."""
    when = state.declared_at or state.history.issue.created_at
    return Comment(stand_in_id, User(login), "", when, when)


EDIT_GRACE = timedelta(minutes=2)  # fixing a typo right away still counts as what was posted

BOT_TIMELINE = {
    "acknowledgement": "acknowledged the incident to the community",
    "escalation": "escalated the incident",
    "update-reminder": "reminded that an update is due",
    "report-reminder": "reminded that the incident report is incomplete",
    "closing": "closed the incident",
}


def _record_bot_comment(state: IncidentState, comment: Comment, marker: Marker) -> None:
    """Remember one of the tool's own comments by its key."""
    first = marker.key not in state.bot_comments
    state.bot_comments.setdefault(marker.key, []).append(comment)
    if not first:
        return
    if marker.kind in BOT_TIMELINE:
        add_timeline(state, comment, BOT_TIMELINE[marker.kind])
    milestones, when = state.milestones, comment.created_at
    if marker.kind == "update":
        state.last_update_at = max(filter(None, (state.last_update_at, when)))
        milestones.updates.append(when)
    elif marker.kind == "acknowledgement":
        milestones.acknowledged_at = milestones.acknowledged_at or when
    elif marker.kind == "escalation":
        milestones.escalated_at.append(when)
    elif marker.kind == "update-reminder":
        milestones.update_reminders.append(when)


def _people_comments(state: IncidentState, marked: list[tuple[Comment, Marker | None]]) -> list[Comment]:
    """People's comments, oldest first, with answered command comments since deleted put back."""
    people = {c.id: c for c, m in marked if m is None and not c.author.is_bot}
    for cid, answered in (state.cache.answered or {}).items():
        if cid not in people:
            # Deleting a command comment does not undo what it did (its messages are out).
            people[cid] = Comment(cid, User(answered.by), "", answered.at, answered.at)
    return [people[cid] for cid in sorted(people)]


def _read_human_comment(state: IncidentState, comment: Comment, is_team: IsTeam) -> None:
    """Apply a person's commands; note a community reply after the resolution."""
    if state.declared_at is not None and comment.created_at < state.declared_at:
        return  # written before the issue was an incident: no command, no reply to count
    answered = _answered_commands(state, comment)
    if answered is not None:
        commands = answered
    elif comment.updated_at - comment.created_at > EDIT_GRACE:
        commands = []  # commands come from what was posted: a later edit is not a new command
    else:
        commands = find_commands(comment.body)
    team: bool | None = None
    if commands or state.resolved:
        team = _verdict(state, comment, is_team)
    if state.resolved and not team:
        state.community_replied = True
    verdicts = _answered_verdicts(state, comment)
    for index, command in enumerate(commands):
        if verdicts is not None and not verdicts[index]:
            outcome = Outcome(comment, command, accepted=False, reason="it was refused when it was answered")
        else:
            outcome = _apply(state, comment, command, bool(team) or verdicts is not None)
        state.outcomes.append(outcome)
        if outcome.accepted and bool(team) and state.steward is None and state.declared:
            state.steward = comment.author.login


def _answered_commands(state: IncidentState, comment: Comment) -> list[CommandLine] | None:
    """An answered comment's commands as they were answered: later edits change nothing."""
    log = state.cache.answered
    if log is None or comment.id > state.cache.cursor:
        return None
    entry = log.get(comment.id)
    if entry is None:
        return []  # it held no command when it was answered
    # The text of an /update or /resolved is not kept: its message is already posted.
    return [CommandLine(name, args, args or "(posted)", 0) for name, args, _ in entry.commands]


def _answered_verdicts(state: IncidentState, comment: Comment) -> list[bool] | None:
    """Whether each of an answered comment's commands was accepted."""
    log = state.cache.answered
    if log is None or comment.id > state.cache.cursor or comment.id not in log:
        return None
    return [ok for _, _, ok in log[comment.id].commands]


def _verdict(state: IncidentState, comment: Comment, is_team: IsTeam) -> bool:
    """Whether the comment's author was team (cached per comment in the status comment)."""
    cached = state.cache.verdicts.get(comment.id)
    verdict = cached if cached is not None else is_team(comment)
    state.verdicts[comment.id] = verdict
    return verdict


def _apply(state: IncidentState, comment: Comment, command: CommandLine, team: bool) -> Outcome:
    """Fold one command into the state."""
    spec = REGISTRY[command.name]
    outcome = Outcome(comment, command, accepted=True)
    if spec.team_only and not team:
        return replace(outcome, accepted=False, reason=not_team(command.name))
    try:
        return APPLY[command.name](state, outcome)
    except CommandError as error:
        return replace(outcome, accepted=False, reason=str(error))
