"""`incident-ops`: the entry point, dispatching each subcommand."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from incident_ops.cli import runtime
from incident_ops.cli.exit_codes import GITHUB_FAILED, OK, PROBLEM, USAGE
from incident_ops.cli.parser import UsageProblem, build_parser, ignored_global_option
from incident_ops.cli.wiring import (
    checked_api_url,
    checked_repo,
    checked_setup,
    dry_run_from,
    finish,
    named_config,
    now_from,
    retry_delay,
    services_from,
    template_from,
    token_refused,
    tool_logins_of,
    what_to_fix,
    with_config_errors,
)
from incident_ops.config.load import ConfigError
from incident_ops.core.comments.render import TemplateProblem
from incident_ops.core.report.check import check_report, format_check
from incident_ops.github.adapter import PyGithubPort
from incident_ops.github.port import GitHubFailure, RetryPolicy
from incident_ops.serving.serve import serve
from incident_ops.serving.services import IncidentResult
from incident_ops.serving.sweep import failed, sweep

if TYPE_CHECKING:
    from incident_ops.cli.local_setup import LocalSetup


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    env = dict(os.environ if env is None else env)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        ignored = ignored_global_option(args)
        if ignored:
            parser.error(ignored)
    except SystemExit as exit_:
        return USAGE if exit_.code not in (0, None) else OK
    try:
        now_from(args, env)  # a malformed --now is a usage error whatever the subcommand
        return _dispatch(args, env)
    except UsageProblem as problem:
        print(f"incident-ops: {problem}", file=sys.stderr)
        return USAGE
    except GitHubFailure as failure:
        runner = runtime.RunnerEnv.from_env(env)
        repo = getattr(args, "repo", None) or runner.repository
        needs = "issues: read" if args.command in READ_ONLY else "issues: write"
        print(f"::error::{runtime.escape_data(what_to_fix(failure, runner.api_url, repo, needs))}.")
        return PROBLEM if token_refused(failure) else GITHUB_FAILED
    except BrokenPipeError:
        # The reader went away (`check-report … | head`): stop quietly, as Python's docs advise.
        # https://docs.python.org/3/library/signal.html#note-on-sigpipe
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return PROBLEM


READ_ONLY = frozenset({"report", "status-page"})  # subcommands that only read the repository's issues
PAGERDUTY_DISPATCH = "pagerduty"  # the repository_dispatch event_type that asks for a look at PagerDuty


def _dispatch(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Call the subcommand."""
    handlers: dict[str, Callable[[argparse.Namespace, dict[str, str]], int]] = {
        "run": _run,
        "sweep": _sweep,
        "check-report": _check_report,
        "validate-config": _validate_config,
        "demo": _demo,
        "report": _report,
        "status-page": _status_page,
        "init": _init,
        "sandbox": _sandbox,
    }
    return handlers[args.command](args, env)


