"""Command line: parses options, builds the real clock, config and GitHub port, maps exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from incident_ops import actions
from incident_ops.commands import find_commands
from incident_ops.config import (
    DEFAULT_CONFIG_PATH,
    Config,
    ConfigError,
    ConfigUnreadable,
    config_problems_as_annotations,
    load_config,
    validate_config_file,
)
from incident_ops.github import DEFAULT_BUDGET, GitHubFailure, PyGithubPort, RetryPolicy
from incident_ops.handlers import Context
from incident_ops.integrations.deliveries import from_config
from incident_ops.render import Renderer, TemplateProblem
from incident_ops.report import TemplateSource, check_report, format_check, read_template
from incident_ops.report_options import FORMATS, since_date
from incident_ops.serve import IncidentResult, Services, serve
from incident_ops.sweep import failed, sweep
from incident_ops.team import Team
from incident_ops.workhours import WorkCalendar

OK, PROBLEM, USAGE, GITHUB_FAILED = 0, 1, 2, 3
TRUE = {"1", "true", "yes", "on"}


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


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    env = dict(os.environ if env is None else env)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return USAGE if exit_.code not in (0, None) else OK
    try:
        _now(args, env)  # a malformed --now is a usage error whatever the subcommand
        return _dispatch(args, env)
    except UsageProblem as problem:
        print(f"incident-ops: {problem}", file=sys.stderr)
        return USAGE
    except GitHubFailure as failure:
        print(f"::error::GitHub failed: {failure}. Some work may be done; rerunning is safe.")
        return GITHUB_FAILED
    except BrokenPipeError:
        # The reader went away (`check-report … | head`): stop quietly, as Python's docs advise.
        # https://docs.python.org/3/library/signal.html#note-on-sigpipe
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return PROBLEM


def _dispatch(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Call the subcommand."""
    handlers: dict[str, Callable[[argparse.Namespace, dict[str, str]], int]] = {
        "run": _run,
        "sweep": _sweep,
        "check-report": _check_report,
        "validate-config": _validate_config,
        "demo": _demo,
        "report": _report,
        "init": _init,
    }
    return handlers[args.command](args, env)


def _now(args: argparse.Namespace, env: Mapping[str, str]) -> datetime:
    """--now, else INCIDENT_OPS_NOW, else the clock."""
    text = args.now or env.get("INCIDENT_OPS_NOW")
    if not text:
        return datetime.now(UTC)
    source = "--now" if args.now else "INCIDENT_OPS_NOW"
    try:
        parsed = _parse_instant(text)
    except (ValueError, OverflowError) as error:
        raise UsageProblem(f"{source}: {text!r} is not an ISO 8601 time ({error})") from error
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; dateutil is loaded only for the forms the standard library does not read."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        from dateutil.parser import isoparse

        return isoparse(text)


def _dry_run(args: argparse.Namespace, env: Mapping[str, str]) -> bool:
    """--dry-run, else INCIDENT_OPS_DRY_RUN."""
    return bool(args.dry_run) or env.get("INCIDENT_OPS_DRY_RUN", "").lower() in TRUE


def _config(args: argparse.Namespace, env: Mapping[str, str], workspace: Path) -> Config:
    """The config, or exit 1 with every problem (as annotations) before any write."""
    path = args.config or env.get("INCIDENT_OPS_CONFIG") or None
    try:
        return load_config(workspace, path)
    except ConfigUnreadable as error:
        raise UsageProblem(str(error)) from error


def _services(
    args: argparse.Namespace, env: Mapping[str, str], runner: actions.RunnerEnv, repo: str
) -> Services:
    """The real collaborators of a run."""
    config = _config(args, env, runner.workspace)
    if env.get("GITHUB_ACTIONS") == "true":
        for line in actions.mask_commands(env, config):
            print(line)
    wh = config.working_hours
    calendar = WorkCalendar(wh.timezone, wh.days, wh.start, wh.end, wh.holidays, wh.country, wh.subdivision)
    template = _template(config, runner.workspace)
    templates_dir = runner.workspace / config.templates_dir if config.templates_dir else None
    delay = _retry_delay(env)
    tool_logins = frozenset(filter(None, env.get("INCIDENT_OPS_TOOL_LOGIN", "").replace(",", " ").split()))
    budget = _whole_number(env, "INCIDENT_OPS_CALL_BUDGET", DEFAULT_BUDGET)
    retry = RetryPolicy(base_delay=delay)
    port = PyGithubPort(repo, runner.token, runner.api_url, retry, tool_logins=tool_logins, budget=budget)
    renderer = Renderer(templates_dir)
    renderer.check()
    context = Context(config, calendar, renderer, _now(args, env))
    integrations = from_config(config, env, retry_delay=delay)
    team = Team(port, config.team)
    return Services(repo, port, team, template, context, _dry_run(args, env), integrations=integrations)


