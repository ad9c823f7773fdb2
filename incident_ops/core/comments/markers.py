"""The hidden markers that identify the tool's own comments and the key each one answers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta

from incident_ops.core.comments.kinds import KINDS, Kind
from incident_ops.core.model import Comment

_MARKER = re.compile(r"<!-- incident-ops:(?P<kind>[a-z-]+) -->")
_KEY = re.compile(r"<!-- incident-ops-key:(?P<key>[^\s>]+) -->")
# Facts a keyed comment records about what it answers: the record of what was applied, read by later runs.
FACTS = ("to", "source", "refused", "declared", "applied", "outside")
# The tool never edits its comments but the status comment: one edited since is no record any more.
EDITED_AFTER = timedelta(0)
_FACT = re.compile(rf"<!-- incident-ops-(?P<name>{'|'.join(FACTS)}):(?P<value>[^\s<>]{{1,3000}}) -->")


@dataclass(frozen=True)
class Marker:
    """What a marked comment is (its kind), which source it answers (its key), and what it records."""

    kind: str
    key: str
    facts: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def to(self) -> str | None:
        """Whom a reply answers, when it says."""
        return self.facts.get("to")


def marker_lines(kind: str, key: str, **facts: str | None) -> str:
    """The hidden lines a comment of `kind` answering `key` carries, with the facts it records."""
    if kind not in KINDS:
        raise ValueError(f"unknown comment kind {kind!r}")
    lines = [f"<!-- incident-ops:{kind} -->", f"<!-- incident-ops-key:{key} -->"]
    for name, value in facts.items():
        if name not in FACTS:
            raise ValueError(f"unknown marker fact {name!r}")
        if value:
            lines.append(f"<!-- incident-ops-{name}:{value} -->")
    return "\n".join(lines)


def comment_marker(comment: Comment) -> Marker | None:
    """The marker of one of the tool's comments; a person's comment never counts, markers or not."""
    # Anyone can paste a marker into a comment, and other bots may repeat people's text: only the
    # tool's own account is trusted, and only with the marker opening the comment.
    if not comment.author.is_tool or not comment.body.lstrip().startswith("<!-- incident-ops:"):
        return None
    marker = read_marker(comment.body)
    if (
        marker is not None
        and marker.kind != Kind.STATUS
        and comment.updated_at - comment.created_at > EDITED_AFTER
    ):
        return replace(marker, facts={})  # someone edited it by hand: what it records is not believed
    return marker


def read_marker(body: str | None) -> Marker | None:
    """The marker of a comment body, or None for a human's comment."""
    if not body:
        return None
    kind = _MARKER.search(body)
    if kind is None or kind["kind"] not in KINDS:
        return None
    key = _KEY.search(body)
    # Only the hidden lines the tool wrote at the top count: the comment's text is people's.
    facts = {}
    for line in _hidden_head(body.lstrip()):
        fact = _FACT.fullmatch(line)
        if fact is not None:
            facts[fact["name"]] = fact["value"]
    return Marker(kind["kind"], key["key"] if key else kind["kind"], facts)


def _hidden_head(text: str) -> Iterator[str]:
    """The hidden lines opening a comment, up to its first other line (the rest is never split)."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        line = (text[start:] if end < 0 else text[start:end]).rstrip("\r")
        if not line.startswith("<!-- incident-ops"):
            return
        yield line
        if end < 0:
            return
        start = end + 1
