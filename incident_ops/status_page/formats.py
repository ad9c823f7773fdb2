"""Times and durations as the page writes them: for people, and for machines (`<time datetime>`, Atom)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def for_people(when: datetime) -> str:
    """2026-03-02 09:00 UTC."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def for_machines(when: datetime) -> str:
    """2026-03-02T09:00:00Z (RFC 3339, as `<time datetime>`, Atom and JSON want it)."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def duration(value: timedelta) -> str:
    """How long, for people: 45 seconds, 12 minutes, 5 hours 5 minutes, 2 days 3 hours."""
    seconds = max(int(value.total_seconds()), 0)
    days, hours, minutes = seconds // 86400, seconds // 3600 % 24, seconds // 60 % 60
    if days:
        return _count(days, "day") + (f" {_count(hours, 'hour')}" if hours else "")
    if hours:
        return _count(hours, "hour") + (f" {_count(minutes, 'minute')}" if minutes else "")
    return _count(minutes, "minute") if minutes else _count(seconds, "second")


def _count(number: int, unit: str) -> str:
    """'1 hour', '2 hours'."""
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"
