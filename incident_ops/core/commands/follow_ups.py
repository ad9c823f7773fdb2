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
MAX_ITEMS = 50  # follow-up issues one /follow-ups opens at most
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
    items = [item for item in items_in(state.history.issue.body, section) if not item.linked][:MAX_ITEMS]
    found = matching(items, list(state.follow_ups))
    missing = [item for index, item in enumerate(items) if index not in found]
    if missing:
        for item in missing:
            yield _open(state, item, label, comment.author.login)
        return
    yield _reply(ctx, key, comment.author.login, _listing(items, found, section))


def _open(state: IncidentState, item: Item, label: str, by: str) -> OpenFollowUp:
    """The issue of one item: titled with it, its body linking the incident and quoting the item."""
    issue = state.history.issue
    title = " ".join(item.text.split())[:MAX_TITLE]
    quoted = "\n".join(f"> {line}" for line in defuse(item.text[: MAX_ITEM * 10]).splitlines())
    body = (
        f"{follow_up_line(issue.number, item)}\n"
        f"A follow-up action of incident #{issue.number}, from its report:\n\n{quoted}\n\n"
        f"Opened by @{by}'s `/follow-ups`. Close this issue when the action is done, and tick its item in "
        "the incident's report."
    )
    return OpenFollowUp(item.key, title, body, label, item.assignee)


def _listing(items: list[Item], found: dict[int, FollowUp], section: str) -> list[str]:
    """One line per item with its issue; a word when there is nothing to open."""
    if not items:
        where = defuse(section)
        return [f"The report's *{where}* has no unticked task item without a linked issue: nothing to open."]
    lines = [f"Follow-up issues for the report's *{defuse(section)}*:"]
    lines += [f"- {defuse(item.text)} → #{found[index].number}" for index, item in enumerate(items)]
    return lines


def _reply(ctx: Context, key: Key, to: str, lines: list[str]) -> PostComment:
    """The reply that answers the command."""
    return PostComment(
        Kind.REPLY, key, ctx.renderer.render(Kind.REPLY, key, {"to": to}, author=to, lines=lines, help="")
    )
