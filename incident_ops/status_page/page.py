"""Which incidents the page shows: the active ones, then those of the last `history_days` days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_ops.status_page.model import PublicIncident


@dataclass(frozen=True)
class Page:
    """The incidents going on now, and the past ones of the window, newest first."""

    active: tuple[PublicIncident, ...]
    past: tuple[PublicIncident, ...]
    now: datetime
    history_days: int

    @property
    def shown(self) -> tuple[PublicIncident, ...]:
        """Every incident with a page of its own."""
        return self.active + self.past

    @property
    def operational(self) -> bool:
        """Whether no incident is going on."""
        return not self.active


def select(incidents: Iterable[PublicIncident], now: datetime, history_days: int) -> Page:
    """The active incidents, and the others whose last public moment is within the window; newest first."""
    since = now - timedelta(days=history_days)
    newest_first = sorted(incidents, key=lambda i: (i.declared_at, i.number), reverse=True)
    active = tuple(i for i in newest_first if i.active)
    past = tuple(i for i in newest_first if not i.active and i.last_at >= since)
    return Page(active, past, now, history_days)
