"""Fold an issue's history (labels, events, comments, the tool's own comments) into incident state."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from incident_ops.body_check import check_body
from incident_ops.command_effects import APPLY
from incident_ops.commands import REGISTRY, CommandError, CommandLine, find_commands
from incident_ops.markers import Marker, comment_marker
from incident_ops.model import Comment, IssueEvent, IssueHistory, User
from incident_ops.outsiders import ReplyBudget
from incident_ops.records import Declaration, Source, read_declaration, read_refused, read_source
from incident_ops.report import ReportCheck, TemplateSource, find_ticket_ref
from incident_ops.state import (
    IncidentState,
    IsTeam,
    Outcome,
    OutsiderClose,
    TimelineEntry,
    add_timeline,
    not_team,
)
from incident_ops.status_cache import StatusCache, parse_cache

# Before the team declares it, a reported issue answers only these; the rest wait for the declaration.
BEFORE_DECLARATION = frozenset({"declare", "status", "help"})
Labeling = tuple[datetime, str | None]  # when, and by whom, the label was brought
PLAUSIBLE_SKEW = timedelta(minutes=1)  # GitHub's clocks and the runners' differ by a little
CLOSE_WINDOW = timedelta(minutes=10)  # a closing comment this soon before a close announced it


def fold(
    history: IssueHistory,
    incident_label: str,
    is_team: IsTeam,
    report: ReportCheck | None = None,
    ticket_reply_for: str | None = None,
    template: TemplateSource | None = None,
) -> IncidentState:
    """The incident's state: report, declaration, roles, resolution and commands, oldest first.

    With `template`, the body is checked against it (or its check remembered in the status comment
    reused), which gives the report and the ticket line; without, `report` is taken as given.
    """
    marked = [(c, comment_marker(c)) for c in history.comments]
    status = next((c for c, m in marked if m and m.kind == "status"), None)
    cache, problem = parse_cache(status.body if status else None)
    body = check_body(history.issue.body, template, cache.body) if template is not None else None
    state = IncidentState(history, cache, report=body.report if body else report, body_check=body)
    # The tool's own comments first: they record what earlier runs applied.
    for comment, marker in marked:
        if marker is not None:
            _record_bot_comment(state, comment, marker)
    problem = problem or implausible(state, status)
    if problem is not None:
        state.cache, state.cache_problem = StatusCache(), problem
    people = _people_comments(state, marked)
    _declare(state, incident_label, is_team, people)
    replies = ReplyBudget(state)
    close = _last_close(state)
    for comment in people:
        if close is not None and comment.created_at > close.created_at:
            _check_close(state, close, is_team, replies)
            close = None
        _read_human_comment(state, comment, is_team, replies)
    if close is not None:
        _check_close(state, close, is_team, replies)
    if state.resolved and ticket_reply_for is not None and ticket_reply_for == state.resolution_key:
        state.community_replied = True  # the requester answered on the FreshDesk ticket
    return state


def implausible(state: IncidentState, status: Comment | None) -> str | None:
    """What makes the memo implausible for this issue (copied from another, or edited), if anything."""
    issue, cache = state.history.issue, state.cache
    comments = {c.id: c for c in state.history.comments}
    for cid, entry in cache.answered.items():
        comment = comments.get(cid)
        if comment is not None and (
            comment.author.login.casefold() != entry.by.casefold()
            or abs(comment.created_at - entry.at) > timedelta(seconds=1)
        ):
            return f"its memo of comment {cid} does not match that comment"
    for login, newest in cache.outsiders.items():
        comment = comments.get(newest)
        if comment is None or comment.author.login.casefold() != login:
            return f"it remembers a comment {newest} by {login} that is not on the issue"
    reported = cache.reported_at
    if reported is not None and status is not None:
        earliest, latest = issue.created_at - PLAUSIBLE_SKEW, status.created_at + PLAUSIBLE_SKEW
    if reported is not None and status is not None and not earliest <= reported <= latest:
        return "its report time lies outside the issue's life"
    return None


def declaration_record(history: IssueHistory) -> Declaration | None:
    """The declaration as the acknowledgement records it, when it is there and plausible."""
    issue = history.issue
    for comment in history.comments:
        marker = comment_marker(comment)
        if marker is None or marker.kind != "acknowledgement":
            continue
        record = read_declaration(marker.facts.get("declared"))
        earliest = issue.created_at - PLAUSIBLE_SKEW
        if record is not None and earliest <= record.at <= comment.created_at + PLAUSIBLE_SKEW:
            return record
        return None
    return None


def _declare(state: IncidentState, incident_label: str, is_team: IsTeam, people: list[Comment]) -> None:
    """Who reported the issue and who of the team declared it, and when: the record, events or commands."""
    issue = state.history.issue
    record = state.declaration = declaration_record(state.history)
    command = _declare_command(state, people, is_team)
    if not issue.has_label(incident_label):
        # Without the label the issue is no incident (the team dropped it, or never declared it), until a
        # team member's new `/declare`: this run declares it (again) and adds the label.
        relabel = _declare_command(state, people, is_team, unanswered=True)
        if relabel is None:
            return
        state.declared_by_comment = relabel[2]
        command = command if record is not None else relabel
    if record is not None:
        declared: Labeling | None = (record.at, record.by)
        reported = (record.reported_at, record.reported_by) if record.reported_at else None
    else:
        by_team, reported = _labelings(state, incident_label, is_team, declaring=command is not None)
        stated = (command[:2],) if command else ()
        declared = min((d for d in (by_team, *stated) if d), default=None, key=lambda d: d[0])
    if command is not None and declared is not None and command[0] == declared[0]:
        state.declare_comments.add(command[2])
    if state.declared_by_comment is not None:
        state.declare_comments.add(state.declared_by_comment)
    still_reported = declared is not None or issue.has_label(incident_label)  # unlabeled: dropped
    if reported is not None and (declared is None or reported[0] <= declared[0]) and still_reported:
        state.reported_at, state.reported_by = reported[0], reported[1]
        what = "reported the issue as an incident"
        state.timeline.append(TimelineEntry(reported[0], reported[1] or "", what, order=-2))
    if declared is None:
        return  # a report shows nobody's role: nothing more to look up
    state.declared_at, state.declared_by = declared[0], declared[1]
    state.steward = state.declared_by  # only the team declares
    state.author_on_team = record.author_on_team if record is not None else _author_is_team(state, is_team)
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
            return None, (state.cache.reported_at, state.cache.reported_by)
        if not issue.has_label(incident_label) or declaring:
            return None, None
        opened = (issue.created_at, issue.author.login)
        return (opened, None) if _author_is_team(state, is_team) else (None, opened)
    by_team = reported = None
    for event in events:
        if event.event != "labeled" or (event.label or "").casefold() != incident_label.casefold():
            continue
        if not event.actor_is_bot and _login_is_team(state, event.actor, is_team):
            by_team = (event.created_at, event.actor)
            break
        if reported is None and not event.actor_is_tool:
            reported = (event.created_at, event.actor)
    if by_team is None and reported is None and issue.has_label(incident_label):
        reported = (issue.created_at, issue.author.login)  # labeled before the event log says
    return by_team, reported


def _declare_command(
    state: IncidentState, people: list[Comment], is_team: IsTeam, unanswered: bool = False
) -> tuple[datetime, str, int] | None:
    """(when, who, comment id) of the first `/declare` a team member wrote (no run answered yet)."""
    for comment in people:
        if unanswered and (state.answered(comment.id) or state.keyed(f"reply/{comment.id}")):
            continue
        if any(c.name == "declare" for c in _commands_in(state, comment)) and _verdict(
            state, comment, is_team
        ):
            return comment.created_at, comment.author.login, comment.id
    return None


def _author_is_team(state: IncidentState, is_team: IsTeam) -> bool:
    """Whether the issue's author is on the team (cached as stand-in comment 0)."""
    return _verdict(state, _pseudo_comment(state, state.history.issue.author.login, 0), is_team)


