"""The reader that turns YAML data into a Config, collecting every problem on the way."""

from __future__ import annotations

import math
from dataclasses import fields
from functools import partial
from typing import Any

from incident_ops.config import values
from incident_ops.config.pagerduty_schema import read_pagerduty
from incident_ops.config.paging_schema import read_severity
from incident_ops.config.reader import Reader, present
from incident_ops.config.types import (
    CloseConfig,
    Config,
    EscalationConfig,
    FollowUpsConfig,
    FreshdeskConfig,
    IntegrationsConfig,
    ReportConfig,
    StatusPageConfig,
    TeamConfig,
    UpdatesConfig,
    WorkingHoursConfig,
)

_MAX_LABEL = 50  # GitHub rejects label names longer than 50 characters.


class ConfigReader(Reader):
    """Reads the whole config file into a Config."""

    def read(self, data: object) -> Config:
        """Read the whole document into a Config (meaningful only when no problems were found)."""
        top = self.section(data, "", [f.name for f in fields(Config)])
        parts: dict[str, Any] = {}
        for name in ("incident_label", "resolved_label", "stale_label"):
            parts[name] = self.value(top, "", name, _label)
        self._distinct_labels(top, parts)
        parts["team"] = self._team(top.get("team"))
        parts["escalation"] = self._escalation(top.get("escalation"))
        parts["updates"] = self._updates(top.get("updates"))
        parts["close"] = self._close(top.get("close"))
        parts["working_hours"] = self._working_hours(top.get("working_hours"))
        parts["report"] = self._report(top.get("report"))
        parts["templates_dir"] = self.optional(top, "", "templates_dir", self._dir)
        parts["integrations"] = self._integrations(top.get("integrations"))
        parts["severity"] = read_severity(self, top.get("severity"))
        parts["follow_ups"] = follow_ups = self._follow_ups(top.get("follow_ups"))
        incident_label = parts["incident_label"] or Config.incident_label
        if follow_ups.label.casefold() == incident_label.casefold():
            self.problem("follow_ups.label", f"must differ from incident_label ({incident_label!r})")
        parts["status_page"] = self._status_page(top.get("status_page"))
        return Config(**{k: v for k, v in parts.items() if v is not None})

    def _distinct_labels(self, top: dict[str, Any], parts: dict[str, Any]) -> None:
        """Report two of the three labels set to the same name."""
        names = ("incident_label", "resolved_label", "stale_label")
        if any(n in top and parts[n] is None for n in names):
            return
        chosen = {n: parts[n] or getattr(Config, n) for n in names}
        for i, name in enumerate(names):
            for earlier in names[:i]:
                same = chosen[name].casefold() == chosen[earlier].casefold()
                if same and (name in top or earlier in top):
                    where = name if name in top else earlier
                    other = earlier if where == name else name
                    self.problem(where, f"must differ from {other} ({chosen[name]!r})")

    def _team(self, data: object) -> TeamConfig:
        """Read the team section."""
        sec = self.section(data, "team", ["min_permission", "users"])
        found = {
            "min_permission": self.value(sec, "team", "min_permission", values.check_permission),
            "users": _unique(self.items(sec, "team", "users", values.check_login)),
        }
        return TeamConfig(**present(found))

    def _escalation(self, data: object) -> EscalationConfig:
        """Read the escalation section."""
        sec = self.section(data, "escalation", ["after", "mention"])
        found = {
            "after": self.value(sec, "escalation", "after", values.parse_duration),
            "mention": _unique(self.items(sec, "escalation", "mention", values.check_mention)),
        }
        return EscalationConfig(**present(found))

    def _updates(self, data: object) -> UpdatesConfig:
        """Read the updates section."""
        sec = self.section(data, "updates", ["every"])
        return UpdatesConfig(**present({"every": self.value(sec, "updates", "every", values.parse_duration)}))

    def _close(self, data: object) -> CloseConfig:
        """Read the close section."""
        sec = self.section(data, "close", ["after_working_hours"])
        hours = self.value(sec, "close", "after_working_hours", _positive_hours)
        return CloseConfig(**present({"after_working_hours": hours}))

    def _working_hours(self, data: object) -> WorkingHoursConfig:
        """Read the working_hours section, including cross-key rules."""
        p = "working_hours"
        sec = self.section(data, p, [f.name for f in fields(WorkingHoursConfig)])
        found = {
            "timezone": self.value(sec, p, "timezone", values.check_timezone),
            "days": self.items(sec, p, "days", values.check_day),
            "start": self.value(sec, p, "start", partial(values.check_clock, allow_24=False)),
            "end": self.value(sec, p, "end", partial(values.check_clock, allow_24=True)),
            "holidays": self.items(sec, p, "holidays", values.check_date),
            "country": self.optional(sec, p, "country", values.check_country),
        }
        if found["days"] is not None:
            found["days"] = self._days(found["days"], sec["days"])
        if found["holidays"] is not None:
            found["holidays"] = tuple(sorted(set(found["holidays"])))
        start, end = found["start"] or "00:00", found["end"] or "24:00"
        if ("start" in sec or "end" in sec) and start >= end:
            where = "working_hours.end" if "end" in sec else "working_hours.start"
            self.problem(where, f"start ({start}) must be before end ({end}); overnight is not supported")
        if sec.get("subdivision") is not None:
            if found["country"] is not None:
                check = partial(values.check_subdivision, country=found["country"])
                found["subdivision"] = self.value(sec, p, "subdivision", check)
            elif sec.get("country") is None:
                self.problem(f"{p}.subdivision", "needs working_hours.country as well")
        return WorkingHoursConfig(**present(found))

    def _days(self, days: tuple[str, ...], raw: list[Any]) -> tuple[str, ...] | None:
        """Check the weekday list is non-empty and without repeats; return it in week order."""
        if not days:
            self.problem("working_hours.days", "must name at least one weekday")
            return None
        seen: set[str] = set()
        for index, day in enumerate(days):
            if day in seen:
                self.problem(f"working_hours.days[{index}]", f"{raw[index]!r} is listed twice")
            seen.add(day)
        return tuple(d for d in values.DAYS if d in seen) if len(seen) == len(days) else None

    def _report(self, data: object) -> ReportConfig:
        """Read the report section."""
        sec = self.section(data, "report", ["template"])
        return ReportConfig(template=self.optional(sec, "report", "template", self._file))

    def _integrations(self, data: object) -> IntegrationsConfig:
        """Read the integrations section."""
        p = "integrations"
        sec = self.section(data, p, ["slack_webhook_env", "freshdesk", "pagerduty"])
        slack = self.optional(sec, p, "slack_webhook_env", values.check_env_name)
        freshdesk = None
        if sec.get("freshdesk") is not None:
            fd = self.section(sec["freshdesk"], f"{p}.freshdesk", ["domain_env", "api_key_env"])
            names = {k: self.value(fd, f"{p}.freshdesk", k, values.check_env_name) for k in fd}
            for key in ("domain_env", "api_key_env"):
                if isinstance(sec["freshdesk"], dict) and key not in fd:
                    self.problem(f"{p}.freshdesk.{key}", "required when freshdesk is set")
            if all(names.get(k) for k in ("domain_env", "api_key_env")):
                freshdesk = FreshdeskConfig(names["domain_env"], names["api_key_env"])
        pagerduty = read_pagerduty(self, sec.get("pagerduty"))
        return IntegrationsConfig(slack_webhook_env=slack, freshdesk=freshdesk, pagerduty=pagerduty)

    def _follow_ups(self, data: object) -> FollowUpsConfig:
        """Read the follow_ups section."""
        sec = self.section(data, "follow_ups", ["section", "label"])
        heading = partial(
            values.require_string, what="a heading of the report template, like Follow-up actions"
        )
        section = self.optional(sec, "follow_ups", "section", heading)
        label = self.value(sec, "follow_ups", "label", _label)
        found = {"section": section and section.strip().lstrip("#").strip(), "label": label}
        return FollowUpsConfig(**present(found))

    def _status_page(self, data: object) -> StatusPageConfig:
        """Read the status_page section."""
        sec = self.section(data, "status_page", ["title", "history_days"])
        title = self.optional(sec, "status_page", "title", partial(values.require_string, what="a title"))
        days = self.value(sec, "status_page", "history_days", _positive_days)
        return StatusPageConfig(**present({"title": title and title.strip(), "history_days": days}))

    def _file(self, value: object) -> str:
        """Check a workspace-relative file path."""
        return values.check_relative_path(value, self.workspace, want_dir=False)

    def _dir(self, value: object) -> str:
        """Check a workspace-relative folder path."""
        return values.check_relative_path(value, self.workspace, want_dir=True)


def _label(value: object) -> str:
    """Check a GitHub label name."""
    text = values.require_string(value, "a label name").strip()
    if len(text) > _MAX_LABEL:
        raise ValueError(f"GitHub label names are at most {_MAX_LABEL} characters, got {len(text)}")
    return text


def _positive_hours(value: object) -> float:
    """Check a positive, finite number of hours (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number of working hours like 48, got {values.describe(value)}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"expected a positive number of working hours, got {value!r}")
    return float(value)


def _positive_days(value: object) -> int:
    """Check a positive whole number of days (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number of days like 90, got {values.describe(value)}")
    if value < 1:
        raise ValueError(f"expected a positive number of days, got {value}")
    return value


def _unique(entries: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Drop repeated entries (case-insensitively), keeping the first spelling."""
    if entries is None:
        return None
    kept: dict[str, str] = {}
    for entry in entries:
        kept.setdefault(entry.casefold(), entry)
    return tuple(kept.values())
