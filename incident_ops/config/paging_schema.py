"""How urgent an incident is: the `severity` section (levels, their pace, whether they page)."""

from __future__ import annotations

import re
from typing import Any

from incident_ops.config import values
from incident_ops.config.reader import Reader, boolean
from incident_ops.config.types import (
    EscalationConfig,
    SeverityConfig,
    SeverityLevel,
    UpdatesConfig,
)

LEVEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,19}")
MAX_LEVELS = 10


def read_severity(reader: Reader, data: object) -> SeverityConfig:
    """The severity section: every mistake named with its key path."""
    sec = reader.section(data, "severity", ["levels", "default"])
    raw = sec.get("levels")
    if raw is None or raw == {}:
        if sec.get("default") is not None:
            reader.problem("severity.default", "needs severity.levels, the levels it names one of")
        return SeverityConfig()
    if not isinstance(raw, dict):
        reader.problem(
            "severity.levels", "must map each level's name to its settings, e.g. SEV1: {page: true}"
        )
        return SeverityConfig()
    if len(raw) > MAX_LEVELS:
        reader.problem("severity.levels", f"at most {MAX_LEVELS} levels, got {len(raw)}")
    levels, seen = [], set()
    for name, settings in list(raw.items())[:MAX_LEVELS]:
        path = f"severity.levels.{name}"
        if not isinstance(name, str) or not LEVEL_NAME.fullmatch(name):
            reader.problem(path, "a level's name is a short word of letters, digits, - or _ (like SEV1)")
            continue
        if name.casefold() in seen:
            reader.problem(path, "is listed twice (names are compared without case)")
            continue
        seen.add(name.casefold())
        level = _level(reader, path, name, settings)
        if level is not None:
            levels.append(level)
    default = sec.get("default")
    names = ", ".join(str(n) for n in raw)
    if default is not None and (not isinstance(default, str) or default.casefold() not in seen):
        reader.problem("severity.default", f"{default!r} is not one of the levels ({names})")
    chosen = next(
        (lv.name for lv in levels if isinstance(default, str) and lv.name.casefold() == default.casefold()),
        None,
    )
    return SeverityConfig(tuple(levels), chosen)


def _level(reader: Reader, path: str, name: str, settings: Any) -> SeverityLevel | None:
    """One level's settings: escalation (after, mention), updates (every), page."""
    sec = reader.section(settings, path, ["escalation", "updates", "page"])
    escalation = updates = None
    if sec.get("escalation") is not None:
        esc = reader.section(sec["escalation"], f"{path}.escalation", ["after", "mention"])
        after = reader.value(esc, f"{path}.escalation", "after", values.parse_duration)
        mention = reader.items(esc, f"{path}.escalation", "mention", values.check_mention)
        found = {k: v for k, v in (("after", after), ("mention", mention)) if v is not None}
        escalation = EscalationConfig(**found)
    if sec.get("updates") is not None:
        upd = reader.section(sec["updates"], f"{path}.updates", ["every"])
        every = reader.value(upd, f"{path}.updates", "every", values.parse_duration)
        updates = UpdatesConfig(every=every) if every is not None else None
    page = reader.value(sec, path, "page", boolean)
    return SeverityLevel(name, escalation, updates, bool(page))
