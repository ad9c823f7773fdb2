"""Follow-up issues counted per incident for the metrics: how many, which are open, the oldest one's age."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_ops.core.follow_ups import FollowUp


@dataclass(frozen=True)
class FollowUpCount:
    """An incident's follow-up issues: how many, the open ones (oldest first), the oldest's age."""

    total: int = 0
    open: tuple[FollowUp, ...] = ()
    oldest_open_age: timedelta | None = None

    @property
    def done(self) -> bool:
        """Whether it has follow-ups and every one of them is closed."""
        return self.total > 0 and not self.open


def follow_up_counts(follow_ups: Iterable[FollowUp], now: datetime) -> dict[int, FollowUpCount]:
    """Each incident's follow-ups, by the incident's number; an issue read twice counts once."""
    by_incident: dict[int, list[FollowUp]] = {}
    for follow_up in {f.number: f for f in follow_ups}.values():
        by_incident.setdefault(follow_up.incident, []).append(follow_up)
    counts = {}
    for incident, found in by_incident.items():
        still = tuple(sorted((f for f in found if f.open), key=lambda f: (f.opened_at, f.number)))
        age = max(now - still[0].opened_at, timedelta(0)) if still else None
        counts[incident] = FollowUpCount(len(found), still, age)
    return counts
