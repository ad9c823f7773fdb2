"""The small cache kept hidden in the status comment: what earlier runs already established."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from incident_ops.body_check import BodyCheck, body_check_data, body_check_from

_CACHE = re.compile(r"<!-- incident-ops-cache:(?P<json>\{.*?\}) -->", re.DOTALL)


MAX_ARGS = 1200  # arguments are a few logins or a ticket number (an /sme names at most 25)


@dataclass(frozen=True)
class AnsweredComment:
    """A command comment as it was answered: when, by whom, and each command with its verdict."""

    at: datetime
    by: str
    commands: tuple[tuple[str, str, bool], ...]


@dataclass(frozen=True)
class StatusCache:
    """Declaration, team verdicts, the last command handled, undelivered integration messages."""

    declared_at: datetime | None = None
    declared_by: str | None = None
    reported_at: datetime | None = None
    reported_by: str | None = None
    cursor: int = 0
    verdicts: dict[int, bool] = field(default_factory=dict)
    pending: tuple[str, ...] = ()
    ticket_reply_for: str | None = None
    closed_at: str | None = None
    answered: dict[int, AnsweredComment] | None = None
    view: str | None = None  # fingerprint of what the comment was rendered from
    shown: str | None = None  # digest of the comment's text outside this cache line, as written
    body: BodyCheck | None = None  # the issue body's last check, reused while body and template are unchanged


def read_cache(body: str | None) -> StatusCache:
    """The cache in a status comment; an absent or damaged cache is empty (everything is re-read)."""
    found = _CACHE.search(body or "")
    if found is None:
        return StatusCache()
    try:
        data = json.loads(found["json"])
        declared, reported = data.get("declared_at"), data.get("reported_at")
        return StatusCache(
            declared_at=datetime.fromisoformat(declared) if declared else None,
            declared_by=data.get("declared_by"),
            reported_at=datetime.fromisoformat(reported) if reported else None,
            reported_by=_text_or_none(data.get("reported_by")),
            cursor=int(data.get("cursor", 0)),
            verdicts={int(k): bool(v) for k, v in (data.get("verdicts") or {}).items()},
            pending=tuple(str(p) for p in data.get("pending") or ()),
            ticket_reply_for=data.get("ticket_reply_for"),
            closed_at=data.get("closed_at"),
            answered=_read_answered(data.get("answered")),
            view=_text_or_none(data.get("view")),
            shown=_text_or_none(data.get("shown")),
            body=body_check_from(data.get("body")),
        )
    except (ValueError, TypeError, AttributeError, KeyError):
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
        "answered": {
            str(cid): {
                "at": a.at.isoformat(),
                "by": a.by,
                "cmds": [[n, x[:MAX_ARGS], ok] for n, x, ok in a.commands],
            }
            for cid, a in sorted((cache.answered or {}).items())
        },
    }
    if cache.reported_at is not None:
        data["reported_at"], data["reported_by"] = cache.reported_at.isoformat(), cache.reported_by
    if cache.body is not None:
        data["body"] = body_check_data(cache.body)
    if cache.view is not None:
        data["view"] = cache.view
    if cache.shown is not None:
        data["shown"] = cache.shown
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    # Command arguments are people's text: with < and > escaped it can never end the hidden comment.
    return "<!-- incident-ops-cache:" + text.replace("<", "\\u003c").replace(">", "\\u003e") + " -->"


def _text_or_none(value: object) -> str | None:
    """A string field of the cache, or None."""
    return value if isinstance(value, str) else None


def _read_answered(raw: object) -> dict[int, AnsweredComment] | None:
    """The answered-command log; None when the cache predates it or it is damaged."""
    if not isinstance(raw, dict):
        return None
    log = {}
    for cid, entry in raw.items():
        commands = tuple((str(n), str(x), bool(ok)) for n, x, ok in entry["cmds"])
        log[int(cid)] = AnsweredComment(datetime.fromisoformat(entry["at"]), str(entry["by"]), commands)
    return log
