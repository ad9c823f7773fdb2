"""The hidden markers that identify the tool's own comments and the key each one answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from incident_ops.model import Comment

KINDS = (
    "status",
    "acknowledgement",
    "escalation",
    "update-reminder",
    "update",
    "resolution",
    "report-reminder",
    "closing",
    "reply",
)

_MARKER = re.compile(r"<!-- incident-ops:(?P<kind>[a-z-]+) -->")
_KEY = re.compile(r"<!-- incident-ops-key:(?P<key>[^\s>]+) -->")
_TO = re.compile(r"<!-- incident-ops-to:(?P<login>[A-Za-z0-9-]{1,39}) -->")


@dataclass(frozen=True)
class Marker:
    """What a marked comment is (its kind) and which source it answers (its key)."""

    kind: str
    key: str
    to: str | None = None  # whom a reply answers, when it says


def marker_lines(kind: str, key: str, to: str | None = None) -> str:
    """The hidden lines a comment of `kind` answering `key` (and addressed `to` someone) carries."""
    if kind not in KINDS:
        raise ValueError(f"unknown comment kind {kind!r}")
    lines = f"<!-- incident-ops:{kind} -->\n<!-- incident-ops-key:{key} -->"
    return lines + (f"\n<!-- incident-ops-to:{to} -->" if to else "")


def comment_marker(comment: Comment) -> Marker | None:
    """The marker of one of the tool's comments; a person's comment never counts, markers or not."""
    # Anyone can paste a marker into a comment, and other bots may repeat people's text: only the
    # tool's own account is trusted, and only with the marker opening the comment.
    if not comment.author.is_tool or not comment.body.lstrip().startswith("<!-- incident-ops:"):
        return None
    return read_marker(comment.body)


def read_marker(body: str | None) -> Marker | None:
    """The marker of a comment body, or None for a human's comment."""
    if not body:
        return None
    kind = _MARKER.search(body)
    if kind is None or kind["kind"] not in KINDS:
        return None
    key, to = _KEY.search(body), _TO.search(body)
    return Marker(kind["kind"], key["key"] if key else kind["kind"], to["login"] if to else None)