def _run(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Handle the event of a workflow run."""
    runner = runtime.RunnerEnv.from_env(env)
    if runner.event_name in ("schedule", "workflow_dispatch"):
        return _sweep(args, env)
    if runner.event_name == "repository_dispatch":
        return _dispatched(args, env, runner)
    if not runner.event_name:
        print(
            "::notice::incident-ops run handles the event of a GitHub Actions run, and GITHUB_EVENT_NAME is "
            "not set: outside Actions set GITHUB_EVENT_NAME and GITHUB_EVENT_PATH (an event file), or use "
            "`incident-ops sweep --repo OWNER/NAME`."
        )
        return OK
    if runner.event_name not in ("issues", "issue_comment"):
        print(f"::notice::incident-ops has nothing to do for {runner.event_name} events.")
        return OK
    repo = checked_repo(runner.repository, "run")
    try:
        payload = runtime.read_event(runner.event_path)
        facts = runtime.issue_facts(payload)
    except runtime.EventProblem as problem:
        raise UsageProblem(str(problem)) from problem

    def go() -> int:
        services = services_from(args, env, runner, repo)
        label = services.context.config.incident_label.casefold()
        action = str(payload.get("action") or "")
        skip = runtime.skip_reason(runner.event_name, action, facts, label)
        if skip:
            print(f"::notice::{skip}; nothing to do.")
            return finish(services, [], runner)
        url = f"https://github.com/{repo}/issues/{facts.number}"
        title = str(payload["issue"].get("title") or "")
        try:
            before = (facts.comment_id, facts.body_before_edit) if facts.body_before_edit else None
            deleted = runtime.deleted_comment(payload) if action == "deleted" else None
            seen = runtime.event_issue(payload, tool_logins_of(env)) if deleted is None else None
            result = serve(facts.number, services, seen=seen, before_edit=before, deleted=deleted)
        except GitHubFailure as failure:
            result = IncidentResult(facts.number, title, url, "failed", failure=failure)
            result.error = str(failure)
        except TemplateProblem:
            raise
        except Exception as error:  # noqa: BLE001 - named in the output and summary, never a traceback
            result = failed(facts.number, title, url, error)
        return finish(services, [result], runner)

    return with_config_errors(go)


def _sweep(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Serve every open incident's timers."""
    runner = runtime.RunnerEnv.from_env(env)
    repo = checked_repo(getattr(args, "repo", None) or runner.repository, "sweep")

    def go() -> int:
        services = services_from(args, env, runner, repo)
        return finish(services, sweep(services), runner)

    return with_config_errors(go)


def _dispatched(args: argparse.Namespace, env: dict[str, str], runner: runtime.RunnerEnv) -> int:
    """A `repository_dispatch` of type pagerduty: a sweep at once (the payload is never read for content)."""
    try:
        kind = runtime.read_event(runner.event_path).get("action")
    except runtime.EventProblem as problem:
        raise UsageProblem(str(problem)) from problem
    if kind != PAGERDUTY_DISPATCH:
        shown = runtime.escape_data(str(kind)[:100])
        print(f"::notice::incident-ops has nothing to do for repository_dispatch events of type {shown}.")
        return OK
    return _sweep(args, env)


def _init(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Write the workflow, config, report template and issue form; optionally create the labels."""
    from incident_ops.cli.init import run_init  # only this subcommand needs it

    runner = runtime.RunnerEnv.from_env(env)
    repo = args.repo or runner.repository
    port = None
    if args.create_labels:
        if not runner.token:
            raise UsageProblem(
                "--create-labels needs GITHUB_TOKEN: a token that may write the repository's labels"
            )
        repo = checked_repo(repo, "init --create-labels")
        delay = retry_delay(env)
        port = PyGithubPort(repo, runner.token, checked_api_url(runner), RetryPolicy(base_delay=delay))
    dry_run = dry_run_from(args, env)
    directory = Path(args.directory)
    return run_init(
        directory, args.force, args.create_labels, port, print, dry_run, args.uses, args.status_page
    )


def _report(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Print incident metrics (the Markdown also goes to the job summary), or one incident's document."""
    runner = runtime.RunnerEnv.from_env(env)
    repo = checked_repo(args.repo or runner.repository, "report")

    def go() -> int:
        services = services_from(args, env, runner, repo)
        if args.incident is not None:
            from incident_ops.cli.after_action import run_after_action

            return run_after_action(services, args.incident, print)
        from incident_ops.cli.report import run_report  # only this subcommand needs the metrics

        return run_report(services, args.since, args.format, print, runner.summary_path)

    return with_config_errors(go)


def _status_page(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Build the community status page into --out."""
    from incident_ops.cli.status_page import checked_out, run_status_page  # only this subcommand needs it

    runner = runtime.RunnerEnv.from_env(env)
    repo = checked_repo(args.repo or runner.repository, "status-page")
    out = checked_out(args.out)
    repo_url = f"{(env.get('GITHUB_SERVER_URL') or 'https://github.com').rstrip('/')}/{repo}"

    def go() -> int:
        services = services_from(args, env, runner, repo)
        return run_status_page(services, out, repo_url, print, runner.summary_path)

    return with_config_errors(go)


def _check_report(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Print what the report lacks; exit 1 when incomplete."""
    try:
        body = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"cannot read {args.file}: {error}") from error
    try:
        config, workspace = checked_setup(named_config(args, env), env, render=False)
    except ConfigError as error:
        print(str(error), file=sys.stderr)
        return PROBLEM
    check = check_report(body, template_from(config, workspace).parsed)
    print(format_check(check))
    return OK if check.complete else PROBLEM


def _validate_config(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Exit 1 naming every problem of a config file."""
    from incident_ops.cli.validate import run_validate  # only this subcommand needs it

    return run_validate(args.path or args.config or env.get("INCIDENT_OPS_CONFIG"), env)


def _sandbox(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Serve a local GitHub to try a setup on, with the config in use, until Ctrl-C."""
    from incident_ops.cli.sandbox import run_sandbox

    repo = checked_repo(args.repo, "sandbox")
    start = now_from(args, env) if args.now else None
    setup = _played_setup(args, env)
    if setup is None:
        return PROBLEM
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return run_sandbox(repo, start, args.port, lambda line: print(line, flush=True), stop, setup)


def _demo(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Play an incident against the built-in emulator, with the config in use (the bundled one if none)."""
    from incident_ops.cli.demo import run_demo
    from incident_ops.cli.status_page import checked_out

    site = checked_out(args.status_page, "demo --status-page") if args.status_page else None
    setup = _played_setup(args, env)
    return PROBLEM if setup is None else run_demo(main, setup=setup, status_page=site)


def _played_setup(args: argparse.Namespace, env: dict[str, str]) -> LocalSetup | None:
    """The config the demo or the sandbox plays, checked; None after naming its problems."""
    from incident_ops.cli.local_setup import local_setup

    try:
        return local_setup(named_config(args, env), env)
    except ConfigError as error:
        print(error)  # every problem, one line each, as validate-config names them
        return None
