"""The configuration's shape: frozen dataclasses with defaults, and the Problem record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class TeamConfig:
    """Who counts as the response team."""

    min_permission: str = "triage"
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class EscalationConfig:
    """When an unresolved incident pings the wider team, and whom."""

    after: timedelta = timedelta(minutes=30)
    mention: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdatesConfig:
    """How often the community hears about an active incident."""

    every: timedelta = timedelta(hours=4)


@dataclass(frozen=True)
class CloseConfig:
    """When a resolved incident without a community reply closes itself."""

    after_working_hours: float = 48.0


@dataclass(frozen=True)
class WorkingHoursConfig:
    """The calendar that working-hour clocks count on."""

    timezone: str = "UTC"
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    start: str = "00:00"
    end: str = "24:00"
    holidays: tuple[date, ...] = ()
    country: str | None = None
    subdivision: str | None = None


@dataclass(frozen=True)
class ReportConfig:
    """Where the incident-report template comes from."""

    template: str | None = None


@dataclass(frozen=True)
class FreshdeskConfig:
    """Names of the environment variables holding the FreshDesk domain and API key."""

    domain_env: str
    api_key_env: str


@dataclass(frozen=True)
class PagerDutySyncConfig:
    """PagerDuty → GitHub: the REST API key's variable, the From email, the services and the people."""

    api_key_env: str
    from_email: str
    services: tuple[str, ...]
    min_priority: str | None = None  # None: every priority, and incidents without one
    users: tuple[tuple[str, str], ...] = ()  # (PagerDuty email, casefolded) → GitHub login
    api_url: str | None = None  # None: https://api.pagerduty.com

    def login_of(self, email: str | None) -> str | None:
        """The GitHub login `users` maps a PagerDuty user's email to."""
        wanted = (email or "").strip().casefold()
        return next((login for mail, login in self.users if mail == wanted), None) if wanted else None


@dataclass(frozen=True)
class PagerDutyConfig:
    """The Events API v2 (routing key, whether declaring pages, the endpoint), and the sync from PagerDuty."""

    routing_key_env: str | None = None  # None: only the sync (incidents started in GitHub page nobody)
    on_declare: bool = False
    events_url: str | None = None  # None: https://events.pagerduty.com/v2/enqueue
    sync: PagerDutySyncConfig | None = None


@dataclass(frozen=True)
class IntegrationsConfig:
    """Optional chat, help-desk and paging integrations."""

    slack_webhook_env: str | None = None
    freshdesk: FreshdeskConfig | None = None
    pagerduty: PagerDutyConfig | None = None


@dataclass(frozen=True)
class SeverityLevel:
    """One severity level: its name, its own escalation and update pace (None: the top-level one), paging."""

    name: str
    escalation: EscalationConfig | None = None
    updates: UpdatesConfig | None = None
    page: bool = False


@dataclass(frozen=True)
class SeverityConfig:
    """The severity levels, most severe first, and the one an incident starts at (none: severity is off)."""

    levels: tuple[SeverityLevel, ...] = ()
    default: str | None = None

    def level(self, name: str | None) -> SeverityLevel | None:
        """The level called `name` (any case), if there is one."""
        return next((lv for lv in self.levels if name and lv.name.casefold() == name.casefold()), None)


@dataclass(frozen=True)
class FollowUpsConfig:
    """Follow-up issues: the report section whose task items `/follow-ups` opens (None: none), their label."""

    section: str | None = None
    label: str = "incident: follow-up"


@dataclass(frozen=True)
class StatusPageConfig:
    """The community status page: its title (None: "<owner>/<repo> status") and how far back it looks."""

    title: str | None = None
    history_days: int = 90


@dataclass(frozen=True)
class Config:
    """The whole configuration; Config() is the defaults."""

    incident_label: str = "type: Hub Incident"
    resolved_label: str = "incident: resolved"
    stale_label: str = "incident: update overdue"
    team: TeamConfig = field(default_factory=TeamConfig)
    escalation: EscalationConfig = field(default_factory=EscalationConfig)
    updates: UpdatesConfig = field(default_factory=UpdatesConfig)
    close: CloseConfig = field(default_factory=CloseConfig)
    working_hours: WorkingHoursConfig = field(default_factory=WorkingHoursConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    templates_dir: str | None = None
    integrations: IntegrationsConfig = field(default_factory=IntegrationsConfig)
    severity: SeverityConfig = field(default_factory=SeverityConfig)
    follow_ups: FollowUpsConfig = field(default_factory=FollowUpsConfig)
    status_page: StatusPageConfig = field(default_factory=StatusPageConfig)

    def escalation_for(self, severity: str | None) -> EscalationConfig:
        """The escalation pace of an incident at this severity (the top-level one when it sets none)."""
        level = self.severity.level(severity)
        return level.escalation if level is not None and level.escalation is not None else self.escalation

    def updates_for(self, severity: str | None) -> UpdatesConfig:
        """The update cadence of an incident at this severity (the top-level one when it sets none)."""
        level = self.severity.level(severity)
        return level.updates if level is not None and level.updates is not None else self.updates


@dataclass(frozen=True)
class Problem:
    """One mistake in a config file, named by its dotted key path."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        """Render as 'key.path: message'."""
        return f"{self.path}: {self.message}" if self.path else self.message


def child(path: str, key: object) -> str:
    """Join a dotted key path and a mapping key (any YAML scalar) or a list index (int)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}.{key_text(key)}" if path else key_text(key)


def key_text(key: object) -> str:
    """Spell a mapping key for a key path; YAML booleans as true/false."""
    if isinstance(key, str):
        return key
    return str(key).lower() if isinstance(key, bool) else str(key)
