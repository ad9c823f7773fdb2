"""What GitHub shows of an incident's commands: which were done, what they said, and who is on the team.

The tool's own comments and reactions are the record (see records.py); the status comment's cache only spares
reads, and is checked before it is believed.
"""

from __future__ import annotations

from datetime import timedelta

from incident_ops.core.commands.lines import find_commands
from incident_ops.core.comments import keys
from incident_ops.core.comments.keys import APPLIED
from incident_ops.core.comments.kinds import KINDS, Kind
from incident_ops.core.comments.markers import comment_marker
from incident_ops.core.comments.records import Declaration, Source, read_declaration, read_source
from incident_ops.core.model import CommandLine, Comment, IssueHistory
from incident_ops.core.state import IncidentState, IsTeam

PLAUSIBLE_SKEW = timedelta(minutes=1)  # GitHub's clocks and the runners' differ by a little


def implausible(state: IncidentState, status: Comment | None) -> str | None:
    """What makes the cache implausible for this issue (copied from another, or edited), if anything."""
    issue, cache = state.history.issue, state.cache
    comments = {c.id: c for c in state.history.comments}
    newest = max(comments, default=0)
    if cache.issue is not None and cache.issue != issue.number:
        return f"it was written for issue #{cache.issue}"
    if any(cid > newest for cid in cache.done):
        return "it counts as done a comment yet to come"
    for login, last in cache.judged_outside.items():
        comment = comments.get(last)
        if last > newest or (comment is not None and comment.author.login.casefold() != login):
            return f"it remembers a comment {last} by {login} that is not on the issue"
    reported = cache.reported_at
    if reported is None or status is None:
        return None
    if not issue.created_at - PLAUSIBLE_SKEW <= reported <= status.created_at + PLAUSIBLE_SKEW:
        return "its report time lies outside the issue's life"
    return None


def declaration_record(history: IssueHistory) -> Declaration | None:
    """The declaration as the acknowledgement records it, when it is there and plausible."""
    issue = history.issue
    for comment in history.comments:
        marker = comment_marker(comment)
        if marker is None or marker.kind != Kind.ACKNOWLEDGEMENT:
            continue
        record = read_declaration(marker.facts.get("declared"))
        earliest = issue.created_at - PLAUSIBLE_SKEW
        if record is not None and earliest <= record.at <= comment.created_at + PLAUSIBLE_SKEW:
            return record
        return None
    return None


EDIT_GRACE = timedelta(minutes=2)  # fixing a typo right away still counts as what was posted


ANSWERS_OF = {str(kind): spec.answers for kind, spec in KINDS.items() if spec.answers}  # answer → command
RECORDS_OF_TEAM = frozenset({*ANSWERS_OF, APPLIED})  # keyed records of a team member's command comment


def answer_source(state: IncidentState, kind: str, comment_id: int) -> Source | None:
    """Who wrote the command that a keyed update, resolution or closing answers, and when, as it records."""
    answer = state.keyed(keys.answer(kind, comment_id))
    marker = comment_marker(answer) if answer is not None else None
    return read_source(marker.facts.get("source")) if marker is not None else None


def answered_by(state: IncidentState, kind: str, comment_id: int) -> bool:
    """Whether the tool posted its `kind` message for a command in this comment.

    A closing keyed by a resolution's id is the automatic close, not an answer: a `/close` records its source.
    """
    if kind == Kind.CLOSING:
        return answer_source(state, kind, comment_id) is not None
    return state.keyed(keys.answer(kind, comment_id)) is not None


TOOL_REACTIONS = frozenset({"+1", "confused"})  # the tool's last write on a command comment


def commands_in(state: IncidentState, comment: Comment) -> list[CommandLine]:
    """A comment's commands as posted: a later edit is not a new command, and the cache never supplies one.

    What was posted is the comment's text while it is unedited, the text before an edit when this run's event
    tells it, or what the tool's own records say was applied (an applied record, or the messages it posted).
    """
    recorded = state.applied.get(comment.id)
    if recorded is not None:
        return [CommandLine(c.name, c.args, c.args or "(posted)", 0) for c in recorded]
    if state.history.was_deleted(comment.id):
        if not state.answered(comment.id):
            return []  # deleted before the tool saw it: taken back, not applied
        state.to_record.add(comment.id)
        return find_commands(comment.body)
    before = _before_edit(state, comment)
    if before is not None:
        state.to_record.add(comment.id)
        return find_commands(before)
    if comment.id in state.restored:
        return state.restored[comment.id]
    if comment.updated_at - comment.created_at <= EDIT_GRACE:
        return find_commands(comment.body)
    names = [ANSWERS_OF[k] for k in ANSWERS_OF if answered_by(state, k, comment.id)]
    if state.answered(comment.id) and not names and state.keyed(keys.answer(Kind.REPLY, comment.id)) is None:
        # Done, then edited, and no record of the tool's says what it held: its edit's own run records it.
        state.unsettled_edits.add(comment.id)
    return [CommandLine(name, "", "(posted)", 0) for name in names]


def _before_edit(state: IncidentState, comment: Comment) -> str | None:
    """The text a done command comment had before its edit, when this run's event tells it."""
    if comment.id in state.restored or comment.updated_at - comment.created_at <= EDIT_GRACE:
        return None
    if not state.answered(comment.id):
        return None  # not done before the edit: the edited text is not what anyone applied
    return state.history.text_before_edit(comment.id)


def refused_in(state: IncidentState, comment: Comment) -> frozenset[int]:
    """Which of the commands `commands_in` gives were refused when they were answered (by position)."""
    recorded = state.applied.get(comment.id)
    if recorded is not None:
        return frozenset(index for index, command in enumerate(recorded) if not command.accepted)
    posted = comment.updated_at - comment.created_at <= EDIT_GRACE and comment.id not in state.restored
    if posted or _before_edit(state, comment) is not None:
        return state.refused.get(comment.id, frozenset())  # the posted text: its reply's record counts
    return frozenset()  # rebuilt from posted messages: each of them was applied


def _vouched(state: IncidentState, comment: Comment) -> bool:
    """Whether the tool's own records show the comment's author acting for the team in this incident.

    Only then does the cache's list of finished comments stand for a team verdict: anyone can react to a
    comment, and whoever can edit the cache could name anyone.
    """
    login = comment.author.login.casefold()
    record = state.declaration
    return login in state.vouched or (record is not None and record.by.casefold() == login)


def verdict(state: IncidentState, comment: Comment, is_team: IsTeam) -> bool:
    """Whether the comment's author was on the team, from the tool's records and reactions, or GitHub.

    A posted update, resolution, closing or applied record says the tool took the command from a team member;
    so does the tool's own answer on the comment (it never reacts to someone outside the team), believed
    without a read only for someone the records vouch for. Otherwise GitHub is asked.
    """
    if comment.id > 0:
        recorded = comment.id in state.applied
        if recorded or any(answered_by(state, kind, comment.id) for kind in ANSWERS_OF):
            state.verdicts[comment.id] = True
            return True
        if state.answered(comment.id) and _vouched(state, comment):
            state.verdicts[comment.id] = True
            return True
        login = comment.author.login.casefold()
        outside = login in state.recorded_outsiders and comment.id <= state.cache.judged_outside.get(login, 0)
        if outside and not _vouched(state, comment):  # the cache counts only where a reply said so
            state.verdicts[comment.id] = False
            return False
    if comment.id not in state.verdicts:
        state.verdicts[comment.id] = is_team(comment)
    return state.verdicts[comment.id]
