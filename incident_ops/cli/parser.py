"""The command line's arguments: subcommands, options and their checks."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from incident_ops import lazy
from incident_ops.config.load import DEFAULT_CONFIG_PATH

FORMATS = ("markdown", "json", "csv")  # of `incident-ops report`


class UsageProblem(Exception):
    """Bad options or an unreadable input file: exit 2."""


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """--now, --dry-run and --config, accepted before or after the subcommand."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--now", default=default, help="ISO 8601 instant to use as the clock")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="read, but print each write instead of making it",
    )
    parser.add_argument("--config", default=default, help=f"config file (default {DEFAULT_CONFIG_PATH})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="incident-ops", description="Run incident response inside GitHub issues."
    )
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub.add_parser("run", parents=[common], help="handle the GitHub Actions event")
    sweep_parser = sub.add_parser("sweep", parents=[common], help="run the timers over open incidents")
    sweep_parser.add_argument("--repo", help="OWNER/NAME (default: GITHUB_REPOSITORY)")
    check = sub.add_parser("check-report", parents=[common], help="say what an incident report lacks")
    check.add_argument("file", help="a Markdown file, or - for standard input")
    validate = sub.add_parser("validate-config", parents=[common], help="check a config file")
    validate.add_argument("path", nargs="?", help=f"default: {DEFAULT_CONFIG_PATH} in the workspace")
    sub.add_parser("demo", parents=[common], help="play an incident against a local GitHub emulator")
    init_parser = sub.add_parser(
        "init", parents=[common], help="write the workflow, config, report template and issue form"
    )
    init_parser.add_argument("directory", nargs="?", default=".", help="the repository's root folder")
    init_parser.add_argument("--force", action="store_true", help="overwrite files that exist")
    init_parser.add_argument(
        "--create-labels", action="store_true", help="create the incident, resolved and stale labels"
    )
    init_parser.add_argument("--repo", help="OWNER/NAME for --create-labels (default: GITHUB_REPOSITORY)")
    metrics = sub.add_parser("report", parents=[common], help="incident metrics, with charts")
    metrics.add_argument("--since", type=since_date, help="declared on or after (YYYY-MM-DD)")
    metrics.add_argument("--repo", help="OWNER/NAME (default: GITHUB_REPOSITORY)")
    metrics.add_argument("--format", choices=FORMATS, default="markdown", help="default: markdown")
    return parser


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; dateutil is loaded only for the forms the standard library does not read."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return lazy.load("dateutil.parser").isoparse(text)


def since_date(text: str) -> date:
    """`--since`: an ISO date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-01-31") from error
