"""Fold an issue's history (labels, events, comments, the tool's own comments) into incident state."""

from __future__ import annotations

from dataclasses import replace

from incident_ops.config.types import SeverityConfig
from incident_ops.core.commands.args import CommandError
from incident_ops.core.commands.registry import REGISTRY
from incident_ops.core.commands.severity import initial_severity
from incident_ops.core.comments import keys
from incident_ops.core.comments.cache import StatusCache, parse_cache
from incident_ops.core.comments.keys import APPLIED, PAGERDUTY, Key
from incident_ops.core.comments.kinds import KINDS, Kind
from incident_ops.core.comments.markers import Marker, comment_marker
from incident_ops.core.comments.records import Source, read_applied, read_refused, read_source
from incident_ops.core.follow_ups import FollowUp
from incident_ops.core.history.closes import check_close, last_close
from incident_ops.core.history.declaration import declare
from incident_ops.core.history.evidence import (
    ANSWERS_OF,
    RECORDS_OF_TEAM,
    TOOL_REACTIONS,
    answer_source,
    commands_in,
    implausible,
    refused_in,
    verdict,
)
from incident_ops.core.history.reply_budget import ReplyBudget
from incident_ops.core.model import CommandLine, Comment, IssueHistory, User
from incident_ops.core.pagerduty import PagerDutyIncident, link_of
from incident_ops.core.report.body import check_body
from incident_ops.core.report.check import ReportCheck, TemplateSource
from incident_ops.core.state import (
    IncidentState,
    IsTeam,
    Outcome,
    add_timeline,
    not_team,
)

# Before the team declares it, a reported issue answers only these; the rest wait for the declaration.
BEFORE_DECLARATION = frozenset({"declare", "status", "help"})


def fold(
    history: IssueHistory,
    incident_label: str,
    is_team: IsTeam,
    report: ReportCheck | None = None,
    ticket_reply_for: str | None = None,
    close_hold: str | None = None,
    template: TemplateSource | None = None,
    trust_cached_body: bool = True,
    severities: SeverityConfig | None = None,
    pagerduty_now: PagerDutyIncident | None = None,
    follow_ups: tuple[FollowUp, ...] | None = None,
) -> IncidentState:
    """The incident's state: report, declaration, roles, resolution and commands, oldest first.

    With `template`, the body is checked against it (or its check remembered in the status comment
    reused), which gives the report and the ticket line; without, `report` is taken as given.
    """
    marked = [(c, comment_marker(c)) for c in history.comments]
    status = next((c for c, m in marked if m and m.kind == Kind.STATUS), None)
    cache, problem = parse_cache(status.body if status else None)
    remembered = cache.body if trust_cached_body and problem is None else None
    body = check_body(history.issue.body, template, remembered) if template is not None else None
    state = IncidentState(history, cache, report=body.report if body else report, body_check=body)
    state.close_hold = close_hold
    state.severities = severities or SeverityConfig()
    state.follow_ups = follow_ups
    state.pagerduty = link_of(history.issue)
    linked = state.pagerduty is not None and pagerduty_now is not None
    state.pagerduty_now = (
        pagerduty_now if linked and pagerduty_now.id == state.pagerduty.incident_id else None
    )
    # The tool's own comments first: they record what earlier runs applied.
    for comment, marker in marked:
        if marker is not None:
            _record_bot_comment(state, comment, marker)
    problem = problem or implausible(state, status)
    if problem is not None:
        state.cache, state.cache_problem = StatusCache(), problem
    people = _people_comments(state, marked)
    declare(state, incident_label, is_team, people)
    state.severity = initial_severity(state)
    replies = ReplyBudget(state)
    close = last_close(state)
    for comment in people:
        if close is not None and comment.created_at > close.created_at:
            check_close(state, close, is_team, replies)
            close = None
        _read_human_comment(state, comment, is_team, replies)
    if close is not None:
        check_close(state, close, is_team, replies)
    if state.resolved and ticket_reply_for is not None and ticket_reply_for == state.resolution_key:
        state.community_replied = True  # the requester answered on the FreshDesk ticket
    return state


BOT_TIMELINE = {str(kind): spec.timeline for kind, spec in KINDS.items() if spec.timeline}


def _record_bot_comment(state: IncidentState, comment: Comment, marker: Marker) -> None:
    """Remember one of the tool's own comments by its key, and what it records."""
    first = marker.key not in state.bot_comments
    state.bot_comments.setdefault(marker.key, []).append(comment)
    if not first:
        return
    key = Key.parse(marker.key)
    if key.family == Kind.REPLY and key.comment_id is not None:
        state.refused[key.comment_id] = read_refused(marker.facts.get("refused"))
        if marker.to and marker.facts.get("outside") == "yes":
            state.recorded_outsiders.add(marker.to.casefold())
    wrote = read_source(marker.facts.get("source"))
    applied = read_applied(marker.facts.get("applied"))
    if key.family == APPLIED and key.comment_id is not None and applied is not None and wrote is not None:
        state.applied[key.comment_id] = applied
    if key.family in RECORDS_OF_TEAM and wrote is not None:
        state.vouched.add(wrote.by.casefold())
    # An edited record has no facts left (comment_marker drops them): only an unedited one counts.
    pagerduty = key.family == PAGERDUTY and state.pagerduty is not None
    if pagerduty and applied is not None and wrote is not None:
        state.applied[comment.id] = applied  # PagerDuty's word, applied as the command it stands for
        # When PagerDuty said it, within the issue's life (what it said before the issue counts at its start).
        at = min(max(wrote.at, state.history.issue.created_at), comment.created_at)
        state.pagerduty_records[comment.id] = Source(wrote.by, at)
    if marker.kind in BOT_TIMELINE:
        add_timeline(state, comment, BOT_TIMELINE[marker.kind])
    milestones, when = state.milestones, comment.created_at
    if marker.kind == Kind.UPDATE:
        state.last_update_at = max(filter(None, (state.last_update_at, when)))
        milestones.updates.append(when)
    elif marker.kind == Kind.ACKNOWLEDGEMENT:
        milestones.acknowledged_at = milestones.acknowledged_at or when
    elif marker.kind == Kind.ESCALATION:
        milestones.escalated_at.append(when)
    elif marker.kind == Kind.UPDATE_REMINDER:
        milestones.update_reminders.append(when)


