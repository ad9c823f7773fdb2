"""Small pieces of wording shared by the tool's messages."""

from __future__ import annotations

from datetime import timedelta


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 read', '2 reads', '0 incidents'."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def api_calls(reads: int, writes: int) -> str:
    """'API calls: 1 read, 2 writes'."""
    return f"API calls: {counted(reads, 'read')}, {counted(writes, 'write')}"


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
