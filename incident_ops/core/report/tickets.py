"""FreshDesk ticket references (`123`, `#123` or a ticket URL), read alike wherever they are written."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_DIGITS = re.compile(r"[0-9]+")
_TICKET_PATHS = (("a", "tickets"), ("helpdesk", "tickets"), ("support", "tickets"))


def ticket_id(text: str) -> str | None:
    """The ticket number `text` names, without leading zeros; None when it names no ticket."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    candidate = _from_url(text) if "/" in text else text.removeprefix("#")
    if candidate is None or not _DIGITS.fullmatch(candidate) or int(candidate) == 0:
        return None
    return str(int(candidate))


def _from_url(text: str) -> str | None:
    """The last path segment of a FreshDesk ticket URL (agent, helpdesk or portal), or None."""
    try:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    segments = tuple(segment for segment in parts.path.split("/") if segment)
    if len(segments) == 3 and segments[:2] in _TICKET_PATHS:
        return segments[2]
    return None
