"""`/follow-ups`: one issue per unticked, unlinked task item of the report's follow-ups section, then a reply.

The issues come first; once every item has one (this run's or an earlier one's, see `matching`), the reply
links each item to its issue. Until then the command is not done, so a run that stops halfway is finished by
the next.
"""

from __future__ import annotations

from collections.abc import Iterator

from incident_ops.core.actions import Action, OpenFollowUp, PostComment
from incident_ops.core.comments.keys import Key
from incident_ops.core.comments.kinds import Kind
from incident_ops.core.context import Context
from incident_ops.core.follow_ups import MAX_ITEM, FollowUp, Item, follow_up_line, items_in, matching
from incident_ops.core.state import IncidentState, Outcome
from incident_ops.core.text.relay import defuse

FOLLOW_UPS = "follow-ups"  # the key family of the reply that answers a /follow-ups
MAX_FOLLOW_UPS = 30  # follow-up issues of one incident, at most: however long a report gets
MAX_TITLE = 256


def reply_key(comment_id: int) -> Key:
    """The key of the reply listing a /follow-ups' issues."""
    return Key(FOLLOW_UPS, str(comment_id))


def follow_ups(state: IncidentState, ctx: Context, outcome: Outcome) -> Iterator[Action]:
    """The issues still missing for the section's items, or, once none is, the reply that lists them all."""
    comment = outcome.comment
    key = reply_key(comment.id)
    if state.keyed(key) is not None or state.follow_ups is None:
        return
    section, label = ctx.config.follow_ups.section, ctx.config.follow_ups.label
    if section is None:
        lines = [
            "`/follow-ups` needs `follow_ups.section` in the config: the report heading whose items it opens."
        ]
        yield _reply(ctx, key, comment.author.login, lines)
        return
    items = items_in(state.history.issue.body, section)
    # Ticked and linked items keep the issues opened for them, so a new item alike cannot take one.
    found = matching(items, list(state.follow_ups))
    wanted = [index for index, item in enumerate(items) if item.wanted]
    room = max(MAX_FOLLOW_UPS - len(state.follow_ups), 0)
    missing = [items[index] for index in wanted if index not in found][:room]
    if missing:
        assign = state.author_on_team  # in a report someone outside the team wrote, nobody is assigned
        for item in missing:
            yield _open(state, item, label, comment.author.login, assign)
        return
    listed = [(items[index], found.get(index)) for index in wanted]
    yield _reply(ctx, key, comment.author.login, _listing(listed, section))


def _open(state: IncidentState, item: Item, label: str, by: str, assign: bool) -> OpenFollowUp:
    """The issue of one item: titled with it, its body linking the incident and quoting the item."""
    issue = state.history.issue
    title = " ".join(item.text.split())[:MAX_TITLE]
    # No markup of the item's reaches the tool's own issue: a hidden line in it would read as the tool's.
    shown = defuse(item.text[: MAX_ITEM * 10]).replace("<", "&lt;")
    quoted = "\n".join(f"> {line}" for line in shown.splitlines())
    body = (
        f"{follow_up_line(issue.number, item)}\n"
        f"A follow-up action of incident #{issue.number}, from its report:\n\n{quoted}\n\n"
        f"Opened by @{by}'s `/follow-ups`. Close this issue when the action is done, and tick its item in "
        "the incident's report."
    )
    return OpenFollowUp(item.key, title, body, label, item.assignee if assign else None)


def _listing(listed: list[tuple[Item, FollowUp | None]], section: str) -> list[str]:
    """One line per item with its issue (items past the limit wait for the next `/follow-ups`)."""
    where = defuse(section)
    if not listed:
        return [f"The report's *{where}* has no unticked task item without a linked issue: nothing to open."]
    lines = [f"Follow-up issues for the report's *{where}*:"]
    for item, follow_up in listed:
        issue = (
            f"#{follow_up.number}" if follow_up else f"not opened (an incident has {MAX_FOLLOW_UPS} at most)"
        )
        lines.append(f"- {defuse(' '.join(item.text.split())).replace('`', chr(39))} → {issue}")
    return lines


def _reply(ctx: Context, key: Key, to: str, lines: list[str]) -> PostComment:
    """The reply that answers the command."""
    return PostComment(
        Kind.REPLY, key, ctx.renderer.render(Kind.REPLY, key, {"to": to}, author=to, lines=lines, help="")
    )