def _login_is_team(state: IncidentState, login: str, is_team: IsTeam) -> bool:
    """Whether someone named by an event is on the team (the author's verdict is reused)."""
    if login.casefold() == state.history.issue.author.login.casefold():
        return _author_is_team(state, is_team)
    return is_team(
        Comment(-3, User(login), "", state.history.issue.created_at, state.history.issue.created_at)
    )


def _pseudo_comment(state: IncidentState, login: str, stand_in_id: int) -> Comment:
    """A stand-in comment to ask (and cache) whether the declarer or the author is team."""
    when = state.history.issue.created_at
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
    """Remember one of the tool's own comments by its key, and what it records."""
    first = marker.key not in state.bot_comments
    state.bot_comments.setdefault(marker.key, []).append(comment)
    if not first:
        return
    kind, _, source = marker.key.partition("/")
    if kind == "reply" and source.isdigit():
        state.refused[int(source)] = read_refused(marker.facts.get("refused"))
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


ANSWERS_OF = {"update": "update", "resolution": "resolved", "closing": "close"}  # keyed answer → command


def _people_comments(state: IncidentState, marked: list[tuple[Comment, Marker | None]]) -> list[Comment]:
    """People's comments, oldest first, with command comments since deleted put back from their answers.

    Deleting a command comment does not undo what it did: its update, resolution or closing message records
    who wrote it and when.
    """
    people = {c.id: c for c, m in marked if m is None and not c.author.is_bot}
    answers = sorted((cs[0].id, key) for key, cs in state.bot_comments.items())
    for _, key in answers:
        kind, _, ref = key.partition("/")
        if (
            kind not in ANSWERS_OF
            or not ref.isdigit()
            or int(ref) in people
            and int(ref) not in state.restored
        ):
            continue
        source = answer_source(state, kind, int(ref))
        if source is None:
            continue
        cid = int(ref)
        people.setdefault(cid, Comment(cid, User(source.by), "", source.at, source.at))
        command = ANSWERS_OF[kind]
        state.restored.setdefault(cid, []).append(CommandLine(command, "", "(posted)", 0))
    for c in people.values():
        if c.reactions & TOOL_REACTIONS or c.id in state.restored:
            state.answered_ids.add(c.id)
    return [people[cid] for cid in sorted(people)]


