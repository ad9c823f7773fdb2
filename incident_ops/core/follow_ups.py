"""Follow-up actions: the unticked task items of the follow-ups section, and the issues opened for them.

A follow-up issue carries a hidden line naming its incident and the item it was opened for; it counts only in
an issue the tool's own account opened. An item is the same as one that has an issue when it links that issue,
or when its words are mostly the same (`SAME_ITEM` alike, as difflib measures): fixing a typo or adding a
detail opens nothing new, a rewritten item is a new action.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, unquote

from incident_ops import lazy
from incident_ops.core.model import Issue
from incident_ops.core.report.check import blocks_under

SAME_ITEM = 0.6  # how alike (0 to 1) an item's words must be to an opened one's to count as the same item
MAX_ITEM = 300  # characters of an item kept in its issue's hidden line
LINE = re.compile(
    r"<!-- incident-ops-follow-up:(?P<incident>\d{1,9}) (?P<item>[0-9a-f]{12}) (?P<text>\S{0,1000}) -->"
)
LINKED = re.compile(r"(?:^|[\s(])#\d+\b|https://github\.com/[^/\s]+/[^/\s]+/issues/\d+")
MENTION = re.compile(r"(?<![\w/`])@(?P<login>[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38})(?![\w/-])")


@dataclass(frozen=True)
class Item:
    """One task item of the follow-ups section, as the body has it now."""

    text: str
    linked: bool  # it already links an issue
    ticked: bool = False

    @property
    def wanted(self) -> bool:
        """Whether it still asks for an issue: unticked, and linking none."""
        return not self.ticked and not self.linked

    @property
    def key(self) -> str:
        """What tells two runs' copies of the same item apart from other items: a digest of its words."""
        return hashlib.sha256(normal(self.text).encode("utf-8")).hexdigest()[:12]

    @property
    def assignee(self) -> str | None:
        """The first @login the item names, if any."""
        found = MENTION.search(self.text)
        return found["login"] if found else None


@dataclass(frozen=True)
class FollowUp:
    """An issue the tool opened for an item of an incident's follow-ups section."""

    number: int
    incident: int
    item_key: str
    item: str  # the item's words when its issue was opened
    open: bool
    html_url: str
    title: str
    opened_at: datetime
    closed_at: datetime | None = None


def follow_up_of(issue: Issue) -> FollowUp | None:
    """The follow-up an issue the tool opened stands for, by the line its body starts with; None for anyone
    else's issue."""
    if not issue.author.is_tool:
        return None
    found = LINE.match(issue.body or "")
    if found is None:
        return None
    return FollowUp(
        issue.number,
        int(found["incident"]),
        found["item"],
        unquote(found["text"]),
        issue.state == "open",
        issue.html_url,
        issue.title,
        issue.created_at,
        issue.closed_at,
    )


def follow_up_line(incident: int, item: Item) -> str:
    """The hidden line a follow-up issue keeps: its incident, the item's key and words."""
    return f"<!-- incident-ops-follow-up:{incident} {item.key} {quote(item.text[:MAX_ITEM], safe='')} -->"


def normal(text: str) -> str:
    """An item's words for comparing: case, spacing and punctuation ignored."""
    return " ".join(re.sub(r"[^\w@#]+", " ", text.casefold()).split())


def matching(items: list[Item], opened: list[FollowUp]) -> dict[int, FollowUp]:
    """Which item (by index) each opened follow-up stands for: same key first, then the most alike words."""
    difflib = lazy.load("difflib")
    found: dict[int, FollowUp] = {}
    left = list(opened)
    for index, item in enumerate(items):
        same = next((f for f in left if f.item_key == item.key), None)
        if same is not None:
            found[index] = same
            left.remove(same)
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, normal(item.text), normal(f.item)).ratio(), index, f.number)
            for index, item in enumerate(items)
            if index not in found
            for f in left
        ),
        reverse=True,
    )
    for ratio, index, number in scored:
        follow_up = next((f for f in left if f.number == number), None)
        if ratio < SAME_ITEM or index in found or follow_up is None:
            continue
        found[index] = follow_up
        left.remove(follow_up)
    return found


def items_in(body: str | None, section: str) -> list[Item]:
    """The task items of the body's section `section` (its heading, case ignored), in order; of several with
    the same words (`Item.key`), the first."""
    items: list[Item] = []
    for block in blocks_under(body, section):
        if block.kind == "task":
            text = " ".join(" ".join(block.lines).split())
            item = Item(text, bool(LINKED.search(text)), block.ticked)
            if text and all(other.key != item.key for other in items):
                items.append(item)
    return items