def _template(config: Config, workspace: Path) -> TemplateSource:
    """The report template in use (report.template, else the bundled one)."""
    path = workspace / config.report.template if config.report.template else None
    try:
        return read_template(path)
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"report.template: cannot read {path}: {error}") from error


def _whole_number(env: Mapping[str, str], name: str, default: int) -> int:
    """A positive whole number from the environment."""
    text = env.get(name) or str(default)
    if not text.isdigit() or int(text) < 1:
        raise UsageProblem(f"{name}: {text!r} is not a positive whole number")
    return int(text)


def _retry_delay(env: Mapping[str, str]) -> float:
    """INCIDENT_OPS_RETRY_DELAY: the first retry's wait in seconds."""
    text = env.get("INCIDENT_OPS_RETRY_DELAY") or "1"
    try:
        delay = float(text)
    except ValueError:
        delay = -1.0
    if not 0 <= delay <= 60:
        raise UsageProblem(f"INCIDENT_OPS_RETRY_DELAY: {text!r} is not a number of seconds from 0 to 60")
    return delay


def _finish(services: Services, results: list[IncidentResult], runner: actions.RunnerEnv) -> int:
    """Outputs, summary and exit code of a run or sweep."""
    port = services.port
    actions.write_outputs(runner.output_path, actions.outputs_of(results))
    problems = services.integrations.problems
    summary = actions.summary_markdown(results, port.counter, services.dry_run, problems)
    actions.write_summary(runner.summary_path, summary)
    for result in results:
        state = f"#{result.number}: {result.state}"
        print(state + (f" — {'; '.join(result.done)}" if result.done else ""))
    print(f"API calls: {port.counter.reads} reads, {port.counter.writes} writes")
    for problem in services.integrations.problems:
        print(f"::warning::{actions.escape_data(problem)}")
    for result in results:
        for warning in result.warnings:
            print(f"::warning::#{result.number}: {actions.escape_data(warning)}")
    for result in results:
        if result.report_problems:
            missing = actions.escape_data("; ".join(result.report_problems))
            print(f"::notice::#{result.number}: the incident report is incomplete: {missing}")
    failed = [r for r in results if r.error]
    for result in failed:
        print(f"::error::#{result.number}: {actions.escape_data(result.error or '')}")
    return GITHUB_FAILED if failed else OK


def _with_config_errors(run: Callable[[], int]) -> int:
    """Exit 1 with annotations when the config is wrong."""
    try:
        return run()
    except ConfigError as error:
        for line in config_problems_as_annotations(error):
            print(line)
        print(f"incident-ops: the configuration has problems:\n{error}", file=sys.stderr)
        return PROBLEM
    except TemplateProblem as error:
        print(f"::error::{actions.escape_data(str(error))}")
        return PROBLEM