def answer_source(state: IncidentState, kind: str, comment_id: int) -> Source | None:
    """Who wrote the command that a keyed update, resolution or closing answers, and when, as it records."""
    answer = state.keyed(f"{kind}/{comment_id}")
    marker = comment_marker(answer) if answer is not None else None
    return read_source(marker.facts.get("source")) if marker is not None else None


def _answered_by(state: IncidentState, kind: str, comment_id: int) -> bool:
    """Whether the tool posted its `kind` message for a command in this comment.

    A closing keyed by a resolution's id is the automatic close, not an answer: a `/close` records its source.
    """
    if kind == "closing":
        return answer_source(state, kind, comment_id) is not None
    return state.keyed(f"{kind}/{comment_id}") is not None


TOOL_REACTIONS = frozenset({"+1", "confused"})  # the tool's last write on a command comment


def _commands_in(state: IncidentState, comment: Comment) -> list[CommandLine]:
    """A comment's commands as posted (or as answered): a later edit is not a new command."""
    if comment.id in state.restored:
        return state.restored[comment.id]
    if comment.updated_at - comment.created_at <= EDIT_GRACE:
        return find_commands(comment.body)
    remembered = state.cache.answered.get(comment.id)
    if remembered is not None and state.answered(comment.id):
        # The text of an /update or /resolved is not kept: its message is already posted.
        return [CommandLine(name, args, args or "(posted)", 0) for name, args, _ in remembered.commands]
    # Without the memo, what the tool's answers record: the message it posted for each command.
    names = [ANSWERS_OF[k] for k in ANSWERS_OF if _answered_by(state, k, comment.id)]
    return [CommandLine(name, "", "(posted)", 0) for name in names]


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
    commands = _commands_in(state, comment)
    if phase == "not an incident":
        commands = [c for c in commands if c.name == "declare"]  # only /declare wakes a plain issue
    if phase == "declared" and state.resolved and _speaks_for_community(state, comment):
        state.community_replied = True
    if not commands:
        return
    team = _verdict(state, comment, is_team)
    # A reply records what was refused: joining the team later does not apply it after all.
    refused = state.refused.get(comment.id, frozenset())
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
        state.outsiders.add(comment.id)
        wants_reply = any(not o.accepted or o.command.name == "help" for o in outcomes)
        key = f"reply/{comment.id}"
        if wants_reply and not replies.allow(comment.author.login, comment.created_at, key, comment.id):
            state.withheld.add(comment.id)


