"""What PagerDuty said that the incident has not heard yet: the records that carry it in as commands.

An acknowledgement by someone `users` maps makes them Incident Commander (once: a later `/commander` wins); a
resolution resolves the GitHub incident with a message naming PagerDuty. Each is one keyed reply of the
tool's, recording the command it stands for; the fold applies it as a team member's comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from incident_ops.core.actions import PostComment
from incident_ops.core.comments import keys
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.comments.records import AppliedCommand, applied_fact, source_fact
from incident_ops.core.context import Context
from incident_ops.core.state import IncidentState

ACKNOWLEDGED = keys.pagerduty("acknowledged")
RESOLVED = keys.pagerduty("resolved")


def pagerduty_records(state: IncidentState, ctx: Context) -> Iterator[PostComment]:
    """The records PagerDuty's news owes the incident now (none without a read of PagerDuty in this run)."""
    incident = state.pagerduty_now
    sync = ctx.config.integrations.pagerduty.sync if ctx.config.integrations.pagerduty else None
    if incident is None or sync is None or state.closed:
        return
    if state.keyed(ACKNOWLEDGED) is None and not state.resolved:
        acknowledged = next(
            ((login, ack.at) for ack in incident.acknowledgements if (login := sync.login_of(ack.email))),
            None,
        )
        if acknowledged is not None:
            login, at = acknowledged
            line = (
                f"@{login} acknowledged PagerDuty incident {incident.link} and is the Incident Commander now "
                "(a later `/commander` hands over)."
            )
            yield _record(
                state, ctx, ACKNOWLEDGED, AppliedCommand("commander", f"@{login}", True), login, at, line
            )
    # A resolution since the incident was last (re)opened on GitHub; one before a /reopen is history.
    since = state.reopened_at or state.declared_at
    later = incident.resolved_at is None or since is None or incident.resolved_at >= since
    if incident.status == "resolved" and later and not state.resolved and state.keyed(RESOLVED) is None:
        by = sync.login_of(incident.resolved_by)  # nobody mapped: the tool, which speaks for PagerDuty
        text = f"Resolved in PagerDuty (incident #{incident.number})."
        line = f"PagerDuty incident {incident.link} was resolved in PagerDuty: so is this incident."
        at = incident.resolved_at or ctx.now
        yield _record(state, ctx, RESOLVED, AppliedCommand("resolved", text, True), by, at, line)


def _record(
    state: IncidentState,
    ctx: Context,
    key: keys.Key,
    command: AppliedCommand,
    by: str | None,
    at: datetime,
    line: str,
) -> PostComment:
    """A keyed reply recording one command PagerDuty stands for, by `by` at `at`."""
    by = by or state.history.issue.author.login  # nobody mapped: the tool, which opened the issue
    facts = {"applied": applied_fact([command]), "source": source_fact(by, at)}
    author = "" if by.endswith("[bot]") else by  # a person is addressed; the tool is not
    body = ctx.renderer.render(Kind.REPLY, key, facts, author=author, lines=[line], help="")
    return PostComment(Kind.REPLY, key, body)
