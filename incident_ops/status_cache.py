"""The small cache kept hidden in the status comment: what earlier runs already established."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

_CACHE = re.compile(r"<!-- incident-ops-cache:(?P<json>\{.*?\}) -->", re.DOTALL)


@dataclass(frozen=True)
class StatusCache:
    """Declaration, team verdicts, the last command handled, undelivered integration messages."""

    declared_at: datetime | None = None
    declared_by: str | None = None
    cursor: int = 0
    verdicts: dict[int, bool] = field(default_factory=dict)
    pending: tuple[str, ...] = ()
    ticket_reply_for: str | None = None
    closed_at: str | None = None


def read_cache(body: str | None) -> StatusCache:
    """The cache in a status comment; an absent or damaged cache is empty (everything is re-read)."""
    found = _CACHE.search(body or "")
    if found is None:
        return StatusCache()
    try:
        data = json.loads(found["json"])
        declared = data.get("declared_at")
        return StatusCache(
            declared_at=datetime.fromisoformat(declared) if declared else None,
            declared_by=data.get("declared_by"),
            cursor=int(data.get("cursor", 0)),
            verdicts={int(k): bool(v) for k, v in (data.get("verdicts") or {}).items()},
            pending=tuple(str(p) for p in data.get("pending") or ()),
            ticket_reply_for=data.get("ticket_reply_for"),
            closed_at=data.get("closed_at"),
        )
    except (ValueError, TypeError, AttributeError):
        return StatusCache()


def write_cache(cache: StatusCache) -> str:
    """The hidden line carrying the cache (logins and numbers only, so it cannot end the comment)."""
    data = {
        "declared_at": cache.declared_at.isoformat() if cache.declared_at else None,
        "declared_by": cache.declared_by,
        "cursor": cache.cursor,
        "verdicts": {str(k): v for k, v in sorted(cache.verdicts.items())},
        "pending": list(cache.pending),
        "ticket_reply_for": cache.ticket_reply_for,
        "closed_at": cache.closed_at,
    }
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return f"<!-- incident-ops-cache:{text.replace('--', '- -')} -->"
