"""The memo kept hidden in the status comment: it saves reads and work, and decides nothing.

Everything in it is checked before use, and anything it holds can also be derived from GitHub: a missing,
cut, damaged or implausible memo is dropped whole (the run says so in a warning) and the run reads more.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from incident_ops.core.body_check import BodyCheck, body_check_data, body_check_from
from incident_ops.core.comment_kinds import KINDS

_CACHE = re.compile(r"<!-- incident-ops-cache:(?P<json>\{.*?\}) -->", re.DOTALL)
_OPENING = "<!-- incident-ops-cache:"
_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:\[bot\])?")
_HEX = re.compile(r"[0-9a-f]{8,64}")
# Every delivery step a comment kind can owe (see comment_kinds.py).
STEPS = frozenset(
    {
        "slack",
        "pagerduty",
        "pagerduty-trigger",  # owed by a /reopen, keyed cmd/ID (see integrations/paging.py)
        "pagerduty-acknowledge",  # owed by a /commander
        *(step for spec in KINDS.values() for step in spec.freshdesk),
    }
)

MAX_ARGS = 1200  # arguments are a few logins or a ticket number (an /sme names at most 25)
MAX_ANSWERED = 100  # command comments remembered, newest first: an edit of an older one costs its memory
ANSWERED_BUDGET = 20_000  # characters for all of them: the memo stays far from GitHub's 65,536
MAX_VERDICTS = 500
MAX_DONE = 400  # finished command comments remembered (older ones cost a read of their reactions)
MAX_OUTSIDERS = 200  # people outside the team remembered per incident, about 55 characters each
MAX_ENTRY = 1600  # characters one comment's commands may take in the memo (an /sme of 25 logins is ~1,000)
MAX_PENDING = 40  # undelivered integration steps; more cannot be owed by one incident at once


class CacheProblem(ValueError):
    """The memo is damaged or implausible; the message says what is wrong with it."""


@dataclass(frozen=True)
class AnsweredComment:
    """A team command comment as it was answered: when, by whom, and each command with its verdict."""

    at: datetime
    by: str
    commands: tuple[tuple[str, str, bool], ...]


@dataclass(frozen=True)
class StatusCache:
    """Report time, team verdicts, commands as answered, undelivered integration steps, render digests."""

    issue: int | None = None  # the issue it was written for: a memo copied from another is not believed
    reported_at: datetime | None = None
    reported_by: str | None = None
    verdicts: dict[int, bool] = field(default_factory=dict)
    done: tuple[int, ...] = ()  # command comments the tool finished (its reaction on them)
    pending: tuple[str, ...] = ()
    answered: dict[int, AnsweredComment] = field(default_factory=dict)
    # login → the newest of their command comments judged to be from outside the team (saves re-asking)
    outsiders: dict[str, int] = field(default_factory=dict)
    view: str | None = None  # fingerprint of what the comment was rendered from
    shown: str | None = None  # digest of the comment's text outside this cache line, as written
    body: BodyCheck | None = None  # the issue body's last check, reused while body and template are unchanged


def read_cache(body: str | None) -> StatusCache:
    """The memo in a status comment; empty when there is none or it is damaged."""
    return parse_cache(body)[0]


def parse_cache(body: str | None) -> tuple[StatusCache, str | None]:
    """The memo in a status comment, and what was wrong with it when it had to be dropped."""
    if not body:
        return StatusCache(), None
    found = _CACHE.search(body)
    if found is None:
        return StatusCache(), ("it has no hidden memo" if _OPENING not in body else "its hidden memo is cut")
    try:
        return _from_data(json.loads(found["json"])), None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        return StatusCache(), f"its hidden memo is damaged ({str(error)[:120]})"


def _from_data(data: object) -> StatusCache:
    """The memo from its JSON, every field checked."""
    if not isinstance(data, dict):
        raise CacheProblem("not an object")
    reported = data.get("reported_at")
    return StatusCache(
        issue=_comment_id(str(data["issue"])) if isinstance(data.get("issue"), int) else None,
        reported_at=_instant(reported) if reported is not None else None,
        reported_by=_login(data["reported_by"]) if reported is not None else None,
        verdicts={_comment_id(k): _bool(v) for k, v in _dict(data.get("verdicts")).items()},
        pending=_pending(data.get("pending")),
        done=_done(data.get("done")),
        answered={_comment_id(k): _answered(v) for k, v in _dict(data.get("answered")).items()},
        outsiders={
            _login(k): _comment_id(v if isinstance(v, str) else "")
            for k, v in _dict(data.get("outsiders")).items()
        },
        view=_hex_or_none(data.get("view")),
        shown=_hex_or_none(data.get("shown")),
        body=body_check_from(data.get("body")),
    )


def write_cache(cache: StatusCache) -> str:
    """The hidden line carrying the memo (people's text escaped, so it cannot end the comment).

    It stays far below GitHub's comment limit whatever people write: a comment of many commands is not
    remembered (its text is read again), and the oldest comments are forgotten first.
    """
    answered, room = [], ANSWERED_BUDGET
    for cid, entry in sorted(cache.answered.items(), reverse=True)[:MAX_ANSWERED]:
        size = _entry_size(entry)
        if size <= min(MAX_ENTRY, room):
            answered.append((cid, entry))
            room -= size
    verdicts = sorted(cache.verdicts.items())[-MAX_VERDICTS:]
    data: dict[str, object] = {
        "verdicts": {str(k): v for k, v in verdicts},
        "outsiders": {
            k: str(v) for k, v in sorted(cache.outsiders.items(), key=lambda kv: -kv[1])[:MAX_OUTSIDERS]
        },
        "pending": list(cache.pending)[:MAX_PENDING],
        "done": list(cache.done)[-MAX_DONE:],
        "answered": {
            str(cid): {
                "at": a.at.isoformat(),
                "by": a.by,
                "cmds": [[n, x[:MAX_ARGS], ok] for n, x, ok in a.commands],
            }
            for cid, a in sorted(answered)
        },
    }
    if cache.issue is not None:
        data["issue"] = cache.issue
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
    return _OPENING + text.replace("<", "\\u003c").replace(">", "\\u003e") + " -->"


def _entry_size(entry: AnsweredComment) -> int:
    """How many characters an answered comment takes in the memo, escaped as it is written."""
    text = json.dumps([[n, x[:MAX_ARGS], ok] for n, x, ok in entry.commands], separators=(",", ":"))
    return len(text) + 6 * (text.count("<") + text.count(">")) + 60


def _dict(value: object) -> dict:
    """A JSON object field (absent: empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CacheProblem(f"expected an object, got {type(value).__name__}")
    return value


def _bool(value: object) -> bool:
    """A true/false field."""
    if not isinstance(value, bool):
        raise CacheProblem(f"expected true or false, got {value!r:.40}")
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


def _pending(value: object) -> tuple[str, ...]:
    """Undelivered integration steps: "step:key"."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_PENDING:
        raise CacheProblem("pending is not a short list")
    for item in value:
        step, _, key = item.partition(":") if isinstance(item, str) else ("", "", "")
        if step not in STEPS or not key or len(item) > 120:
            raise CacheProblem(f"{item!r:.40} is not an integration step")
    return tuple(value)


def _answered(value: object) -> AnsweredComment:
    """One answered command comment."""
    entry = _dict(value)
    commands = entry["cmds"]
    if not isinstance(commands, list) or not commands or len(commands) > 100:
        raise CacheProblem("an answered comment has no list of commands")
    parsed = []
    for command in commands:
        if not isinstance(command, list) or len(command) != 3:
            raise CacheProblem(f"{command!r:.40} is not a command")
        name, args, ok = command
        # Whether it names a real command is checked with the rest of its plausibility (evidence.py).
        if not isinstance(name, str) or not name.isalpha() or len(name) > 20:
            raise CacheProblem(f"{name!r:.40} is not a command")
        if not isinstance(args, str) or len(args) > MAX_ARGS:
            raise CacheProblem(f"{name!r:.40} is not a command")
        parsed.append((name, args, _bool(ok)))
    return AnsweredComment(_instant(entry["at"]), _login(entry["by"]), tuple(parsed))
