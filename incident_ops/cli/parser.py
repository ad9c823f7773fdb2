"""The command line's arguments: subcommands, options and their checks."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, datetime

from incident_ops import ACTION_HOME, ACTION_REF, __version__, lazy
from incident_ops.config.load import DEFAULT_CONFIG_PATH

FORMATS = ("markdown", "json", "csv")  # of `incident-ops report`


class UsageProblem(Exception):
    """Bad options or an unreadable input file: exit 2."""


INTEGRATIONS_ENV = (
    "the variables the config's integrations name, INCIDENT_OPS_PAGERDUTY_URL and "
    "INCIDENT_OPS_PAGERDUTY_API_URL (replace integrations.pagerduty.events_url and sync.api_url: the "
    "overrides the demo and the sandbox set for their local stand-ins)"
)
GLOBAL_OPTIONS = {"now": "--now", "dry_run": "--dry-run", "config": "--config"}
RUN_ENVIRONMENT = (
    "GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL, GITHUB_WORKSPACE, INCIDENT_OPS_CONFIG, "
    "INCIDENT_OPS_NOW, INCIDENT_OPS_CALL_BUDGET (the most API calls a run makes, 500), "
    "INCIDENT_OPS_TOOL_LOGIN (the account the token posts as, when not the Actions bot), "
    "INCIDENT_OPS_RETRY_DELAY (the first retry's wait in seconds, 1), INCIDENT_OPS_CLOCK_URL (a sandbox's "
    "clock, which `incident-ops sandbox` prints)"
)


@dataclass(frozen=True)
class Subcommand:
    """What a subcommand does (a line for the overview, and in full), its global options and environment."""

    summary: str
    description: str
    uses: frozenset[str]
    environment: str


SUBCOMMANDS: dict[str, Subcommand] = {
    "run": Subcommand(
        "handle this workflow run's event",
        "Handle the GitHub Actions event of this workflow run (issues, issue_comment; schedule and "
        "workflow_dispatch run the sweep).",
        frozenset({"now", "dry_run", "config"}),
        f"GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, {RUN_ENVIRONMENT}, INCIDENT_OPS_DRY_RUN, " + INTEGRATIONS_ENV,
    ),
    "sweep": Subcommand(
        "serve every open incident's timers",
        "Serve every open incident's timers: escalations, reminders, auto-close.",
        frozenset({"now", "dry_run", "config"}),
        f"{RUN_ENVIRONMENT}, INCIDENT_OPS_DRY_RUN, " + INTEGRATIONS_ENV,
    ),
    "check-report": Subcommand(
        "say what an incident report still lacks",
        "Say what an incident report (a Markdown file) still lacks; exit 1 when incomplete.",
        frozenset({"config"}),
        "GITHUB_WORKSPACE, INCIDENT_OPS_CONFIG",
    ),
    "validate-config": Subcommand(
        "check a config: exit 0 only when no run can fail on it",
        "Check a config file: name every mistake with its key path and line, render every message template "
        "on sample incidents, read the report template, warn about what it defeats; exit 1 on a mistake.",
        frozenset({"config"}),
        "GITHUB_WORKSPACE, INCIDENT_OPS_CONFIG",
    ),
    "demo": Subcommand(
        "play a whole incident on a local GitHub, offline",
        "Play a whole incident against a local GitHub emulator: no token, no network. It plays the config in "
        f"use (--config, else {DEFAULT_CONFIG_PATH} of the workspace, else the bundled one): its labels, "
        "templates and report template, and its integrations against local stand-ins.",
        frozenset({"config"}),
        "GITHUB_WORKSPACE, INCIDENT_OPS_CONFIG",
    ),
    "sandbox": Subcommand(
        "serve a local GitHub and stand-ins to try a setup on",
        "Start a local GitHub emulator and stand-ins for the config's integrations: a repository, users and "
        "a token, with the label and team of the config in use (--config, else the workspace's own); print "
        "the environment that points run, sweep and report at them, then each message the stand-ins "
        "receive, until interrupted.",
        frozenset({"now", "config"}),
        "GITHUB_WORKSPACE, INCIDENT_OPS_CONFIG",
    ),
    "init": Subcommand(
        "set a repository up: workflow, config, report template, issue form",
        "Write the workflow, config, report template and issue form into a repository; optionally create "
        "its labels and, with --status-page, the workflow that publishes the community status page.",
        frozenset({"dry_run"}),
        "GITHUB_TOKEN and GITHUB_REPOSITORY (for --create-labels), GITHUB_API_URL",
    ),
    "status-page": Subcommand(
        "build the community status page",
        "Build the community status page (index.html, a page per incident, feed.xml, incidents.json) into a "
        "folder: the current state and the incidents of the last status_page.history_days days.",
        frozenset({"now", "config"}),
        f"{RUN_ENVIRONMENT}, GITHUB_SERVER_URL (for links to the repository), GITHUB_STEP_SUMMARY",
    ),
    "report": Subcommand(
        "incident metrics with charts, or one incident's after-action document",
        "Incident metrics (time to acknowledge, to resolve, update cadence, open follow-ups) with charts; "
        "with --incident N, that incident as one Markdown document (title, severity, roles, the report's "
        "sections as written, timeline, durations) for an incident-reports repository or a wiki.",
        frozenset({"now", "config"}),
        f"{RUN_ENVIRONMENT}, GITHUB_STEP_SUMMARY",
    ),
}


def _global_options(parser: argparse.ArgumentParser, suppress: bool, uses: frozenset[str]) -> None:
    """The global options a subcommand uses, accepted before or after its name."""
    default = argparse.SUPPRESS if suppress else None
    if "now" in uses:
        parser.add_argument("--now", default=default, help="ISO 8601 instant to use as the clock")
    if "dry_run" in uses:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            default=argparse.SUPPRESS if suppress else False,
            help="read, but print each write instead of making it",
        )
    if "config" in uses:
        parser.add_argument("--config", default=default, help=f"config file (default {DEFAULT_CONFIG_PATH})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="incident-ops", description="Run incident response inside GitHub issues."
    )
    _global_options(parser, suppress=False, uses=frozenset(GLOBAL_OPTIONS))
    parser.add_argument("--version", action="version", version=f"incident-ops {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    made = {}
    for name, command in SUBCOMMANDS.items():
        common = argparse.ArgumentParser(add_help=False)
        _global_options(common, suppress=True, uses=command.uses)
        made[name] = sub.add_parser(
            name,
            parents=[common],
            help=command.summary,
            description=command.description,
            epilog=f"Environment: {command.environment}.",
        )
    made["sweep"].add_argument("--repo", help="OWNER/NAME (default: GITHUB_REPOSITORY)")
    made["check-report"].add_argument("file", help="a Markdown file, or - for standard input")
    made["validate-config"].add_argument(
        "path", nargs="?", help=f"default: {DEFAULT_CONFIG_PATH} in the workspace"
    )
    made["demo"].add_argument(
        "--status-page", metavar="DIR", help="then build the community status page of the demo into DIR"
    )
    made["sandbox"].add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)"
    )
    made["sandbox"].add_argument("--repo", default="hub-org/support", help="OWNER/NAME of the repository")
    init_parser = made["init"]
    init_parser.add_argument("directory", nargs="?", default=".", help="the repository's root folder")
    init_parser.add_argument("--force", action="store_true", help="overwrite files that exist")
    init_parser.add_argument(
        "--create-labels", action="store_true", help="create the incident, resolved and stale labels"
    )
    init_parser.add_argument("--repo", help="OWNER/NAME for --create-labels (default: GITHUB_REPOSITORY)")
    init_parser.add_argument(
        "--status-page",
        action="store_true",
        help="also the workflow that publishes the community status page with GitHub Pages (a repository set "
        "up earlier keeps its other files)",
    )
    init_parser.add_argument(
        "--uses", help=f"where the action lives, OWNER/REPO@REF (default: {ACTION_HOME}@{ACTION_REF})"
    )
    page = made["status-page"]
    page.add_argument("--out", required=True, help="the site's folder (made when missing)")
    page.add_argument("--repo", help="OWNER/NAME (default: GITHUB_REPOSITORY)")
    metrics = made["report"]
    metrics.add_argument("--since", type=since_date, help="declared on or after (YYYY-MM-DD)")
    metrics.add_argument("--repo", help="OWNER/NAME (default: GITHUB_REPOSITORY)")
    metrics.add_argument("--format", choices=FORMATS, default="markdown", help="default: markdown")
    metrics.add_argument(
        "--incident",
        type=issue_number,
        metavar="N",
        help="print incident #N's after-action document (Markdown) instead of the metrics",
    )
    return parser


def ignored_global_option(args: argparse.Namespace) -> str | None:
    """An option the command would ignore, if any: a global one it does not use, or a metrics-only one."""
    uses = SUBCOMMANDS[args.command].uses
    for name, flag in GLOBAL_OPTIONS.items():
        if name not in uses and getattr(args, name, None):
            return f"{args.command} does not use {flag}"
    if args.command == "report" and args.incident is not None:
        if args.since is not None:
            return (
                "report --incident prints one incident whatever its date: --since is for the metrics report"
            )
        if args.format != "markdown":
            return f"report --incident prints Markdown only: --format {args.format} is for the metrics report"
    return None


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


def issue_number(text: str) -> int:
    """`--incident`: an issue number (a positive whole number, `#12` allowed)."""
    digits = text.removeprefix("#")
    if not digits.isascii() or not digits.isdigit() or int(digits) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an issue number such as 12")
    return int(digits)
