"""The metrics report for machines: JSON, and CSV with a row per incident (durations in seconds)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

from incident_ops.core.state import INCIDENT_STATES
from incident_ops.core.views.metrics import IncidentFigures, Summary

MEASURES = (
    ("to_confirm", "confirm", "Time to confirm (reported by someone outside the team)"),
    ("to_acknowledge", "acknowledge", "Time to acknowledge"),
    ("to_commander", "commander", "Time to name an Incident Commander"),
    ("to_resolve", "resolve", "Time to resolve (first resolution)"),
    ("to_settle", "settle", "Time to resolve for good (last resolution)"),
    ("to_close", "close", "Time to close"),
)
INCIDENT_FIELDS = ("number", "title", "url", "state", "severity", "reported_at", "declared_at")
COUNT_FIELDS = ("reopened", "updates", "update_intervals", "update_intervals_kept", "cadence_kept")
# Added after the others, so that a spreadsheet or script reading the columns by position keeps working.
FOLLOW_UP_FIELDS = ("follow_ups", "follow_ups_open", "oldest_open_follow_up_seconds", "follow_ups_done")


def seconds(value: timedelta | None) -> int | None:
    """Whole seconds, for the machine-readable formats."""
    return None if value is None else int(value.total_seconds())


def iso(when: datetime) -> str:
    """A UTC time for machines: 2026-03-02T09:00:00Z."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def incident_record(f: IncidentFigures) -> dict[str, object]:
    """One incident as a flat record (durations in seconds)."""
    record: dict[str, object] = {"number": f.number, "title": f.title, "url": f.url, "state": f.state}
    record["severity"] = f.severity
    record["reported_at"] = iso(f.reported_at) if f.reported_at else None
    record["declared_at"] = iso(f.declared_at)
    for attr, _, _ in MEASURES:
        record[f"{attr}_seconds"] = seconds(getattr(f, attr))
    record["open_for_seconds"] = seconds(f.age)
    record.update(reopened=f.reopened, updates=f.updates, update_intervals=f.intervals)
    record.update(update_intervals_kept=f.intervals_kept, cadence_kept=f.cadence_kept)
    counted = f.follow_ups
    record.update(follow_ups=counted.total, follow_ups_open=len(counted.open))
    record.update(
        oldest_open_follow_up_seconds=seconds(counted.oldest_open_age), follow_ups_done=counted.done
    )
    return record


def render_json(
    summary: Summary, repo: str, since: date | None, now: datetime, failures: list[str] | None = None
) -> str:
    """The report as JSON: the summary, months, every incident, open follow-ups (durations in seconds)."""
    spreads = {
        attr: {
            "incidents": s.count,
            "median_seconds": seconds(s.median),
            "p90_seconds": seconds(s.p90),
            "max_seconds": seconds(s.maximum),
        }
        for attr, key, _ in MEASURES
        for s in [getattr(summary, key)]
    }
    data = {
        "repository": repo,
        "since": since.isoformat() if since else None,
        "generated_at": iso(now),
        "update_every_seconds": seconds(summary.every),
        "incidents_total": len(summary.incidents),
        "states": {s: summary.count(s) for s in INCIDENT_STATES},
        "severities": {
            level: {"incidents": count, "median_to_resolve_seconds": seconds(median)}
            for level, count, median in summary.by_severity()
        },
        "times": spreads,
        "update_intervals": summary.intervals,
        "update_intervals_kept": summary.intervals_kept,
        "cadence_kept": summary.cadence_kept,
        "months": [
            {
                "month": m.month,
                "declared": m.declared,
                "resolved": m.resolved,
                "median_to_resolve_seconds": seconds(m.median_to_resolve),
                "update_intervals": m.intervals,
                "update_intervals_kept": m.intervals_kept,
            }
            for m in summary.months
        ],
        "incidents": [incident_record(f) for f in summary.incidents],
        "failures": list(failures or []),
        "follow_ups": _follow_ups(summary, now),
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _follow_ups(summary: Summary, now: datetime) -> dict[str, object]:
    """The open follow-up issues of the incidents reported; the incidents whose follow-ups are all done."""
    open_ones = [(f.number, issue) for f in summary.incidents for issue in f.follow_ups.open]
    return {
        "open": [
            {
                "incident": incident,
                "number": issue.number,
                "title": issue.title,
                "url": issue.html_url,
                "opened_at": iso(issue.opened_at),
                "open_for_seconds": seconds(max(now - issue.opened_at, timedelta(0))),
            }
            for incident, issue in open_ones
        ],
        "incidents_all_done": [f.number for f in summary.incidents if f.follow_ups.done],
    }


def render_csv(summary: Summary) -> str:
    """One row per incident; a title a spreadsheet would run as a formula gets a leading apostrophe."""
    out = io.StringIO()
    records = [incident_record(f) for f in summary.incidents]
    fields = list(records[0]) if records else list(incident_record_fields())
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records:
        title = str(record["title"])
        record["title"] = "'" + title if title[:1] in ("=", "+", "-", "@", "\t", "\r") else title
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return out.getvalue()


def incident_record_fields() -> tuple[str, ...]:
    """The CSV columns, in order."""
    measures = tuple(f"{attr}_seconds" for attr, _, _ in MEASURES)
    return (*INCIDENT_FIELDS, *measures, "open_for_seconds", *COUNT_FIELDS, *FOLLOW_UP_FIELDS)
