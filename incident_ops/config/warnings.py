"""Configs that stop nothing but defeat what their author meant: `validate-config` warns about each.

Besides the config itself it reads the repository it belongs to: the issue forms and templates (which labels
they apply) and the workflows (how often the sweep runs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incident_ops import lazy
from incident_ops.config.types import Config

DEFAULT_LABEL = Config().incident_label
_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<yaml>.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_WEEK = timedelta(days=7)


def config_warnings(config: Config, workspace: Path) -> list[str]:
    """One line per intent the config defeats, each naming the key or file to change."""
    return [*_paging(config), *_forms(config, workspace), *_schedules(config, workspace)]


def _paging(config: Config) -> list[str]:
    """PagerDuty set up, yet no incident can page."""
    levels = config.severity.levels
    pager = config.integrations.pagerduty
    if pager is None or not pager.routing_key_env or not levels or any(level.page for level in levels):
        return []
    if config.severity.default is not None:
        return [
            "integrations.pagerduty: no severity level has `page: true` and every incident has a level "
            f"(severity.default: {config.severity.default}), so nobody is ever paged; "
            "add `page: true` to the levels that should wake someone"
        ]
    return [
        "integrations.pagerduty: no severity level has `page: true`: only incidents without a severity "
        "page, and `/severity` stops one from paging; add `page: true` to the levels that should wake someone"
    ]


def _forms(config: Config, workspace: Path) -> Iterator[str]:
    """Incident issue forms and templates that apply an incident label other than `incident_label`."""
    wanted = config.incident_label.casefold()
    folder = workspace / ".github" / "ISSUE_TEMPLATE"
    files = sorted(folder.glob("*")) if folder.is_dir() else []
    report = workspace / config.report.template if config.report.template else None
    for path in [*files, *([report] if report is not None and report not in files else [])]:
        labels = _labels_of(path)
        if not labels or wanted in {label.casefold() for label in labels}:
            continue
        if any("incident" in label.casefold() for label in labels) or DEFAULT_LABEL in labels:
            shown = ", ".join(f"`{label}`" for label in labels)
            label = config.incident_label
            yield (
                f"incident_label: {path.relative_to(workspace)} applies {shown} but not `{label}`, so the "
                f"issues it opens are never incidents; put `{label}` in its labels"
            )


def _labels_of(path: Path) -> list[str]:
    """The labels an issue form (YAML) or a Markdown issue template (its front matter) applies."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if path.suffix == ".md":
        found = _FRONT_MATTER.match(text)
        text = found["yaml"] if found else ""
    elif path.suffix not in (".yml", ".yaml"):
        return []
    data = _yaml(text)
    raw = data.get("labels") if isinstance(data, dict) else None
    if isinstance(raw, str):
        raw = raw.split(",")
    return [str(label).strip() for label in raw or () if str(label).strip()] if isinstance(raw, list) else []


def _yaml(text: str) -> Any:
    """YAML data, or None when the text is no YAML."""
    yaml = lazy.load("yaml")
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):
        return None


def _schedules(config: Config, workspace: Path) -> Iterator[str]:
    """An escalation due sooner than the sweep that must send it comes round."""
    afters = [("escalation.after", config.escalation.after)]
    afters += [
        (f"severity.levels.{level.name}.escalation.after", level.escalation.after)
        for level in config.severity.levels
        if level.escalation is not None
    ]
    for workflow, gap in _sweep_gaps(workspace):
        for key, after in afters:
            if after < gap:
                yield (
                    f"{key}: {_minutes(after)} is shorter than the sweep's schedule in {workflow} (every "
                    f"{_minutes(gap)} at most), so an escalation can come up to {_minutes(gap)} late, and "
                    "GitHub delays schedules further when busy; sweep more often or escalate later"
                )


def _sweep_gaps(workspace: Path) -> Iterator[tuple[str, timedelta]]:
    """Each workflow that runs incident-ops on a schedule, and the longest wait between two of its runs."""
    folder = workspace / ".github" / "workflows"
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        data = _yaml(text)
        if not isinstance(data, dict) or not _runs_the_sweep(data):
            continue
        triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
        schedule = triggers.get("schedule") if isinstance(triggers, dict) else None
        crons = [entry.get("cron") for entry in schedule or () if isinstance(entry, dict)]
        gaps = [gap for cron in crons if isinstance(cron, str) and (gap := _longest_gap(cron)) is not None]
        if gaps:
            yield str(path.relative_to(workspace)), min(gaps)


def _runs_the_sweep(workflow: dict[str, Any]) -> bool:
    """Whether a workflow runs incident-ops' own command (the reusable workflow, or the action's `run`),
    not another of its commands such as the status page."""
    for job in (workflow.get("jobs") or {}).values():
        if not isinstance(job, dict):
            continue
        if "incident-ops-reusable" in str(job.get("uses", "")):
            return True
        for step in job.get("steps") or ():
            if not isinstance(step, dict):
                continue
            uses, given = str(step.get("uses", "")), step.get("with") or {}
            command = given.get("command", "run") if isinstance(given, dict) else "run"
            if ("incident-ops" in uses or uses == "./") and command == "run":
                return True
            if "incident-ops sweep" in str(step.get("run", "")):
                return True
    return False


def _longest_gap(cron: str) -> timedelta | None:
    """The longest wait between two runs of a cron schedule over a week (None when it is no cron)."""
    croniter = lazy.load("croniter").croniter
    start = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
    try:
        runs = croniter(cron, start)
        previous, longest = runs.get_next(datetime), timedelta(0)
        for _ in range(2016 * 7):  # a run every 5 minutes, GitHub's shortest schedule, for a week
            moment = runs.get_next(datetime)
            longest, previous = max(longest, moment - previous), moment
            if moment - start > _WEEK:
                break
    except (ValueError, KeyError, TypeError):
        return None
    return longest


def _minutes(span: timedelta) -> str:
    """A duration as config durations are written: 15m, 2h, 1d."""
    minutes = int(span.total_seconds() // 60)
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes >= size and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
