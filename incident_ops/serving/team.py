"""Who counts as the incident response team: config users, or repository permission high enough."""

from __future__ import annotations

from incident_ops.config.types import TeamConfig
from incident_ops.github.port import GitHubPort

RANK = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}


class Team:
    """Team membership per login, asking GitHub at most once per login per run."""

    def __init__(self, port: GitHubPort, config: TeamConfig) -> None:
        self._port = port
        self._config = config
        self._roles: dict[str, str] = {}
        self.known: dict[str, bool] = {}  # login (casefolded) → team, for the fold (see KnownRoles)

    def look_up(self, logins: set[str]) -> None:
        """Find out whether each login is team, so the next fold knows."""
        for login in sorted(logins):
            self.known[login.casefold()] = self.is_member(login)

    def is_member(self, login: str) -> bool:
        """Whether `login` is team: listed in config, or a repository role at least the minimum."""
        key = login.casefold()
        if key in self._config.users:
            return True
        if key not in self._roles:
            # Custom repository roles read as their base role's legacy permission; unknown → none.
            self._roles[key] = self._port.role_of(login)
        role = self._roles[key]
        return RANK.get(role, 0) >= RANK[self._config.min_permission]