def _speaks_for_community(state: IncidentState, comment: Comment) -> bool:
    """Whether a comment is the community's: by its Representative, or by the author outside the team."""
    login = comment.author.login.casefold()
    if state.community and login == state.community.casefold():
        return True
    return login == state.history.issue.author.login.casefold() and not state.verdicts.get(0, False)


def _last_close(state: IncidentState) -> IssueEvent | None:
    """The close that left the issue closed, when a person made it (not announced by the tool's closing)."""
    issue, events = state.history.issue, state.history.events
    if issue.state != "closed" or events is None:
        return None
    close = next((e for e in reversed(events) if e.event == "closed"), None)
    if close is None or close.actor_is_tool:
        return None
    if any(c.created_at >= close.created_at - CLOSE_WINDOW for c in state.of_kind("closing")):
        return None  # the tool closed it (or confirmed it), with its closing comment
    return close


def _check_close(state: IncidentState, close: IssueEvent, is_team: IsTeam, replies: ReplyBudget) -> None:
    """A close by someone outside the team stands only as the community's confirmation; else it is undone.

    It is judged by the incident as it was when the issue was closed.
    """
    issue = state.history.issue
    if not state.declared:
        return
    if not close.actor_is_bot and _login_is_team(state, close.actor, is_team):
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


def _vouched(state: IncidentState, comment: Comment) -> bool:
    """Whether the tool's own records show the comment's author acting for the team in this incident.

    Only then does the memo's word that a comment came from the team count: anyone can react to a
    comment, and whoever can edit the memo could name anyone.
    """
    login = comment.author.login.casefold()
    record = state.declaration
    if record is not None and record.by.casefold() == login:
        return True
    return any(
        source is not None and source.by.casefold() == login
        for key in state.bot_comments
        if key.partition("/")[0] in ANSWERS_OF and key.partition("/")[2].isdigit()
        for source in (answer_source(state, key.partition("/")[0], int(key.partition("/")[2])),)
    )


def _verdict(state: IncidentState, comment: Comment, is_team: IsTeam) -> bool:
    """Whether the comment's author was on the team, from the tool's records, the memo, or GitHub.

    A posted update, resolution or closing says the tool took the command from a team member. The memo's
    word counts only for a comment that also shows the tool's acceptance; otherwise GitHub is asked.
    """
    if comment.id > 0:
        if any(_answered_by(state, kind, comment.id) for kind in ANSWERS_OF):
            state.verdicts[comment.id] = True
            return True
        if state.cache.verdicts.get(comment.id) and "+1" in comment.reactions and _vouched(state, comment):
            state.verdicts[comment.id] = True
            return True
        if comment.id <= state.cache.outsiders.get(comment.author.login.casefold(), 0):
            state.verdicts[comment.id] = False
            return False
    if comment.id not in state.verdicts:
        state.verdicts[comment.id] = is_team(comment)
    return state.verdicts[comment.id]


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
