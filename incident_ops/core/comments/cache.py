"""The cache kept hidden in the status comment: it only saves reads and work.

It never supplies a command, a team verdict or a delivery: those come from people's comments, GitHub's
answers and the tool's own records and reactions. What it holds is checked before use, and a missing, cut,
damaged or implausible cache is dropped whole (the run says so in a warning) and the run reads more.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from incident_ops.core.report.body import BodyCheck, body_check_data, body_check_from

_CACHE = re.compile(r"<!-- incident-ops-cache:(?P<json>\{.*?\}) -->", re.DOTALL)
_OPENING = "<!-- incident-ops-cache:"
_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:\[bot\])?")
_HEX = re.compile(r"[0-9a-f]{8,64}")
MAX_DONE = 400  # finished command comments remembered (older ones cost a read of their reactions)
MAX_OUTSIDERS = 200  # people outside the team remembered per incident, about 55 characters each


class CacheProblem(ValueError):
    """The cache is damaged or implausible; the message says what is wrong with it."""


@dataclass(frozen=True)
class StatusCache:
    """Report time, the command comments the tool finished, outsiders seen, the body check, render digests."""

    issue: int | None = None  # the issue it was written for: a cache copied from another is not believed
    reported_at: datetime | None = None
    reported_by: str | None = None
    done: tuple[int, ...] = ()  # command comments the tool finished (its reaction on them)
    # login → the newest of their command comments judged to be from outside the team (saves re-asking)
    judged_outside: dict[str, int] = field(default_factory=dict)
    view: str | None = None  # digest of what the comment shows (the data it was drawn from)
    style: str | None = None  # the renderer's fingerprint: its rendering version and custom templates
    shown: str | None = None  # digest of the comment's text outside this cache line, as written
    body: BodyCheck | None = None  # the issue body's last check, reused while body and template are unchanged


def read_cache(body: str | None) -> StatusCache:
    """The cache in a status comment; empty when there is none or it is damaged."""
    return parse_cache(body)[0]


def parse_cache(body: str | None) -> tuple[StatusCache, str | None]:
    """The cache in a status comment, and what was wrong with it when it had to be dropped."""
    if not body:
        return StatusCache(), None
    found = _CACHE.search(body)
    if found is None:
        return StatusCache(), (
            "it has no hidden cache" if _OPENING not in body else "its hidden cache is cut"
        )
    try:
        return _from_data(json.loads(found["json"])), None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        return StatusCache(), f"its hidden cache is damaged ({str(error)[:120]})"


def _from_data(data: object) -> StatusCache:
    """The cache from its JSON, every field checked."""
    if not isinstance(data, dict):
        raise CacheProblem("not an object")
    reported = data.get("reported_at")
    return StatusCache(
        issue=_comment_id(str(data["issue"])) if isinstance(data.get("issue"), int) else None,
        reported_at=_instant(reported) if reported is not None else None,
        reported_by=_login(data["reported_by"]) if reported is not None else None,
        done=_done(data.get("done")),
        judged_outside={
            _login(k): _comment_id(v if isinstance(v, str) else "")
            for k, v in _dict(data.get("outsiders")).items()
        },
        view=_hex_or_none(data.get("view")),
        style=_hex_or_none(data.get("style")),
        shown=_hex_or_none(data.get("shown")),
        body=body_check_from(data.get("body")),
    )


def write_cache(cache: StatusCache) -> str:
    """The hidden line carrying the cache (escaped, so it cannot end the comment).

    It stays far below GitHub's comment limit whatever people write: it holds ids, logins and digests only.
    """
    data: dict[str, object] = {
        "outsiders": {
            k: str(v) for k, v in sorted(cache.judged_outside.items(), key=lambda kv: -kv[1])[:MAX_OUTSIDERS]
        },
        "done": list(cache.done)[-MAX_DONE:],
    }
    if cache.issue is not None:
        data["issue"] = cache.issue
    if cache.reported_at is not None:
        data["reported_at"], data["reported_by"] = cache.reported_at.isoformat(), cache.reported_by
    if cache.body is not None:
        data["body"] = body_check_data(cache.body)
    if cache.view is not None:
        data["view"] = cache.view
    if cache.style is not None:
        data["style"] = cache.style
    if cache.shown is not None:
        data["shown"] = cache.shown
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    # With < and > escaped nothing in it can ever end the hidden comment.
    return _OPENING + text.replace("<", "\\u003c").replace(">", "\\u003e") + " -->"


def _dict(value: object) -> dict:
    """A JSON object field (absent: empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CacheProblem(f"expected an object, got {type(value).__name__}")
    return value


def _comment_id(key: object) -> int:
    """A comment id: a whole number (0 and -1 stand for the author and the declarer)."""
    if not isinstance(key, str) or not key.lstrip("-").isdigit() or len(key) > 20 or int(key) < -1:
        raise CacheProblem(f"{key!r:.40} is not a comment id")
    return int(key)


def _instant(value: object) -> datetime:
    """A time with its zone."""
    if not isinstance(value, str) or len(value) > 40:
        raise CacheProblem(f"{value!r:.40} is not a time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise CacheProblem(f"{value!r} has no time zone")
    return parsed


def _login(value: object) -> str:
    """A GitHub login."""
    if not isinstance(value, str) or not _LOGIN.fullmatch(value):
        raise CacheProblem(f"{value!r:.40} is not a GitHub login")
    return value


def _hex_or_none(value: object) -> str | None:
    """A digest field."""
    if value is None:
        return None
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise CacheProblem(f"{value!r:.40} is not a digest")
    return value


def _done(value: object) -> tuple[int, ...]:
    """The ids of finished command comments."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_DONE:
        raise CacheProblem("done is not a short list")
    return tuple(_comment_id(str(v)) if isinstance(v, int) else _comment_id(v) for v in value)
