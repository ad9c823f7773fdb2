"""The slash commands: one entry each, with who may run it, its help, its effect on the state and its writes.

Finding command lines in a comment is in command_lines.py, parsing arguments in command_args.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from incident_ops.core.commands import effects as apply
from incident_ops.core.commands import writes
from incident_ops.core.commands.effects import Apply
from incident_ops.core.commands.follow_ups import follow_ups
from incident_ops.core.commands.severity import set_severity
from incident_ops.core.commands.writes import Writes
from incident_ops.core.model import CommandLine


@dataclass(frozen=True)
class Command:
    """One slash command: name, who may run it, usage and help lines, its effect on the state, its writes."""

    name: str
    team_only: bool
    usage: str
    help: str
    apply: Apply
    writes: Writes = writes.nothing

    @property
    def relays_text(self) -> bool:
        """Whether its text goes out in a message of its own, which then holds it (/update, /resolved)."""
        return self.writes is writes.message


_COMMANDS = (
    Command(
        "declare",
        True,
        "/declare",
        "Declare this issue an incident, or confirm one that someone outside the team reported.",
        apply.declare,
    ),
    Command(
        "commander",
        True,
        "/commander [@login]",
        "Make that user (default: you) the Incident Commander and an assignee.",
        apply.commander,
    ),
    Command("sme", True, "/sme @login [@login…]", "Add Subject Matter Experts.", apply.sme),
    Command(
        "community",
        True,
        "/community @login",
        "Record the affected community's Community Representative.",
        apply.community,
    ),
    Command(
        "update",
        True,
        "/update TEXT…",
        "Post an update to the community and restart the update clock.",
        apply.update,
        writes.message,
    ),
    Command(
        "resolved",
        True,
        "/resolved [TEXT…]",
        "Post the resolution message, mark the incident resolved and start the auto-close clock.",
        apply.resolved,
        writes.message,
    ),
    Command(
        "reopen",
        True,
        "/reopen",
        "Reopen a resolved incident; the escalation and update clocks restart.",
        apply.reopen,
        writes.reopen,
    ),
    Command(
        "close",
        True,
        "/close",
        "Close now if the incident report is complete; else list the gaps.",
        apply.close,
        writes.close,
    ),
    Command(
        "ticket", True, "/ticket ID", "Link the FreshDesk ticket (a number or ticket URL).", apply.ticket
    ),
    Command(
        "severity",
        True,
        "/severity LEVEL",
        "Set how severe the incident is; escalation and updates take that level's pace.",
        set_severity,
    ),
    Command(
        "follow-ups",
        True,
        "/follow-ups",
        "Open an issue for each unticked task item of the report's follow-ups section that links none.",
        apply.nothing,
        follow_ups,
    ),
    Command("status", False, "/status", "Refresh the status comment.", apply.nothing),
    Command("help", False, "/help", "List the commands.", apply.nothing),
)

REGISTRY: Mapping[str, Command] = MappingProxyType({command.name: command for command in _COMMANDS})
"""Every command by its lower-case name, in the order `/help` lists them."""


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def args_to_remember(line: CommandLine) -> str:
    """What the cache and the tool's records keep of a command's arguments: not a text its message holds."""
    return "" if REGISTRY[line.name].relays_text else line.args


def help_markdown() -> str:
    """A Markdown table of every command: who may run it, its usage and what it does."""
    rows = ["| Command | Who | What it does |", "| --- | --- | --- |"]
    for command in REGISTRY.values():
        who = "team" if command.team_only else "anyone"
        rows.append(f"| `{_cell(command.usage)}` | {who} | {_cell(command.help)} |")
    return "\n".join(rows) + "\n"