def _run(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Handle the event of a workflow run."""
    runner = actions.RunnerEnv.from_env(env)
    if runner.event_name in ("schedule", "workflow_dispatch"):
        return _sweep(args, env)
    if runner.event_name not in ("issues", "issue_comment"):
        print(f"::notice::incident-ops has nothing to do for {runner.event_name or 'no'} events.")
        return OK
    if not runner.repository:
        raise UsageProblem("GITHUB_REPOSITORY is not set")
    try:
        payload = actions.read_event(runner.event_path)
        facts = actions.issue_facts(payload)
    except actions.EventProblem as problem:
        raise UsageProblem(str(problem)) from problem
    repo = runner.repository

    def go() -> int:
        services = _services(args, env, runner, repo)
        label = services.context.config.incident_label.casefold()
        action = str(payload.get("action") or "")
        skip = _skip_reason(runner.event_name, action, facts, label)
        if skip:
            print(f"::notice::{skip}; nothing to do.")
            return _finish(services, [], runner)
        url = f"https://github.com/{repo}/issues/{facts.number}"
        title = str(payload["issue"].get("title") or "")
        try:
            before = (facts.comment_id, facts.body_before_edit) if facts.body_before_edit else None
            result = serve(facts.number, services, seen=actions.event_issue(payload), before_edit=before)
        except GitHubFailure as failure:
            result = IncidentResult(facts.number, title, url, "failed")
            result.error = f"GitHub failed: {failure}. Some work may be done; rerunning is safe"
        except TemplateProblem:
            raise
        except Exception as error:  # noqa: BLE001 - named in the output and summary, never a traceback
            result = failed(facts.number, title, url, error)
        return _finish(services, [result], runner)

    return _with_config_errors(go)


def _skip_reason(event: str, action: str, facts: actions.IssueEventFacts, label: str) -> str | None:
    """Why an event needs no work, if it needs none (checked before any API call)."""
    if facts.is_pull_request:
        return "the comment is on a pull request"
    if event == "issues" and action not in actions.ISSUE_ACTIONS:
        return f"issues.{action} is not handled"
    if event == "issue_comment" and action not in ("created", "edited"):
        return f"issue_comment.{action} is not handled"
    if facts.comment_by_bot:
        return "the comment is by a bot"
    edited = event == "issue_comment" and action == "edited"
    if edited and not (facts.comment_id and find_commands(facts.body_before_edit or "")):
        return "the edited comment held no command"  # what it says now is never a new command
    if label not in {name.casefold() for name in facts.labels} and not _declares(event, facts):
        return f"#{facts.number} is not an incident"
    return None


def _declares(event: str, facts: actions.IssueEventFacts) -> bool:
    """Whether a comment on a plain issue asks to declare it (the only command such an issue answers)."""
    return event == "issue_comment" and any(c.name == "declare" for c in find_commands(facts.comment_body))


def _sweep(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Serve every open incident's timers."""
    runner = actions.RunnerEnv.from_env(env)
    repo = getattr(args, "repo", None) or runner.repository
    if not repo or "/" not in repo:
        raise UsageProblem("sweep needs --repo OWNER/NAME (or GITHUB_REPOSITORY)")

    def go() -> int:
        services = _services(args, env, runner, repo)
        return _finish(services, sweep(services), runner)

    return _with_config_errors(go)


def _init(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Write the workflow, config, report template and issue form; optionally create the labels."""
    from incident_ops.init import run_init  # only this subcommand needs it

    runner = actions.RunnerEnv.from_env(env)
    repo = args.repo or runner.repository
    port = None
    if args.create_labels and repo and "/" in repo:
        delay = _retry_delay(env)
        port = PyGithubPort(repo, runner.token, runner.api_url, RetryPolicy(base_delay=delay))
    dry_run = _dry_run(args, env)
    return run_init(Path(args.directory), args.force, args.create_labels, port, print, dry_run)


def _report(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Print incident metrics; the Markdown report also goes to the job summary."""
    runner = actions.RunnerEnv.from_env(env)
    repo = args.repo or runner.repository
    if not repo or "/" not in repo:
        raise UsageProblem("report needs --repo OWNER/NAME (or GITHUB_REPOSITORY)")

    def go() -> int:
        services = _services(args, env, runner, repo)
        from incident_ops.report_cmd import run_report  # only this subcommand needs the metrics

        return run_report(services, args.since, args.format, print, runner.summary_path)

    return _with_config_errors(go)


def _check_report(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Print what the report lacks; exit 1 when incomplete."""
    try:
        body = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"cannot read {args.file}: {error}") from error
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    config = _with_config_errors_value(lambda: _config(args, env, workspace))
    if config is None:
        return PROBLEM
    check = check_report(body, _template(config, workspace).parsed)
    print(format_check(check))
    return OK if check.complete else PROBLEM


def _with_config_errors_value(load: Callable[[], Config]) -> Config | None:
    """The config, or None after printing its problems."""
    try:
        return load()
    except ConfigError as error:
        print(str(error), file=sys.stderr)
        return None


def _validate_config(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Exit 1 naming every problem of a config file."""
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    named = args.path or args.config or env.get("INCIDENT_OPS_CONFIG")
    path = Path(named) if named else workspace / DEFAULT_CONFIG_PATH
    if not named and not path.exists():
        print(f"No {DEFAULT_CONFIG_PATH} in {workspace}: every default applies.")
        return OK
    try:
        problems = validate_config_file(path, workspace)
    except ConfigUnreadable as error:
        raise UsageProblem(str(error)) from error
    for problem in problems:
        where = f"{path}:{problem.line}: " if problem.line else f"{path}: "
        print(where + str(problem))
    if not problems:
        print(f"{path}: valid.")
    return PROBLEM if problems else OK


def _demo(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Play an incident against the built-in emulator."""
    from incident_ops.demo import run_demo

    return run_demo()
