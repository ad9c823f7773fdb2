"""Times as the page writes them: for people, and for machines (`<time datetime>`, Atom)."""

from __future__ import annotations

from datetime import UTC, datetime


def for_people(when: datetime) -> str:
    """2026-03-02 09:00 UTC."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def for_machines(when: datetime) -> str:
    """2026-03-02T09:00:00Z (RFC 3339, as `<time datetime>`, Atom and JSON want it)."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
