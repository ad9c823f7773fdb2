"""What the tool's keyed comments record about what was applied: written with them, read back by later runs.

These records live in the hidden marker lines of comments only the tool's account writes, so they are the
history's own account of what was done; the status comment's cache only saves re-reading them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import quote, unquote

_LOGIN = r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}"
_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
_SOURCE = re.compile(rf"(?P<by>{_LOGIN}(?:\[bot\])?)@(?P<at>{_TIME})")
_DECLARED = re.compile(
    rf"at=(?P<at>{_TIME});by=(?P<by>{_LOGIN}(?:\[bot\])?)(?:;reported=(?P<reported>{_TIME});reporter=(?P<reporter>{_LOGIN}(?:\[bot\])?))?"
    r";author=(?P<author>team|outside)"
)


def instant(moment: datetime) -> str:
    """A UTC time for records: 2026-03-02T09:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    """A record's UTC time."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Source:
    """Who wrote the command a keyed message answers, and when."""

    by: str
    at: datetime


def source_fact(by: str, at: datetime) -> str:
    """The record of a command's author and instant."""
    return f"{by}@{instant(at)}"


def read_source(value: str | None) -> Source | None:
    """A command's author and instant, from its record."""
    found = _SOURCE.fullmatch(value or "")
    return Source(found["by"], _parse(found["at"])) if found else None


@dataclass(frozen=True)
class Declaration:
    """Who declared the incident and when, who reported it before, and whether its author is on the team."""

    at: datetime
    by: str
    reported_at: datetime | None
    reported_by: str | None
    author_on_team: bool


def declaration_fact(record: Declaration) -> str:
    """The record of a declaration, kept by the acknowledgement."""
    text = f"at={instant(record.at)};by={record.by}"
    if record.reported_at is not None and record.reported_by:
        text += f";reported={instant(record.reported_at)};reporter={record.reported_by}"
    return text + f";author={'team' if record.author_on_team else 'outside'}"


def read_declaration(value: str | None) -> Declaration | None:
    """A declaration, from its record."""
    found = _DECLARED.fullmatch(value or "")
    if found is None:
        return None
    reported = _parse(found["reported"]) if found["reported"] else None
    return Declaration(
        _parse(found["at"]), found["by"], reported, found["reporter"], found["author"] == "team"
    )


def read_refused(value: str | None) -> frozenset[int]:
    """Which of a comment's commands (by position) its reply refused."""
    parts = (value or "").split(",")
    return frozenset(int(p) for p in parts if p.isdigit() and len(p) < 4)


_APPLIED_ITEM = re.compile(r"(?P<name>[a-z]{1,20})(?:=(?P<args>[^;!]{1,1000}))?(?P<refused>!)?")


class AppliedCommand(NamedTuple):
    """One command of an edited or deleted comment, as its record keeps it."""

    name: str
    args: str
    accepted: bool


def applied_fact(commands: list[AppliedCommand]) -> str:
    """The record of a comment's commands: `sme=%40bob;commander=%40alice!` (`!` marks a refused one)."""
    items = (
        name + (f"={quote(args, safe='@/:.#-_')}" if args else "") + ("" if ok else "!")
        for name, args, ok in commands
    )
    return ";".join(items)


def read_applied(value: str | None) -> tuple[AppliedCommand, ...] | None:
    """A comment's commands as applied, from their record (None when it is not one)."""
    if not value:
        return None
    commands = []
    for item in value.split(";")[:100]:
        found = _APPLIED_ITEM.fullmatch(item)
        if found is None:
            return None
        commands.append(AppliedCommand(found["name"], unquote(found["args"] or ""), not found["refused"]))
    return tuple(commands)