def _people_comments(state: IncidentState, marked: list[tuple[Comment, Marker | None]]) -> list[Comment]:
    """People's comments, oldest first, with command comments since deleted put back from their answers.

    Deleting a command comment does not undo what it did: its update, resolution or closing message records
    who wrote it and when, and its applied record (written by the run of its deletion) what else it said.
    """
    people = {c.id: c for c, m in marked if m is None and not c.author.is_bot}
    marks = {c.id: c.reactions for c in state.history.comments}
    for record_id, said in state.pagerduty_records.items():
        # What PagerDuty said, recorded by the tool: a team member's command comment at PagerDuty's time,
        # done once the tool reacted to it, like any other.
        people[record_id] = Comment(
            record_id, User(said.by), "", said.at, said.at, reactions=marks[record_id]
        )
    for gone in state.history.deleted:
        people.setdefault(gone.id, gone)  # deleted: this run's event still tells what it said
    answers = sorted((cs[0].id, key) for key, cs in state.bot_comments.items())
    for _, text in answers:
        key = Key.parse(text)
        cid = key.comment_id
        if key.family not in RECORDS_OF_TEAM or cid is None:
            continue
        source = answer_source(state, key.family, cid)
        if source is None or (cid in people and cid not in state.restored):
            continue  # not a command's answer, or its comment is still there
        people.setdefault(cid, Comment(cid, User(source.by), "", source.at, source.at))
        restored = state.restored.setdefault(cid, [])
        if key.family in ANSWERS_OF:  # an applied record gives the whole comment (see commands_in)
            restored.append(CommandLine(ANSWERS_OF[key.family], "", "(posted)", 0))
    known = state.history.tool_reacted
    for c in people.values():
        if c.id in state.restored or c.reactions & TOOL_REACTIONS and (known is None or c.id in known):
            state.answered_ids.add(c.id)
    return sorted(people.values(), key=lambda c: (c.created_at, c.id))


def _phase(state: IncidentState, comment: Comment) -> str | None:
    """When the comment was written: after the declaration, while reported, or before either (None)."""
    if state.declared_at is not None and comment.created_at >= state.declared_at:
        return "declared"
    if state.reported_at is not None and comment.created_at >= state.reported_at:
        return "reported"
    return None if state.declared_at is not None or state.reported_at is not None else "not an incident"


def _read_human_comment(
    state: IncidentState, comment: Comment, is_team: IsTeam, replies: ReplyBudget
) -> None:
    """Apply a person's commands; note a community reply after the resolution."""
    phase = _phase(state, comment)
    if phase is None:
        return  # written before the issue was an incident: no command, no reply to count
    commands = commands_in(state, comment)
    if phase == "not an incident":
        commands = [c for c in commands if c.name == "declare"]  # only /declare wakes a plain issue
    if phase == "declared" and state.resolved and _speaks_for_community(state, comment):
        state.community_replied = True
    if not commands:
        return
    team = verdict(state, comment, is_team)
    # A reply records what was refused: joining the team later does not apply it after all.
    refused = refused_in(state, comment)
    outcomes = []
    for index, command in enumerate(commands):
        if index in refused:
            outcome = Outcome(comment, command, accepted=False, reason="it was refused when it was answered")
        elif phase != "declared" and command.name not in BEFORE_DECLARATION and team:
            reason = "the issue is not a declared incident yet: a team member confirms it with `/declare`"
            outcome = Outcome(comment, command, accepted=False, reason=reason)
        else:
            outcome = _apply(state, comment, command, team)
        outcomes.append(outcome)
        if outcome.accepted and team and state.steward is None and state.declared:
            state.steward = comment.author.login
    state.outcomes.extend(outcomes)
    if not team:
        state.outsider_commands.add(comment.id)
        wants_reply = any(not o.accepted or o.command.name == "help" for o in outcomes)
        reply = keys.answer(Kind.REPLY, comment.id)
        if wants_reply and not replies.allow(comment.author.login, comment.created_at, reply, comment.id):
            state.withheld.add(comment.id)


def _speaks_for_community(state: IncidentState, comment: Comment) -> bool:
    """Whether a comment is the community's: by its Representative, or by the author outside the team."""
    login = comment.author.login.casefold()
    if state.community and login == state.community.casefold():
        return True
    return login == state.history.issue.author.login.casefold() and not state.verdicts.get(0, False)


def _apply(state: IncidentState, comment: Comment, line: CommandLine, team: bool) -> Outcome:
    """Fold one command into the state."""
    command = REGISTRY[line.name]
    outcome = Outcome(comment, line, accepted=True)
    if command.team_only and not team:
        return replace(outcome, accepted=False, reason=not_team(line.name))
    try:
        return command.apply(state, outcome)
    except CommandError as error:
        return replace(outcome, accepted=False, reason=str(error))
