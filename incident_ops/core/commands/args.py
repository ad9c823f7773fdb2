"""Parsing a command's arguments: logins, a ticket."""

from __future__ import annotations

import re

from incident_ops.core.report.tickets import ticket_id


class CommandError(ValueError):
    """A command's arguments are malformed; the message says why."""


# GitHub logins: 1-39 alphanumerics or single inner hyphens.
_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")


def _plural(count: int) -> str:
    """'1 login' or 'N logins'."""
    return f"{count} login" if count == 1 else f"{count} logins"


def parse_logins(args: str, *, at_least: int = 0, at_most: int | None = None) -> list[str]:
    """Logins from `@a @b, c` as typed, deduplicated case-insensitively; count limits enforced."""
    logins: list[str] = []
    seen: set[str] = set()
    for word in args.replace(",", " ").split():
        login = word.removeprefix("@")
        if len(login) > 39 or not _LOGIN.fullmatch(login):
            raise CommandError(f"'{word}' is not a valid GitHub login")
        if login.lower() not in seen:
            seen.add(login.lower())
            logins.append(login)
    if len(logins) < at_least:
        raise CommandError(f"expected at least {_plural(at_least)}, got {len(logins)}")
    if at_most is not None and len(logins) > at_most:
        raise CommandError(f"expected at most {_plural(at_most)}, got {len(logins)}")
    return logins


def parse_ticket_id(args: str) -> str:
    """The FreshDesk ticket number from `123`, `#123` or a ticket URL."""
    ticket = ticket_id(args)
    if ticket is None:
        hint = "use a ticket number such as 123 or #123, or the ticket's URL"
        if not args.strip():
            raise CommandError(f"no FreshDesk ticket given: {hint}")
        raise CommandError(f"'{args.strip()}' is not a FreshDesk ticket: {hint}")
    return ticket
