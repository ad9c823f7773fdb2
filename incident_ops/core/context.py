"""What every decision needs besides the incident (config, calendar, templates, the time), and durations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_ops.config.types import Config
from incident_ops.core.comments.render import Renderer
from incident_ops.core.workhours import WorkCalendar


@dataclass(frozen=True)
class Context:
    """What every decision needs besides the incident: config, calendar, templates, the time."""

    config: Config
    calendar: WorkCalendar
    renderer: Renderer
    now: datetime
    report_template: str | None = None  # the report template's Markdown (None: the bundled one)


def duration_text(seconds: float) -> str:
    """A duration for people: 30 minutes, 4 hours, 2 days."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{int(seconds // 60)} minutes"


def number_text(value: float) -> str:
    """48.0 → "48"; 7.5 stays "7.5"."""
    return str(int(value)) if float(value).is_integer() else str(value)
