"""Who counts as the incident response team: config users, or repository permission high enough."""

from __future__ import annotations

from incident_ops.config.types import TeamConfig
from incident_ops.core.model import Comment
from incident_ops.github.port import GitHubPort

RANK = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}


class Team:
    """Team membership per comment author, asking GitHub at most once per login per run."""

    def __init__(self, port: GitHubPort, config: TeamConfig) -> None:
        self._port = port
        self._config = config
        self._roles: dict[str, str] = {}

    def __call__(self, comment: Comment) -> bool:
        """Whether the comment's author is team (bots never are)."""
        if comment.author.is_bot:
            return False
        return self.is_member(comment.author.login)

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
