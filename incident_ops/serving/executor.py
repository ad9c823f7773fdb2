"""The executor: makes each decided write at most once against the GitHub port, or only prints it."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from incident_ops.core.actions import (
    Action,
    AddLabel,
    Assign,
    CloseIssue,
    DeleteComment,
    EditComment,
    OpenFollowUp,
    PostComment,
    React,
    RemoveLabel,
    ReopenIssue,
    Unassign,
    describe,
    needed,
)
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.follow_ups import follow_up_of
from incident_ops.core.model import DEFAULT_TOOL_LOGIN, Comment, Issue, IssueHistory, User
from incident_ops.github.port import GitHubFailure, GitHubPort
from incident_ops.serving.open_issues import open_once


def _refused(failure: GitHubFailure) -> bool:
    """A 4xx answer other than a rate limit or a missing issue: retrying the same write cannot help."""
    # 401/403 mean the token cannot write at all: that stops the run (exit 3), it is not one refusal.
    return (
        failure.status is not None
        and 400 <= failure.status < 500
        and failure.status not in (401, 403, 404, 429)
    )


DRY_RUN_IDS = 10**15  # comments a dry run only imagines get ids no GitHub comment has
FOLLOW_UP_COLOR = "0e8a16"  # the follow-up label's colour, when the tool creates it
HIDDEN = re.compile(r"<!--.*?-->\n?", re.DOTALL)


class Executor:
    """Makes the decided writes against the port, skipping what is already there; or only prints them.

    A dry run prints each write and carries on as if it had been made, so that it also shows what follows from
    it (the status comment's edit, the messages to chat, the ticket and the pager).
    """

    def __init__(
        self, port: GitHubPort, number: int, dry_run: bool, say: Callable[[str], None], now: datetime
    ) -> None:
        self._port = port
        self._number = number
        self._dry_run = dry_run
        self._say = say
        self._now = now
        self.done: list[str] = []
        self.posted: list[Comment] = []
        self.refused: list[str] = []
        self.closed_issue = False
        self.history: IssueHistory | None = None  # as far as the writes got, should one fail
        self.opened: list[int] = []  # follow-up issues opened
        self._labels_checked = False

    def run(self, actions: list[Action], history: IssueHistory) -> IssueHistory:
        """Execute actions in order; returns the history as it now stands on GitHub."""
        for action in actions:
            if not needed(action, history):
                continue
            line = describe(action)
            if self._dry_run:
                self._say(f"[dry run] #{self._number}: would {line}{_text_of(action)}")
                self.done.append(f"would {line}")
                history = self._imagine(action, history)
                continue
            try:
                history = self._apply(action, history)
                self.history = history
            except GitHubFailure as failure:
                if not _refused(failure):
                    raise
                # GitHub will refuse this every time: say so, and serve the rest of the incident.
                self.refused.append(f"GitHub refused to {line}: {failure}")
                continue
            self.done.append(line)
        return history

    def _open_follow_up(self, action: OpenFollowUp, history: IssueHistory) -> None:
        """Open a follow-up issue (its label created when missing), assigned to the login its item names."""
        if not self._labels_checked:
            self._port.ensure_label(action.label, FOLLOW_UP_COLOR, "An action that follows up an incident")
            self._labels_checked = True

        def same(issue: Issue) -> bool:
            found = follow_up_of(issue)
            return found is not None and found.incident == self._number and found.item_key == action.item_key

        since = history.issue.created_at
        opened = open_once(self._port, action.title, action.body, action.label, same, since, self._say)
        if opened is None:
            return
        self.opened.append(opened.number)
        if action.assignee and not self._port.add_assignees(opened.number, [action.assignee]):
            self.refused.append(f"GitHub did not assign @{action.assignee} to #{opened.number}")

    def _imagine(self, action: Action, history: IssueHistory) -> IssueHistory:
        """The history as it would be after a write a dry run only prints."""
        issue = history.issue
        match action:
            case PostComment(body=body):
                bot = User(DEFAULT_TOOL_LOGIN, "Bot", tool=True)
                comment = Comment(DRY_RUN_IDS + len(self.posted), bot, body, self._now, self._now)
                self.posted.append(comment)
                return replace(history, comments=(*history.comments, comment))
            case EditComment(comment_id=cid, body=body):
                comments = tuple(replace(c, body=body) if c.id == cid else c for c in history.comments)
                return replace(history, comments=comments)
            case DeleteComment(comment_id=cid):
                return replace(history, comments=tuple(c for c in history.comments if c.id != cid))
            case AddLabel(label=label):
                issue = replace(issue, labels=(*issue.labels, label))
            case RemoveLabel(label=label):
                issue = replace(
                    issue, labels=tuple(x for x in issue.labels if x.casefold() != label.casefold())
                )
            case Assign(login=login):
                issue = replace(issue, assignees=(*issue.assignees, login))
            case Unassign(login=login):
                kept = tuple(x for x in issue.assignees if x.casefold() != login.casefold())
                issue = replace(issue, assignees=kept)
            case CloseIssue(reason=reason):
                issue = replace(issue, state="closed", state_reason=reason, closed_at=self._now)
            case ReopenIssue():
                issue = replace(issue, state="open", state_reason=None, closed_at=None)
            case React(comment_id=cid, content=content):
                comments = tuple(
                    replace(c, reactions=c.reactions | {content}) if c.id == cid else c
                    for c in history.comments
                )
                known = history.tool_reacted
                reacted = known | {cid} if known is not None else None
                return replace(history, comments=comments, tool_reacted=reacted)
        return replace(history, issue=issue)

    def _apply(self, action: Action, history: IssueHistory) -> IssueHistory:
        """One write, and its effect on the local copy of the history."""
        port, number, issue = self._port, self._number, history.issue
        match action:
            case PostComment(key=key, body=body):
                comment = port.create_comment(number, body, str(key))
                self.posted.append(comment)
                return replace(history, comments=(*history.comments, comment))
            case EditComment(comment_id=cid, body=body):
                port.edit_comment(cid, body)
                comments = tuple(replace(c, body=body) if c.id == cid else c for c in history.comments)
                return replace(history, comments=comments)
            case DeleteComment(comment_id=cid):
                port.delete_comment(cid)
                return replace(history, comments=tuple(c for c in history.comments if c.id != cid))
            case AddLabel(label=label):
                port.add_labels(number, [label])
                issue = replace(issue, labels=(*issue.labels, label))
            case RemoveLabel(label=label):
                port.remove_label(number, label)
                kept = tuple(x for x in issue.labels if x.casefold() != label.casefold())
                issue = replace(issue, labels=kept)
            case Assign(login=login):
                assignees = port.add_assignees(number, [login])
                if not any(a.casefold() == login.casefold() for a in assignees):
                    self.refused.append(f"GitHub did not assign @{login}: they cannot be assigned here")
                issue = replace(issue, assignees=assignees)
            case ReopenIssue():
                issue = port.reopen_issue(number)
            case Unassign(login=login):
                port.remove_assignees(number, [login])
                kept = tuple(x for x in issue.assignees if x.casefold() != login.casefold())
                issue = replace(issue, assignees=kept)
            case CloseIssue(reason=reason):
                closed = port.close_issue(number, reason)
                self.closed_issue = True
                issue = replace(issue, state="closed", state_reason=reason, closed_at=closed.closed_at)
            case OpenFollowUp():
                self._open_follow_up(action, history)
            case React(comment_id=cid, content=content):
                port.add_reaction(cid, content)
                comments = tuple(
                    replace(c, reactions=c.reactions | {content}) if c.id == cid else c
                    for c in history.comments
                )
                known = history.tool_reacted
                reacted = known | {cid} if known is not None else None
                return replace(history, issue=issue, comments=comments, tool_reacted=reacted)
        return replace(history, issue=issue)


def _text_of(action: Action) -> str:
    """What a message would say, for a dry run: its text without the hidden lines, set off below."""
    if not isinstance(action, PostComment) or action.kind == Kind.STATUS:
        return ""
    text = HIDDEN.sub("", action.body).strip()
    return "\n" + textwrap.indent(text, "    │ ", predicate=lambda _: True) if text else ""
