"""Who is on the team, as far as the roles looked up before the fold tell; the fold asks no one."""

from __future__ import annotations

from collections.abc import Mapping

from incident_ops.core.model import Comment


class KnownRoles:
    """Team membership by login from roles already looked up; notes the logins it was asked about and lacks.

    An unknown login counts as outside the team (the safe answer) and is listed in `missing`: the caller looks
    those up and folds again, so the fold's answer never rests on a guess.
    """

    def __init__(self, members: Mapping[str, bool]) -> None:
        self._members = members
        self.missing: set[str] = set()

    def __call__(self, comment: Comment) -> bool:
        """Whether the comment's author is team (bots never are)."""
        if comment.author.is_bot:
            return False
        login = comment.author.login.casefold()
        if login not in self._members:
            self.missing.add(comment.author.login)
            return False
        return self._members[login]
